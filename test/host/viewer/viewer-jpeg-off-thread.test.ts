/**
 * The viewer page decodes Tight's JPEG rectangles off its main thread (web/jpeg-off-thread.js,
 * through noVNC's own render queue) and still shows the display: noVNC in headless Chromium, on
 * the simulated pattern at JPEG quality 7 (the page's: 4:2:0 chroma, which blurs colour across the
 * pattern's 16-pixel tile edges, hence the bad-pixel share allowed), with the display idle so one
 * frame stays on the canvas; the canvas matches that frame, and the page raises no error. On
 * loopback (a secure context) the page decodes with WebCodecs' ImageDecoder into pixels it reuses:
 * opaque, and no farther from the display's frame than noVNC's own decoder (an <img> from a data:
 * URL) on the same JPEG. Where ImageDecoder is not there, createImageBitmap draws, pixel for
 * pixel, what the <img> decodes. Counts and pixels only, no timing (frames/s belong to `vdpush
 * bench page`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../support/chromium.js';
import { withServedViewerPage } from './served-viewer-page.js';
import sharp from 'sharp';
import { makePatternParams } from '../../../src/backends/sim/index.js';
import { FORMAT_BGRA8 } from '../../../src/contract/pixel-format.js';
import { jpegOptions } from '../../../src/host/rfb/encoders/tight-encoder.js';
import { compareRgb, expectedRgb, matchBgraPattern, type PatternMatch } from '../rfb/pattern-match.js';

const W = 320;
const H = 180;

interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
interface Ctx2d {
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  drawImage(img: unknown, x: number, y: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
}
declare const document: {
  querySelector(sel: string): CanvasLike | null;
  createElement(tag: 'canvas'): { width: number; height: number; getContext(kind: '2d'): Ctx2d | null };
  createElement(tag: 'img'): { src: string; addEventListener(ev: string, f: (v: unknown) => void): void };
};
declare function atob(s: string): string;
declare function btoa(s: string): string;

test('the page decodes JPEG rectangles off its main thread and its canvas shows the display\'s frame', { timeout: 90_000 }, async () => {
  await withServedViewerPage({ mode: `${W}x${H}@30`, durationMs: 0 }, async ({ session, page, problems }) => {
    assert.equal(await page.getAttribute('.monitor', 'data-jpeg-off-thread'), 'true', 'the off-thread JPEG path is installed');
    assert.equal(await page.getAttribute('.monitor', 'data-jpeg-path'), 'imagedecoder', 'through WebCodecs on loopback (a secure context)');
    await eventually(async () => Number(await page.getAttribute('.monitor', 'data-drawn')) >= 3, 'the first frames drawn');
    // The pattern's tiles have more colours than a palette takes: Tight sends them as JPEG, and
    // the page decoded them its way.
    await eventually(async () => Number(await page.getAttribute('.monitor', 'data-jpegs-decoded')) >= 3, 'JPEG rectangles decoded off the main thread');
    // Hold one frame on the screen: an idle desktop presents nothing.
    await session.injectFault('idle', 60_000);
    let m: PatternMatch = { frame: -1, meanError: Infinity, badShare: 1 };
    await eventually(async () => {
      const rgb = Buffer.from(
        await page.evaluate(([w, h]) => {
          const c = document.querySelector('.monitor .screen canvas');
          const ctx = c?.getContext('2d');
          if (!c || !ctx || c.width !== w || c.height !== h) return [] as number[];
          const d = ctx.getImageData(0, 0, w, h).data;
          const out: number[] = [];
          for (let i = 0; i < d.length; i += 4) out.push(d[i]!, d[i + 1]!, d[i + 2]!);
          return out;
        }, [W, H] as const),
      );
      if (rgb.length !== W * H * 3) return false;
      m = matchBgraPattern(rgb, W, H);
      return m.frame > 0 && m.meanError < 6 && m.badShare < 0.05;
    }, 'the canvas to show a frame of the pattern').catch((e: Error) => {
      e.message += ` (best: frame ${m.frame}, mean error ${m.meanError.toFixed(2)}, bad share ${m.badShare})`;
      throw e;
    });
    assert.ok(m.frame > 0, `frame ${m.frame}, mean error ${m.meanError}, bad share ${m.badShare}`);
    // The same JPEG three ways: the page's two paths and an <img> (noVNC's own decoder).
    const source = expectedRgb(W, H, FORMAT_BGRA8, m.frame, makePatternParams());
    const jpeg = await sharp(source, { raw: { width: W, height: H, channels: 3 } })
      .jpeg(jpegOptions(7, 1)) // the page's quality and compression levels (web/monitor-view.js)
      .toBuffer();
    const decoded = await page.evaluate(
      async ([b64, w, h]) => {
        const module = '/jpeg-off-thread.js'; // the viewer serves web/ (no token on this server)
        const { decodeJpegOffThread } = (await import(module)) as { decodeJpegOffThread(rfb: unknown, o?: { imageDecoder?: boolean }): { decoded: number; path: string } | null };
        const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
        const c = document.createElement('canvas');
        c.width = w;
        c.height = h;
        const ctx = c.getContext('2d')!;
        /** The canvas as RGB (base64) and whether every pixel is opaque. */
        const read = (): { rgb: string; opaque: boolean } => {
          const d = ctx.getImageData(0, 0, w, h).data;
          let bin = '';
          let opaque = true;
          for (let i = 0; i < d.length; i += 4) {
            bin += String.fromCharCode(d[i]!, d[i + 1]!, d[i + 2]!);
            if (d[i + 3] !== 255) opaque = false;
          }
          return { rgb: btoa(bin), opaque };
        };
        /** One rectangle through the path, drawn as noVNC's render queue draws a 'frame' entry. */
        const viaPage = async (imageDecoder: boolean): Promise<{ rgb: string; opaque: boolean; path: string } | string> => {
          const queue: Array<{ frame: { promise: Promise<void>; frame: { close(): void } } }> = [];
          const display = {
            _drawCtx: ctx,
            imageRect: (): void => undefined,
            _renderQPush: (a: (typeof queue)[number]): void => void queue.push(a),
            _damage: (): void => undefined,
            drawImage(img: unknown, ...args: number[]): void {
              (ctx.drawImage as (...a: unknown[]) => void)(img, ...args);
            },
          };
          const counts = decodeJpegOffThread({ _display: display }, { imageDecoder });
          if (counts === null) return 'not installed';
          ctx.clearRect(0, 0, w, h);
          (display.imageRect as unknown as (...a: unknown[]) => void)(0, 0, w, h, 'image/jpeg', bytes);
          await queue[0]!.frame.promise;
          display.drawImage(queue[0]!.frame.frame, 0, 0, w, h, 0, 0, w, h);
          queue[0]!.frame.frame.close();
          return { ...read(), path: counts.path };
        };
        const decoder = await viaPage(true);
        const bitmap = await viaPage(false);
        const img = document.createElement('img');
        img.src = `data: image/jpeg;base64,${b64}`;
        await new Promise((r) => img.addEventListener('load', r));
        ctx.clearRect(0, 0, w, h);
        ctx.drawImage(img, 0, 0);
        return { decoder, bitmap, img: read() };
      },
      [jpeg.toString('base64'), W, H] as const,
    );
    assert.ok(typeof decoded.decoder !== 'string' && typeof decoded.bitmap !== 'string', JSON.stringify(decoded).slice(0, 200));
    const rgb = (s: { rgb: string }): Buffer => Buffer.from(s.rgb, 'base64');
    const img = rgb(decoded.img);
    // createImageBitmap is the <img>'s decoder: the same pixels, byte for byte.
    assert.equal(decoded.bitmap.path, 'bitmap');
    assert.ok(rgb(decoded.bitmap).equals(img), 'the Blob path draws what an <img> decodes');
    // ImageDecoder (this page is a secure context, as the viewer on loopback is): the JPEG's planes
    // are upsampled by another filter (JPEG leaves that to the decoder), so its pixels are not the
    // <img>'s; it is opaque and no farther from the display's own frame than noVNC's decoder.
    assert.equal(decoded.decoder.path, 'imagedecoder');
    assert.ok(decoded.decoder.opaque, 'every pixel opaque');
    const fromDecoder = compareRgb(rgb(decoded.decoder), source);
    const fromImg = compareRgb(img, source);
    assert.ok(fromDecoder.meanError <= fromImg.meanError && fromDecoder.badShare <= fromImg.badShare, `ImageDecoder ${JSON.stringify(fromDecoder)} vs <img> ${JSON.stringify(fromImg)} against the frame`);
    assert.ok(compareRgb(rgb(decoded.decoder), img).meanError < 6, 'the two decodes of one JPEG stay close');
    assert.deepEqual(problems, []);
  });
});
