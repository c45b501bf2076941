import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { runCli } from './cli-helpers.js';

/** Runs the compiled CLI with extra environment; bounded in time; `ms` is how long it took. */
async function run(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<{ code: number | null; stderr: string; ms: number }> {
  const t0 = Date.now();
  const r = await runCli(args, timeoutMs, env);
  return { code: r.code, stderr: r.stderr, ms: Date.now() - t0 };
}

/** Snapshots `--exec CMD` and asserts the PNG is not one uniform colour (the program had drawn). */
async function assertDrawn(cmd: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-snap-exec-'));
  try {
    const out = join(dir, 'eyes.png');
    const r = await run(['snapshot', out, '--source', 'xvfb', '--exec', cmd, '--mode', '320x240@60']);
    assert.equal(r.code, 0, r.stderr);
    const png = PNG.sync.read(readFileSync(out));
    const w = new Uint32Array(png.data.buffer, png.data.byteOffset, png.data.length >>> 2);
    let differing = 0;
    for (let i = 1; i < w.length; i++) if (w[i] !== w[0]) differing++;
    assert.ok(differing > 0, 'the snapshot is a single colour: the program had not drawn');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('snapshot --source xvfb --exec xeyes waits until xeyes has drawn: the PNG is not one uniform colour', async () => {
  await assertDrawn('xeyes');
});

test('snapshot --exec of a program that maps its window late (1 s) still waits for its drawing, not the blank root', async () => {
  // A program slower to start than the display's first frame (the reported all-black PNG).
  await assertDrawn('sleep 1; exec xeyes');
});

test('snapshot --exec of a program that never draws fails within the bound with a clear error and writes no PNG', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-snap-exec-'));
  try {
    const out = join(dir, 'blank.png');
    const r = await run(['snapshot', out, '--source', 'xvfb', '--exec', 'sleep 30', '--mode', '320x240@60'], { VDP_SNAPSHOT_EXEC_TIMEOUT_MS: '2000' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /drew nothing within 2000 ms/);
    assert.match(r.stderr, /VDP_ERR_NOT_DRAWN/);
    assert.equal(existsSync(out), false, 'a blank PNG was written');
    assert.ok(r.ms < 15_000, `took ${r.ms} ms, not bounded by the 2 s override`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
