/**
 * A raw-video Matroska stream (V_UNCOMPRESSED, I420) carrying every frame's own present time, for
 * `record --vfr`: ffmpeg reads it on stdin and keeps the timestamps (Y4M has only a frame rate).
 *
 * Layout, written once: EBML header, Segment (unknown size, a live stream), Info (timestamps in
 * units of 0.1 ms), Tracks (one video track). Then Clusters (unknown size, each ended by the next)
 * holding SimpleBlocks: ID, 8-byte size, track 1, int16 time relative to the cluster, keyframe
 * flag, the I420 picture. A SimpleBlock's relative time is an int16, so a new Cluster starts
 * before the offset passes CLUSTER_SPAN_TICKS.
 *
 * Per frame nothing is allocated but a Cluster header every few seconds; the 13-byte block header
 * is written into the frame's pool buffer in front of the picture.
 */
import type { FrameView } from './frame-view.js';
import type { FrameFraming } from './y4m-encoder.js';
import { i420Size } from './i420-convert.js';

/** Matroska timestamp unit in ns: 0.1 ms, finer than any present time the displays report. */
export const MKV_TIMESTAMP_SCALE_NS = 100_000;
const TICKS_PER_MS = 1_000_000 / MKV_TIMESTAMP_SCALE_NS;
const CLUSTER_SPAN_TICKS = 30_000; // 3 s, well inside int16
const UNKNOWN_SIZE = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** SimpleBlock ID (1) + 8-byte size (8) + track vint (1) + relative time (2) + flags (1). */
export const MKV_BLOCK_HEADER_BYTES = 13;

function id(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from(bytes);
}

/** An EBML size as an 8-byte vint (0x01 + 7 bytes): one width for every element keeps this simple. */
function size8(n: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 0x01;
  let v = n;
  for (let i = 7; i >= 1; i--) {
    b[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return b;
}

function uint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  return Buffer.from(bytes);
}

function el(elementId: number, body: Buffer | string | number): Buffer {
  const data = typeof body === 'number' ? uint(body) : typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  return Buffer.concat([id(elementId), size8(data.length), data]);
}

export function mkvStreamHeader(width: number, height: number): Buffer {
  const ebml = el(0x1a45dfa3, Buffer.concat([el(0x4286, 1), el(0x42f7, 1), el(0x42f2, 4), el(0x42f3, 8), el(0x4282, 'matroska'), el(0x4287, 4), el(0x4285, 2)]));
  const info = el(0x1549a966, Buffer.concat([el(0x2ad7b1, MKV_TIMESTAMP_SCALE_NS), el(0x4d80, 'vdpush'), el(0x5741, 'vdpush')]));
  const video = el(0xe0, Buffer.concat([el(0xb0, width), el(0xba, height), el(0x2eb524, 'I420')]));
  const track = el(0xae, Buffer.concat([el(0xd7, 1), el(0x73c5, 1), el(0x83, 1), el(0x9c, 0), el(0x86, 'V_UNCOMPRESSED'), video]));
  const tracks = el(0x1654ae6b, track);
  return Buffer.concat([ebml, id(0x18538067), UNKNOWN_SIZE, info, tracks]);
}

export class MkvRawFraming implements FrameFraming {
  readonly prefixBytes = MKV_BLOCK_HEADER_BYTES;
  readonly repeatable = false;
  private t0 = Number.NaN;
  private clusterTicks = -1;
  private lastTicks = -1;
  /** The block's size field: the same for every frame of the stream. */
  private readonly blockSize: Buffer;

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {
    this.blockSize = size8(4 + i420Size(width, height));
  }

  streamHeader(): Buffer {
    return mkvStreamHeader(this.width, this.height);
  }

  prefix(buf: Buffer, frame: FrameView): Buffer | null {
    const { ticks, cluster } = this.place(frame.presentTimeMs);
    this.writeBlockHeader(buf, ticks);
    return cluster;
  }

  prefixAt(presentTimeMs: number): { before: Buffer | null; prefix: Buffer } {
    const { ticks, cluster } = this.place(presentTimeMs);
    const prefix = Buffer.alloc(MKV_BLOCK_HEADER_BYTES);
    this.writeBlockHeader(prefix, ticks);
    return { before: cluster, prefix };
  }

  /** The frame's time in ticks after the first frame, and a new Cluster header when one is due. */
  private place(presentTimeMs: number): { ticks: number; cluster: Buffer | null } {
    if (Number.isNaN(this.t0)) this.t0 = presentTimeMs;
    // Strictly increasing: a muxer refuses two frames at one time (or a clock that went back).
    let ticks = Math.round((presentTimeMs - this.t0) * TICKS_PER_MS);
    if (ticks <= this.lastTicks) ticks = this.lastTicks + 1;
    this.lastTicks = ticks;
    let cluster: Buffer | null = null;
    if (this.clusterTicks < 0 || ticks - this.clusterTicks > CLUSTER_SPAN_TICKS) {
      this.clusterTicks = ticks;
      cluster = Buffer.concat([id(0x1f43b675), UNKNOWN_SIZE, el(0xe7, ticks)]);
    }
    return { ticks, cluster };
  }

  private writeBlockHeader(buf: Buffer, ticks: number): void {
    buf[0] = 0xa3;
    this.blockSize.copy(buf, 1);
    buf[9] = 0x81; // track 1
    buf.writeInt16BE(ticks - this.clusterTicks, 10);
    buf[12] = 0x80; // keyframe
  }
}
