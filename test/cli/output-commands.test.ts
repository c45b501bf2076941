import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { PNG } from 'pngjs';
import { CLI, runCli } from './cli-helpers.js';
import { makePatternParams, readFrameStamp, verifyFrame } from '../../src/backends/sim/index.js';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vdpush-cli-'));
}

test('snapshot writes a PNG that decodes to a complete, correct frame of the simulated display', async () => {
  const dir = tempDir();
  try {
    const out = join(dir, 'shot.png');
    const r = await runCli(['snapshot', out, '--mode', '320x180@60', '--seed', '5']);
    assert.equal(r.code, 0, r.stderr);
    const png = PNG.sync.read(readFileSync(out));
    assert.equal(png.width, 320);
    assert.equal(png.height, 180);
    // Back to the compositor's BGRA and check every pixel against the pattern for its frame.
    const bgra = new Uint8Array(png.data.length);
    for (let i = 0; i < bgra.length; i += 4) {
      bgra[i] = png.data[i + 2]!;
      bgra[i + 1] = png.data[i + 1]!;
      bgra[i + 2] = png.data[i]!;
      bgra[i + 3] = png.data[i + 3]!;
    }
    const params = makePatternParams({ workload: 'moving', seed: 5 });
    const n = readFrameStamp(bgra, FORMAT_BGRA8, params);
    assert.ok(n >= 0, 'the stamp is readable');
    const v = verifyFrame(bgra, 320, 180, 320 * 4, FORMAT_BGRA8, n, params);
    assert.ok(v.ok, v.reason);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('snapshot of an HDR (rgba16f) display is converted to 8-bit sRGB, not truncated', async () => {
  const dir = tempDir();
  try {
    const out = join(dir, 'hdr.png');
    const r = await runCli(['snapshot', out, '--mode', '160x90@60', '--format', 'rgba16f']);
    assert.equal(r.code, 0, r.stderr);
    const png = PNG.sync.read(readFileSync(out));
    // The pattern's half floats lie in [0.5, 1): linear 0.5 is sRGB 188, so no channel is below it.
    let min = 255;
    for (let i = 0; i < png.data.length; i += 4) min = Math.min(min, png.data[i]!, png.data[i + 1]!, png.data[i + 2]!);
    assert.ok(min >= 187, `darkest channel ${min} is the sRGB encoding of >= 0.5 linear`);
    assert.equal(png.data[3], 255);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function y4mFrames(path: string): { header: string; frames: number } {
  const buf = readFileSync(path);
  const headerEnd = buf.indexOf(0x0a);
  const header = buf.subarray(0, headerEnd).toString('latin1');
  const w = Number(/ W(\d+)/.exec(header)![1]);
  const h = Number(/ H(\d+)/.exec(header)![1]);
  const frameBytes = 6 + w * h + 2 * Math.ceil(w / 2) * Math.ceil(h / 2);
  const body = buf.length - headerEnd - 1;
  assert.equal(body % frameBytes, 0, 'the file is whole frames');
  for (let off = headerEnd + 1; off < buf.length; off += frameBytes) {
    assert.equal(buf.subarray(off, off + 6).toString('latin1'), 'FRAME\n');
  }
  return { header, frames: body / frameBytes };
}

test('record writes a Y4M with one frame per display period', async () => {
  const dir = tempDir();
  try {
    const out = join(dir, 'rec.y4m');
    const r = await runCli(['record', out, '--mode', '160x90@30', '--clock', 'virtual', '--duration', '1s']);
    assert.equal(r.code, 0, r.stderr);
    const { header, frames } = y4mFrames(out);
    assert.match(header, /^YUV4MPEG2 W160 H90 F30:1 /);
    assert.ok(frames >= 29 && frames <= 31, `${frames} frames for 1 s at 30 Hz`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('record writes an H.264 MP4 through ffmpeg that ffprobe reads', async () => {
  const dir = tempDir();
  try {
    const out = join(dir, 'rec.mp4');
    const r = await runCli(['record', out, '--mode', '160x90@30', '--clock', 'virtual', '--duration', '1s']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(statSync(out).size > 0);
    const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'csv=p=0', out]).toString().trim();
    const [codec, count] = probe.split(',');
    assert.equal(codec, 'h264');
    assert.ok(Number(count) >= 29 && Number(count) <= 31, `${count} frames`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve refuses requests without the token and stops cleanly on SIGINT', async () => {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--token', 's3cret-token', '--mode', '160x90@30'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      const t = setTimeout(() => reject(new Error(`no URL printed: ${err}`)), 20_000);
      child.stderr.on('data', (d) => {
        err += d;
        const m = /viewer at (http:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
    const base = new URL(url);
    const bare = `${base.origin}/api/stats`;
    assert.equal((await fetch(bare)).status, 401);
    assert.equal((await fetch(`${bare}?token=wrong`)).status, 401);
    const ok = await fetch(`${bare}?token=s3cret-token`);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { stats: { source: string } };
    assert.equal(body.stats.source, 'sim');
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    assert.equal(await exited, 130, 'stopped by a signal: 128 + SIGINT');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('a snapshot path in a missing directory fails with one clear line', async () => {
  const r = await runCli(['snapshot', '/nonexistent-dir/x.png', '--mode', '160x90@60']);
  assert.notEqual(r.code, 0);
  assert.equal(existsSync('/nonexistent-dir/x.png'), false);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
