/**
 * The built-in X clients that give the display something to show, and the check that a captured
 * frame is whole.
 *
 * 'animated': frame N is a checkerboard of TILE x TILE squares over the whole screen, even squares
 * in colour(N), odd squares in its complement, so every square encodes N. It is drawn as one
 * on-screen request: the two colours go into a 2-square tile pixmap (off screen, no damage), then
 * one PolyFillRectangle with that tile covers the root window. One request is atomic with respect
 * to a server grab, so a frame read under the grab must decode to one N everywhere; a read that
 * races the fill shows squares of N next to squares of N-1, which verifyXFrame reports as torn.
 *
 * 'desktop': the checkerboard is drawn once, then each frame repaints only a strip shaped like a
 * line of text (60% of the width, 1/60 of the height: 1% of the screen) that walks down the screen
 * like terminal output. For the benchmark's dirty-rectangle cost; its frames mix sequences by
 * design, so verifyXFrame does not apply to them.
 *
 * Several monitors (issue 12): each screen's workload also stamps its monitor's targetId, so the
 * host can tell whose frame it holds. The odd squares carry complement(N) XOR targetKey(targetId),
 * where targetKey(1) = 0: target 1 draws exactly the old image. verifyXFrame decodes the key from
 * the first even/odd pair and requires every square to agree with both.
 *
 * Colour encoding of N (24 bits of it): depth 24 stores it as the pixel's R,G,B bytes; depth 30
 * stores each byte in the top 8 of a 10-bit channel. Both survive the framebuffer exactly.
 */
import x11 from 'x11';
import type { XClient } from 'x11';
import { FORMAT_XRGB2101010 } from '../../contract/pixel-format.js';
import { screenIndexOf } from './display-name.js';

export const WORKLOAD_TILE = 64;
const SEQ_MASK = 0xffffff;
/** Larger than any screen: the server clips the fill to the root window, whatever RandR did. */
const COVER = 0x7fff;

export type WorkloadKind = 'animated' | 'desktop';

/** The largest targetId a workload stamps (16 bits of the key). */
export const MAX_STAMPED_TARGET = 0x10000;

/** What the odd squares XOR into their colour for `targetId` (0 for target 1: the old image). */
export function targetKey(targetId: number): number {
  return (targetId - 1) & 0xffff;
}

/**
 * The X pixel value (depth 24 or 30) that encodes `seq`; `inverted` gives the odd squares' colour,
 * which also carries `targetId` (see targetKey).
 */
export function pixelForSequence(seq: number, depth: number, inverted = false, targetId = 1): number {
  let v = seq & SEQ_MASK;
  if (inverted) v = (~v ^ targetKey(targetId)) & SEQ_MASK;
  if (depth === 30) {
    const r = (v >>> 16) & 0xff;
    const g = (v >>> 8) & 0xff;
    const b = v & 0xff;
    return ((r << 22) | (g << 12) | (b << 2)) >>> 0;
  }
  return v;
}

/** Decodes a little-endian 32-bit pixel word of `format` back to the 24-bit value it carries. */
function valueOfPixel(word: number, format: number): number {
  if (format === FORMAT_XRGB2101010) {
    return (((word >>> 22) & 0xff) << 16) | (((word >>> 12) & 0xff) << 8) | ((word >>> 2) & 0xff);
  }
  return word & SEQ_MASK;
}

export interface XFrameCheck {
  /** True when every sampled square decodes to the same sequence. */
  ok: boolean;
  /** The sequence (mod 2^24) the frame encodes, or the first square's when torn. */
  sequence: number;
  /** Squares sampled, and how many disagreed with the first. */
  samples: number;
  mismatches: number;
  /** The targetId the squares carry (1 for the old image), or 0 when the screen is too small to show it. */
  targetId: number;
}

/**
 * Checks an 'animated' frame: samples the centre of every checkerboard square and decodes it
 * (even squares directly, odd squares complemented and un-keyed with the key of the first odd
 * square). A frame is whole when all agree.
 */
export function verifyXFrame(pixels: Uint8Array, width: number, height: number, stride: number, format: number): XFrameCheck {
  const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const half = WORKLOAD_TILE >> 1;
  let first = -1;
  let key = -1;
  let samples = 0;
  let mismatches = 0;
  for (let ty = 0; ty * WORKLOAD_TILE + half < height; ty++) {
    for (let tx = 0; tx * WORKLOAD_TILE + half < width; tx++) {
      const x = tx * WORKLOAD_TILE + half;
      const y = ty * WORKLOAD_TILE + half;
      let v = valueOfPixel(view.getUint32(y * stride + x * 4, true), format);
      samples++;
      if ((tx + ty) & 1) {
        v = ~v & SEQ_MASK;
        // (0, 0), an even square, is always sampled first, so `first` is set when the first odd one comes.
        if (key < 0) key = (v ^ first) & SEQ_MASK;
        v ^= key;
      }
      if (first < 0) first = v;
      else if (v !== first) mismatches++;
    }
  }
  const targetId = key < 0 ? 0 : key > 0xffff ? -1 : key + 1;
  return { ok: samples > 0 && mismatches === 0 && targetId !== -1, sequence: first < 0 ? 0 : first, samples, mismatches, targetId: Math.max(0, targetId) };
}

