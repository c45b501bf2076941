/**
 * The record bench's stamp survives what a recording does to a picture: vdpush's own I420
 * conversion, and a real libx264 `ultrafast` encode and decode by ffmpeg. A torn frame (tiles of
 * two frame numbers) and a blank screen are told apart from whole frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LUMA_TILE_H, LUMA_TILE_W, checkLumaStamp, lumaStampColours, lumaStampLightCells } from '../../bench/record/luma-stamp.js';
import { Y4mReader } from '../../bench/record/y4m-reader.js';
import { I420Converter, i420Size } from '../../src/host/sinks/i420-convert.js';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';

const W = 2 * LUMA_TILE_W;
const H = 3 * LUMA_TILE_H;

/** The screen as the workload's tiled fill leaves it (bgra words), frame `seq`; rows from `split` down show `lower`. */
function screen(seq: number, split = H, lower = seq): Uint8Array {
  const px = new Uint8Array(W * H * 4);
  const words = new Uint32Array(px.buffer);
  for (const [s, y0, y1] of [[seq, 0, split], [lower, split, H]] as const) {
    const { light, dark } = lumaStampColours(s);
    const cells = lumaStampLightCells(s);
    for (let y = y0; y < y1; y++) {
      for (let x = 0; x < W; x++) {
        const tx = x % LUMA_TILE_W;
        const ty = y % LUMA_TILE_H;
        let lit = false;
        for (let i = 0; i < cells.length; i += 4) {
          if (tx >= cells[i]! && tx < cells[i]! + cells[i + 2]! && ty >= cells[i + 1]! && ty < cells[i + 1]! + cells[i + 3]!) lit = true;
        }
        words[y * W + x] = (lit ? light : dark) | 0xff000000;
      }
    }
  }
  return px;
}

function toLuma(px: Uint8Array): Uint8Array {
  const out = new Uint8Array(i420Size(W, H));
  new I420Converter().convert({ pixels: px, width: W, height: H, stride: W * 4, format: FORMAT_BGRA8 }, out, 0);
  return out.subarray(0, W * H);
}

// Frame numbers whose bits are far apart, and neighbours (the stamp must tell N from N+1).
const SEQS = [1, 2, 3, 0x7fffff, 0x800000, 0xabcdef, 0xfffffe];

test('the stamp reads back through vdpush\'s I420 conversion; a torn and a blank screen are told apart', () => {
  for (const seq of SEQS) {
    const c = checkLumaStamp(toLuma(screen(seq)), W, H);
    assert.deepEqual([c.ok, c.blank, c.sequence, c.tiles], [true, false, seq, 6], `frame ${seq}`);
  }
  const torn = checkLumaStamp(toLuma(screen(41, LUMA_TILE_H, 42)), W, H);
  assert.equal(torn.ok, false, 'tiles of two frames');
  assert.equal(torn.blank, false);
  const blank = checkLumaStamp(new Uint8Array(W * H).fill(16), W, H);
  assert.deepEqual([blank.ok, blank.blank], [false, true]);
});

function run(cmd: string, args: string[], input: Uint8Array[] | null, onStdout?: (c: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: [input ? 'pipe' : 'ignore', onStdout ? 'pipe' : 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    if (onStdout) p.stdout!.on('data', onStdout);
    p.once('error', reject);
    p.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err}`))));
    if (input) {
      for (const b of input) p.stdin!.write(b);
      p.stdin!.end();
    }
  });
}

test('the stamp survives a libx264 ultrafast encode and decode by ffmpeg', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-luma-'));
  try {
    const file = join(dir, 'stamp.mp4');
    const seqs = [...SEQS, 100, 101, 102, 103];
    const frames = [...seqs.map((s) => screen(s)), screen(7, 2 * LUMA_TILE_H, 8)];
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'bgra', '-s', `${W}x${H}`, '-r', '60', '-i', 'pipe:0',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', file], frames);
    const got: Array<{ ok: boolean; sequence: number }> = [];
    const reader = new Y4mReader((luma, h) => {
      const c = checkLumaStamp(luma, h.width, h.height);
      got.push({ ok: c.ok, sequence: c.sequence });
    });
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-fps_mode', 'passthrough', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', 'pipe:1'], null, (c) => reader.push(c));
    reader.end();
    assert.deepEqual(got.slice(0, seqs.length), seqs.map((s) => ({ ok: true, sequence: s })));
    assert.equal(got.length, seqs.length + 1);
    assert.equal(got.at(-1)!.ok, false, 'the torn frame stays torn');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
