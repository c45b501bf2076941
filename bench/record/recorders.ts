/**
 * The two recorders `bench record` races on one Xvfb, each writing what a user keeps:
 *
 *  - `vdpush record --source xvfb --display :N` to `-` (Y4M on stdout) or to an MP4 file, and
 *    to MP4 with `--vfr` (each frame once with its own time, what an idle stretch costs nothing);
 *  - `ffmpeg -f x11grab` at the same rate, to Y4M on stdout (yuv420p) or to an MP4 file with the
 *    encoder settings vdpush's MP4 sink uses (libx264 `ultrafast`, yuv420p), pointer not drawn
 *    (vdpush records the frame without it).
 *
 * Every picture written is read back: a Y4M stream as it comes; an MP4 decoded by ffmpeg after
 * the recorder exited, each coded frame once (-fps_mode passthrough). CPU is the recorder's whole
 * process tree (its ffmpeg included for vdpush's MP4), read as this process's reaped children's
 * CPU before and after: the readback's cost is in neither.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendError, MissingDependencyError } from '../../src/contract/errors.js';
import { reapedChildrenCpuSeconds } from '../xvfb/proc-cpu.js';
import { Y4mReader, type Y4mHeader } from './y4m-reader.js';

/** vdpushVfr: `vdpush record --vfr`, each frame once with its own time (MP4 only). */
export type RecorderName = 'vdpush' | 'vdpushVfr' | 'ffmpeg';
export type Container = 'y4m' | 'mp4';

export interface RecordTarget {
  display: string;
  width: number;
  height: number;
  fps: number;
}

export interface RecorderRun {
  /** What the recording was asked to last. */
  seconds: number;
  /** From the recorder's spawn to its exit. */
  wallSeconds: number;
  /** CPU of the recorder's process tree. */
  cpuSeconds: number;
  /** Pictures read back. */
  frames: number;
  /** The Y4M stream's or the MP4 file's size. */
  bytes: number;
}

const STDERR_TAIL = 2000;

function recorderArgs(name: RecorderName, container: Container, t: RecordTarget, seconds: number, out: string): { cmd: string; args: string[] } {
  if (name !== 'ffmpeg') {
    const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
    const args = [cli, 'record', '--source', 'xvfb', '--display', t.display, '--mode', `${t.width}x${t.height}@${t.fps}`, '--duration', `${seconds}s`];
    if (name === 'vdpushVfr') args.push('--vfr');
    return { cmd: process.execPath, args: [...args, out] };
  }
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  args.push('-f', 'x11grab', '-draw_mouse', '0', '-framerate', String(t.fps), '-video_size', `${t.width}x${t.height}`, '-i', t.display, '-t', String(seconds));
  if (container === 'y4m') args.push('-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', 'pipe:1');
  else args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', out);
  return { cmd: 'ffmpeg', args };
}

/** Runs a child to its exit, its stdout (if any) into `onStdout`; rejects with its stderr's tail. */
function runChild(what: string, cmd: string, args: string[], onStdout: ((chunk: Buffer) => void) | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', onStdout ? 'pipe' : 'ignore', 'pipe'] });
    let err = '';
    let failed: unknown = null;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => (err = (err + s).slice(-STDERR_TAIL)));
    if (onStdout) {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (failed !== null) return;
        try {
          onStdout(chunk);
        } catch (e) {
          // What it wrote is not what it claims: stop it, report that.
          failed = e;
          child.kill('SIGKILL');
        }
      });
    }
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new MissingDependencyError(cmd, cmd === 'ffmpeg' ? 'ffmpeg' : cmd, `${what} in \`vdpush bench record\``) : e),
    );
    child.once('close', (code, signal) => {
      if (failed !== null) reject(failed);
      else if (code === 0) resolve();
      else reject(new BackendError(`${what} failed (exit ${code ?? signal}): ${err.trim()}`));
    });
  });
}

/**
 * Records `seconds` of the display with `name` into `container` (a file in `dir` for MP4) and hands
 * every picture's luma plane, read back, to `onLuma` (which must not keep it: it is reused).
 */
export async function runRecorder(
  name: RecorderName,
  container: Container,
  target: RecordTarget,
  seconds: number,
  dir: string,
  onLuma: (luma: Uint8Array, header: Y4mHeader) => void,
): Promise<RecorderRun> {
  const file = join(dir, `${name}.mp4`);
  const { cmd, args } = recorderArgs(name, container, target, seconds, container === 'y4m' ? '-' : file);
  const reader = new Y4mReader(onLuma);
  const cpu0 = reapedChildrenCpuSeconds();
  const t0 = performance.now();
  await runChild(`${name} recording ${container}`, cmd, args, container === 'y4m' ? (c) => reader.push(c) : null);
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpuSeconds = reapedChildrenCpuSeconds() - cpu0;
  let bytes = reader.bytes;
  if (container === 'mp4') {
    bytes = statSync(file).size;
    const decode = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file, '-fps_mode', 'passthrough', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', 'pipe:1'];
    await runChild(`ffmpeg decoding ${name}'s MP4`, 'ffmpeg', decode, (c) => reader.push(c));
  }
  reader.end();
  if (reader.header && (reader.header.width !== target.width || reader.header.height !== target.height)) {
    throw new BackendError(`${name} recorded ${reader.header.width}x${reader.header.height}, not the display's ${target.width}x${target.height}`);
  }
  return { seconds, wallSeconds, cpuSeconds, frames: reader.frames, bytes };
}
