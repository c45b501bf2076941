/**
 * The CLI on several Xvfb screens (issue 12): `run` and `snapshot --target all` with
 * `--source xvfb` and repeated `--monitor`, one Xvfb with a screen per monitor. The PNGs are read
 * back with sharp and their squares decoded: each carries its own monitor's target stamp.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';
import { verifyXFrame } from '../../src/backends/xvfb/index.js';
import { runCli } from './cli-helpers.js';

/** The PNG's pixels as B,G,R,A words (what verifyXFrame reads), and its size. */
async function bgraOf(path: string): Promise<{ pixels: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(path).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const px = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 4) {
    px[i] = data[i + 2]!;
    px[i + 1] = data[i + 1]!;
    px[i + 2] = data[i]!;
    px[i + 3] = 255;
  }
  return { pixels: px, width: info.width, height: info.height };
}

test('snapshot --source xvfb --monitor A --monitor B --target all writes one PNG per screen, each at its size and carrying its own target', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-screens-'));
  try {
    const out = join(dir, 'desk.png');
    const r = await runCli(['snapshot', out, '--source', 'xvfb', '--monitor', '192x128@30', '--monitor', '128x96@30', '--target', 'all']);
    assert.equal(r.code, 0, r.stderr);
    for (const [t, w, h] of [[1, 192, 128], [2, 128, 96]] as const) {
      const png = await bgraOf(join(dir, `desk-${t}.png`));
      assert.deepEqual([png.width, png.height], [w, h]);
      const v = verifyXFrame(png.pixels, png.width, png.height, png.width * 4, FORMAT_BGRA8);
      assert.ok(v.ok, `desk-${t}.png is one whole workload frame`);
      assert.equal(v.targetId, t, `desk-${t}.png comes from screen ${t - 1}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run --source xvfb --monitors 2 drains both screens of one Xvfb, each frame verified against its own target', async () => {
  const r = await runCli(['run', '--source', 'xvfb', '--monitors', '2', '--mode', '160x120@30', '--duration', '1s', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { monitors: Array<{ targetId: number; frames: { consumed: number; integrityErrors: number } }> };
  assert.deepEqual(s.monitors.map((m) => m.targetId), [1, 2]);
  for (const m of s.monitors) {
    assert.ok(m.frames.consumed > 0, `monitor ${m.targetId} delivered frames`);
    assert.equal(m.frames.integrityErrors, 0, `monitor ${m.targetId}'s frames carry its own target`);
  }
});
