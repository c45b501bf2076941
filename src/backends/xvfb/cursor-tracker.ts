/**
 * The hardware cursor of the X screen, through XFIXES: the shape (GetCursorImage, refetched on
 * each CursorNotify) and the position (QueryPointer, which every capture does anyway). Xvfb does
 * not draw the cursor into the framebuffer and a move damages nothing, so the position also comes
 * from XI2 motion events on the root (RawMotion: XTEST and device motion anywhere; Motion: a warp
 * over the bare root), each answered by a QueryPointer at once, and from a poll for what no event
 * reports (a WarpPointer, as xdotool mousemove does, over a window whose client selects motion).
 * The poll runs every `cursorPollMs` while anything happens and slows to a tenth of that rate when
 * nothing has for a while (cursor-poll-backoff.ts): an idle display pays ~1 poll a second, not 10.
 * A poll asks only what no capture answered: every capture's batch carries its own QueryPointer,
 * so while frames flow each capture's reply pushes the poll's timer back (`refresh`, nothing
 * allocated) and a tick that finds a capture's or a motion query's position newer than the last
 * tick sends nothing. A busy screen at 60 Hz used to pay ~10 extra round trips a second (each a
 * write that wakes the X server and a reply that wakes this thread) for positions its captures
 * had already read.
 * `version` bumps on any change so a swap-chain delivers a cursor-only frame when only the pointer
 * moved; `state.shapeId` bumps only when the image changed.
 *
 * One pointer moves across all the screens of a server; a screen shows the cursor only while the
 * pointer is on it. QueryPointer names the root the pointer is on: another screen's root means
 * this screen's cursor is hidden (XFIXES's GetCursorImage position alone cannot tell screens apart,
 * so it is trusted only while the last QueryPointer found the pointer here).
 *
 * The shape is XFIXES's ARGB32 (premultiplied alpha) in the client's byte order, which on a
 * little-endian machine is B,G,R,A in memory: it is stored as is (BGRA8, premultiplied).
 */
import type { XEvent } from 'x11';
import type { CursorState } from '../../display/types.js';
import type { XConnection } from './x-connection.js';
import { PollBackoff } from './cursor-poll-backoff.js';
import { COALESCE_GRID_MS, setCoalescedTimeout } from '../../display/coalesced-timer.js';

/** X's GenericEvent: XI2 events arrive as one, `extension` = XInputExtension's major opcode. */
const GENERIC_EVENT = 35;

interface CursorImageReply {
  x: number;
  y: number;
  width: number;
  height: number;
  xhot: number;
  yhot: number;
  cursorSerial: number;
  cursorImage: Buffer;
}

export class CursorTracker {
  readonly state: CursorState = { visible: false, x: 0, y: 0, hotX: 0, hotY: 0, shapeId: 0, width: 0, height: 0, shape: new Uint8Array(0) };
  /** Bumped on every change of position or shape. */
  version = 0;
  private serial = -1;
  private readonly cursorNotify: number;
  /** The next poll: a plain timer while polling fast (pushed back by captures' QueryPointers)... */
  private polling: ReturnType<typeof setTimeout> | null = null;
  /** ...or, at the idle period, one that shares the worker's idle wake-up (coalesced-timer.ts). */
  private cancelSlowPoll: (() => void) | null = null;
  private backoff: PollBackoff | null = null;
  /** Something happened since the last poll (a move, a motion event, damage): keep polling fast. */
  private active = true;
  private pollInFlight = false;
  /** A motion event came while a query was in flight: query once more when it returns. */
  private queryAgain = false;
  /** The query in flight is the poll's own (its reply is what the poll asked, not a newer sighting). */
  private pollQueryInFlight = false;
  /** A capture or a motion query read the pointer since the poll's last tick: the tick need not ask. */
  private seenSinceTick = false;
  /** Queries the poll sent, and ticks it skipped because a capture had just read the pointer. */
  polls = 0;
  pollsSkipped = 0;
  /** XInputExtension's major opcode when XI2 motion is selected, else -1. */
  private readonly xiOpcode: number;
  private readonly pollCb = (): void => this.poll();
  /** False while the pointer is on another screen of the server (the last QueryPointer said so). */
  private onThisScreen = true;
  private readonly onPointer = (err: unknown, p: { root: number; rootX: number; rootY: number } | undefined): void => {
    this.pollInFlight = false;
    const fromPoll = this.pollQueryInFlight;
    this.pollQueryInFlight = false;
    if (!err && p) this.updatePosition(p.rootX, p.rootY, p.root);
    // The poll's own answer is not a newer sighting than its tick: the next tick asks again.
    if (fromPoll) this.seenSinceTick = false;
    if (this.queryAgain) {
      this.queryAgain = false;
      this.query();
    }
  };

