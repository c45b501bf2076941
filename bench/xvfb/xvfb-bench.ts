/**
 * `vdpush bench xvfb`: the Xvfb backend against ffmpeg's x11grab, side by side in one run, on the
 * same Xvfb and the same workload, at 1920x1080 and 3840x2160.
 *
 * Per resolution, one Xvfb and these phases, each a few seconds:
 *  1. vdpush, animated workload (full-screen checkerboard whose every square encodes the frame
 *     number, drawn as fast as the server takes it): frames/s, CPU s per 1,000 frames (this
 *     process; the X server's beside it), torn frames (sampled), the grab's cost.
 *  2. the same without the server grab: what the grab costs and what it prevents.
 *  3. ffmpeg -f x11grab -fps_mode passthrough → raw frames to /dev/null, same workload.
 *  4. desktop workload (a text-line strip, 1% of the screen, changes per frame): vdpush reading
 *     only the dirty rectangles vs. reading the full frame, CPU per frame.
 * Then an idle display (no workload) for a few seconds: CPU as % of one core.
 *
 * Targets are reported, never asserted: >= 3x ffmpeg's frames/s at 4K with less CPU per frame;
 * 1% workload >= 20x less CPU per frame than a full-frame copy; idle < 1% of a core.
 */
import { createXvfbDisplay, verifyXFrame, type XvfbDisplay } from '../../src/backends/xvfb/index.js';
import { WorkloadProcess, type WorkloadSpec } from '../../src/backends/xvfb/workload-process.js';
import type { AcquiredFrame } from '../../src/display/types.js';
import { BenchDrain } from './drain.js';
import { ffmpegGrab, requireFfmpeg } from './ffmpeg-grab.js';
import { procCpuSeconds, selfCpuSeconds } from './proc-cpu.js';

const RESOLUTIONS = [
  { width: 1920, height: 1080 },
  { width: 3840, height: 2160 },
] as const;
const VDPUSH_SECONDS = 4;
const NO_GRAB_SECONDS = 2.5;
const FFMPEG_SECONDS = 4;
const DESKTOP_SECONDS = 2.5;
const IDLE_SECONDS = 3;
/**
 * The desktop workload's rate: below what vdpush captures at either size, so each frame carries
 * exactly one 1% change (at 'max' several changes would merge into one frame).
 */
const DESKTOP_FPS = 200;
/** Verify one frame in this many (verification is the benchmark's cost, not vdpush's). */
const VERIFY_EVERY = 8;

export interface CaptureNumbers {
  frames: number;
  seconds: number;
  fps: number;
  /** CPU seconds of the capturing process per 1,000 frames. */
  cpuSecPer1000: number;
  /** CPU seconds of the X server per 1,000 captured frames (it serves the grab too). */
  xvfbCpuSecPer1000: number;
}

export interface VdpushNumbers extends CaptureNumbers {
  /** Frames verified, and how many of them mixed two draws. */
  verified: number;
  torn: number;
  /** The workload's own rate while vdpush captured (from the sequence numbers seen). */
  workloadFps: number;
  /** Mean ms from GrabServer to its reply, and from then to UngrabServer (the read under grab). */
  grabWaitMs: number;
  grabHeldMs: number;
}

export interface DesktopNumbers {
  fps: number;
  cpuMsPerFrame: number;
  /** Bytes read from the framebuffer per frame. */
  bytesPerFrame: number;
}

export interface XvfbBenchRow {
  resolution: string;
  vdpush: VdpushNumbers;
  vdpushWithoutGrab: VdpushNumbers;
  ffmpeg: CaptureNumbers;
  desktop: { dirtyRects: DesktopNumbers; fullFrame: DesktopNumbers; cpuRatio: number };
}

