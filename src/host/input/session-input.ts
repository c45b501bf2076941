/**
 * A session's RemoteInput: each call becomes one 'input' message to the monitor's worker, where the
 * backend's DisplayInput delivers it. The display's clipboard comes back as 'clipboard' messages,
 * which the session hands to `deliverClipboard`. onClipboard fires on every change of the display's
 * clipboard, whoever made it: an X client on the display, or a remote client through clipboard().
 *
 * Messages are small and posted in order, so a key's down and up (and a button's press and release)
 * reach the display in the order the client sent them. After the session ended every call is dropped.
 */
import type { HostToWorker } from '../worker-messages.js';
import { toLatin1, type RemoteInput } from './remote-input.js';

/** The longest clipboard text passed on (RFB clients send far less; anything longer is cut). */
export const MAX_CLIPBOARD_CHARS = 1 << 20;

export class SessionRemoteInput implements RemoteInput {
  readonly viewOnly = false;
  private readonly listeners = new Set<(text: string) => void>();
  private lastText: string | null = null;
  private attached = false;

  constructor(
    private readonly post: (m: HostToWorker) => void,
    private readonly ended: () => boolean,
  ) {}

  /** Tells the worker to open the display's input now (the session calls it when handing this out). */
  attach(): void {
    if (this.attached || this.ended()) return;
    this.attached = true;
    this.post({ type: 'input', event: { kind: 'attach' } });
  }

  key(down: boolean, keysym: number): void {
    if (this.ended() || !Number.isInteger(keysym) || keysym < 0 || keysym > 0x1fffffff) return;
    this.post({ type: 'input', event: { kind: 'key', down: down === true, keysym } });
  }

  pointer(x: number, y: number, buttonMask: number): void {
    if (this.ended() || !Number.isFinite(x) || !Number.isFinite(y)) return;
    this.post({ type: 'input', event: { kind: 'pointer', x: Math.trunc(x), y: Math.trunc(y), buttons: buttonMask & 0xff } });
  }

  clipboard(text: string): void {
    if (this.ended() || typeof text !== 'string') return;
    const t = text.length > MAX_CLIPBOARD_CHARS ? text.slice(0, MAX_CLIPBOARD_CHARS) : text;
    this.post({ type: 'input', event: { kind: 'clipboard', text: t } });
    // The display's clipboard is now this text: the other clients are told at once (the sender
    // too; an RFB server that knows the sender may skip it). The display does not report it again.
    this.deliverClipboard(t);
  }

  onClipboard(listener: (text: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The display's clipboard changed (from the worker). */
  deliverClipboard(text: string): void {
    const t = toLatin1(text);
    if (t === this.lastText) return;
    this.lastText = t;
    for (const l of this.listeners) l(t);
  }
}
