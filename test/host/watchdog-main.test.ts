/**
 * The watchdog (src/host/watchdog-main.ts) run as vdpush runs it: a process reading the set to
 * clean up on its stdin, cleaning up when the pipe closes. A file is removed only while its path
 * still has the inode vdpush named, so a display number's socket that another Xvfb made after
 * ours exited stays (the ECONNREFUSED 127.0.0.1:600N flake: the watchdog removed by name).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WATCHDOG = new URL('../../src/host/watchdog-main.js', import.meta.url).pathname;

test('the watchdog removes a named file only while it is the same file: a file put in its place since stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-watchdog-test-'));
  try {
    const same = join(dir, 'X-same');
    const replaced = join(dir, 'X-replaced');
    const folder = mkdtempSync(join(dir, 'fb-'));
    writeFileSync(same, 'ours');
    writeFileSync(replaced, 'ours');
    const child = spawn(process.execPath, [WATCHDOG], { stdio: ['pipe', 'ignore', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const files = [same, replaced].map((path) => ({ path, ino: lstatSync(path).ino }));
    child.stdin.write(JSON.stringify({ pids: [], dirs: [folder], files }) + '\n');
    // Another server's file takes the path (a new inode: written beside it, renamed over it).
    writeFileSync(replaced + '.new', 'theirs');
    renameSync(replaced + '.new', replaced);
    assert.notEqual(lstatSync(replaced).ino, files[1]!.ino);
    child.stdin.end();
    assert.equal(await exited, 0);
    assert.equal(existsSync(same), false, 'the file it was told of, unchanged, is removed');
    assert.equal(readFileSync(replaced, 'utf8'), 'theirs', 'the file that replaced it is left alone');
    assert.equal(existsSync(folder), false, 'the folder is removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the watchdog ignores file entries that are not a path with an inode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-watchdog-test-'));
  try {
    const kept = join(dir, 'kept');
    writeFileSync(kept, 'x');
    const child = spawn(process.execPath, [WATCHDOG], { stdio: ['pipe', 'ignore', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // A bare path (the old form), a relative path, an inode that is not an integer.
    child.stdin.write(JSON.stringify({ pids: [], dirs: [], files: [kept, { path: 'kept', ino: 1 }, { path: kept, ino: 'x' }, null] }) + '\n');
    child.stdin.end();
    assert.equal(await exited, 0);
    assert.equal(existsSync(kept), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
