/**
 * `--fbdir DIR` and VDPUSH_FBDIR: a folder that cannot hold the framebuffer is a usage error (one
 * line naming the flag or the variable and the fix, exit 2) before any server starts; a good one
 * holds the run's framebuffer and is left as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-helpers.js';

function usageLine(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test('--fbdir that is missing, a file, on a disk, without xvfb or with --display is refused in one line, exit 2', async () => {
  const shm = mkdtempSync('/dev/shm/vdpush-fbdir-cli-');
  const disk = mkdtempSync(join(tmpdir(), 'vdpush-fbdir-cli-'));
  try {
    writeFileSync(join(shm, 'file'), 'x');
    const run = (dir: string, ...more: string[]) => runCli(['run', '--source', 'xvfb', '--duration', '1s', '--fbdir', dir, ...more]);
    usageLine(await run(join(shm, 'nope')), /^vdpush: --fbdir ".*nope": no such directory; give a directory on a tmpfs/);
    usageLine(await run(join(shm, 'file')), /--fbdir ".*file": is not a directory/);
    usageLine(await run(disk), /--fbdir ".*": is on \S+ \(mounted at .*\), not a tmpfs/);
    usageLine(await runCli(['run', '--duration', '1s', '--fbdir', shm]), /--fbdir places the framebuffer of an Xvfb vdpush starts: it needs source xvfb/);
    usageLine(await run(shm, '--display', ':999'), /--fbdir .*display :999 has its own -fbdir/);
    // Nothing was made in the folders while refusing.
    assert.deepEqual(readdirSync(shm), ['file']);
    assert.deepEqual(readdirSync(disk), []);
  } finally {
    rmSync(shm, { recursive: true, force: true });
    rmSync(disk, { recursive: true, force: true });
  }
});

test('a bad VDPUSH_FBDIR is refused naming the variable, exit 2', async () => {
  const r = await runCli(['run', '--source', 'xvfb', '--duration', '1s'], 60_000, { VDPUSH_FBDIR: '/nonexistent/vdpush-fb' });
  usageLine(r, /^vdpush: VDPUSH_FBDIR "\/nonexistent\/vdpush-fb": no such directory/);
});

test('a run with --fbdir on a tmpfs folder verifies its frames there and leaves the folder empty', async () => {
  const shm = mkdtempSync('/dev/shm/vdpush-fbdir-cli-');
  try {
    const r = await runCli(['run', '--source', 'xvfb', '--mode', '320x180@60', '--duration', '1s', '--json', '--fbdir', shm]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { frames: { consumed: number; integrityErrors: number } };
    assert.ok(s.frames.consumed > 0, r.stdout);
    assert.equal(s.frames.integrityErrors, 0);
    assert.deepEqual(readdirSync(shm), []);
  } finally {
    rmSync(shm, { recursive: true, force: true });
  }
});