  constructor(
    private readonly conn: XConnection,
    private screen: { width: number; height: number },
    private readonly onChange: () => void,
  ) {
    this.cursorNotify = conn.fixes.firstEvent + conn.fixes.events.CursorNotify;
    conn.fixes.SelectCursorInput(conn.root, conn.fixes.CursorNotifyMask.DisplayCursor);
    const xi = conn.xinput;
    if (xi !== null) {
      // Master devices: one event per move, whichever slave (XTEST's or a real one) made it.
      xi.XISelectEvents(conn.root, [{ deviceId: xi.AllMasterDevices, mask: xi.EventMask.RawMotion | xi.EventMask.Motion }]);
      this.xiOpcode = xi.majorOpcode as number;
    } else this.xiOpcode = -1;
    // Where the pointer is first (on a one-screen server: always here), then the shape.
    if (conn.xdisplay.screen.length > 1) this.query();
    this.fetchShape();
  }

  setScreen(width: number, height: number): void {
    this.screen = { width, height };
  }

  /** Returns true if the event was XFIXES's CursorNotify or XI2 motion (and handles it). */
  handleEvent(ev: XEvent): boolean {
    if (ev.type === this.cursorNotify) {
      this.fetchShape();
      return true;
    }
    if (ev.type === GENERIC_EVENT && ev.extension === this.xiOpcode) {
      // RawMotion carries no position and Motion one only while over the root: ask the server.
      this.active = true;
      this.query();
      return true;
    }
    return false;
  }

  /** Copies the cursor as it is now into a frame's `out` (no allocation); returns the version copied. */
  copyStateInto(out: CursorState): number {
    const s = this.state;
    out.visible = s.visible;
    out.x = s.x;
    out.y = s.y;
    out.hotX = s.hotX;
    out.hotY = s.hotY;
    out.width = s.width;
    out.height = s.height;
    out.shape = s.shape;
    out.shapeId = s.shapeId;
    return this.version;
  }

  /** Damage or a capture: the screen is in use, so keep the poll at its full rate. */
  noteActivity(): void {
    this.active = true;
  }

  /**
   * Records the pointer position seen by a capture's QueryPointer; `root` is the root window the
   * pointer is on (another screen's: the cursor is not on this screen).
   */
  updatePosition(x: number, y: number, root?: number): void {
    if (root !== undefined) {
      // A QueryPointer's answer (XFIXES's image position carries no root): the poll can wait.
      this.onThisScreen = root === this.conn.root;
      this.seenSinceTick = true;
      this.polling?.refresh();
    }
    const s = this.state;
    const visible = this.onThisScreen && x >= 0 && y >= 0 && x < this.screen.width && y < this.screen.height;
    if (x === s.x && y === s.y && visible === s.visible) return;
    this.active = true;
    s.x = x;
    s.y = y;
    s.visible = visible;
    this.version++;
    this.onChange();
  }

  /** Polls the pointer every `ms` while anything happens, slower while nothing does (0 = never). */
  startPolling(ms: number): void {
    this.stopPolling();
    if (ms <= 0) return;
    this.backoff = PollBackoff.forBase(ms);
    this.active = true;
    this.schedule(ms);
  }

  stopPolling(): void {
    if (this.polling) clearTimeout(this.polling);
    this.polling = null;
    this.cancelSlowPoll?.();
    this.cancelSlowPoll = null;
    this.backoff = null;
  }

  private schedule(ms: number): void {
    // A slow poll is not pushed back by captures: when it fires after one, it skips its query.
    if (ms >= COALESCE_GRID_MS) {
      this.cancelSlowPoll = setCoalescedTimeout(this.pollCb, ms, { ref: false });
      return;
    }
    this.polling = setTimeout(this.pollCb, ms);
    this.polling.unref();
  }

  private poll(): void {
    this.polling = null;
    this.cancelSlowPoll = null;
    const b = this.backoff;
    if (b === null || this.conn.closed) return;
    const active = this.active;
    this.active = false;
    if (this.seenSinceTick) {
      this.seenSinceTick = false;
      this.pollsSkipped++;
    } else {
      this.polls++;
      this.pollQueryInFlight = !this.pollInFlight;
      this.query();
    }
    this.schedule(b.next(active));
  }

  /** One QueryPointer, never two in flight (a request meanwhile asks again after the reply). */
  private query(): void {
    if (this.conn.closed) return;
    if (this.pollInFlight) {
      this.queryAgain = true;
      return;
    }
    this.pollInFlight = true;
    this.conn.client.QueryPointer(this.conn.root, this.onPointer);
  }

  private fetchShape(): void {
    if (this.conn.closed) return;
    this.conn.fixes.GetCursorImage((err: unknown, c: CursorImageReply | undefined) => {
      if (err || !c) return;
      const s = this.state;
      if (c.cursorSerial !== this.serial) {
        this.serial = c.cursorSerial;
        s.width = c.width;
        s.height = c.height;
        s.hotX = c.xhot;
        s.hotY = c.yhot;
        s.shape = new Uint8Array(c.cursorImage.buffer, c.cursorImage.byteOffset, c.cursorImage.byteLength);
        s.shapeId++;
        this.version++;
      }
      this.updatePosition(c.x, c.y);
      this.onChange();
    });
  }
}
