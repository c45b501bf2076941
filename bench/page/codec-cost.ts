/**
 * What bounds the page on the simulated display: the CPU one frame of `--pattern full` costs to
 * encode as the page asks for it (Tight, quality 7, compression 1: one merged 1080p JPEG) and to
 * decode and draw in Chromium the way the page does (web/jpeg-off-thread.js: createImageBitmap of
 * a Blob, then one drawImage on a canvas), measured in the same run as the page, each alone on
 * the machine (serve is not running, the page is idle), against what two cores have per frame at
 * the display's rate.
 *
 * The encode runs vdpush's own TightEncoder on frames the sim's own painter draws, in this
 * process: its CPU is every thread's (the main thread's pixel preparation, libuv's, libvips's).
 * The decode counts every Chromium process (the decode thread, the page's main thread, the
 * browser's blob registry). Neither includes the transport, noVNC's parsing, the flip to the
 * visible canvas or compositing: what is left of the page's CPU per frame beyond these two is
 * that. Nothing is asserted.
 */
import { FramePainter } from '../../src/backends/sim/frame-pattern.js';
import { makePatternParams } from '../../src/backends/sim/pattern-workload.js';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';
import { snapshotRect } from '../../src/host/rfb/encoders/rect-snapshot.js';
import { TightEncoder } from '../../src/host/rfb/encoders/tight-encoder.js';
import { PixelTranslator, SERVER_PIXEL_FORMAT } from '../../src/host/rfb/rfb-pixel-format.js';

/** What the viewer page asks for (web/monitor-view.js). */
const PAGE_QUALITY = 7;
const PAGE_COMPRESSION = 1;
/** noVNC's pixel format: 32-bit true colour, red in the low byte. */
const NOVNC_FORMAT = { ...SERVER_PIXEL_FORMAT, redShift: 0, blueShift: 16 };
const WARMUP_FRAMES = 5;
const FRAMES = 60;

export interface CodecCost {
  /** Frames measured (after a warm-up). */
  frames: number;
  /** Mean bytes of one frame's JPEG. */
  jpegBytes: number;
  /** CPU ms per frame of vdpush's Tight encode (every thread of the process). */
  encodeMsPerFrame: number;
  /** Chromium's CPU ms per frame (every process) to decode that JPEG and draw it, the page's way. */
  decodeMsPerFrame: number;
  /** The CPU ms the machine's cores have per frame at the display's 60 Hz (2 cores: 33.3). */
  budgetMsPerFrame: number;
}

/** The page's decode path, run in a page: returns when `n` decodes of `b64` were drawn. */
export interface DecodePage {
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The JPEGs of `count` frames of the full pattern at width x height, and the encode's CPU per frame. */
export async function measureEncode(width: number, height: number, count: number): Promise<{ jpegs: Buffer[]; msPerFrame: number }> {
  const p = makePatternParams({ workload: 'full' });
  const pixels = new Uint8Array(width * height * 4);
  const frame = { pixels, width, height, stride: width * 4, format: FORMAT_BGRA8, sequence: 0, presentTimeMs: 0, dirty: { x: 0, y: 0, w: width, h: height } };
  const painter = new FramePainter();
  const tr = new PixelTranslator(NOVNC_FORMAT);
  const enc = new TightEncoder(PAGE_COMPRESSION);
  const jpegs: Buffer[] = [];
  let spent = 0;
  try {
    for (let n = 1; n <= WARMUP_FRAMES + count; n++) {
      // The sim draws the frame on its worker in serve: not part of the encode.
      painter.render(pixels, width, height, width * 4, FORMAT_BGRA8, n, p);
      const c0 = cpuMs();
      const out = await enc.encode(snapshotRect(frame, 0, 0, width, height, undefined, 'view')!, tr, PAGE_QUALITY);
      if (n <= WARMUP_FRAMES) continue;
      spent += cpuMs() - c0;
      // One merged JPEG rectangle: header, control byte, compact length, the JFIF.
      jpegs.push(out.chunks[out.chunks.length - 1]!);
    }
  } finally {
    enc.close();
  }
  return { jpegs, msPerFrame: spent / count };
}

/** Decodes `jpeg` `count` times in the page (createImageBitmap of a Blob, drawn on a canvas the frame's size). */
export function decodeInPage(page: DecodePage, jpeg: Buffer, width: number, height: number, count: number): Promise<number> {
  return page.evaluate(
    async ([b64, w, h, n]) => {
      const g = globalThis as unknown as {
        atob(s: string): string;
        Blob: new (parts: unknown[], o: { type: string }) => unknown;
        createImageBitmap(b: unknown): Promise<{ close(): void }>;
        document: { createElement(t: 'canvas'): { width: number; height: number; getContext(k: '2d'): { drawImage(i: unknown, x: number, y: number): void } } };
      };
      const bytes = Uint8Array.from(g.atob(b64), (ch) => ch.charCodeAt(0));
      const c = g.document.createElement('canvas');
      c.width = w;
      c.height = h;
      const ctx = c.getContext('2d');
      for (let i = 0; i < n; i++) {
        const bitmap = await g.createImageBitmap(new g.Blob([bytes], { type: 'image/jpeg' }));
        ctx.drawImage(bitmap, 0, 0);
        bitmap.close();
      }
      return n;
    },
    [jpeg.toString('base64'), width, height, count] as const,
  );
}

/**
 * The codec's cost per frame at width x height: the encode in this process, then the decode in
 * `page` with `browserCpuSeconds` read around it. `cpus` cores at 60 Hz make the budget.
 */
export async function measureCodecCost(page: DecodePage, browserCpuSeconds: () => number, width: number, height: number, cpus: number): Promise<CodecCost> {
  const { jpegs, msPerFrame } = await measureEncode(width, height, FRAMES);
  const jpeg = jpegs[Math.floor(jpegs.length / 2)]!;
  await decodeInPage(page, jpeg, width, height, WARMUP_FRAMES);
  const b0 = browserCpuSeconds();
  await decodeInPage(page, jpeg, width, height, FRAMES);
  const decodeMs = ((browserCpuSeconds() - b0) * 1000) / FRAMES;
  return {
    frames: FRAMES,
    jpegBytes: jpegs.reduce((s, j) => s + j.length, 0) / jpegs.length,
    encodeMsPerFrame: msPerFrame,
    decodeMsPerFrame: decodeMs,
    budgetMsPerFrame: (cpus * 1000) / 60,
  };
}
