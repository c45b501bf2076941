import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runCli } from './cli-helpers.js';

test('run --monitors N drives N monitors at --mode; the summary has one element each, and one text block each', async () => {
  const r = await runCli(['run', '--monitors', '2', '--mode', '160x90@60', '--clock', 'virtual', '--duration', '500ms', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(s.monitors.map((m: { targetId: number }) => m.targetId), [1, 2]);
  assert.ok(s.monitors.every((m: { mode: { width: number }; frames: { integrityErrors: number; consumed: number } }) => m.mode.width === 160 && m.frames.integrityErrors === 0 && m.frames.consumed > 0));
  const text = await runCli(['run', '--monitors', '2', '--mode', '160x90@60', '--clock', 'virtual', '--duration', '200ms']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /monitor 1: 160x90@60 bgra8[\s\S]*monitor 2: 160x90@60 bgra8/);
});

test('repeated --monitor gives each monitor its own mode; --monitors and --monitor together are refused (exit 2)', async () => {
  const r = await runCli(['run', '--monitor', '160x90@60', '--monitor', '128x72@30', '--clock', 'virtual', '--duration', '300ms', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(s.monitors.map((m: { mode: { width: number; refreshHz: number } }) => `${m.mode.width}@${m.mode.refreshHz}`), ['160@60', '128@30']);
  const bad = await runCli(['run', '--monitors', '2', '--monitor', '160x90@60']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /exclude each other/);
  const zero = await runCli(['run', '--monitors', '0']);
  assert.equal(zero.code, 2);
});

test('snapshot --target all writes OUT-N.png per monitor at its own size; --target N writes that one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-monitors-'));
  try {
    const out = join(dir, 'desk.png');
    const r = await runCli(['snapshot', out, '--monitor', '160x90@60', '--monitor', '96x54@60', '--target', 'all']);
    assert.equal(r.code, 0, r.stderr);
    const one = await sharp(join(dir, 'desk-1.png')).metadata();
    const two = await sharp(join(dir, 'desk-2.png')).metadata();
    assert.deepEqual([one.width, one.height, two.width, two.height], [160, 90, 96, 54]);
    const single = join(dir, 'two.png');
    const t = await runCli(['snapshot', single, '--monitors', '2', '--mode', '64x36@60', '--target', '2']);
    assert.equal(t.code, 0, t.stderr);
    assert.equal((await sharp(single).metadata()).width, 64);
    const bad = await runCli(['snapshot', single, '--monitors', '2', '--target', '3']);
    assert.equal(bad.code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('record --target 2 records monitor 2 at its mode (a Y4M header says so)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-monitors-'));
  try {
    const out = join(dir, 'two.y4m');
    const r = await runCli(['record', out, '--monitor', '160x90@30', '--monitor', '96x54@30', '--target', '2', '--clock', 'virtual', '--duration', '300ms']);
    assert.equal(r.code, 0, r.stderr);
    const header = readFileSync(out).subarray(0, 64).toString('latin1').split('\n')[0]!;
    assert.match(header, /^YUV4MPEG2 W96 H54 F30:1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
