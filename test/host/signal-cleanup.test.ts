import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { alive, waitUntil, xSocketsOf } from './process-probe.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/signalled-host.js', import.meta.url));

interface Started {
  child: ChildProcess;
  res: { pids: number[]; dirs: string[] };
  sockets: string[];
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startHost(args: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const ok = await waitUntil(() => out.includes('\n') || child.exitCode !== null, 20_000);
  assert.ok(ok && child.exitCode === null, `the host started its Xvfb session (stderr: ${err})`);
  const res = JSON.parse(out.split('\n')[0]!) as { pids: number[]; dirs: string[] };
  assert.ok(res.pids.length >= 1 && res.dirs.length === 1, `the display reported its children: ${out}`);
  const sockets = res.pids.flatMap(xSocketsOf);
  assert.equal(sockets.length, 1, `Xvfb listens on one X socket: ${sockets.join(', ')}`);
  return { child, res, sockets, out: () => out, exit };
}

async function assertNothingLeft(s: Started): Promise<void> {
  const gone = await waitUntil(() => !s.res.pids.some(alive) && !s.res.dirs.some(existsSync) && !s.sockets.some(existsSync), 10_000);
  for (const pid of s.res.pids) assert.equal(alive(pid), false, `process ${pid} is gone`);
  for (const dir of s.res.dirs) assert.equal(existsSync(dir), false, `${dir} was removed`);
  for (const sock of s.sockets) assert.equal(existsSync(sock), false, `${sock} was removed`);
  assert.ok(gone);
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  test(`${signal} to an API script with an Xvfb session leaves no Xvfb, workload, folder or X socket, and the script still dies of ${signal}`, async () => {
    const s = await startHost();
    s.child.kill(signal);
    const { signal: died } = await s.exit;
    assert.equal(died, signal, 'the default action of the signal still ends the process');
    await assertNothingLeft(s);
  });
}

test('with handleSignals: false the script handles SIGTERM itself: close() runs and cleans up', async () => {
  const s = await startHost(['opt-out']);
  s.child.kill('SIGTERM');
  const { code } = await s.exit;
  assert.equal(code, 143);
  assert.match(s.out(), /closed/);
  await assertNothingLeft(s);
});

test('SIGKILL to an API script with an Xvfb session: the watchdog removes Xvfb, its workload, folder and X socket', async () => {
  const s = await startHost();
  s.child.kill('SIGKILL');
  const { signal } = await s.exit;
  assert.equal(signal, 'SIGKILL');
  await assertNothingLeft(s);
});

test('a script that opted out of signal handling and dies of SIGHUP still leaves nothing behind (the watchdog)', async () => {
  const s = await startHost(['bare-opt-out']);
  s.child.kill('SIGHUP');
  const { signal } = await s.exit;
  assert.equal(signal, 'SIGHUP');
  await assertNothingLeft(s);
});
