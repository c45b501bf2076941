/** The words `vdpush record` ends with: what went into the file, frame by frame. */
import type { Recorder } from '../host/recorder.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export interface RecordingEnd {
  fps: number;
  vfr: boolean;
  signal: string | null;
  size: number;
}

/**
 * e.g. "vdpush: wrote out.mp4: 180 frames, 3.00 s at 60 fps, 1.2 MiB; source frames: 120 written,
 * 60 repeated, 0 skipped". The numbers add up: frames in the file = written + repeated.
 */
export function recordingSummary(where: string, r: Recorder, end: RecordingEnd): string {
  const c = r.counts;
  const length = end.vfr ? `${(r.videoMs / 1000).toFixed(2)} s variable rate` : `${(c.outputFrames / end.fps).toFixed(2)} s at ${end.fps} fps`;
  const stopped = end.signal !== null ? ` (stopped by ${end.signal})` : '';
  return (
    `vdpush: wrote ${where}: ${c.outputFrames} frames, ${length}, ${formatBytes(end.size)}${stopped}; ` +
    `source frames: ${c.written} written, ${c.repeated} repeated, ${c.skipped} skipped`
  );
}
