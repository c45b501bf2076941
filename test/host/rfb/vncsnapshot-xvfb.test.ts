/**
 * vncsnapshot against `vdpush serve --source xvfb --display :N --vnc`: a known X drawing (the root
 * window painted with xsetroot) arrives with the screen's size and colour, a new drawing arrives
 * through the damage path, a tiled bitmap arrives pixel for pixel through Tight's fills and
 * palette rectangles, and after a RandR mode change a new snapshot has the new size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startXvfb } from '../../../src/backends/xvfb/xvfb-server.js';
import { startServe } from './serve-process.js';
import { requireVncsnapshot, vncsnapshot } from './vncsnapshot-client.js';
import { patternShare, patternXbm } from '../../support/tiled-bitmap.js';

/** Share of pixels within `tol` of (r, g, b) in every channel. */
function shareNear(rgb: Uint8Array, r: number, g: number, b: number, tol = 8): number {
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3) if (Math.abs(rgb[i]! - r) <= tol && Math.abs(rgb[i + 1]! - g) <= tol && Math.abs(rgb[i + 2]! - b) <= tol) n++;
  return n / (rgb.length / 3);
}

test('on xvfb, vncsnapshot sees the X drawing at the screen\'s size, a new drawing, and the size after a RandR mode change', { timeout: 120_000 }, async () => {
  requireVncsnapshot();
  const x = await startXvfb({ width: 320, height: 240, depth: 24 });
  const dir = mkdtempSync(join(tmpdir(), 'vdp-vncsnap-x-'));
  const env = { ...process.env, DISPLAY: x.display };
  const run = (cmd: string, ...args: string[]) => promisify(execFile)(cmd, args, { env });
  const serve = await startServe(['--source', 'xvfb', '--display', x.display, '--no-workload']);
  try {
    const expect = async (what: string, w: number, h: number, rgb: [number, number, number]): Promise<void> => {
      let last = '';
      const deadline = Date.now() + 20_000;
      for (;;) {
        const img = await vncsnapshot(serve.vncPort, join(dir, 'x.jpg'), ['-encodings', 'tight', '-vncQuality', '8']);
        const share = img.width === w && img.height === h ? shareNear(img.rgb, ...rgb) : 0;
        // The cursor sprite may cover a few pixels; JPEG moves a flat colour by a step or two.
        if (share > 0.98) return;
        last = `${img.width}x${img.height}, ${(share * 100).toFixed(1)}% near ${rgb.join(',')}`;
        if (Date.now() > deadline) assert.fail(`${what}: ${last}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await run('xsetroot', '-solid', '#336699');
    await expect('the first drawing', 320, 240, [0x33, 0x66, 0x99]);
    await run('xsetroot', '-solid', '#cc2200');
    await expect('a new drawing', 320, 240, [0xcc, 0x22, 0x00]);
    // Flat blocks as Tight fills beside palette rectangles: the pattern's every pixel, as drawn.
    writeFileSync(join(dir, 'p.xbm'), patternXbm());
    await run('xsetroot', '-bitmap', join(dir, 'p.xbm'), '-fg', '#f0c020', '-bg', '#203040');
    for (let deadline = Date.now() + 20_000; ; ) {
      const img = await vncsnapshot(serve.vncPort, join(dir, 'x.jpg'), ['-encodings', 'tight', '-vncQuality', '8']);
      const share = img.width === 320 && img.height === 240 ? patternShare(img, [0xf0, 0xc0, 0x20], [0x20, 0x30, 0x40]) : 0;
      if (share > 0.98) break;
      if (Date.now() > deadline) assert.fail(`the bitmap pattern: ${img.width}x${img.height}, ${(share * 100).toFixed(1)}% of its pixels as drawn`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await run('xrandr', '--newmode', '200x160', '0', '200', '0', '0', '0', '160', '0', '0', '0');
    await run('xrandr', '--addmode', 'screen', '200x160');
    await run('xrandr', '--output', 'screen', '--mode', '200x160');
    await run('xsetroot', '-solid', '#22aa44');
    await expect('after the mode change', 200, 160, [0x22, 0xaa, 0x44]);
  } finally {
    await serve.stop();
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
