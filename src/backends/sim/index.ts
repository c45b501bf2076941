/** The simulated IddCx display: compositor, adapters, devices, swap-chains, faults, clock. */
import type { Clock } from '../../display/clock.js';
import type { RealClock } from '../../display/real-clock.js';
import { SimDisplay } from './sim-display.js';
import { resolveSimOptions, type ResolvedSimOptions, type SimDisplayOptions } from './sim-options.js';
import type { VirtualClock } from './virtual-clock.js';

/**
 * Creates a simulated display. Nothing runs until start(monitor). With the virtual clock (the
 * default) time moves only when you run it: `await display.clock.runFor(ms)`, and a promise that
 * needs time (stop() while a driver waits) is awaited with `await display.clock.drive(p)`.
 */
export function createSimDisplay(opts: SimDisplayOptions & { clock: 'real' }): SimDisplay<RealClock>;
export function createSimDisplay<C extends Clock>(opts: SimDisplayOptions & { clock: C }): SimDisplay<C>;
export function createSimDisplay(opts?: SimDisplayOptions & { clock?: 'virtual' }): SimDisplay<VirtualClock>;
export function createSimDisplay(opts: SimDisplayOptions = {}): SimDisplay<Clock> {
  return new SimDisplay(resolveSimOptions(opts) as ResolvedSimOptions<Clock>);
}

export { SimDisplay, type SimDisplayStats } from './sim-display.js';
export { DEFAULT_SIM_MODE, DEFAULT_REASSIGN_DELAY_MS, DEFAULT_MAX_CONSECUTIVE_ABANDONS, type SimDisplayOptions } from './sim-options.js';
export { type InvariantOptions } from './sim-invariants.js';
export { VirtualClock, type VirtualClockOptions } from './virtual-clock.js';
export { Prng } from './prng.js';
export { parseMode, makeMode, formatMode, MAX_MODE_DIMENSION, MAX_REFRESH_HZ } from './mode.js';
export {
  FAULT_KINDS,
  DEFAULT_FAULT_DURATION_MS,
  DEFAULT_ASSIGN_FAIL_COUNT,
  MAX_FAULT_REPEAT,
  MAX_FAULT_TIME_MS,
  MAX_EXPANDED_FAULTS,
  parseFaultSchedule,
  formatFaultEntry,
  isFaultKind,
  takesDuration,
  takesCount,
  parseFaultArg,
  formatFaultMode,
  FAULT_KIND_SPECS,
  type FaultArg,
  type FaultArgKind,
  type FaultKindSpec,
  type FaultMode,
  type FaultEntry,
  type FaultKind,
} from './fault-schedule.js';
export { type FaultRecord } from './fault-injector.js';
export { chaosSchedule, DEFAULT_CHAOS_MODES, type ChaosOptions } from './chaos-schedule.js';
export {
  PATTERN_WORKLOADS,
  PATTERN_PERIOD,
  DEFAULT_TILE_SIZE,
  DEFAULT_STAMP_WIDTH,
  makePatternParams,
  frameDirtyRects,
  type PatternParams,
  type PatternWorkload,
} from './pattern-workload.js';
export { FramePainter, FrameVerifier, renderFrame, verifyFrame, readFrameStamp, type VerifyResult, type BadPixel } from './frame-pattern.js';
export { codeBits, unwrapFrame } from './pattern-codes.js';
export { HARDWARE_ADAPTER, SOFTWARE_ADAPTER, SIM_ADAPTERS, DRIVER_BUG_REASON, DRIVER_BUG_MAX_FRAMES, SimRenderDevice } from './sim-devices.js';
export { SimSwapChain, SWAP_CHAIN_BUFFERS, MAX_PENDING_DIRTY_RECTS } from './sim-swap-chain.js';
export { DEFAULT_STALL_THRESHOLD_FRAMES } from './compositor.js';
