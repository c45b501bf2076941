/**
 * One RFB client's FramebufferUpdates from decision to wire: the rectangles an update covers are
 * taken from the client's damage and snapshotted at the decision, then encoded in the client's
 * preferred encoding (its own zlib streams for ZRLE and Tight) and written, each rectangle as soon
 * as it is encoded over WebSocket with LastRect, or the whole update with its count over TCP.
 *
 * The snapshots are views of the framebuffer until they are encoded: framebufferWillChange()
 * (called before a frame overwrites the framebuffer) copies the ones still waiting. The session
 * (rfb-session.ts) runs one update at a time, so the zlib streams see the messages in the order the
 * client decodes them, and the arena and the views are reset only when the next update is decided.
 */
import type { DamageRegion } from '../framebuffer/damage-region.js';
import type { LatestFramebuffer } from '../framebuffer/latest-framebuffer.js';
import type { FrameView } from '../sinks/frame-view.js';
import type { ClientPreferences } from './client-preferences.js';
import { encodeRaw } from './encoders/raw-encoder.js';
import { lastRect } from './encoders/pseudo-rects.js';
import { materializeSnapshot, type EncodedRects, type RectSnapshot } from './encoders/rect-snapshot.js';
import { ScratchArena } from './encoders/scratch-arena.js';
import { sharedEncodesOf } from './encoders/shared-encodes.js';
import { TightEncoder } from './encoders/tight-encoder.js';
import { ZrleEncoder } from './encoders/zrle-encoder.js';
import { Encoding, ServerMessage } from './rfb-constants.js';
import type { PixelTranslator } from './rfb-pixel-format.js';
import type { RfbTransport } from './rfb-transport.js';
import { takeDamage } from './take-damage.js';

/** What an update added to the session's counters. */
export interface UpdateCounters {
  updates: number;
  rects: number;
  bytes: number;
}

export class UpdateWriter {
  private zrle: ZrleEncoder | null = null;
  private tight: TightEncoder | null = null;
  private readonly rectScratch = new Int32Array(4 * 16);
  /** The snapshots of the update being encoded (reset when the next update is decided). */
  private readonly snapshots = new ScratchArena();
  /** This update's snapshots that are views of the framebuffer and not yet encoded. */
  private readonly liveViews: RectSnapshot[] = [];

  constructor(
    private readonly transport: RfbTransport,
    private readonly counters: UpdateCounters,
  ) {}

  /**
   * Takes the damage inside (x0..x1, y0..y1) for the next update, snapshotted now (the previous
   * update must be written: its snapshots are dropped). Clients of one framebuffer sent the same
   * tile of the same frame share its JPEG.
   */
  take(damage: DamageRegion, framebuffer: LatestFramebuffer, fb: FrameView, x0: number, y0: number, x1: number, y1: number): RectSnapshot[] {
    this.snapshots.reset();
    this.liveViews.length = 0;
    const snaps = takeDamage(damage, this.rectScratch, fb, x0, y0, x1, y1, this.snapshots);
    const shared = { encodes: sharedEncodesOf(framebuffer), version: framebuffer.counts.frames };
    for (const v of snaps) {
      v.shared = shared;
      if (v.view) this.liveViews.push(v);
    }
    return snaps;
  }

  /** A frame is about to overwrite the framebuffer: the views not yet encoded keep what they showed. */
  framebufferWillChange(): void {
    for (const v of this.liveViews) materializeSnapshot(v, this.snapshots);
    this.liveViews.length = 0;
  }

  /** The client's compression level changed (SetEncodings). */
  setLevel(compression: number): void {
    this.zrle?.setLevel(compression);
    this.tight?.setLevel(compression);
  }

  /**
   * Encodes and writes one update: `pseudo` rectangles first, then `snaps`; stops when `closed()`.
   * Returns undefined when the update was written before returning (every rectangle encoded on
   * this thread, as a desktop's and a flat animation's are), else a promise that settles once it
   * is: a frame's update then costs no promise, microtask or second task. A failed encode throws
   * (or rejects).
   */
  write(pseudo: Buffer[][], snaps: RectSnapshot[], prefs: ClientPreferences, translator: PixelTranslator, closed: () => boolean): Promise<void> | undefined {
    // With LastRect, each rectangle goes out as soon as it is encoded (no count needed up front).
    // Only over WebSocket (noVNC): Debian's vncsnapshot announces LastRect, then reads the LastRect
    // rectangle as an empty one and waits for all 65535 rectangles, so TCP updates carry a count.
    const u = this.pending;
    u.stream = prefs.lastRect && this.transport.kind === 'websocket';
    u.parts.length = 0;
    u.rects = pseudo.length;
    u.bytes = 4;
    if (u.stream) this.transport.write([updateHeader(0xffff)]);
    for (const p of pseudo) this.out(p);
    for (let i = 0; i < snaps.length; i++) {
      const e = this.encodeRect(snaps[i]!, prefs, translator);
      if (e instanceof Promise) return this.writeLater(e, i, snaps, prefs, translator, closed);
      this.add(e);
    }
    this.finish();
    return undefined;
  }

  /** The rest of an update from the rectangle (index `i`) whose encode is `first`. */
  private async writeLater(first: Promise<EncodedRects>, i: number, snaps: RectSnapshot[], prefs: ClientPreferences, translator: PixelTranslator, closed: () => boolean): Promise<void> {
    let e: EncodedRects | Promise<EncodedRects> = first;
    for (;;) {
      const done = await e;
      if (closed()) return;
      this.add(done);
      if (++i >= snaps.length) break;
      e = this.encodeRect(snaps[i]!, prefs, translator);
    }
    this.finish();
  }

  /** The update being written (one at a time per session). */
  private readonly pending = { stream: false, parts: [] as Buffer[], rects: 0, bytes: 0 };

  private add(e: EncodedRects): void {
    this.pending.rects += e.rects;
    this.out(e.chunks);
  }

  private out(chunks: readonly Buffer[]): void {
    const u = this.pending;
    for (const c of chunks) u.bytes += c.length;
    if (u.stream) this.transport.write(chunks);
    else for (const c of chunks) u.parts.push(c);
  }

  private finish(): void {
    const u = this.pending;
    if (u.stream) this.out(lastRect());
    else {
      u.parts.unshift(updateHeader(u.rects));
      this.transport.write(u.parts);
      u.parts.length = 0;
    }
    this.counters.updates++;
    this.counters.rects += u.rects;
    this.counters.bytes += u.bytes;
  }

  close(): void {
    this.zrle?.close();
    this.tight?.close();
  }

  private encodeRect(s: RectSnapshot, p: ClientPreferences, translator: PixelTranslator): Promise<EncodedRects> | EncodedRects {
    let e: Promise<EncodedRects> | EncodedRects;
    if (p.pixelEncoding === Encoding.Tight) e = (this.tight ??= new TightEncoder(p.compression)).encode(s, translator, p.quality);
    else if (p.pixelEncoding === Encoding.ZRLE) e = (this.zrle ??= new ZrleEncoder(p.compression)).encode(s, translator);
    else e = encodeRaw(s, translator);
    // The encoder has read the snapshot (encoders read it only in their synchronous part).
    const i = this.liveViews.indexOf(s);
    if (i >= 0) this.liveViews.splice(i, 1);
    return e;
  }
}

function updateHeader(rects: number): Buffer {
  const b = Buffer.alloc(4);
  b[0] = ServerMessage.FramebufferUpdate;
  b.writeUInt16BE(rects, 2);
  return b;
}
