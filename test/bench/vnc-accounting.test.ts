/**
 * bench vnc's fair accounting: the X-server CPU a server causes is what the X server used beyond
 * what the phase's draws cost it with no server attached, never negative; and the table script
 * prints the ratio with that CPU beside the server-only one (both are judged).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xvfbExtraCpuSec } from '../../bench/vnc/vnc-bench-result.js';
import { repoRoot } from '../support/import-graph.js';

test('the extra X-server CPU is what the X server used beyond the same draws alone, never below zero', () => {
  // 240 draws at 1 ms each alone: 0.24 s of the X server's 0.5 s were the draws' own.
  assert.ok(Math.abs(xvfbExtraCpuSec(0.5, 1, 240) - 0.26) < 1e-12);
  assert.equal(xvfbExtraCpuSec(0.2, 1, 240), 0, 'a phase that cost the X server less than its draws alone caused nothing');
  assert.equal(xvfbExtraCpuSec(0.3, 0, 240), 0.3, 'no draws cost: all of it was the server');
});

test('the performance table prints both CPU ratios of each busy RFB workload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdp-bench-table-'));
  try {
    const file = join(dir, 'bench.json');
    const vnc = {
      resolution: '1920x1080',
      servers: { vdpush: { animation: { updates: 240 }, idle: { updates: 0, corePercent: 0.5 } }, x11vnc: { idle: { corePercent: 0.75 } } },
      ratios: {
        animation: { cpuPerUpdate: 0.81, cpuPerUpdateWithXvfb: 0.62, p99Latency: 0.3, updatesPerSec: 1.7 },
        idle: { cpuPerUpdate: null, cpuPerUpdateWithXvfb: null, p99Latency: null, updatesPerSec: null },
      },
    };
    writeFileSync(file, JSON.stringify({ vnc }));
    const out = execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'bench-table.mjs'), file], { encoding: 'utf8' });
    const row = out.split('\n').find((l) => l.includes('animation workload'));
    assert.ok(row !== undefined, out);
    assert.match(row, /CPU per update \*\*0\.81x\*\* x11vnc's \(\*\*0\.62x\*\* with the extra X-server CPU\)/);
    assert.match(out, /idle display \| vdpush 0\.50% of a core \| x11vnc 0\.75%/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the paced pipeline row says what was paced: the pread and the pass, or (an older run) the pread alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdp-bench-table-'));
  try {
    const file = join(dir, 'bench.json');
    const bound = {
      preadMsPerFrame: 1.15, scanMsPerFrame: 0.64, floorMsPerFrame: 1.79, pacedPreadMsPerFrame: 1.66, bytesPerFrame: 8294400,
      preadPerX11vncUpdate: 0.15, floorPerX11vncUpdate: 0.24, vdpushPerFloor: 3.4,
      crossThreadScanMsPerFrame: 0.69, pipelineFloorMs: 3.15, pipelinePerX11vncUpdate: 0.42, vdpushPerPipelineFloor: 1.95,
      pacedPipelineFloorMs: 4.3, pacedPipelinePerX11vncUpdate: 0.58, vdpushPerPacedPipelineFloor: 1.43,
    };
    const table = (b: object): string => {
      writeFileSync(file, JSON.stringify({ vnc: { resolution: '1920x1080', servers: {}, ratios: {}, animationBound: b, desktopBound: { captureFloorMs: 0.9, hostFloorMs: 0.4 } } }));
      const out = execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'bench-table.mjs'), file], { encoding: 'utf8' });
      const row = out.split('\n').find((l) => l.includes("vdpush's pipeline at least"));
      assert.ok(row !== undefined, out);
      return row;
    };
    assert.match(table({ ...bound, pacedCrossThreadScanMsPerFrame: 1.8 }), /with the pread and the pass paced at the display's rate \(1\.66 and 1\.80 ms after each frame's gap\) 4\.30 ms = \*\*0\.58x\*\*/);
    assert.match(table(bound), /with the pread paced at the display's rate \(1\.66 ms after each frame's gap\) 4\.30 ms/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the performance table sets a just-started server's first warm-up window beside its measured, warmed-up update", () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdp-bench-table-'));
  try {
    const file = join(dir, 'bench.json');
    const curve = (a: number, d: number): object => ({ windowSeconds: 2, animation: [a, 4, 4, 4, 4], desktop: [d, 1, 1, 1, 1], reconnect: { windowSeconds: 2, animation: a / 2, desktop: d / 2 } });
    const vnc = {
      resolution: '1920x1080',
      servers: {
        vdpush: { animation: { updates: 240, cpuSecPer1000: 3.5 }, desktop: { updates: 240, cpuSecPer1000: 1.25 } },
        x11vnc: { animation: { updates: 160, cpuSecPer1000: 3 }, desktop: { updates: 140, cpuSecPer1000: 1.5 } },
      },
      warmup: { vdpush: curve(6, 2), x11vnc: curve(3, 1.25) },
      ratios: {},
    };
    writeFileSync(file, JSON.stringify({ vnc }));
    const out = execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'bench-table.mjs'), file], { encoding: 'utf8' });
    const row = out.split('\n').find((l) => l.includes('warm-up'));
    assert.ok(row !== undefined, out);
    assert.match(row, /first 2 s of a just-started server .* after its 10 s warm-up/);
    assert.match(row, /vdpush animation 6\.00 → 3\.50, desktop 2\.00 → 1\.25/);
    assert.match(row, /x11vnc animation 3\.00 → 3\.00, desktop 1\.25 → 1\.50; first windows vdpush\/x11vnc \*\*2\.00x\*\* \/ \*\*1\.60x\*\*/);
    const again = out.split('\n').find((l) => l.includes('connects again'));
    assert.ok(again !== undefined, out);
    assert.match(again, /first 2 s of a client that connects again/);
    assert.match(again, /vdpush animation 3\.00, desktop 1\.00 \| x11vnc animation 1\.50, desktop 0\.63; vdpush\/x11vnc \*\*2\.00x\*\* \/ \*\*1\.60x\*\*/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