export interface WorkloadOptions {
  /** ":N" or ":N.S": the workload draws on that screen's root. */
  display: string;
  kind: WorkloadKind;
  /** The monitor whose screen this is, stamped into the odd squares (default 1: the old image). */
  targetId?: number;
  /** Frames per second, or 'max': the next frame as soon as the server processed the last one. */
  fps: number | 'max';
}

export interface RunningWorkload {
  /** Frames drawn so far. */
  readonly frames: () => number;
  stop(): Promise<void>;
  /** Resolves when the X connection ends (the server died or stop() was called). */
  readonly ended: Promise<void>;
}

/** Connects to the display and draws until stopped or the server goes away. */
export async function runWorkload(opts: WorkloadOptions): Promise<RunningWorkload> {
  const { client, root, depth } = await new Promise<{ client: XClient; root: number; depth: number }>((resolve, reject) => {
    const c = x11.createClient({ display: opts.display, shm: false }, (err, d) => {
      if (err) reject(err);
      else {
        const screen = d.screen[screenIndexOf(opts.display)];
        if (screen === undefined) reject(new Error(`display ${opts.display} has no such screen`));
        else resolve({ client: c, root: screen.root, depth: screen.root_depth });
      }
    });
    c.on('error', () => {
      /* a failed request ends in the next frame's sync; nothing to do here */
    });
  });
  let stopped = false;
  let frames = 0;
  const ended = new Promise<void>((resolve) => {
    client.on('end', () => {
      stopped = true;
      resolve();
    });
    client.stream.on('close', () => {
      stopped = true;
      resolve();
    });
  });

  const T = WORKLOAD_TILE;
  const tilePixmap = client.AllocID();
  (client as unknown as { CreatePixmap(pid: number, drawable: number, depth: number, w: number, h: number): void }).CreatePixmap(
    tilePixmap, root, depth, 2 * T, 2 * T,
  );
  const gcA = client.AllocID();
  const gcB = client.AllocID();
  const gcTile = client.AllocID();
  client.CreateGC(gcA, tilePixmap, { foreground: 0 });
  client.CreateGC(gcB, tilePixmap, { foreground: 0 });
  // fill_style 1 = FillTiled; the tile origin stays (0,0), so squares line up with the screen grid.
  client.CreateGC(gcTile, root, { fillStyle: 1, tile: tilePixmap });
  const evenSquares = [0, 0, T, T, T, T, T, T];
  const oddSquares = [T, 0, T, T, 0, T, T, T];
  const cover = [0, 0, COVER, COVER];
  const strip = [0, 0, 0, 0];

  const targetId = opts.targetId ?? 1;
  const paintTile = (seq: number): void => {
    client.ChangeGC(gcA, { foreground: pixelForSequence(seq, depth) });
    client.ChangeGC(gcB, { foreground: pixelForSequence(seq, depth, true, targetId) });
    client.PolyFillRectangle(tilePixmap, gcA, evenSquares);
    client.PolyFillRectangle(tilePixmap, gcB, oddSquares);
  };

  let screenW = 0;
  let screenH = 0;
  const drawFrame = (seq: number): void => {
    paintTile(seq);
    if (opts.kind === 'animated' || seq === 1) client.PolyFillRectangle(root, gcTile, cover);
    else {
      // One text-line strip: 60% wide, 1/60 high, walking down the screen.
      const h = Math.max(1, Math.floor(screenH / 60));
      const rows = Math.max(1, Math.floor(screenH / h));
      strip[0] = Math.floor(screenW * 0.05);
      strip[1] = (seq % rows) * h;
      strip[2] = Math.floor(screenW * 0.6);
      strip[3] = h;
      client.PolyFillRectangle(root, gcTile, strip);
    }
    frames = seq;
  };

  const geometry = (): Promise<void> =>
    new Promise((resolve) => {
      client.GetGeometry(root, (err, g) => {
        if (!err && g) {
          screenW = g.width;
          screenH = g.height;
        }
        resolve();
      });
    });
  await geometry();

  let timer: ReturnType<typeof setTimeout> | null = null;
  let seq = 0;
  const interval = opts.fps === 'max' ? 0 : 1000 / Math.max(1, opts.fps);
  const started = performance.now();
  const tick = (): void => {
    timer = null;
    if (stopped) return;
    seq++;
    drawFrame(seq);
    if (seq % 64 === 0) void geometry(); // follow RandR resizes for the desktop strip
    // Pace by a round trip so requests never pile up in the server faster than it draws them.
    client.sync(() => {
      if (stopped) return;
      const due = interval === 0 ? 0 : started + seq * interval - performance.now();
      if (due <= 0) setImmediate(tick);
      else timer = setTimeout(tick, due);
    });
  };
  tick();

  return {
    frames: () => frames,
    ended,
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        try {
          client.close(() => resolve());
        } catch {
          resolve();
        }
        setTimeout(resolve, 500).unref();
      });
    },
  };
}
