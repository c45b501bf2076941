/**
 * A VNC client no one here wrote (Debian's vncsnapshot, TightVNC 1.2.8 + RealVNC 3.3.7) against
 * `vdpush serve --vnc`: the image it saves has the display's size and shows the simulated
 * pattern, through every encoding it can ask for, and still after an HDR flip (the ring's format
 * becomes rgba16f, which the server converts for the client).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT_RGBA16F } from '../../../src/contract/pixel-format.js';
import { makePatternParams } from '../../../src/backends/sim/index.js';
import { startServe } from './serve-process.js';
import { requireVncsnapshot, vncsnapshot } from './vncsnapshot-client.js';
import { compareRgb, expectedRgb, matchBgraPattern } from './pattern-match.js';

test('vncsnapshot saves the simulated display at its size, with the pattern\'s pixels, through Raw, ZRLE and Tight', { timeout: 90_000 }, async () => {
  requireVncsnapshot();
  const dir = mkdtempSync(join(tmpdir(), 'vdp-vncsnap-'));
  const serve = await startServe(['--mode', '320x200@30']);
  try {
    for (const [enc, extra, maxMean] of [
      ['raw', ['-encodings', 'raw'], 2],
      ['zrle', ['-encodings', 'zrle'], 2],
      ['tight (zlib)', ['-encodings', 'tight', '-nojpeg'], 2],
      ['tight (JPEG, quality 9)', ['-encodings', 'tight', '-vncQuality', '9'], 6],
    ] as const) {
      const img = await vncsnapshot(serve.vncPort, join(dir, 'snap.jpg'), [...extra]);
      assert.deepEqual([img.width, img.height], [320, 200], enc);
      const m = matchBgraPattern(img.rgb, img.width, img.height);
      assert.ok(m.frame >= 0 && m.meanError < maxMean && m.badShare < 0.01, `${enc}: best frame ${m.frame}, mean error ${m.meanError.toFixed(2)}, bad ${m.badShare}`);
    }
  } finally {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('after an HDR flip (bgra8 to rgba16f) vncsnapshot still sees the pattern, converted to 8-bit sRGB', { timeout: 90_000 }, async () => {
  requireVncsnapshot();
  const dir = mkdtempSync(join(tmpdir(), 'vdp-vncsnap-'));
  const serve = await startServe(['--mode', '320x200@30']);
  try {
    await serve.fault('hdr-flip');
    const params = makePatternParams();
    let last = '';
    const deadline = Date.now() + 20_000;
    for (;;) {
      const img = await vncsnapshot(serve.vncPort, join(dir, 'snap.jpg'), ['-encodings', 'raw']);
      assert.deepEqual([img.width, img.height], [320, 200]);
      // An rgba16f stamp does not survive the conversion to 8 bits, so the frame number cannot be
      // read back: the recent frames (30 Hz since the start) are rendered and compared instead.
      const bgra = matchBgraPattern(img.rgb, img.width, img.height);
      if (bgra.meanError < 2) {
        last = `still bgra8 (frame ${bgra.frame})`;
      } else {
        let best = Infinity;
        for (let n = 0; n < 30 * 120 && best > 2; n++) {
          const e = compareRgb(img.rgb, expectedRgb(320, 200, FORMAT_RGBA16F, n, params));
          if (e.meanError < best) best = e.meanError;
        }
        if (best < 2) break;
        last = `no rgba16f frame matched (best mean error ${best.toFixed(2)})`;
      }
      if (Date.now() > deadline) assert.fail(`the flipped display never showed: ${last}`);
    }
  } finally {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
