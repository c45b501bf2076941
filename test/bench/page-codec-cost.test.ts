/**
 * bench page's codec bound: the JPEGs it times are the ones vdpush's Tight encoder sends for the
 * sim's full pattern at the page's quality (one merged rectangle per frame, a JFIF of the frame's
 * size), and the table script prints the encode and decode beside the cores' budget per frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { measureEncode } from '../../bench/page/codec-cost.js';
import { repoRoot } from '../support/import-graph.js';

test('the encode it measures yields one JPEG of the whole frame per frame', async () => {
  const { jpegs, msPerFrame } = await measureEncode(320, 180, 2);
  assert.equal(jpegs.length, 2);
  for (const j of jpegs) {
    const m = await sharp(j).metadata();
    assert.deepEqual([m.format, m.width, m.height], ['jpeg', 320, 180]);
  }
  assert.ok(Number.isFinite(msPerFrame) && msPerFrame >= 0);
});

test('the performance table prints the codec row beside the budget per frame', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdp-bench-table-'));
  try {
    const file = join(dir, 'bench.json');
    const sim = { seconds: 8, displayFps: 60, drawnFps: 50, ratio: 50 / 60, serveCorePercent: 80, browserCorePercent: 90, serveMainCorePercent: 20, browserMainCorePercent: 30, serveCpuMsPerDrawnFrame: 16, browserCpuMsPerDrawnFrame: 18 };
    const codec = { frames: 60, jpegBytes: 100 * 1024, encodeMsPerFrame: 10, decodeMsPerFrame: 10, budgetMsPerFrame: 100 / 3 };
    writeFileSync(file, JSON.stringify({ page: { mode: '1920x1080@60', sources: { sim }, codec, machine: { cpus: 2 } } }));
    const table = execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'bench-table.mjs'), file], { encoding: 'utf8' });
    assert.match(table, /CPU per frame drawn 16\.0 \+ 18\.0 ms of the 33\.3 ms 2 cores have per frame at 60 Hz/);
    assert.match(table, /encode 10\.00 ms \+ decode and draw in Chromium 10\.00 ms of CPU \| 33\.3 ms per frame on 2 cores at 60 Hz → \*\*0\.60x\*\* of it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
