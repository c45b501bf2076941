import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Running, as opposed to gone or a zombie waiting for its new parent to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

test('a host that crashes leaves no Xvfb, workload or temp folder behind', async () => {
  const script = fileURLToPath(new URL('./fixtures/crashing-host.js', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.notEqual(code, 0, 'the host crashed');
  assert.match(err, /simulated crash in the host/);
  const res = JSON.parse(out.trim().split('\n')[0]!) as { pids: number[]; dirs: string[] };
  assert.ok(res.pids.length >= 1, `the display reported what it started: ${out}`);
  // The kills are SIGKILLs sent before exit; give the kernel a moment to finish them.
  for (let i = 0; i < 250 && res.pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
  for (const pid of res.pids) assert.equal(alive(pid), false, `process ${pid} was killed`);
  for (const dir of res.dirs) assert.equal(existsSync(dir), false, `${dir} was removed`);
});
