/**
 * What bounds the page on the simulated display: the CPU one frame of `--pattern full` costs to
 * encode as the page asks for it (Tight, quality 7, compression 1: one merged 1080p JPEG) and to
 * decode and draw in Chromium the way the page does (web/jpeg-off-thread.js itself, on a page
 * served from loopback like the viewer, drawing each rectangle onto a canvas as noVNC's render
 * queue does), measured in the same run as the page, each alone on
 * the machine (serve is not running, the page is idle), against what two cores have per frame at
 * the display's rate.
 *
 * The encode runs vdpush's own TightEncoder on frames the sim's own painter draws, in this
 * process: its CPU is every thread's (the main thread's pixel preparation, libuv's, libvips's).
 * The decode counts every Chromium process (the decode thread, the page's main thread, the
 * browser process). Neither includes the transport, noVNC's parsing, the flip to the
 * visible canvas or compositing: what is left of the page's CPU per frame beyond these two is
 * that. Nothing is asserted.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FramePainter } from '../../src/backends/sim/frame-pattern.js';
import { makePatternParams } from '../../src/backends/sim/pattern-workload.js';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';
import { snapshotRect } from '../../src/host/rfb/encoders/rect-snapshot.js';
import { TightEncoder } from '../../src/host/rfb/encoders/tight-encoder.js';
import { PixelTranslator, SERVER_PIXEL_FORMAT } from '../../src/host/rfb/rfb-pixel-format.js';
import { findWebRoot } from '../../src/host/viewer/web-assets.js';

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
  /** The way the page decoded it (web/jpeg-off-thread.js): 'imagedecoder' or 'bitmap'. */
  decodePath: string;
  /** The CPU ms the machine's cores have per frame at the display's 60 Hz (2 cores: 33.3). */
  budgetMsPerFrame: number;
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

/** A page of the bench's browser. */
export interface DecodePage {
  goto(url: string): Promise<unknown>;
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

/**
 * Serves a blank page and the viewer's web/jpeg-off-thread.js on loopback (a secure context, as
 * the viewer on loopback is: the page decodes there as it does in the viewer). Returns its URL.
 */
async function serveDecodePage(): Promise<{ url: string; close(): Promise<void> }> {
  const script = readFileSync(join(findWebRoot(), 'jpeg-off-thread.js'));
  const server = createServer((req, res) => {
    const js = req.url === '/jpeg-off-thread.js';
    res.setHeader('content-type', js ? 'text/javascript' : 'text/html');
    res.end(js ? script : '<!doctype html><title>codec</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * Decodes `jpeg` `count` times the page's way (web/jpeg-off-thread.js on a stand-in for noVNC's
 * Display: each rectangle queued, drawn as noVNC's render queue draws it onto a canvas the frame's
 * size, then closed). Returns the path the page took ('imagedecoder' or 'bitmap').
 */
export function decodeInPage(page: DecodePage, jpeg: Buffer, width: number, height: number, count: number): Promise<string> {
  return page.evaluate(
    async ([b64, w, h, n]) => {
      const g = globalThis as unknown as {
        atob(s: string): string;
        document: { createElement(t: 'canvas'): { width: number; height: number; getContext(k: '2d'): { drawImage(...a: unknown[]): void } } };
      };
      const module = '/jpeg-off-thread.js';
      const { decodeJpegOffThread } = (await import(module)) as { decodeJpegOffThread(rfb: unknown): { path: string } | null };
      const bytes = Uint8Array.from(g.atob(b64), (ch) => ch.charCodeAt(0));
      const c = g.document.createElement('canvas');
      c.width = w;
      c.height = h;
      const ctx = c.getContext('2d');
      const queue: Array<{ frame: { promise: Promise<void>; frame: { close(): void } } }> = [];
      const display = {
        _drawCtx: ctx,
        imageRect: (): void => undefined,
        _renderQPush: (a: (typeof queue)[number]): void => void queue.push(a),
        _damage: (): void => undefined,
        drawImage: (img: unknown, ...a: number[]): void => ctx.drawImage(img, ...a),
      };
      const counts = decodeJpegOffThread({ _display: display });
      if (counts === null) throw new Error('web/jpeg-off-thread.js did not install');
      for (let i = 0; i < n; i++) {
        (display.imageRect as unknown as (...a: unknown[]) => void)(0, 0, w, h, 'image/jpeg', bytes);
        const e = queue.shift()!;
        await e.frame.promise;
        display.drawImage(e.frame.frame, 0, 0, w, h, 0, 0, w, h);
        e.frame.frame.close();
      }
      return counts.path;
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
  const site = await serveDecodePage();
  try {
    await page.goto(site.url);
    await decodeInPage(page, jpeg, width, height, WARMUP_FRAMES);
    const b0 = browserCpuSeconds();
    const path = await decodeInPage(page, jpeg, width, height, FRAMES);
    const decodeMs = ((browserCpuSeconds() - b0) * 1000) / FRAMES;
    return {
      frames: FRAMES,
      jpegBytes: jpegs.reduce((s, j) => s + j.length, 0) / jpegs.length,
      encodeMsPerFrame: msPerFrame,
      decodeMsPerFrame: decodeMs,
      decodePath: path,
      budgetMsPerFrame: (cpus * 1000) / 60,
    };
  } finally {
    await site.close();
  }
}