export interface XvfbBenchResult {
  rows: XvfbBenchRow[];
  idle: { seconds: number; vdpushCorePercent: number; xvfbCorePercent: number };
  targets: {
    fpsRatioAt4k: number;
    cpuPerFrameRatioAt4k: number;
    desktopCpuRatio: number;
    idleCorePercent: number;
    met: { fps3x: boolean; lessCpuPerFrame: boolean; desktop20x: boolean; idleUnder1Percent: boolean };
  };
  machine: { cpus: number; node: string };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Probe {
  verified: number;
  torn: number;
  firstSeq: number;
  lastSeq: number;
  count: number;
}

function frameProbe(): { probe: Probe; onFrame: (f: AcquiredFrame) => void } {
  const probe: Probe = { verified: 0, torn: 0, firstSeq: -1, lastSeq: -1, count: 0 };
  return {
    probe,
    onFrame: (f) => {
      probe.count++;
      if (probe.count % VERIFY_EVERY !== 0) return;
      const v = verifyXFrame(f.pixels, f.width, f.height, f.stride, f.format);
      probe.verified++;
      if (!v.ok) probe.torn++;
      if (probe.firstSeq < 0) probe.firstSeq = v.sequence;
      probe.lastSeq = v.sequence;
    },
  };
}

async function measureVdpush(d: XvfbDisplay, drain: BenchDrain, probe: Probe, seconds: number): Promise<VdpushNumbers> {
  Object.assign(probe, { verified: 0, torn: 0, firstSeq: -1, lastSeq: -1, count: 0 });
  const s0 = d.stats();
  const f0 = drain.frames;
  const cpu0 = selfCpuSeconds();
  const x0 = procCpuSeconds(d.serverPid);
  const t0 = performance.now();
  drain.resume();
  await sleep(seconds * 1000);
  drain.pause();
  const wall = (performance.now() - t0) / 1000;
  const frames = drain.frames - f0;
  const cpu = selfCpuSeconds() - cpu0;
  const xcpu = procCpuSeconds(d.serverPid) - x0;
  const s1 = d.stats();
  const presented = s1.presented - s0.presented || 1;
  const per1000 = (v: number): number => (frames ? (v / frames) * 1000 : Number.NaN);
  return {
    frames,
    seconds: wall,
    fps: frames / wall,
    cpuSecPer1000: per1000(cpu),
    xvfbCpuSecPer1000: per1000(xcpu),
    verified: probe.verified,
    torn: probe.torn,
    workloadFps: probe.lastSeq > probe.firstSeq ? (probe.lastSeq - probe.firstSeq) / wall : Number.NaN,
    grabWaitMs: (s1.grabWaitMsMean * s1.presented - s0.grabWaitMsMean * s0.presented) / presented,
    grabHeldMs: (s1.grabHeldMsMean * s1.presented - s0.grabHeldMsMean * s0.presented) / presented,
  };
}

async function measureDesktop(d: XvfbDisplay, drain: BenchDrain, seconds: number, full: boolean): Promise<DesktopNumbers> {
  d.setFullFrameReads(full);
  const f0 = drain.frames;
  const cpu0 = selfCpuSeconds();
  const b0 = d.bytesRead();
  const t0 = performance.now();
  drain.resume();
  await sleep(seconds * 1000);
  drain.pause();
  const wall = (performance.now() - t0) / 1000;
  const frames = drain.frames - f0 || 1;
  const cpu = selfCpuSeconds() - cpu0;
  const bytes = d.bytesRead() - b0;
  d.setFullFrameReads(false);
  return { fps: frames / wall, cpuMsPerFrame: (cpu / frames) * 1000, bytesPerFrame: bytes / frames };
}

async function withWorkload<T>(d: XvfbDisplay, spec: WorkloadSpec, fps: number | 'max', body: () => Promise<T>): Promise<T> {
  const w = await WorkloadProcess.start(spec, d.display, fps);
  try {
    await sleep(200); // let it reach its pace
    return await body();
  } finally {
    await w?.stop();
  }
}

async function benchResolution(width: number, height: number): Promise<XvfbBenchRow> {
  const d = await createXvfbDisplay({ mode: { width, height, refreshHz: 60 }, workload: 'none', cursor: false });
  try {
    const { probe, onFrame } = frameProbe();
    const drain = new BenchDrain(d, onFrame);
    await d.start(drain);
    return await withWorkload(d, 'animated', 'max', async () => {
      const vdpush = await measureVdpush(d, drain, probe, VDPUSH_SECONDS);
      d.setConsistency('none');
      const vdpushWithoutGrab = await measureVdpush(d, drain, probe, NO_GRAB_SECONDS);
      d.setConsistency('grab');
      const x0 = procCpuSeconds(d.serverPid);
      const g = await ffmpegGrab(d.display, width, height, FFMPEG_SECONDS);
      const xcpu = procCpuSeconds(d.serverPid) - x0;
      const ffmpeg: CaptureNumbers = {
        frames: g.frames,
        seconds: g.seconds,
        fps: g.frames / g.seconds,
        cpuSecPer1000: (g.cpuSeconds / g.frames) * 1000,
        xvfbCpuSecPer1000: (xcpu / g.frames) * 1000,
      };
      return { vdpush, vdpushWithoutGrab, ffmpeg };
    }).then(async (r) => {
      const desktop = await withWorkload(d, 'desktop', DESKTOP_FPS, async () => {
        const dirtyRects = await measureDesktop(d, drain, DESKTOP_SECONDS, false);
        const fullFrame = await measureDesktop(d, drain, DESKTOP_SECONDS, true);
        return { dirtyRects, fullFrame, cpuRatio: fullFrame.cpuMsPerFrame / dirtyRects.cpuMsPerFrame };
      });
      return { resolution: `${width}x${height}`, ...r, desktop };
    });
  } finally {
    await d.stop();
  }
}

async function benchIdle(): Promise<XvfbBenchResult['idle']> {
  // The default configuration: cursor tracking on (its 10 Hz pointer poll included).
  const d = await createXvfbDisplay({ mode: { width: 1920, height: 1080, refreshHz: 60 }, workload: 'none' });
  try {
    const drain = new BenchDrain(d, () => {});
    await d.start(drain);
    drain.resume();
    await sleep(300); // the first (full) frame
    const cpu0 = selfCpuSeconds();
    const x0 = procCpuSeconds(d.serverPid);
    const t0 = performance.now();
    await sleep(IDLE_SECONDS * 1000);
    const wall = (performance.now() - t0) / 1000;
    return {
      seconds: wall,
      vdpushCorePercent: ((selfCpuSeconds() - cpu0) / wall) * 100,
      xvfbCorePercent: ((procCpuSeconds(d.serverPid) - x0) / wall) * 100,
    };
  } finally {
    await d.stop();
  }
}

export async function runXvfbBench(_opts: { json?: boolean } = {}): Promise<XvfbBenchResult> {
  await requireFfmpeg();
  const rows: XvfbBenchRow[] = [];
  for (const r of RESOLUTIONS) rows.push(await benchResolution(r.width, r.height));
  const idle = await benchIdle();
  const k4 = rows[rows.length - 1]!;
  const fpsRatioAt4k = k4.vdpush.fps / k4.ffmpeg.fps;
  const cpuPerFrameRatioAt4k = k4.ffmpeg.cpuSecPer1000 / k4.vdpush.cpuSecPer1000;
  const desktopCpuRatio = Math.min(...rows.map((r) => r.desktop.cpuRatio));
  return {
    rows,
    idle,
    targets: {
      fpsRatioAt4k,
      cpuPerFrameRatioAt4k,
      desktopCpuRatio,
      idleCorePercent: idle.vdpushCorePercent,
      met: {
        fps3x: fpsRatioAt4k >= 3,
        lessCpuPerFrame: cpuPerFrameRatioAt4k > 1,
        desktop20x: desktopCpuRatio >= 20,
        idleUnder1Percent: idle.vdpushCorePercent < 1,
      },
    },
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  };
}

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const f3 = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : 'n/a');

