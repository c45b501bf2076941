/**
 * The host's integrity check of a consumed frame, chosen by the backend the worker runs:
 * - sim: the pixel stamp says which compositor frame this is, the tiles say which monitor drew it
 *   (a frame of another target is an integrity error); every pixel is then checked against
 *   what the compositor shows at that frame (a torn copy, a stale dirty region or a missed damage
 *   union all fail), and frame numbers must never go backwards within a ring generation;
 * - xvfb: the built-in workload's squares must all encode one sequence (no torn read) and this
 *   monitor's targetId (each screen's workload stamps its own; a screen too small to carry the
 *   stamp, under two squares, reads as 0 and passes); a blank screen passes, for the workload has
 *   not drawn on it yet: the run's first frame, or the first at a new RandR size, which the server
 *   clears before the workload redraws at that size (a frame torn between blank and drawn still
 *   mixes values and fails);
 * - none: any frame passes (an --exec or --no-workload display has no known pattern).
 */
import { codeBits, readFrameStamp, unwrapFrame, FrameVerifier as SimVerifier, type PatternParams } from '../backends/sim/index.js';
import { verifyXFrame, WORKLOAD_TILE } from '../backends/xvfb/index.js';
import type { ConsumedFrame } from '../ring/index.js';
import type { VerifyDescriptor } from './worker-messages.js';

export type FrameVerifier = (frame: ConsumedFrame) => boolean;

/**
 * `targetId` is the monitor the host expects on this ring. It comes from the host's own record, not
 * from the worker's descriptor, so a ring carrying another monitor's frames fails the check.
 */
export function createFrameVerifier(d: VerifyDescriptor, targetId = 1): FrameVerifier {
  switch (d.kind) {
    case 'sim':
      return simVerifier({ ...(d.params as PatternParams), targetId });
    case 'xvfb':
      return (f) => {
        const v = verifyXFrame(f.pixels, f.width, f.height, f.stride, f.format);
        return (v.ok && (v.targetId === targetId || v.targetId === 0)) || blankXFrame(f);
      };
    default:
      return () => true;
  }
}

function simVerifier(params: PatternParams): FrameVerifier {
  const verifier = new SimVerifier();
  let lastFrame = 0;
  let lastGeneration = -1;
  return (f) => {
    const wrapped = readFrameStamp(f.pixels, f.format, params);
    if (wrapped < 0) return false;
    const n = unwrapFrame(wrapped, codeBits(f.format), lastFrame);
    // Within one generation the consumer takes only newer frames; a recreate may legitimately
    // republish the last frame (FrameStash), so the order check restarts with the generation.
    const ordered = f.generation !== lastGeneration || n >= lastFrame;
    lastGeneration = f.generation;
    lastFrame = Math.max(n, 0);
    return ordered && verifier.verify(f.pixels, f.width, f.height, f.stride, f.format, n, params).ok;
  };
}

/** Every square the workload would have stamped is still 0 (black, colour bits and padding). */
function blankXFrame(f: ConsumedFrame): boolean {
  const half = WORKLOAD_TILE >> 1;
  const words = new DataView(f.pixels.buffer, f.pixels.byteOffset, f.pixels.byteLength);
  for (let y = half; y < f.height; y += WORKLOAD_TILE) {
    for (let x = half; x < f.width; x += WORKLOAD_TILE) if (words.getUint32(y * f.stride + x * 4, true) !== 0) return false;
  }
  return true;
}
