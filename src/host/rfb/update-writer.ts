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

  /** Encodes and writes one update: `pseudo` rectangles first, then `snaps`; stops when `closed()`. */
  async write(pseudo: Buffer[][], snaps: RectSnapshot[], prefs: ClientPreferences, translator: PixelTranslator, closed: () => boolean): Promise<void> {
    // With LastRect, each rectangle goes out as soon as it is encoded (no count needed up front).
    // Only over WebSocket (noVNC): Debian's vncsnapshot announces LastRect, then reads the LastRect
    // rectangle as an empty one and waits for all 65535 rectangles, so TCP updates carry a count.
    const stream = prefs.lastRect && this.transport.kind === 'websocket';
    const parts: Buffer[] = [];
    let rects = pseudo.length;
    let bytes = 4;
    const out = (chunks: readonly Buffer[]): void => {
      for (const c of chunks) bytes += c.length;
      if (stream) this.transport.write(chunks);
      else parts.push(...chunks);
    };
    if (stream) this.transport.write([updateHeader(0xffff)]);
    for (const p of pseudo) out(p);
    for (const s of snaps) {
      const e = await this.encodeRect(s, prefs, translator);
      if (closed()) return;
      rects += e.rects;
      out(e.chunks);
    }
    if (stream) out(lastRect());
    else this.transport.write([updateHeader(rects), ...parts]);
    this.counters.updates++;
    this.counters.rects += rects;
    this.counters.bytes += bytes;
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
