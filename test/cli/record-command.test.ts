import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, runCli } from './cli-helpers.js';
import { decodeFrameNumbers, frameTimes, probeVideo, recordToFramemd5 } from './record-helpers.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vdpush-rec-'));
}

function summaryCounts(stderr: string): { frames: number; written: number; repeated: number; skipped: number } {
  const m = /wrote .*?: (\d+) frames, .*source frames: (\d+) written, (\d+) repeated, (\d+) skipped/.exec(stderr);
  assert.ok(m, `a recording summary in: ${stderr}`);
  return { frames: Number(m[1]), written: Number(m[2]), repeated: Number(m[3]), skipped: Number(m[4]) };
}

test('a constant-rate MP4 lasts exactly the duration, repeating the frame over idle stretches (one at the end too), and skips no frame', async () => {
  const dir = tempDir();
  try {
    const out = join(dir, 'idle.mp4');
    const seed = 3;
    const r = await runCli(['record', out, '--clock', 'virtual', '--mode', '160x90@30', '--duration', '2s', '--seed', String(seed), '--faults', 'idle@500ms:500ms,idle@1.5s:5s']);
    assert.equal(r.code, 0, r.stderr);
    const p = probeVideo(out);
    assert.equal(p.codec, 'h264');
    assert.equal(p.frames, 60, '2 s at 30 fps');
    assert.equal(p.durationS, 2);
    const counts = summaryCounts(r.stderr);
    assert.deepEqual(counts, { frames: 60, written: counts.written, repeated: 60 - counts.written, skipped: 0 });
    // Frame by frame: each frame is the previous one again (a repeat) or the next source frame.
    const seq = decodeFrameNumbers(out, 160, 90, seed);
    assert.equal(seq.length, 60);
    for (const [i, f] of seq.entries()) {
      assert.ok(f.distance < 16 && f.margin > 4, `frame ${i} decodes clearly (${f.distance}, margin ${f.margin})`);
      if (i > 0) assert.ok(f.n - seq[i - 1]!.n === 0 || f.n - seq[i - 1]!.n === 1, `frame ${i}: ${seq[i - 1]!.n} -> ${f.n}, no source frame skipped`);
    }
    assert.equal(new Set(seq.map((f) => f.n)).size, counts.written, 'the summary counts the distinct source frames');
    // The idle half second is 15 periods of one frame held on screen.
    let longest = 1;
    for (let i = 1, run = 1; i < seq.length; i++) longest = Math.max(longest, (run = seq[i]!.n === seq[i - 1]!.n ? run + 1 : 1));
    assert.ok(longest >= 15 && longest <= 17, `the idle frame is held ${longest} frames`);
    // The display is idle from 1.5 s to the end: the video still runs to 2 s, on the last frame.
    assert.equal(new Set(seq.slice(-15).map((f) => f.n)).size, 1, 'the last half second repeats the last frame');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--vfr writes each source frame once at its own present time (MP4 and MKV), and still lasts to the end', async () => {
  const dir = tempDir();
  try {
    for (const ext of ['mp4', 'mkv']) {
      const out = join(dir, `vfr.${ext}`);
      const r = await runCli(['record', out, '--vfr', '--clock', 'virtual', '--mode', '160x90@30', '--duration', '2s', '--seed', '5', '--faults', 'idle@500ms:500ms,idle@1.5s:5s']);
      assert.equal(r.code, 0, r.stderr);
      const c = summaryCounts(r.stderr);
      assert.equal(c.skipped, 0);
      assert.equal(c.repeated, 1, 'only the closing copy of the last frame');
      const times = frameTimes(out);
      assert.equal(times.length, c.frames);
      assert.equal(probeVideo(out).frames, c.frames);
      // The sim presents every 1/30 s except while idle: the idle half second is one gap in time.
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      const long = gaps.filter((g) => g > 0.1);
      assert.ok(gaps.every((g) => g > 0.03 && (g < 0.035 || g > 0.5)), `${ext}: frame spacing is one period or an idle stretch: ${gaps.map((g) => g.toFixed(3)).join(' ')}`);
      assert.equal(long.length, 2, `${ext}: the idle stretch in the middle and the one at the end`);
      assert.ok(Math.abs(times.at(-1)! - (2 - 1 / 30)) < 0.002, `${ext}: the last frame is shown until 2 s (${times.at(-1)})`);
      const seq = decodeFrameNumbers(out, 160, 90, 5);
      for (let i = 1; i < seq.length - 1; i++) assert.equal(seq[i]!.n, seq[i - 1]!.n + 1, `${ext} frame ${i}: every source frame once, in order`);
      assert.equal(seq.at(-1)!.n, seq.at(-2)!.n, 'the closing frame is the last one again');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('record - writes Y4M on stdout for a pipe into ffmpeg; messages go to stderr', async () => {
  const { code, ffcode, stderr: err, md5s: frames } = await recordToFramemd5(CLI, ['--clock', 'virtual', '--mode', '160x90@30', '--duration', '1s']);
  assert.equal(code, 0, err);
  assert.equal(ffcode, 0);
  assert.equal(frames.length, 30, 'ffmpeg read 30 frames from the pipe');
  assert.equal(summaryCounts(err).frames, 30);
});

test('xvfb with a static program records the whole duration, not one frame', async () => {
  const dir = tempDir();
  try {
    const out = join(dir, 'xeyes.mp4');
    const r = await runCli(['record', out, '--source', 'xvfb', '--exec', 'xeyes', '--mode', '320x240@30', '--duration', '2s']);
    assert.equal(r.code, 0, r.stderr);
    const p = probeVideo(out);
    assert.equal(p.frames, 60);
    assert.equal(p.durationS, 2);
    const c = summaryCounts(r.stderr);
    assert.equal(c.written + c.repeated, 60);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C in a terminal (SIGINT to the whole process group) finishes the MP4 with every frame so far and exits 130', async () => {
  const dir = tempDir();
  const out = join(dir, 'cut.mp4');
  // detached: vdpush leads a process group, as a shell's foreground job does; the signal goes to
  // the whole group, ffmpeg included unless vdpush gave it a group of its own.
  const child = spawn(process.execPath, [CLI, 'record', out, '--mode', '160x90@30', '--duration', '60s'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    // Wait (bounded) until ffmpeg has opened the file: it does so once its first frame arrived.
    const deadline = Date.now() + 30_000;
    while (!(/recording/.test(err) && existsSync(out))) {
      assert.ok(Date.now() < deadline, `no frames written: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-child.pid!, 'SIGINT');
    const code = await closed;
    assert.equal(code, 130, err);
    assert.doesNotMatch(err, /ffmpeg (exited|was killed)/);
    assert.match(err, /stopped by SIGINT/);
    const c = summaryCounts(err);
    assert.ok(c.frames > 0 && c.frames < 1800, `${c.frames} frames, fewer than 60 s worth`);
    assert.equal(probeVideo(out).frames, c.frames, 'the file holds every frame the summary counts');
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    await closed;
    rmSync(dir, { recursive: true, force: true });
  }
});

