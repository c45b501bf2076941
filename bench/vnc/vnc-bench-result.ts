/** The result of `vdpush bench vnc` (its JSON), shared by the bench and its text report. */
import type { ServerName } from './vnc-servers.js';
import type { FrameReadBound } from './frame-read-bound.js';
import type { WarmupCurve } from './server-warmup.js';

export const SERVERS: readonly ServerName[] = ['x11vnc', 'vdpush'];
export const WORKLOADS = ['animation', 'desktop', 'idle'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface VncNumbers {
  updates: number;
  seconds: number;
  updatesPerSec: number;
  bytesPerUpdate: number;
  /** The server's CPU seconds per 1,000 updates (idle: NaN). */
  cpuSecPer1000: number;
  /** The X server's CPU seconds per 1,000 updates (it serves the server's reads). */
  xvfbCpuSecPer1000: number;
  /**
   * The X server's CPU the server causes, per 1,000 updates: its CPU beyond what the same
   * workload's draws cost it with no server attached (measured alone in the same run, per draw).
   * x11vnc has the X server copy the screen for it (XShmGetImage); vdpush reads the framebuffer
   * file itself, so its copy is in its own CPU. NaN on idle.
   */
  xvfbExtraCpuSecPer1000: number;
  /** cpuSecPer1000 + xvfbExtraCpuSecPer1000: what each update costs the machine, both servers alike. */
  cpuWithXvfbSecPer1000: number;
  /** The server's CPU as % of one core over the phase. */
  corePercent: number;
  latencyMs: { p50: number; p99: number; samples: number };
  /** The workload's own draws per second in the phase. */
  drawsPerSec: number;
  /**
   * The server's CPU as % of one core with the same workload and no client connected (NaN on
   * idle): for vdpush on Xvfb nothing is captured then (capture-watch.ts: no damage taken, no
   * pixel read, the host takes no frames); for x11vnc its polling without a client.
   */
  noClientCorePercent: number;
}

/** The per-frame floor of the two threads, shared by both bounds (see desktopBound). */
export interface DesktopBound {
  captureFloorMs: number;
  hostFloorMs: number;
  /** Times the host thread ran per frame in that plumbing. */
  hostRunsPerFrame: number;
  bytesMs: number;
  floorMs: number;
  floorPerX11vncUpdate: number;
  vdpushPerFloor: number;
}

/**
 * The animation's whole-pipeline floor: the frame's pread (by the capture), one compare pass over
 * it on the host thread after the capture's thread wrote it (`crossThreadScanMsPerFrame`: the
 * encoder meets every frame that way, its cache lines on the other core), and the two threads'
 * per-frame IPC (desktopBound's captureFloorMs + hostFloorMs).
 */
export interface PipelineBound {
  crossThreadScanMsPerFrame: number;
  /** That pass with a frame interval's idle between the capture's pread and it, as served frames come. */
  pacedCrossThreadScanMsPerFrame: number;
  pipelineFloorMs: number;
  pipelinePerX11vncUpdate: number;
  vdpushPerPipelineFloor: number;
  /** pipelineFloorMs with the pread and the pass paced as served frames come (pacedPreadMsPerFrame, pacedCrossThreadScanMsPerFrame). */
  pacedPipelineFloorMs: number;
  pacedPipelinePerX11vncUpdate: number;
  vdpushPerPacedPipelineFloor: number;
}

export interface VncBenchResult {
  resolution: string;
  refreshHz: number;
  servers: Record<ServerName, Record<Workload, VncNumbers> | { error: string }>;
  /**
   * Each server's CPU ms per update in the windows of its warm-up (server-warmup.ts), which comes
   * before every measured window: the first window is what a just-started server costs.
   */
  warmup: Partial<Record<ServerName, WarmupCurve>>;
  /** The workloads drawn with no RFB server attached: the X server's CPU per draw (what the extra is counted beyond). */
  workloadAlone: Record<'animation' | 'desktop', { drawsPerSec: number; xvfbCpuMsPerDraw: number }>;
  /**
   * vdpush / x11vnc per workload, when both ran: CPU per update (the server's own), the same with
   * the extra X-server CPU each causes (cpuWithXvfbSecPer1000), p99 latency, updates/s.
   */
  ratios: Record<Workload, { cpuPerUpdate: number; cpuPerUpdateWithXvfb: number; p99Latency: number; updatesPerSec: number }> | null;
  /**
   * The physical cost of a whole new frame on the bench's Xvfb (frame-read-bound.ts), when both
   * servers ran: its parts beside x11vnc's CPU per animation update, and vdpush's CPU per update as
   * a multiple of it. floorPerX11vncUpdate > 0.5 means no server that reads the framebuffer file
   * meets the animation's 0.5x target.
   */
  animationBound: (FrameReadBound & { preadPerX11vncUpdate: number; floorPerX11vncUpdate: number; vdpushPerFloor: number } & PipelineBound) | null;
  /**
   * What bounds vdpush's CPU per 1% desktop update, from the same run (no server attached, nothing
   * drawing): the capture's least IPC per 60 Hz frame (`captureFloorMs`: a thread's wake-up after
   * a 60 Hz frame's gap, GrabServer + one X round trip, the ungrab's write: bench xvfb's
   * grabbedFloorMs60Hz), the host thread's bare plumbing of one update (`hostFloorMs`: a futex
   * wake into Atomics.waitAsync, a small socket write, the client's request read; host-floor-main.ts),
   * and the strip's bytes (`bytesMs`: its share of a frame's pread and cross-thread compare pass).
   * `floorMs` is their sum; floorPerX11vncUpdate > 0.5 means the desktop's target is out of reach
   * for a server built of a capture thread and a host thread in Node on this machine.
   */
  desktopBound: DesktopBound | null;
  targets: { met: { halfCpuPerUpdate: boolean; halfCpuPerUpdateWithXvfb: boolean; lowerP99: boolean; idleUnder1Percent: boolean } } | null;
  machine: { cpus: number; node: string };
}

/**
 * The X server's CPU a server caused in a phase (seconds): the X server's CPU over the phase
 * beyond what the phase's draws cost it with no server attached (`aloneMsPerDraw`, measured in the
 * same run). Never negative: a phase whose draws cost less than alone (noise) caused nothing.
 */
export function xvfbExtraCpuSec(xvfbCpuSec: number, aloneMsPerDraw: number, draws: number): number {
  return Math.max(0, xvfbCpuSec - (aloneMsPerDraw / 1000) * draws);
}

