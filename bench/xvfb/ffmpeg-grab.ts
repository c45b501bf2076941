/**
 * The baseline: `ffmpeg -f x11grab` on the same display, every grabbed frame passed through
 * (-fps_mode passthrough) as raw video into a pipe the benchmark reads and checks frame by frame,
 * asking for far more frames per second than it can grab so it grabs as fast as it can. CPU
 * comes from its /proc/<pid>/stat.
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

/**
 * Runs x11grab for `seconds` and hands every frame it outputs (raw bgr0, the screen's own byte
 * order at depth 24) to `onFrame`, which must not keep the buffer (it is reused).
 */
export async function ffmpegGrab(
  display: string,
  width: number,
  height: number,
  seconds: number,
  onFrame: (pixels: Uint8Array) => void,
): Promise<GrabResult> {
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostats',
    '-f', 'x11grab', '-draw_mouse', '0', '-framerate', '2000', '-video_size', `${width}x${height}`, '-i', display,
    '-t', String(seconds), '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'bgr0', 'pipe:1',
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const sampler = new CpuSampler(child.pid ?? 0);
  const frameBytes = width * height * 4;
  const frame = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  let frames = 0;
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - at);
      chunk.copy(frame, filled, at, at + n);
      filled += n;
      at += n;
      if (filled === frameBytes) {
        frames++;
        filled = 0;
        onFrame(frame);
      }
    }
  });
  child.stderr.setEncoding('latin1');
  child.stderr.on('data', (s: string) => (err = (err + s).slice(-2048)));
  const t0 = performance.now();
  // ffmpeg's CPU once its grabbing ends (sampled while it runs: 'exit' comes after /proc is gone).
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      sampler.stop();
      reject(e.code === 'ENOENT' ? new MissingDependencyError('ffmpeg', 'ffmpeg') : e);
    });
    child.once('exit', (c) => resolve(c));
  });
  const wall = (performance.now() - t0) / 1000;
  const cpuSeconds = sampler.stop();
  if (code !== 0 || frames === 0) throw new BackendError(`ffmpeg x11grab failed (exit ${code}, ${frames} frames): ${err.trim()}`);
  return { frames, seconds: Math.min(seconds, wall), cpuSeconds };
}
