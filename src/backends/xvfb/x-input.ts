/**
 * Remote input into the X server through XTEST, on an X connection of its own (so a burst of
 * pointer moves never queues behind the capture's requests, and the capture's connection stays
 * exactly what the swap-chain needs).
 *
 *  - key(down, keysym): keysym → keycode through the server's keyboard mapping (x-keymap.ts);
 *    Shift is faked around a key that needs another Shift state than the client holds, and a
 *    keysym the map lacks gets a spare keycode. A key-up releases the keycode its key-down pressed.
 *  - pointer(x, y, mask): one absolute MotionNotify when the position changed, then a press or
 *    release per button whose bit changed (RFB bit i = X button i+1: 4/5 wheel up/down, 6/7 wheel
 *    left/right, each press-release pair one wheel step).
 *  - the clipboard: x-clipboard.ts, on the same connection.
 *
 * Every request is fire-and-forget (no reply), so input costs no round trip. Input after the
 * connection ended is dropped and counted; close() releases whatever is still held, so a client
 * that vanished mid-drag leaves no button stuck down.
 */
import type { XClient, XDisplay, XEvent } from 'x11';
import { BackendError } from '../../contract/errors.js';
import { emptyInputCounters, type DisplayInput, type InputCounters } from '../../display/input.js';
import { XClipboard } from './x-clipboard.js';
import { Keymap } from './x-keymap.js';
import { connectXClient } from './x-connect.js';
import { screenIndexOf } from './display-name.js';

const MAX_COORD = 0x7fff;
const WHEEL_BITS = 0b1111000;

/* eslint-disable @typescript-eslint/no-explicit-any */
type XTestExt = any;
type FixesExt = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

interface KeyboardReplies {
  rows: number[][];
  modifiers: number[][];
}

export class XInput implements DisplayInput {
  private readonly counts = emptyInputCounters();
  private closed = false;
  private x = -1;
  private y = -1;
  private buttons = 0;
  /** keysym → the keycode its key-down pressed. */
  private readonly pressed = new Map<number, number>();
  /** Keycodes held down (by us, for the client), for Shift state and spare reuse. */
  private readonly heldKeycodes = new Set<number>();

  private constructor(
    readonly display: string,
    private readonly client: XClient,
    private readonly xdisplay: XDisplay,
    private readonly xtest: XTestExt,
    private readonly keymap: Keymap,
    private readonly keysymsPerKeycode: number,
    private readonly clipboardOwner: XClipboard,
  ) {
    const gone = (): void => {
      this.closed = true;
      this.clipboardOwner.close();
    };
    client.on('end', gone);
    client.stream.on('close', gone);
  }

  /** True while the connection is up; a closed input drops everything (open another). */
  get alive(): boolean {
    return !this.closed;
  }

  /** The root of this display's screen (":N.S" → S): a pointer event moves the pointer onto that screen. */
  private get root(): number {
    return (this.xdisplay.screen[screenIndexOf(this.display)] ?? this.xdisplay.screen[0]!).root;
  }

  key(down: boolean, keysym: number): void {
    if (this.closed) return void this.counts.dropped++;
    if (!down) {
      const keycode = this.pressed.get(keysym);
      if (keycode === undefined) return; // never pressed (or pressed before we connected): nothing to release
      this.pressed.delete(keysym);
      this.heldKeycodes.delete(keycode);
      this.fake(this.xtest.KeyRelease, keycode);
      this.counts.keys++;
      return;
    }
    let loc = this.keymap.lookup(keysym);
    if (loc === null) {
      const spare = this.keymap.assignSpare(keysym, this.heldKeycodes, this.keysymsPerKeycode);
      if (spare === null) return void this.counts.dropped++;
      this.client.ChangeKeyboardMapping(spare.keycode, this.keysymsPerKeycode, spare.row);
      loc = { keycode: spare.keycode, shift: null };
    }
    const heldShifts = [...this.heldKeycodes].filter((k) => this.keymap.isShift(k));
    const shiftHeld = heldShifts.length > 0;
    const fakeShift = loc.shift === true && !shiftHeld ? this.keymap.shiftKeycode() : null;
    const releaseShifts = loc.shift === false && shiftHeld ? heldShifts : [];
    if (fakeShift !== null) this.fake(this.xtest.KeyPress, fakeShift);
    for (const k of releaseShifts) this.fake(this.xtest.KeyRelease, k);
    const already = this.pressed.get(keysym);
    if (already !== undefined && already !== loc.keycode) this.fake(this.xtest.KeyRelease, already);
    this.fake(this.xtest.KeyPress, loc.keycode);
    if (fakeShift !== null) this.fake(this.xtest.KeyRelease, fakeShift);
    for (const k of releaseShifts) this.fake(this.xtest.KeyPress, k);
    this.pressed.set(keysym, loc.keycode);
    this.heldKeycodes.add(loc.keycode);
    this.counts.keys++;
  }

