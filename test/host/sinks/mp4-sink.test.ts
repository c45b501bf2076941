import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingDependencyError } from '../../../src/contract/errors.js';
import { Mp4Sink } from '../../../src/host/sinks/mp4-sink.js';
import { createSink } from '../../../src/host/sinks/create-sink.js';
import { bgraFrame } from './test-frames.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vdp-mp4-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function probe(path: string): { codec_name: string; pix_fmt: string; width: number; height: number; nb_read_frames: string } {
  const json = execFileSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,pix_fmt,width,height,nb_read_frames', '-of', 'json', path],
    { encoding: 'utf8' },
  );
  return JSON.parse(json).streams[0];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('an_mp4_recording_is_h264_yuv420p_with_every_frame_written', () =>
  withDir(async (dir) => {
    const out = join(dir, 'rec.mp4');
    const sink = await createSink(out, { fps: 30, width: 64, height: 48 });
    assert.equal(sink.kind, 'mp4');
    for (let i = 0; i < 12; i++) await sink.write(bgraFrame(64, 48, (x) => [(x * 4 + i * 20) & 255, i * 20, 128], 0, i));
    await sink.write(bgraFrame(64, 48, () => [0, 0, 0]), 3);
    await sink.close();
    assert.equal(sink.framesWritten, 15);
    const s = probe(out);
    assert.equal(s.codec_name, 'h264');
    assert.equal(s.pix_fmt, 'yuv420p');
    assert.deepEqual([s.width, s.height], [64, 48]);
    assert.equal(Number(s.nb_read_frames), 15);
  }));

test('an_odd_sized_display_is_padded_to_even_for_h264', () =>
  withDir(async (dir) => {
    const out = join(dir, 'odd.mp4');
    const sink = await Mp4Sink.open(out, { fps: 10, width: 33, height: 17 });
    for (let i = 0; i < 4; i++) await sink.write(bgraFrame(33, 17, () => [i * 60, 0, 0]));
    await sink.close();
    const s = probe(out);
    assert.deepEqual([s.width, s.height, Number(s.nb_read_frames)], [34, 18, 4]);
  }));

test('without_ffmpeg_on_path_opening_an_mp4_is_a_missing_dependency_naming_ffmpeg', () =>
  withDir(async (dir) => {
    const saved = process.env['PATH'];
    process.env['PATH'] = dir; // an empty folder: no ffmpeg anywhere on PATH
    try {
      await assert.rejects(createSink(join(dir, 'x.mp4'), { fps: 30, width: 8, height: 8 }), (e: unknown) => {
        assert.ok(e instanceof MissingDependencyError);
        assert.equal(e.packageName, 'ffmpeg');
        assert.match(e.message, /"ffmpeg"/);
        return true;
      });
    } finally {
      process.env['PATH'] = saved;
    }
  }));

test('destroy_kills_ffmpeg_by_pid_and_reaps_it', () =>
  withDir(async (dir) => {
    const sink = await Mp4Sink.open(join(dir, 'abandoned.mp4'), { fps: 30, width: 16, height: 16 });
    const pid = sink.pid!;
    await sink.write(bgraFrame(16, 16, () => [1, 2, 3]));
    assert.ok(isAlive(pid));
    await sink.destroy();
    assert.equal(isAlive(pid), false, 'ffmpeg is gone and reaped (a zombie would still answer signal 0)');
    await sink.destroy();
  }));

test('aborting_the_signal_destroys_the_sink', () =>
  withDir(async (dir) => {
    const ac = new AbortController();
    const sink = await Mp4Sink.open(join(dir, 'aborted.mp4'), { fps: 30, width: 16, height: 16, signal: ac.signal });
    const pid = sink.pid!;
    ac.abort();
    await assert.rejects(sink.close());
    assert.equal(isAlive(pid), false);
  }));
