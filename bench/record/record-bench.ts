/**
 * `vdpush bench record`: `vdpush record` against `ffmpeg -f x11grab` on the same Xvfb (1920x1080,
 * depth 24) and the same workloads, recording at the display's 60 frames/s to what a user keeps:
 * a Y4M stream on stdout and an MP4 file, and an MP4 from `vdpush record --vfr` (recorders.ts).
 *
 * Workloads, each drawn at 60 frames/s in its own process (bench/vnc/stamped-workload-main.ts):
 *  animation  the whole screen changes every frame, stamped with its frame number in a way that
 *             survives I420 and H.264 (luma-stamp.ts), so every recorded picture is checked;
 *  desktop    one text-line strip (1% of the screen) per frame: CPU only;
 *  idle       nothing drawn: CPU only.
 * Per workload the X server's CPU with the workload alone comes first, then the four recordings,
 * the two recorders taking turns to go first.
 *
 * Per recording: pictures written; on the animation, distinct, torn, duplicates and missed frame
 * numbers (capture-tally.ts: a CFR recording repeats a picture when it had nothing new, so
 * duplicates are its frames lost to falling behind or to phase); CPU (the recorder's tree plus the
 * X-server CPU beyond the workload's alone) as % of one core; how long after its asked duration
 * the recorder finished; the bytes written; the workload's draw rate meanwhile.
 *
 * Targets are reported, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startXvfb } from '../../src/backends/xvfb/xvfb-server.js';
import { CaptureTally } from '../xvfb/capture-tally.js';
import { procCpuSeconds } from '../xvfb/proc-cpu.js';
import { requireFfmpeg } from '../xvfb/ffmpeg-grab.js';
import { StampedWorkload } from '../vnc/stamped-workload.js';
import { checkLumaStamp } from './luma-stamp.js';
import { runRecorder, type Container, type RecorderName, type RecordTarget } from './recorders.js';
import { formatRecordBench } from './record-bench-format.js';
import type { RecordBenchResult, RecordBenchRow, RecordingNumbers, RecordWorkload } from './record-bench-result.js';

export { formatRecordBench };
export type { RecordBenchResult };

const WIDTH = 1920;
const HEIGHT = 1080;
const FPS = 60;
const RECORD_SECONDS = 10;
const ALONE_SECONDS = 2;
const SETTLE_MS = 500;
const WORKLOADS: readonly RecordWorkload[] = ['animation', 'desktop', 'idle'];
/** Who goes first alternates between the containers. */
const ORDER: ReadonlyArray<readonly [Container, RecorderName]> = [
  ['y4m', 'vdpush'], ['y4m', 'ffmpeg'], ['mp4', 'ffmpeg'], ['mp4', 'vdpush'], ['mp4', 'vdpushVfr'],
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function recordOnce(
  name: RecorderName, container: Container, target: RecordTarget, workload: RecordWorkload,
  drawn: () => number, xvfbPid: number, xvfbAloneRate: number, dir: string,
): Promise<RecordingNumbers> {
  const tally = new CaptureTally();
  const stamped = workload === 'animation';
  const x0 = procCpuSeconds(xvfbPid);
  const d0 = drawn();
  const t0 = performance.now();
  const run = await runRecorder(name, container, target, RECORD_SECONDS, dir, (luma, h) => {
    if (!stamped) return;
    const c = checkLumaStamp(luma, h.width, h.height);
    tally.add(c, c.blank);
  });
  // The recorder's own time: the MP4's readback is done after it exited.
  const wall = run.wallSeconds;
  const xvfbExtra = Math.max(0, procCpuSeconds(xvfbPid) - x0 - xvfbAloneRate * ((performance.now() - t0) / 1000));
  const n = tally.numbers();
  const cpu = run.cpuSeconds + xvfbExtra;
  return {
    seconds: run.seconds,
    wallSeconds: wall,
    finishLagSeconds: Math.max(0, wall - run.seconds),
    frames: run.frames,
    ...(stamped ? { distinct: n.distinct, torn: n.torn, duplicates: n.duplicates, missed: n.missed, blank: n.blank } : {}),
    cpuSeconds: run.cpuSeconds,
    xvfbExtraCpuSeconds: xvfbExtra,
    cpuPercentOfCore: (cpu / run.seconds) * 100,
    ...(stamped && n.distinct > 0 ? { cpuMsPerDistinct: (cpu * 1000) / n.distinct } : {}),
    bytes: run.bytes,
    workloadFps: (drawn() - d0) / wall,
  };
}

export async function runRecordBench(_opts: { json: boolean }): Promise<RecordBenchResult> {
  await requireFfmpeg();
  const server = await startXvfb({ width: WIDTH, height: HEIGHT, depth: 24 });
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-bench-record-'));
  const rows: RecordBenchRow[] = [];
  try {
    const target: RecordTarget = { display: server.display, width: WIDTH, height: HEIGHT, fps: FPS };
    for (const workload of WORKLOADS) {
      const w = workload === 'idle' ? null : await StampedWorkload.start(server.display, workload === 'animation' ? 'luma' : 'desktop', FPS);
      try {
        const drawn = (): number => (w ? w.draws : 0);
        await sleep(SETTLE_MS);
        const x0 = procCpuSeconds(server.pid);
        const d0 = drawn();
        const t0 = performance.now();
        await sleep(ALONE_SECONDS * 1000);
        const aloneS = (performance.now() - t0) / 1000;
        const xvfbAloneRate = (procCpuSeconds(server.pid) - x0) / aloneS;
        const row: RecordBenchRow = {
          workload, width: WIDTH, height: HEIGHT, fps: FPS,
          workloadAloneFps: (drawn() - d0) / aloneS,
          xvfbAloneCpuPercent: xvfbAloneRate * 100,
          y4m: {} as RecordBenchRow['y4m'],
          mp4: {} as RecordBenchRow['mp4'],
        };
        for (const [container, name] of ORDER) {
          (row[container] as Record<string, RecordingNumbers>)[name] = await recordOnce(name, container, target, workload, drawn, server.pid, xvfbAloneRate, dir);
        }
        rows.push(row);
      } finally {
        await w?.stop();
      }
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows };
}
