/** The JSON of `vdpush bench xvfb`: its keys are an interface (issue 11); existing keys stay. */
import type { TallyNumbers } from './capture-tally.js';
import type { Ceilings } from './ceilings.js';
import type { IdleNumbers } from './idle-bench.js';
import type { WakeFloor } from './wake-floor.js';

/** What the issue asks of each capturer (plus the older keys, kept). */
export interface CapturerNumbers extends TallyNumbers {
  seconds: number;
  /** CPU s per 1,000 distinct frames: the capturer + the extra X-server CPU it causes. */
  cpuSecPerDistinct1000: number;
  /** The workload's draw rate while this capturer ran. */
  workloadFps: number;
  /** Older keys: frames = delivered, fps = delivered / s, CPU per 1,000 delivered frames. */
  frames: number;
  fps: number;
  distinctFps: number;
  cpuSecPer1000: number;
  xvfbCpuSecPer1000: number;
  /** The capturer's own CPU, and the X server's extra, in seconds over the phase. */
  capturerCpuSec: number;
  xvfbExtraCpuSec: number;
}

export interface VdpushNumbers extends CapturerNumbers {
  /** Older key: frames checked (all of them now). */
  verified: number;
  /** Mean ms from GrabServer to its reply, and from then to UngrabServer (wake + copy under grab). */
  grabWaitMs: number;
  grabHeldMs: number;
  /** Mean ms inside the framebuffer reads, and bytes read, per frame. */
  copyMs: number;
  /** Mean CPU ms of the publish call per frame: the reads into the slot plus the ring's own work. */
  publishCpuMs: number;
  bytesPerFrame: number;
  /** What those bytes cost at the same run's memcpy and pread rates (ms per frame). */
  memcpyMsForBytes: number;
  preadMsForBytes: number;
  /** grabHeldMs / memcpyMsForBytes (target <= 1.3). */
  grabVsMemcpy: number;
  /** The grabbed capture only: what bounds its CPU per distinct frame (CpuBound). */
  cpuBound?: CpuBound;
}

/**
 * The physical floor under vdpush's CPU per distinct frame, from the same run (issue 11's "at
 * most 0.5x ffmpeg's CPU" at 1080p): the pread of the frame's bytes as the capture meets them
 * (just drawn by the X server, drawn-pread.ts) plus the IPC floor of one grabbed frame (a wake-up,
 * GrabServer + a round trip, the ungrab write: wake-floor.ts grabbedFloorMs) and the X server's
 * CPU for that same exchange (grabbedServerMs: vdpush's figure counts the X server's extra CPU
 * too). All ms per frame,
 * so s per 1,000 distinct frames (vdpush delivers no duplicates).
 */
export interface CpuBound {
  /** A whole-frame pread of a just-drawn frame under the grab, scaled to bytesPerFrame. */
  drawnPreadMs: number;
  /** drawnPreadMs's two measurements, just before and just after vdpush's phases (their mean is it). */
  drawnPreadBracketMs: [number, number];
  /** The same run's wake-up + grabbed round trip + ungrab write (desktop.wakeFloor.grabbedFloorMs). */
  floorMs: number;
  /** The X server's CPU for that exchange (desktop.wakeFloor.grabbedServerMs). */
  serverFloorMs: number;
  /** drawnPreadMs + floorMs + serverFloorMs. */
  secPerDistinct1000: number;
  /** secPerDistinct1000 / ffmpeg.cpuSecPerDistinct1000: the lowest ratio this design can reach here. */
  vsFfmpeg: number;
  /** vdpush.cpuSecPerDistinct1000 / secPerDistinct1000: how far vdpush is above its floor. */
  vdpushVsBound: number;
  /**
   * vdpush's CPU per distinct frame, split (ms): the wall time inside its reads (copyMs; its CPU
   * on a quiet machine), its own CPU beyond that, and the X server's extra CPU. `readsCpuMs` is
   * the CPU of the publish call that does those reads (publishCpuMs: the reads plus the ring's
   * bookkeeping), the figure to hold against drawnPreadMs; `beyondFloorMs` what vdpush's own CPU
   * beyond that call exceeds the grabbed IPC floor by (the processor, the X events' and replies'
   * parsing, the waits: the work no physical cost accounts for).
   */
  split: { readsWallMs: number; ownCpuBeyondReadsMs: number; xvfbExtraMs: number; readsCpuMs: number; beyondFloorMs: number };
}

export interface DesktopNumbers {
  fps: number;
  cpuMsPerFrame: number;
  /** Bytes read from the framebuffer per frame. */
  bytesPerFrame: number;
  grabHeldMs: number;
  /**
   * Wall ms per frame inside the frame's reads (the pread of its damage, just drawn, into the slot:
   * CPU on an uncontended core). A 1% frame's reads run well below the bulk pread rate `bytesMsPerFrame`
   * assumes (~5.5-6 against ~13 GB/s, 2026-12-03): the strip was just drawn on the other core.
   */
  copyMs: number;
  /** CPU ms per frame in each window served before the measured one, in order (empty: none). */
  warmupCpuMsPerFrame: number[];
  warmupWindowSeconds: number;
}

export interface XvfbBenchRow {
  resolution: string;
  /** The framebuffer file's base folder (README "--fbdir") and whether it gives huge pages. */
  framebuffer: { base: string; hugePages: boolean };
  ceilings: Ceilings;
  /** The workload's draws/s with nothing capturing: the mean of workloadAloneBracketFps. */
  workloadAloneFps: number;
  /** That rate measured before the first capturer and after the last. */
  workloadAloneBracketFps: [number, number];
  xvfbCpuMsPerDrawAlone: number;
  vdpush: VdpushNumbers;
  vdpushWithoutGrab: VdpushNumbers;
  ffmpeg: CapturerNumbers;
  desktop: {
    dirtyRects: DesktopNumbers;
    fullFrame: DesktopNumbers;
    cpuRatio: number;
    grabRatio: number;
    /** A 1% frame's CPU split: its bytes at the same run's pread rate, and the rest (per-frame costs). */
    bytesMsPerFrame: number;
    fixedMsPerFrame: number;
    /** What a 1% frame may cost for the 20x target. */
    neededMsPerFrameFor20x: number;
    /** The same run's IPC floor under a frame after idle time: a wake-up + one X round trip, and with the grab's ungrab write (wake-floor.ts). */
    wakeFloor: WakeFloor;
  };
}

export interface XvfbBenchResult {
  rows: XvfbBenchRow[];
  idle: IdleNumbers;
  targets: {
    fpsRatioAt4k: number;
    cpuPerFrameRatioAt4k: number;
    desktopCpuRatio: number;
    idleCorePercent: number;
    perRow: Array<{
      resolution: string;
      vdpushTorn: number;
      distinctFpsVsFfmpeg: number;
      cpuPerDistinctVsFfmpeg: number;
      workloadSlowdown: number;
      desktopCpuRatio: number;
      grabVsMemcpy: number;
    }>;
    met: {
      fps3x: boolean;
      lessCpuPerFrame: boolean;
      desktop20x: boolean;
      idleUnder1Percent: boolean;
      zeroTorn: boolean;
      distinct1_5x: boolean;
      halfCpu: boolean;
      slowdownAtMost20Percent: boolean;
      grabAtMost1_3xMemcpy: boolean;
    };
  };
  machine: { cpus: number; node: string };
}

