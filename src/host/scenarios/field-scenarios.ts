/**
 * Field scenarios: named fault schedules drawn from bugs that public indirect display drivers and
 * streaming hosts reported, each with the outcome that must hold. They run on the simulated OS
 * and the virtual clock, so each is deterministic: `npm test` runs them all
 * (test/host/field-scenarios.test.ts), `vdpush run --scenario NAME` runs one, `vdpush scenarios`
 * lists them.
 *
 * Each `source` names the public report (project and issue number) the scenario reproduces, in
 * one line. Only reports that were actually found and read are cited.
 */
import { InvalidArgumentError } from '../../contract/errors.js';
import type { SessionOptions } from '../session-options.js';
import type { ScenarioOutcome } from './scenario-outcome.js';

export interface FieldScenario {
  name: string;
  /** What goes wrong in the field, in one sentence. */
  summary: string;
  /** The public report, one line: "owner/repo#N: what it says". */
  source: string;
  /** The run: always the simulated display on the virtual clock. */
  run: { mode: string; faults: string; durationMs: number; pattern?: SessionOptions['pattern']; format?: SessionOptions['format']; seed?: number };
  outcome: ScenarioOutcome;
}

export const FIELD_SCENARIOS: readonly FieldScenario[] = Object.freeze([
  {
    name: 'reconnect-leak',
    summary: 'the OS unassigns again and again while every frame changes (a continuous burst): each processor must see terminate and let go',
    source: 'VirtualDrivers/Virtual-Display-Driver#100: the swap-chain thread never sees the terminate event while frames keep arriving (CPU use, a 60 s stop)',
    run: { mode: '256x144@240', faults: 'unassign@300ms*8/150ms', durationMs: 2000, pattern: 'full' },
    outcome: { criticalError: null, adapter: 'hardware', noRecoveryEvents: true, minSwapChainsAssigned: 9, maxDevicesCreated: 1, noDisplayStalls: true, minConsumed: 100 },
  },
  {
    name: 'stall-after-reconnect',
    summary: 'the host stops reading right after the OS reassigned the swap-chain: the driver keeps draining and never waits on the host',
    source: 'LizardByte/Sunshine#1281: video freezes and the host dies on a reconnect of the stream',
    run: { mode: '256x144@120', faults: 'unassign@300ms,host-stall@320ms:600ms', durationMs: 1500 },
    outcome: { criticalError: null, adapter: 'hardware', noRecoveryEvents: true, noDisplayStalls: true, minConsumed: 60 },
  },
  {
    name: 'repeated-device-removal',
    summary: 'the device is removed over and over: the ladder moves to the software adapter once, with a bounded number of devices, not a creation loop',
    source: 'VirtualDrivers/Virtual-Display-Driver#354: stuck in a loop of dozens of "Direct3D device created successfully" per second',
    run: { mode: '256x144@240', faults: 'device-removed@200ms*6/100ms', durationMs: 2000 },
    outcome: { criticalError: null, adapter: 'software', maxDevicesCreated: 7, everyEventRecovered: true },
  },
  {
    name: 'gpu-reset-during-assign',
    summary: 'a GPU reset removes the live device and device creation fails in the next assigns: abandon and retry, then frames again on the hardware adapter',
    source: 'nomi-san/parsec-vdd#38: a GPU device reset (flicker in Chrome) removes every virtual display',
    run: { mode: '256x144@120', faults: 'assign-fail@300ms:3', durationMs: 1500 },
    outcome: { criticalError: null, adapter: 'hardware', everyEventRecovered: true, maxDevicesCreated: 5 },
  },
  {
    name: 'hdr-toggle-storm',
    summary: 'HDR toggled on and off quickly, with odd-format frames between: every frame delivered in its own format, the ring never recreated',
    source: 'mariotaku/moonlight-tv#496: turning HDR off on the virtual monitor during a stream crashes the session',
    run: { mode: '256x144@120', faults: 'hdr-flip@200ms*8/100ms,format-blip@250ms*8/100ms', durationMs: 1500 },
    outcome: { criticalError: null, adapter: 'hardware', noRecoveryEvents: true, noDrops: ['descMismatch'], ringGenerations: 1 },
  },
  {
    name: 'flap-during-activation',
    summary: 'the monitor flaps while the OS activates its path, SetDevice failing with ACCESS_LOST past the retry budget: the OS\'s business, not a GPU failure',
    source: 'VirtualDrivers/Virtual-Display-Driver#319: "Unasigning Swapchain" then "Failed to set device to swap chain. HRESULT: -2005270490" (DXGI_ERROR_ACCESS_LOST)',
    run: { mode: '256x144@120', faults: 'flap@20ms:400ms,flap@800ms:3500ms', durationMs: 6000 },
    outcome: { criticalError: null, adapter: 'hardware', noDirectXFailures: true, maxDevicesCreated: 1, minConsumed: 60 },
  },
  {
    name: 'render-adapter-ignored',
    summary: 'the OS ignores IddCxAdapterSetRenderAdapter and keeps composing on the GPU it chose while the device keeps failing: the ladder still ends in a critical error, in bounded time and devices',
    source: 'VirtualDrivers/Virtual-Display-Driver#12: Windows picks the render adapter for the swap-chain itself (the iGPU), whatever the user wants',
    run: { mode: '256x144@240', faults: 'ignore-render-adapter@0ms,device-removed@200ms*40/100ms', durationMs: 6000 },
    outcome: { criticalError: 'reported', maxDevicesCreated: 12 },
  },
  {
    name: 'transient-out-of-memory',
    summary: 'device creation and acquire fail with E_OUTOFMEMORY for a few ms: one episode is retried with backoff and counted once, never a critical error',
    source: 'microsoft/Windows-driver-samples#756: the IddCx sample leaks GPU memory until D3D11CreateDevice fails with E_OUTOFMEMORY',
    run: { mode: '256x144@120', faults: 'device-removed@600ms,create-oom@600ms:30ms,acquire-oom@1s:10ms', durationMs: 1500 },
    outcome: { criticalError: null, adapter: 'hardware', everyEventRecovered: true, minConsumed: 100 },
  },
  {
    name: 'topology-rebuild',
    summary: 'the OS drops the path from the topology (STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY) and rebuilds it, three times: the device is kept and nothing is counted',
    source: 'Nonary/Vibepollo#415: Windows removes monitors from the topology and deactivates the virtual display target when the physical monitors power off',
    run: { mode: '256x144@120', faults: 'topology-lost@300ms*3/300ms', durationMs: 1500 },
    outcome: { criticalError: null, adapter: 'hardware', noDirectXFailures: true, maxDevicesCreated: 1, everyEventRecovered: true },
  },
  {
    name: 'mode-change-storm',
    summary: 'the OS commits several resolution changes in a row: each is an unassign and an assign at the new size, the ring follows, nothing is a GPU failure',
    source: 'nomi-san/parsec-vdd#5: the virtual display dies instantly on a (high) resolution or refresh-rate change',
    run: { mode: '256x144@120', faults: 'mode-change@300ms:320x180,mode-change@500ms:160x90@60,mode-change@700ms:256x144@120', durationMs: 1500 },
    outcome: { criticalError: null, adapter: 'hardware', noRecoveryEvents: true, ringGenerations: 4, finalMode: { width: 256, height: 144 }, maxDevicesCreated: 1 },
  },
]);

export function scenarioNames(): string[] {
  return FIELD_SCENARIOS.map((s) => s.name);
}

/** The scenario of that name; an unknown name is an InvalidArgumentError that lists the known ones. */
export function findScenario(name: string): FieldScenario {
  const s = FIELD_SCENARIOS.find((x) => x.name === name);
  if (s === undefined) {
    throw new InvalidArgumentError(`unknown scenario "${name}"; the scenarios are: ${scenarioNames().join(', ')} (vdpush scenarios lists them)`);
  }
  return s;
}

/** The session a scenario runs: the simulated display on the virtual clock. */
export function scenarioSessionOptions(s: FieldScenario): SessionOptions {
  const o: SessionOptions = { source: 'sim', clock: 'virtual', mode: s.run.mode, faults: s.run.faults, durationMs: s.run.durationMs, seed: s.run.seed ?? 1 };
  if (s.run.pattern !== undefined) o.pattern = s.run.pattern;
  if (s.run.format !== undefined) o.format = s.run.format;
  return o;
}
