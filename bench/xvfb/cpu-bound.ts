/**
 * What bounds the grabbed capture's CPU per distinct frame (xvfb-bench-result.ts CpuBound): the
 * same run's pread of a just-drawn frame (drawn-pread.ts), scaled to the bytes vdpush read per
 * frame, plus the same run's IPC floor of one grabbed frame on both sides of the socket
 * (wake-floor.ts: grabbedFloorMs in this process, grabbedServerMs in the X server).
 * Pure arithmetic on the run's numbers, so it is tested without an X server.
 */
import type { DrawnPread } from './drawn-pread.js';
import type { WakeFloor } from './wake-floor.js';
import type { CapturerNumbers, CpuBound, VdpushNumbers } from './xvfb-bench-result.js';

export function cpuBound(
  v: Pick<VdpushNumbers, 'bytesPerFrame' | 'distinct' | 'capturerCpuSec' | 'xvfbExtraCpuSec' | 'copyMs' | 'publishCpuMs' | 'cpuSecPerDistinct1000'>,
  ffmpeg: Pick<CapturerNumbers, 'cpuSecPerDistinct1000'>,
  frameBytes: number,
  drawn: DrawnPread,
  floor: Pick<WakeFloor, 'grabbedFloorMs' | 'grabbedServerMs'>,
): CpuBound {
  const drawnPreadMs = drawn.ms * (v.bytesPerFrame / frameBytes);
  const serverFloorMs = Number.isFinite(floor.grabbedServerMs) ? floor.grabbedServerMs : 0;
  const secPerDistinct1000 = drawnPreadMs + floor.grabbedFloorMs + serverFloorMs;
  const perDistinct = (sec: number): number => (v.distinct > 0 ? (sec / v.distinct) * 1000 : Number.NaN);
  return {
    drawnPreadMs,
    drawnPreadBracketMs: drawn.bracketMs ? [drawn.bracketMs[0] * (v.bytesPerFrame / frameBytes), drawn.bracketMs[1] * (v.bytesPerFrame / frameBytes)] : [drawnPreadMs, drawnPreadMs],
    floorMs: floor.grabbedFloorMs,
    serverFloorMs,
    secPerDistinct1000,
    vsFfmpeg: secPerDistinct1000 / ffmpeg.cpuSecPerDistinct1000,
    vdpushVsBound: v.cpuSecPerDistinct1000 / secPerDistinct1000,
    split: {
      readsWallMs: v.copyMs,
      ownCpuBeyondReadsMs: perDistinct(v.capturerCpuSec) - v.copyMs,
      xvfbExtraMs: perDistinct(v.xvfbExtraCpuSec),
      readsCpuMs: v.publishCpuMs,
      beyondFloorMs: perDistinct(v.capturerCpuSec) - v.publishCpuMs - floor.grabbedFloorMs,
    },
  };
}
