/**
 * The display a monitor's worker runs (sim or xvfb), built from its MonitorConfig, and the few
 * things the worker needs from it beyond the DisplaySystem: how its frames are verified, the
 * children it started, its hardware cursor, where remote input goes and its fault injector.
 *
 * Runs on the worker thread (monitor-worker.ts). The Xvfb backend is imported lazily, so a sim
 * session never loads node-x11.
 */
import { BackendError, InvalidArgumentError, type VdpushError } from '../contract/errors.js';
import type { CursorState, DisplaySystem } from '../display/types.js';
import type { DisplayInput } from '../display/input.js';
import { createSimDisplay, type SimDisplay } from '../backends/sim/index.js';
import { CountingInput } from '../backends/sim/sim-input.js';
import { LazyDisplayInput } from './input/lazy-display-input.js';
import type { MonitorConfig, VerifyDescriptor } from './worker-messages.js';
import { xvfbResources, type DisplayResources } from './display-resources.js';

export interface CreatedDisplay {
  display: DisplaySystem;
  sim: SimDisplay | null;
  verify: VerifyDescriptor;
  resources: () => DisplayResources;
  /** The hardware cursor and a version bumped on every change, or null without one. */
  cursor: () => { state: CursorState; version: number } | null;
  /** Where remote input goes, or null when this display takes none (it is counted as dropped). */
  input: DisplayInput | null;
  /** Calls `fn` on every cursor change (so nothing polls for it), or null without a cursor. */
  onCursorChange: ((fn: () => void) => void) | null;
  /** Where injected faults go and what they did (the sim's or the Xvfb display's injector). */
  faults: FaultSource;
}

/** A display's fault injector, as the worker sees it (SimDisplay and XvfbDisplay both have one). */
export interface FaultSource {
  injectFault(kind: string, arg?: number | string): unknown;
  faultLog(): ReadonlyArray<{ atMs: number; kind: string; durationMs: number; detail: string; source: string }>;
}

const NO_RESOURCES = (): { pids: number[]; dirs: string[] } => ({ pids: [], dirs: [] });

export async function createDisplay(config: MonitorConfig): Promise<CreatedDisplay> {
  if (config.source === 'sim') {
    const sim = createSimDisplay({
      seed: config.seed,
      targetId: config.targetId,
      clock: config.clock,
      mode: { width: config.width, height: config.height, refreshHz: config.refreshHz, format: config.format },
      pattern: config.pattern,
      faults: config.faults,
    } as Parameters<typeof createSimDisplay>[0]) as SimDisplay;
    return { display: sim, sim, verify: { kind: 'sim', params: sim.patternParams() }, resources: NO_RESOURCES, cursor: () => null, input: new CountingInput(), onCursorChange: null, faults: sim };
  }
  const { createXvfbDisplay } = await import('../backends/xvfb/index.js');
  // The built-in workload's squares are checked only on a display vdpush started: on an attached
  // (the user's) display other windows may cover them, so nothing there has known pixels.
  const workload = config.workload ?? 'animated';
  const display = await createXvfbDisplay({
    mode: { width: config.width, height: config.height, refreshHz: config.refreshHz },
    ...(config.depth !== undefined ? { depth: config.depth } : {}),
    ...(config.display !== undefined ? { display: config.display } : {}),
    // A screen of the session's shared server: attached to, its workload ours (stamped with the target).
    ...(config.screen !== undefined ? { display: config.screen, sharedServer: true } : {}),
    // The session's shared server took the number; a monitor's own server takes it here.
    ...(config.displayNumber !== undefined && config.screen === undefined ? { displayNumber: config.displayNumber } : {}),
    ...(config.fbDir !== undefined && config.screen === undefined ? { fbDir: config.fbDir } : {}),
    workload,
    faults: config.faults,
    targetId: config.targetId,
  });
  if (config.setModeOnAttach === true) await setAttachedMode(display, config);
  // A screen a departed monitor left may be at another mode: this monitor's comes first (RandR).
  const m = display.mode();
  if (config.screen !== undefined && (m.width !== config.width || m.height !== config.height)) {
    try {
      await display.requestMode({ width: config.width, height: config.height, refreshHz: config.refreshHz });
    } catch (e) {
      await display.stop();
      throw e;
    }
  }
  const resources = (): DisplayResources => xvfbResources(display);
  const cursor = (): { state: CursorState; version: number } | null => (display.cursor ? { state: display.cursor.state, version: display.cursor.version } : null);
  // XTEST on a connection of its own (to this monitor's screen), opened only once a remote server attaches (or input arrives).
  const input = new LazyDisplayInput(async () => (await import('../backends/xvfb/x-input.js')).XInput.open(display.screenDisplay));
  return { display, sim: null, verify: { kind: workload === 'animated' && config.display === undefined ? 'xvfb' : 'none', params: null }, resources, cursor, input, onCursorChange: (fn) => display.onCursorChange(fn), faults: display };
}

/**
 * `--display :N --mode WxH@HZ` of another size: the mode through RandR before the first swap-chain,
 * so the ring the host built at that size fits the first frame. A mode the server refuses (Xvfb
 * cannot grow past the framebuffer it started with) fails the start, naming the flag.
 */
async function setAttachedMode(display: { requestMode(m: { width: number; height: number; refreshHz: number }): Promise<void>; stop(): Promise<void> }, config: MonitorConfig): Promise<void> {
  const mode = { width: config.width, height: config.height, refreshHz: config.refreshHz };
  try {
    await display.requestMode(mode);
  } catch (e) {
    await display.stop().catch(() => undefined);
    const err = e as VdpushError;
    const message = `--mode ${mode.width}x${mode.height}@${mode.refreshHz} on display ${config.display ?? '?'}: ${err.message ?? String(e)}`;
    // A mode the display cannot show is the user's mistake (exit 2); a RandR that fails is the display's.
    throw err instanceof InvalidArgumentError ? new InvalidArgumentError(message) : new BackendError(message);
  }
}

/** The error a display ended the run with (XvfbDisplay.fatalError), or null. */
export function fatalOf(display: DisplaySystem): Error | null {
  const f = (display as { fatalError?: () => Error | null }).fatalError;
  return typeof f === 'function' ? f.call(display) : null;
}
