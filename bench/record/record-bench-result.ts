/** What `vdpush bench record --json` prints (record-bench.ts says how each figure is measured). */

export type RecordWorkload = 'animation' | 'desktop' | 'idle';

export interface RecordingNumbers {
  /** The duration the recording was asked for. */
  seconds: number;
  /** From the recorder's start to its exit. */
  wallSeconds: number;
  /** How long after `seconds` it finished (start-up included). */
  finishLagSeconds: number;
  /** Pictures written. */
  frames: number;
  /** Animation only: the stamped frame numbers the pictures show (capture-tally.ts). */
  distinct?: number;
  torn?: number;
  duplicates?: number;
  missed?: number;
  blank?: number;
  /** The recorder's process tree. */
  cpuSeconds: number;
  /** The X server's CPU beyond what the workload alone costs it. */
  xvfbExtraCpuSeconds: number;
  /** (cpuSeconds + xvfbExtraCpuSeconds) per recorded second, as % of one core. */
  cpuPercentOfCore: number;
  /** Animation only: the same CPU per distinct frame recorded. */
  cpuMsPerDistinct?: number;
  bytes: number;
  /** The workload's draws/s while it recorded. */
  workloadFps: number;
}

export interface RecordBenchRow {
  workload: RecordWorkload;
  width: number;
  height: number;
  fps: number;
  workloadAloneFps: number;
  xvfbAloneCpuPercent: number;
  y4m: { vdpush: RecordingNumbers; ffmpeg: RecordingNumbers };
  /** vdpushVfr: `record --vfr`, each frame once (`frames` counts what the file holds, fewer than seconds * fps). */
  mp4: { vdpush: RecordingNumbers; ffmpeg: RecordingNumbers; vdpushVfr: RecordingNumbers };
}

export interface RecordBenchResult {
  rows: RecordBenchRow[];
}