export function formatXvfbBench(r: XvfbBenchResult): string {
  const lines: string[] = [];
  lines.push(`vdpush bench xvfb — ${r.machine.cpus} CPUs, Node ${r.machine.node}`);
  for (const row of r.rows) {
    const v = row.vdpush;
    const n = row.vdpushWithoutGrab;
    const g = row.ffmpeg;
    lines.push('');
    lines.push(`${row.resolution}, animated workload (full screen changes every frame)`);
    lines.push(`  ${'capture'.padEnd(22)}${'frames/s'.padStart(10)}${'CPU s/1k frames'.padStart(17)}${'Xvfb CPU s/1k'.padStart(15)}  notes`);
    lines.push(
      `  ${'vdpush (grab)'.padEnd(22)}${f1(v.fps).padStart(10)}${f3(v.cpuSecPer1000).padStart(17)}${f3(v.xvfbCpuSecPer1000).padStart(15)}` +
        `  torn ${v.torn}/${v.verified} sampled; grab wait ${f3(v.grabWaitMs)} ms + held ${f3(v.grabHeldMs)} ms; workload ${f1(v.workloadFps)} fps`,
    );
    lines.push(
      `  ${'vdpush (no grab)'.padEnd(22)}${f1(n.fps).padStart(10)}${f3(n.cpuSecPer1000).padStart(17)}${f3(n.xvfbCpuSecPer1000).padStart(15)}` +
        `  torn ${n.torn}/${n.verified} sampled; workload ${f1(n.workloadFps)} fps`,
    );
    lines.push(`  ${'ffmpeg x11grab'.padEnd(22)}${f1(g.fps).padStart(10)}${f3(g.cpuSecPer1000).padStart(17)}${f3(g.xvfbCpuSecPer1000).padStart(15)}`);
    lines.push(`  vdpush/ffmpeg: ${f2(v.fps / g.fps)}x frames/s, ${f2(g.cpuSecPer1000 / v.cpuSecPer1000)}x less CPU per frame`);
    const dr = row.desktop.dirtyRects;
    const ff = row.desktop.fullFrame;
    lines.push(`  desktop workload (1% of the screen per frame):`);
    lines.push(`    dirty rects: ${f1(dr.fps)} frames/s, ${f3(dr.cpuMsPerFrame)} ms CPU/frame, ${Math.round(dr.bytesPerFrame)} B read/frame`);
    lines.push(`    full frame : ${f1(ff.fps)} frames/s, ${f3(ff.cpuMsPerFrame)} ms CPU/frame, ${Math.round(ff.bytesPerFrame)} B read/frame`);
    lines.push(`    → ${f1(row.desktop.cpuRatio)}x less CPU per frame with dirty rects`);
  }
  lines.push('');
  lines.push(`idle display (1920x1080, 10 Hz cursor poll, 16 ms drain timeouts): vdpush ${f2(r.idle.vdpushCorePercent)}% of a core, Xvfb ${f2(r.idle.xvfbCorePercent)}%`);
  const t = r.targets;
  const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  lines.push('');
  lines.push('targets (aims, not asserted):');
  lines.push(`  >= 3x ffmpeg frames/s at 4K: ${f2(t.fpsRatioAt4k)}x — ${mark(t.met.fps3x)}`);
  lines.push(`  less CPU per frame than ffmpeg at 4K: ${f2(t.cpuPerFrameRatioAt4k)}x — ${mark(t.met.lessCpuPerFrame)}`);
  lines.push(`  1% workload >= 20x less CPU/frame than full copy: ${f1(t.desktopCpuRatio)}x — ${mark(t.met.desktop20x)}`);
  lines.push(`  idle < 1% of a core: ${f2(t.idleCorePercent)}% — ${mark(t.met.idleUnder1Percent)}`);
  return lines.join('\n');
}