  pointer(x: number, y: number, buttonMask: number): void {
    if (this.closed) return void this.counts.dropped++;
    const cx = Math.max(0, Math.min(MAX_COORD, Math.trunc(x)));
    const cy = Math.max(0, Math.min(MAX_COORD, Math.trunc(y)));
    if (this.xdisplay.screen.length > 1) {
      // Several screens, one pointer: XTEST motion moves it on the screen it is on now (its root
      // only offsets the coordinates), and another monitor's input may have taken it elsewhere.
      // A warp onto this screen's root moves it here (no event if it already is), before any
      // button, so a click lands on this monitor's screen.
      this.client.WarpPointer(0, this.root, 0, 0, 0, 0, cx, cy);
      this.x = cx;
      this.y = cy;
    } else if (cx !== this.x || cy !== this.y) {
      // detail 0: absolute coordinates on `root`.
      this.xtest.FakeInput(this.xtest.MotionNotify, 0, 0, this.root, cx, cy);
      this.x = cx;
      this.y = cy;
    }
    const mask = buttonMask & 0xff;
    const changed = mask ^ this.buttons;
    for (let bit = 0; bit < 8; bit++) {
      const b = 1 << bit;
      if ((changed & b) === 0) continue;
      const press = (mask & b) !== 0;
      this.fake(press ? this.xtest.ButtonPress : this.xtest.ButtonRelease, bit + 1);
      if (press) {
        if (b & WHEEL_BITS) this.counts.wheel++;
        else this.counts.clicks++;
      }
    }
    this.buttons = mask;
    this.counts.pointer++;
  }

  setClipboard(text: string): void {
    if (this.closed) return void this.counts.dropped++;
    this.clipboardOwner.set(text);
    this.counts.clipboard++;
  }

  onClipboard(listener: (text: string) => void): () => void {
    return this.clipboardOwner.onChange(listener);
  }

  counters(): InputCounters {
    return { ...this.counts };
  }

  close(): void {
    if (this.closed) return;
    // Nothing stays held down after the remote side is gone.
    for (const keycode of this.heldKeycodes) this.fake(this.xtest.KeyRelease, keycode);
    for (let bit = 0; bit < 8; bit++) if (this.buttons & (1 << bit)) this.fake(this.xtest.ButtonRelease, bit + 1);
    this.heldKeycodes.clear();
    this.pressed.clear();
    this.buttons = 0;
    this.closed = true;
    this.clipboardOwner.close();
    try {
      this.client.pack_stream.flush();
      this.client.terminate();
    } catch {
      /* already gone */
    }
  }

  private fake(type: number, detail: number): void {
    this.xtest.FakeInput(type, detail, 0, 0, 0, 0);
  }

  /** Connects to `display` and reads its keyboard mapping. Throws BackendError without XTEST. */
  static async open(display: string): Promise<XInput> {
    const { client, xdisplay } = await connect(display);
    try {
      const xtest = await requireExt(client, 'xtest', display);
      const fixes: FixesExt = await requireExt(client, 'fixes', display);
      const kb = await readKeyboard(client, xdisplay);
      const keymap = new Keymap(xdisplay.min_keycode ?? 8, kb.rows, kb.modifiers[0] ?? []);
      const clipboard = await XClipboard.create(client, (xdisplay.screen[screenIndexOf(display)] ?? xdisplay.screen[0]!).root, fixes);
      const perKeycode = kb.rows[0]?.length ?? 2;
      return new XInput(display, client, xdisplay, xtest, keymap, perKeycode, clipboard);
    } catch (e) {
      try {
        client.terminate();
      } catch {
        /* ignore */
      }
      throw e;
    }
  }
}

async function connect(display: string): Promise<{ client: XClient; xdisplay: XDisplay }> {
  // X errors of fire-and-forget requests (a BadValue keycode, say) must not throw.
  const conn = await connectXClient(display, { purpose: 'for input', onError: () => undefined });
  ownAtomCache(conn.client);
  return conn;
}

/** The last atom X predefines (XA_WM_TRANSIENT_FOR); the same on every server. */
const LAST_PREDEFINED_ATOM = 68;

/**
 * node-x11 caches interned atoms in ONE object shared by every client of the process, so a
 * client of a restarted (or another) X server would get the old server's atom numbers. Give this
 * client its own cache holding only the predefined atoms, which every server shares.
 */
function ownAtomCache(c: XClient): void {
  const shared = (c as unknown as { atoms: Record<string, number> }).atoms;
  const own: Record<string, number> = {};
  for (const [name, atom] of Object.entries(shared)) if (atom <= LAST_PREDEFINED_ATOM) own[name] = atom;
  (c as unknown as { atoms: Record<string, number> }).atoms = own;
}

function requireExt(client: XClient, name: string, display: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    client.require(name, (err, ext) => {
      if (err || !ext) reject(new BackendError(`the X extension ${name.toUpperCase()} is missing on display ${display}; remote input needs it`));
      else resolve(ext);
    });
  });
}

function readKeyboard(client: XClient, xdisplay: XDisplay): Promise<KeyboardReplies> {
  const min = xdisplay.min_keycode ?? 8;
  const max = xdisplay.max_keycode ?? 255;
  return new Promise((resolve, reject) => {
    client.GetKeyboardMapping(min, max - min + 1, (err, rows) => {
      if (err) return reject(new BackendError(`GetKeyboardMapping failed: ${err.message}`));
      client.GetModifierMapping((err2, modifiers) => {
        if (err2) return reject(new BackendError(`GetModifierMapping failed: ${err2.message}`));
        resolve({ rows, modifiers });
      });
    });
  });
}

export type { XEvent };
