/**
 * `vdpush record x.mp4` in a real terminal (a pty from script(1)), stopped by a real Ctrl-C: the
 * terminal's line discipline sends SIGINT to the foreground process group, which is how a user
 * stops it, so ffmpeg would get it too were it not in a group of its own (issue 9).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './cli-helpers.js';
import { probeVideo } from './record-helpers.js';

test('Ctrl-C typed into the terminal of record x.mp4: the last progress line says where it stopped with elapsed time, fps and the file size; every frame so far is in the file; exit 130', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-rec-tty-'));
  const out = join(dir, 'cut.mp4');
  const child = spawn('script', ['-qfec', `${process.execPath} ${CLI} record ${out} --mode 160x90@30 --duration 60s`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let tty = '';
  child.stdout.on('data', (d) => (tty += d));
  child.stderr.on('data', (d) => (tty += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    // Bounded wait until the progress line shows half a second of video in the file.
    const deadline = Date.now() + 30_000;
    while (!(/ (0\.[5-9]|[1-9]\d*\.\d)\/60\.0 s /.test(tty) && existsSync(out))) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `no progress: ${JSON.stringify(tty)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.stdin.write('\x03'); // Ctrl-C, as typed
    assert.equal(await closed, 130, tty);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await closed;
  }
  try {
    const lines = tty.split(/\r\n|\r|\n/).map((l) => l.replace(/\x1b\[K/g, ''));
    const last = lines.filter((l) => /\] +\d+%/.test(l)).pop();
    assert.ok(last !== undefined, JSON.stringify(tty));
    const m = /\] +(\d+)% (\d+\.\d)\/60\.0 s {2}(\d+\.\d) s elapsed {2}(\d+) fps {2}(\S+ \S+) {2}stopped by SIGINT$/.exec(last);
    assert.ok(m, `the last progress line: ${JSON.stringify(last)}`);
    assert.ok(Number(m[1]) < 100, 'it says where it stopped, not 100%');
    const summary = /wrote \S+: (\d+) frames, [\d.]+ s at 30 fps, (\S+ \S+) \(stopped by SIGINT\)/.exec(tty);
    assert.ok(summary, tty);
    assert.equal(m[5], summary[2], "the progress line's size is the finished file's");
    assert.doesNotMatch(tty, /ffmpeg (exited|was killed)/);
    assert.equal(probeVideo(out).frames, Number(summary[1]), 'the file holds every frame the summary counts');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
