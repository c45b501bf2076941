import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CLI } from './cli-helpers.js';

/** Starts `vdpush ARGS`, waits (bounded) for `ready` on stderr, sends `sig`, returns how it ended. */
async function stopWith(args: string[], ready: RegExp, sig: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`not ready: ${stderr}`)), 30_000);
      child.stderr.on('data', (d) => {
        stderr += d;
        if (ready.test(stderr)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    child.kill(sig);
    const [code, signal] = await closed;
    return { code, signal, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

test('run stopped by SIGINT, SIGTERM or SIGHUP prints its summary and exits 130, 143 or 129', async () => {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    const r = await stopWith(['run', '--mode', '160x90@60', '--duration', '60s', '--json'], /running sim/, sig);
    assert.equal(r.signal, null, `${sig}: a clean exit, not death by signal`);
    assert.equal(r.code, code, `${sig}: ${r.stderr}`);
    const s = JSON.parse(r.stdout) as { durationMs: number; devices: { live: number } };
    assert.ok(s.durationMs < 60_000, 'the summary is of the cut-short run');
    assert.equal(s.devices.live, 0, 'everything was released');
    assert.match(r.stderr, new RegExp(`stopped by ${sig}`));
  }
});

test('serve stopped by SIGTERM prints the summary and exits 143', async () => {
  const r = await stopWith(['serve', '--port', '0', '--mode', '160x90@30'], /viewer at http/, 'SIGTERM');
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stdout, /^vdpush run: sim 160x90@30/m);
});

test('run --source xvfb closed by SIGHUP (terminal gone) stops Xvfb in order, prints its summary and exits 129', async () => {
  // No workload: an animated one on a loaded machine can tear a frame, and exit 1 (integrity) wins.
  const r = await stopWith(['run', '--source', 'xvfb', '--no-workload', '--mode', '320x240@30', '--duration', '60s'], /running xvfb/, 'SIGHUP');
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.code, 129, r.stderr);
  assert.match(r.stdout, /^vdpush run: xvfb 320x240@30/m);
  assert.match(r.stdout, /devices\s+created \d+, destroyed \d+, live 0/);
});
