/**
 * The X CLIPBOARD selection, for remote clients' cut text (RFB ClientCutText / ServerCutText).
 *
 * vdpush owns a small unmapped InputOnly window on the input connection:
 *  - set(text): it takes CLIPBOARD ownership and answers every SelectionRequest itself, with
 *    TARGETS, UTF8_STRING, STRING (Latin-1) or TEXT, as an X program copying text would;
 *  - another program taking CLIPBOARD (seen through XFIXES SelectSelectionInput, no polling) is
 *    asked for the text (ConvertSelection to UTF8_STRING, falling back to STRING) into a property
 *    of vdpush's window, and the text goes to the onChange listeners.
 *
 * Texts are capped at MAX_CLIPBOARD_BYTES both ways: larger ones would need the INCR protocol,
 * which vdpush does not speak (a larger selection is ignored, a larger remote text is cut).
 */
import type { XClient, XEvent } from 'x11';

/* eslint-disable @typescript-eslint/no-explicit-any */
type FixesExt = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

export const MAX_CLIPBOARD_BYTES = 192 * 1024;

const INPUT_ONLY = 2;
const ATOM_ATOM = 4;
const ATOM_STRING = 31;
const PROPERTY_CHANGE_MASK = 0x00400000;
const CORE_SELECTION_CLEAR = 29;
const CORE_SELECTION_REQUEST = 30;
const CORE_SELECTION_NOTIFY = 31;

interface Atoms {
  clipboard: number;
  utf8: number;
  targets: number;
  text: number;
  incr: number;
  property: number;
}

function intern(client: XClient, name: string): Promise<number> {
  return new Promise((resolve, reject) => client.InternAtom(false, name, (err, atom) => (err ? reject(err) : resolve(atom))));
}

export class XClipboard {
  private text: string | null = null;
  private owned = false;
  private lastSeen: string | null = null;
  private readonly listeners = new Set<(text: string) => void>();
  private closed = false;
  private readonly onEvent = (ev: XEvent): void => this.handle(ev);

  private constructor(
    private readonly client: XClient,
    private readonly window: number,
    private readonly atoms: Atoms,
    private readonly fixesNotify: number,
  ) {
    client.on('event', this.onEvent);
  }

  static async create(client: XClient, root: number, fixes: FixesExt): Promise<XClipboard> {
    const [clipboard, utf8, targets, text, incr, property] = await Promise.all(
      ['CLIPBOARD', 'UTF8_STRING', 'TARGETS', 'TEXT', 'INCR', 'VDPUSH_SELECTION'].map((n) => intern(client, n)),
    );
    const window = client.AllocID();
    client.CreateWindow(window, root, -10, -10, 1, 1, 0, 0, INPUT_ONLY, 0, { eventMask: PROPERTY_CHANGE_MASK });
    fixes.SelectSelectionInput(window, clipboard, fixes.SelectionEventMask.SetSelectionOwner);
    // A round trip: from here on the server reports every new CLIPBOARD owner to us.
    await new Promise<void>((resolve, reject) => client.sync((err) => (err ? reject(err) : resolve())));
    return new XClipboard(client, window, { clipboard: clipboard!, utf8: utf8!, targets: targets!, text: text!, incr: incr!, property: property! }, fixes.firstEvent + fixes.events.SelectionNotify);
  }

  /** Makes `text` the CLIPBOARD (vdpush owns the selection until another program takes it). */
  set(text: string): void {
    if (this.closed) return;
    this.text = capUtf8(text);
    this.lastSeen = this.text;
    this.owned = true;
    this.client.SetSelectionOwner(this.window, this.atoms.clipboard, 0);
  }

  onChange(listener: (text: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.client.removeListener('event', this.onEvent);
  }

  private handle(ev: XEvent): void {
    if (this.closed) return;
    if (ev.type === this.fixesNotify) {
      const owner = ev['owner'] as number;
      if (ev['selection'] !== this.atoms.clipboard || owner === this.window || owner === 0) return;
      this.owned = false;
      this.client.ConvertSelection(this.window, this.atoms.clipboard, this.atoms.utf8, this.atoms.property, (ev['selectionTimestamp'] as number) ?? 0);
      return;
    }
    switch (ev.type) {
      case CORE_SELECTION_REQUEST:
        if (ev['owner'] === this.window) this.answer(ev);
        return;
      case CORE_SELECTION_NOTIFY:
        if (ev['requestor'] === this.window && ev['selection'] === this.atoms.clipboard) this.received(ev);
        return;
      case CORE_SELECTION_CLEAR:
        if (ev['selection'] === this.atoms.clipboard) this.owned = false;
        return;
      default:
        return;
    }
  }

  /** Another program asked for our CLIPBOARD: write it into its property, then tell it. */
  private answer(ev: XEvent): void {
    const requestor = ev['requestor'] as number;
    const target = ev['target'] as number;
    // Obsolete clients pass property None: then the target names the property (ICCCM 2.2).
    const property = (ev['property'] as number) || target;
    let ok = this.owned && this.text !== null && ev['selection'] === this.atoms.clipboard;
    if (ok) {
      const text = this.text!;
      if (target === this.atoms.targets) {
        this.client.ChangeProperty(0, requestor, property, ATOM_ATOM, 32, [this.atoms.targets, this.atoms.utf8, ATOM_STRING, this.atoms.text]);
      } else if (target === this.atoms.utf8 || target === this.atoms.text) {
        this.client.ChangeProperty(0, requestor, property, this.atoms.utf8, 8, Buffer.from(text, 'utf8'));
      } else if (target === ATOM_STRING) {
        this.client.ChangeProperty(0, requestor, property, ATOM_STRING, 8, Buffer.from(text.replace(/[^\u0000-\u00ff]/gu, '?'), 'latin1'));
      } else {
        ok = false;
      }
    }
    this.client.SendEvent(requestor, 0, 0, {
      name: 'SelectionNotify',
      type: CORE_SELECTION_NOTIFY,
      seq: 0,
      time: ev['time'] as number,
      requestor,
      selection: ev['selection'] as number,
      target,
      property: ok ? property : 0,
    });
  }

  /** The owner answered our ConvertSelection: read (and delete) the property it wrote. */
  private received(ev: XEvent): void {
    const target = ev['target'] as number;
    if (ev['property'] === 0) {
      // No UTF8_STRING from this owner: ask for Latin-1 STRING once.
      if (target === this.atoms.utf8) this.client.ConvertSelection(this.window, this.atoms.clipboard, ATOM_STRING, this.atoms.property, (ev['time'] as number) ?? 0);
      return;
    }
    this.client.GetProperty(1, this.window, this.atoms.property, 0, 0, Math.ceil(MAX_CLIPBOARD_BYTES / 4), (err, prop) => {
      if (err || !prop || this.closed) return;
      if (prop.type === this.atoms.incr || prop.bytesAfter > 0) return; // larger than we take
      const text = prop.type === this.atoms.utf8 ? prop.data.toString('utf8') : prop.type === ATOM_STRING ? prop.data.toString('latin1') : null;
      if (text === null || text === this.lastSeen) return;
      this.lastSeen = text;
      for (const l of this.listeners) l(text);
    });
  }
}

function capUtf8(text: string): string {
  if (Buffer.byteLength(text, 'utf8') <= MAX_CLIPBOARD_BYTES) return text;
  let t = text.slice(0, MAX_CLIPBOARD_BYTES);
  while (Buffer.byteLength(t, 'utf8') > MAX_CLIPBOARD_BYTES) t = t.slice(0, Math.floor(t.length * 0.9));
  return t;
}
