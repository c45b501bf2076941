/**
 * Encodes frames and cursor shapes as the viewer's binary messages (viewer-protocol.ts).
 *
 * A socket keeps a reference to a sent Buffer until it has flushed it, so a message buffer is
 * reused only after every send of it has called back (`refs` = sends not yet called back). The pool
 * therefore grows to (pages x frames in flight + 1) buffers and stays there: no allocation per
 * frame once it has warmed up. A frame sent to several pages is converted once.
 */
import type { CursorView, FrameView } from '../sinks/frame-view.js';
import { ConvertOutcome, RgbaConverter } from '../sinks/pixel-convert.js';
import {
  CURSOR_HEADER_BYTES,
  CURSOR_MAGIC,
  CursorHeader,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FrameHeader,
} from './viewer-protocol.js';

export interface FrameMessage {
  buf: Buffer;
  /** Sends of `buf` not yet called back; 0 = reusable. */
  refs: number;
  /** Pass as the send callback: releases one reference. */
  readonly done: (err?: Error) => void;
  sequence: number;
  presentTimeMs: number;
}

export class FrameMessageEncoder {
  private readonly converter = new RgbaConverter();
  private readonly pool: FrameMessage[] = [];
  private current: FrameMessage | null = null;

  constructor(
    private readonly maxWidth: number,
    private readonly maxHeight: number,
  ) {}

  /**
   * The message for `frame`: the cached one when it is the frame encoded last, else a new encoding
   * in a free pool buffer. Null when the frame cannot be converted (unknown format, bad geometry).
   */
  encode(frame: FrameView): FrameMessage | null {
    const cur = this.current;
    if (cur && cur.sequence === frame.sequence && cur.presentTimeMs === frame.presentTimeMs) return cur;
    if (this.converter.convert(frame, this.maxWidth, this.maxHeight) !== ConvertOutcome.Ok) return null;
    const c = this.converter;
    const bytes = FRAME_HEADER_BYTES + c.data.length;
    const msg = this.take(bytes);
    const b = msg.buf;
    b.writeUInt32LE(FRAME_MAGIC, FrameHeader.MAGIC);
    b.writeUInt32LE(frame.sequence >>> 0, FrameHeader.SEQUENCE);
    b.writeUInt32LE(c.width, FrameHeader.WIDTH);
    b.writeUInt32LE(c.height, FrameHeader.HEIGHT);
    b.writeUInt32LE(frame.width, FrameHeader.SOURCE_WIDTH);
    b.writeUInt32LE(frame.height, FrameHeader.SOURCE_HEIGHT);
    b.writeDoubleLE(frame.presentTimeMs, FrameHeader.PRESENT_TIME_MS);
    b.set(c.data, FRAME_HEADER_BYTES);
    msg.sequence = frame.sequence;
    msg.presentTimeMs = frame.presentTimeMs;
    this.current = msg;
    return msg;
  }

  /** Buffers held by the pool (for tests and stats). */
  get pooled(): number {
    return this.pool.length;
  }

  private take(bytes: number): FrameMessage {
    for (const m of this.pool) {
      if (m.refs === 0) {
        if (m.buf.length !== bytes) m.buf = Buffer.allocUnsafe(bytes);
        return m;
      }
    }
    const m: FrameMessage = {
      buf: Buffer.allocUnsafe(bytes),
      refs: 0,
      sequence: -1,
      presentTimeMs: -1,
      done: () => {
        if (m.refs > 0) m.refs--;
      },
    };
    this.pool.push(m);
    return m;
  }
}

/**
 * The cursor shape message: premultiplied BGRA8 (XFIXES's ARGB32, what the display reports) →
 * straight-alpha RGBA, which is what a canvas's ImageData holds. Allocates; sent only when the
 * shape changes.
 */
export function encodeCursorShape(cursor: CursorView): Buffer | null {
  const n = cursor.width * cursor.height * 4;
  if (!(cursor.width > 0 && cursor.height > 0) || cursor.shape.length < n) return null;
  const b = Buffer.allocUnsafe(CURSOR_HEADER_BYTES + n);
  b.writeUInt32LE(CURSOR_MAGIC, CursorHeader.MAGIC);
  b.writeUInt32LE(cursor.shapeId >>> 0, CursorHeader.SHAPE_ID);
  b.writeUInt32LE(cursor.width, CursorHeader.WIDTH);
  b.writeUInt32LE(cursor.height, CursorHeader.HEIGHT);
  b.writeUInt32LE(Math.max(0, cursor.hotX), CursorHeader.HOT_X);
  b.writeUInt32LE(Math.max(0, cursor.hotY), CursorHeader.HOT_Y);
  const s = cursor.shape;
  for (let i = 0, o = CURSOR_HEADER_BYTES; i < n; i += 4, o += 4) {
    const a = s[i + 3]!;
    const k = a === 0 ? 0 : 255 / a;
    b[o] = Math.min(255, Math.round(s[i + 2]! * k));
    b[o + 1] = Math.min(255, Math.round(s[i + 1]! * k));
    b[o + 2] = Math.min(255, Math.round(s[i]! * k));
    b[o + 3] = a;
  }
  return b;
}
