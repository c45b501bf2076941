/**
 * The hardware cursor of the X screen, through XFIXES: the shape (GetCursorImage, refetched on
 * each CursorNotify) and the position (QueryPointer, which every capture does anyway, plus a slow
 * poll while idle, because Xvfb does not draw the cursor into the framebuffer and a move damages
 * nothing). `version` bumps on any change so a swap-chain delivers a cursor-only frame when only
 * the pointer moved; `state.shapeId` bumps only when the image changed.
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
  private polling: ReturnType<typeof setInterval> | null = null;
  private pollInFlight = false;
  /** False while the pointer is on another screen of the server (the last QueryPointer said so). */
  private onThisScreen = true;
  private readonly onPointer = (err: unknown, p: { root: number; rootX: number; rootY: number } | undefined): void => {
    this.pollInFlight = false;
    if (!err && p) this.updatePosition(p.rootX, p.rootY, p.root);
  };

  constructor(
    private readonly conn: XConnection,
    private screen: { width: number; height: number },
    private readonly onChange: () => void,
  ) {
    this.cursorNotify = conn.fixes.firstEvent + conn.fixes.events.CursorNotify;
    conn.fixes.SelectCursorInput(conn.root, conn.fixes.CursorNotifyMask.DisplayCursor);
    // Where the pointer is first (on a one-screen server: always here), then the shape.
    if (conn.xdisplay.screen.length > 1) {
      this.pollInFlight = true;
      conn.client.QueryPointer(conn.root, this.onPointer);
    }
    this.fetchShape();
  }

  setScreen(width: number, height: number): void {
    this.screen = { width, height };
  }

  /** Returns true if the event was XFIXES's CursorNotify (and handles it). */
  handleEvent(ev: XEvent): boolean {
    if (ev.type !== this.cursorNotify) return false;
    this.fetchShape();
    return true;
  }

  /**
   * Records the pointer position seen by a capture's QueryPointer; `root` is the root window the
   * pointer is on (another screen's: the cursor is not on this screen).
   */
  updatePosition(x: number, y: number, root?: number): void {
    if (root !== undefined) this.onThisScreen = root === this.conn.root;
    const s = this.state;
    const visible = this.onThisScreen && x >= 0 && y >= 0 && x < this.screen.width && y < this.screen.height;
    if (x === s.x && y === s.y && visible === s.visible) return;
    s.x = x;
    s.y = y;
    s.visible = visible;
    this.version++;
    this.onChange();
  }

  /** Polls the pointer every `ms` while nothing else asks the server (0 = never). */
  startPolling(ms: number): void {
    this.stopPolling();
    if (ms <= 0) return;
    this.polling = setInterval(() => {
      if (this.pollInFlight || this.conn.closed) return;
      this.pollInFlight = true;
      this.conn.client.QueryPointer(this.conn.root, this.onPointer);
    }, ms);
    this.polling.unref();
  }

  stopPolling(): void {
    if (this.polling) clearInterval(this.polling);
    this.polling = null;
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
