/**
 * The baseline: `ffmpeg -f x11grab` on the same display, every grabbed frame passed through
 * (-fps_mode passthrough) as raw video to /dev/null, asking for far more frames per second than it
 * can grab so it grabs as fast as it can. Frames come from ffmpeg's -progress report, CPU from its
 * /proc/<pid>/stat.
 */
import { spawn } from 'node:child_process';
import { MissingDependencyError, BackendError } from '../../src/contract/errors.js';
import { CpuSampler } from './proc-cpu.js';

export interface GrabResult {
  frames: number;
  seconds: number;
  cpuSeconds: number;
}

/** Throws MissingDependencyError when ffmpeg is not installed. */
export async function requireFfmpeg(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' });
    p.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new MissingDependencyError('ffmpeg', 'ffmpeg', 'the x11grab baseline of `vdpush bench xvfb`') : e),
    );
    p.once('exit', () => resolve());
  });
}

export async function ffmpegGrab(display: string, width: number, height: number, seconds: number): Promise<GrabResult> {
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostats',
    '-f', 'x11grab', '-draw_mouse', '0', '-framerate', '2000', '-video_size', `${width}x${height}`, '-i', display,
    '-t', String(seconds), '-fps_mode', 'passthrough', '-f', 'rawvideo',
    '-progress', 'pipe:1', '-y', '/dev/null',
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const sampler = new CpuSampler(child.pid ?? 0);
  let out = '';
  let err = '';
  child.stdout.setEncoding('latin1');
  child.stdout.on('data', (s: string) => (out = (out + s).slice(-4096)));
  child.stderr.setEncoding('latin1');
  child.stderr.on('data', (s: string) => (err = (err + s).slice(-2048)));
  const t0 = performance.now();
  let cpuSeconds = 0;
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      sampler.stop();
      reject(e.code === 'ENOENT' ? new MissingDependencyError('ffmpeg', 'ffmpeg') : e);
    });
    // Sample the CPU once more just before it exits ('exit' comes after /proc is gone).
    child.stdout.on('data', () => {
      if (out.includes('progress=end')) cpuSeconds = sampler.stop();
    });
    child.once('exit', (c) => resolve(c));
  });
  const wall = (performance.now() - t0) / 1000;
  if (cpuSeconds === 0) cpuSeconds = sampler.stop();
  const m = [...out.matchAll(/frame=(\d+)/g)];
  if (code !== 0 || m.length === 0) throw new BackendError(`ffmpeg x11grab failed (exit ${code}): ${err.trim()}`);
  return { frames: Number(m[m.length - 1]![1]), seconds: Math.min(seconds, wall), cpuSeconds };
}
