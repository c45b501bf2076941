import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CLI } from './cli-helpers.js';

interface Served {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  stdout: () => string;
  /** Resolves once stderr matches (bounded). */
  waitFor: (re: RegExp) => Promise<RegExpExecArray>;
  closed: Promise<number | null>;
}

function serve(args: string[], env: NodeJS.ProcessEnv = process.env): Served {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--mode', '160x90@30', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const waiters: Array<() => void> = [];
  child.stderr.on('data', (d) => {
    err += d;
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const waitFor = (re: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`waited for ${re} in: ${err}`)), 30_000);
      const check = (): void => {
        const m = re.exec(err);
        if (m) {
          clearTimeout(t);
          resolve(m);
        } else waiters.push(check);
      };
      check();
    });
  return { child, stderr: () => err, stdout: () => out, waitFor, closed };
}

test('serve on 0.0.0.0 takes the token from VDPUSH_TOKEN, prints a reachable URL, and logs pages and faults', async () => {
  const token = 'env-token-0123456789';
  const s = serve(['--host', '0.0.0.0'], { ...process.env, VDPUSH_TOKEN: token });
  try {
    const url = new URL((await s.waitFor(/viewer at (http:\/\/\S+)/))[1]!);
    assert.notEqual(url.hostname, '0.0.0.0', 'a wildcard address is no address to open');
    assert.equal(url.searchParams.get('token'), token);
    assert.equal((await fetch(`${url.origin}/api/stats`)).status, 401);
    assert.equal((await fetch(`${url.origin}/api/stats?token=${token}`)).status, 200, 'the printed address is reachable');
    const ws = new WebSocket(`ws://${url.host}/ws?token=${token}`, { headers: { origin: url.origin } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await s.waitFor(/viewer connected from \S+ \(1 watching\)/);
    const injected = await fetch(`${url.origin}/api/fault?token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url.origin }, body: JSON.stringify({ kind: 'device-removed' }) });
    assert.equal(injected.status, 200);
    await s.waitFor(/fault injected from the viewer: device-removed/);
    await s.waitFor(/device-removed \(0x887a0005\) -> \S+ on hardware/i);
    ws.close();
    await s.waitFor(/viewer from \S+ left \(0 watching\)/);
    s.child.kill('SIGINT');
    assert.equal(await s.closed, 130, s.stderr());
    assert.match(s.stdout(), /^vdpush run: sim 160x90@30/m, 'the summary ends the session');
    assert.match(s.stdout(), /recovery\s+\d+ event/);
  } finally {
    if (s.child.exitCode === null) s.child.kill('SIGKILL');
  }
});

test('serve reads the token from --token-file (never in argv) and logs the critical error; it then exits 3', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-serve-'));
  const token = 'file-token-abcdef';
  writeFileSync(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
  const s = serve(['--token-file', join(dir, 'token'), '--faults', 'driver-bug@100ms']);
  try {
    const url = new URL((await s.waitFor(/viewer at (http:\/\/\S+)/))[1]!);
    assert.equal(url.searchParams.get('token'), token);
    assert.ok(!readFileSync(`/proc/${s.child.pid}/cmdline`, 'utf8').includes(token), 'the token is not in the command line');
    assert.equal((await fetch(`${url.origin}/api/stats?token=${token}`)).status, 200);
    await s.waitFor(/CRITICAL ERROR major 0x1\w\w minor/);
    s.child.kill('SIGTERM');
    assert.equal(await s.closed, 3, s.stderr());
    assert.match(s.stdout(), /CRITICAL ERROR/);
  } finally {
    if (s.child.exitCode === null) s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad token file is one clear usage line', async () => {
  const s = serve(['--token-file', '/nonexistent/token']);
  assert.equal(await s.closed, 2);
  assert.match(s.stderr(), /--token-file "\/nonexistent\/token" cannot be read: ENOENT/);
});
