/**
 * Both recorders `bench record` races, on a real Xvfb with the stamped workload drawing: every
 * picture read back (vdpush's Y4M from its stdout, ffmpeg x11grab's MP4 decoded) is a whole frame
 * of the workload, in drawing order, none torn. Counts, not timings: how many frames each keeps
 * is the bench's to report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startXvfb } from '../../src/backends/xvfb/xvfb-server.js';
import { StampedWorkload } from '../../bench/vnc/stamped-workload.js';
import { checkLumaStamp, LUMA_TILE_H, LUMA_TILE_W } from '../../bench/record/luma-stamp.js';
import { runRecorder, type Container, type RecorderName } from '../../bench/record/recorders.js';

test('vdpush record and ffmpeg x11grab recordings of the stamped workload hold whole frames in drawing order', { timeout: 120_000 }, async () => {
  const width = LUMA_TILE_W;
  const height = 3 * LUMA_TILE_H;
  const server = await startXvfb({ width, height, depth: 24 });
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-recorders-'));
  let workload: StampedWorkload | null = null;
  try {
    workload = await StampedWorkload.start(server.display, 'luma', 30);
    for (const [name, container] of [['vdpush', 'y4m'], ['ffmpeg', 'mp4'], ['vdpush', 'mp4'], ['vdpushVfr', 'mp4']] as Array<[RecorderName, Container]>) {
      const seqs: number[] = [];
      let torn = 0;
      const run = await runRecorder(name, container, { display: server.display, width, height, fps: 30 }, 1, dir, (luma, h) => {
        const c = checkLumaStamp(luma, h.width, h.height);
        if (c.ok) seqs.push(c.sequence);
        else if (!c.blank) torn++;
      });
      const what = `${name} ${container}`;
      assert.equal(torn, 0, `${what}: no torn picture`);
      // At a constant rate 1 s holds 30 pictures; --vfr writes each frame it got once, as many as the workload drew.
      if (name === 'vdpushVfr') assert.ok(run.frames >= 20 && run.frames <= 36, `${what}: ${run.frames} pictures`);
      else assert.equal(run.frames, 30, `${what}: 1 s at 30 frames/s`);
      assert.ok(seqs.length >= 20, `${what}: pictures of the workload (${seqs.length})`);
      for (let i = 1; i < seqs.length; i++) {
        // (--vfr writes the last frame once more before the end when the display stood still until then.)
        if (name === 'vdpushVfr' && i < seqs.length - 1) assert.ok(seqs[i]! > seqs[i - 1]!, `${what}: each frame once, in drawing order, at picture ${i}`);
        else assert.ok(seqs[i]! >= seqs[i - 1]!, `${what}: in drawing order at picture ${i}`);
      }
      assert.ok(new Set(seqs).size > 1, `${what}: the workload moved`);
      assert.ok(run.cpuSeconds > 0 && run.bytes > 0);
    }
  } finally {
    await workload?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
