/**
 * A session: one indirect display adapter driving one or more monitors (issue 12). Each monitor is
 * a MonitorLink (monitor-link.ts): its own ring on this thread and its own worker thread running
 * the display side. The session owns what the monitors share:
 *
 * - the adapter's recovery ladder, a SharedArrayBuffer block (driver/adapter-ladder.ts) every
 *   monitor's driver counts DirectX failures into and reads the stage and the critical error from;
 * - on the virtual clock, the pace: a monitor's slice is acknowledged only while no other monitor
 *   lags more than a slice behind, so the monitors' clocks stay together;
 * - the fault schedule, split among the monitors (fault-targets.ts), and the summary, built over
 *   all of them (run-summary.ts).
 *
 * Monitor i has targetId i, from 1. One monitor is the default: everything a one-monitor session
 * did it still does, and the calls that name no monitor mean monitor 1.
 *
 * The calls that address one monitor are session-monitor-calls.ts's (the class Session extends).
 * Beside it: session-roster.ts (the monitors plugged in, leaving, departed), session-pace.ts (the
 * timeline and the virtual clocks' pace), session-drain.ts, monitor-arrivals.ts (plug / unplug),
 * plugged-monitor-config.ts (what a plugged monitor starts with).
 */
import { InvalidArgumentError, type VdpushError } from '../contract/errors.js';
import type { ConsumedFrame } from '../ring/index.js';
import { createAdapterLadderBuffer } from '../driver/index.js';
import { guardResources } from './resource-guard.js';
import { mergeResources } from './display-resources.js';
import { monitorConfigFor, resolveMonitorConfigs, type MonitorOptions, type SessionOptions } from './session-options.js';
import { pluggedMonitorConfig } from './plugged-monitor-config.js';
import { buildRunSummary, type MonitorRecord, type RunSummary } from './run-summary.js';
import { splitFaultSchedule } from './fault-targets.js';
import { checkInjection, injectableFaults } from './fault-injection.js';
import { MonitorLink, type LinkOptions } from './monitor-link.js';
import { MonitorArrivals, type ArrivalRecord } from './monitor-arrivals.js';
import { startSharedServerFor, type SharedXvfb } from './shared-xvfb.js';
import { VIRTUAL_SLICE_MS, type MonitorConfig, type RecoveryEventMessage } from './worker-messages.js';
import { SessionPace } from './session-pace.js';
import { drainMonitors } from './session-drain.js';
import { SessionMonitorCalls } from './session-monitor-calls.js';
import { SessionEvents, type MonitorChange } from './session-events.js';

export type { SessionOptions, MonitorOptions } from './session-options.js';
export type SessionFrame = ConsumedFrame;

export class Session extends SessionMonitorCalls {
  /** Monitor 1's configuration (the session's base configuration). */
  readonly config: MonitorConfig;
  private readonly events = new SessionEvents();
  private readonly ladder: SharedArrayBuffer;
  private readonly options: SessionOptions;
  private endedAt: number | null = null;
  private finished = false;
  private failure: VdpushError | null = null;
  private closing: Promise<RunSummary> | null = null;
  private unguard: () => void = () => undefined;
  private lastMode: MonitorRecord['host']['mode'];
  /** xvfb with several monitors: the one X server, a screen per monitor (shared-xvfb.ts). */
  private shared: SharedXvfb | null = null;
  /** Resolves when the run is over: every monitor ended (duration, critical error, worker failure). */
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  private constructor(options: SessionOptions, config: MonitorConfig, ladder: SharedArrayBuffer) {
    super();
    this.options = options;
    this.config = config;
    this.ladder = ladder;
    this.lastMode = { width: config.width, height: config.height, refreshHz: config.refreshHz, format: config.format };
    this.ended = new Promise((r) => (this.resolveEnded = r));
  }

  /**
   * Opens a session. Invalid options throw their VdpushError synchronously, before any thread or
   * process starts; everything after that is the returned promise.
   */
  static open(options: SessionOptions = {}): Promise<Session> {
    const configs = resolveMonitorConfigs(options);
    const split = splitFaultSchedule(configs[0]!.faults, configs.map((c) => c.targetId));
    const session = new Session(options, configs[0]!, createAdapterLadderBuffer());
    // Guarded from the start: a signal or a crash while a display starts must not leak Xvfb.
    session.unguard = guardResources(() => session.resources(), { signals: configs[0]!.source === 'xvfb' && options.handleSignals !== false });
    return session.start(configs, split);
  }

  private async start(configs: MonitorConfig[], split: ReturnType<typeof splitFaultSchedule>): Promise<Session> {
    const session = this;
    try {
      session.shared = await startSharedServerFor(configs);
      // One after another: each worker starts its display before the next (Xvfb screens, ports).
      for (const c of configs) await session.plug({ ...c, faults: split.perMonitor.get(c.targetId) ?? '' });
    } catch (e) {
      await session.close().catch(() => undefined);
      throw e;
    }
    session.arrivals.start(split.session);
    return session;
  }

  /** The session's timeline, and the pace of its monitors' virtual clocks. */
  private readonly pace = new SessionPace(
    () => this.roster.links(),
    () => this.config.clock === 'virtual',
  );

  /** plug / unplug entries of the fault schedule, on the session's timeline (monitor-arrivals.ts). */
  private readonly arrivals = new MonitorArrivals({
    nowMs: () => this.timelineNowMs(),
    virtual: () => this.config.clock === 'virtual',
    plug: (mode) => this.addMonitor({ mode }),
    unplug: (targetId) => this.removeMonitor(targetId),
    newest: () => {
      const t = this.targets();
      return t.length > 1 ? t[t.length - 1]! : null;
    },
    mode: () => this.config,
  });

  /**
   * Now on the session's timeline: on the virtual clock the leading monitor's virtual ms (each
   * monitor's clock counted from when it was plugged in), on the real clock the ms since open.
   */
  timelineNowMs(): number {
    return this.pace.nowMs();
  }

  /** What the schedule's plug / unplug entries did, in order. */
  arrivalLog(): readonly ArrivalRecord[] {
    return this.arrivals.log;
  }

  private readonly startAbsMs = performance.timeOrigin + performance.now();

  private linkOptions(late: boolean): LinkOptions {
    // A monitor plugged into a running virtual session starts its clock at 0: it is paced from now.
    const sliceBase = late ? this.pace.lateSliceBase() : 0;
    return {
      adapter: { ladder: this.ladder, sessionStartAbsMs: this.startAbsMs, virtualBaseMs: sliceBase * VIRTUAL_SLICE_MS },
      sliceBase,
      ...(this.options.ringLen !== undefined ? { ringLen: this.options.ringLen } : {}),
      ...(this.options.arm !== undefined ? { arm: this.options.arm } : {}),
      mayAck: (link, slice) => this.pace.mayAck(link, slice),
      acked: () => this.arrivals.tick(),
      onRecoveryEvent: (e) => this.events.recoveryEvent(e),
      onEnded: (link) => this.linkEnded(link),
      onEarlyResources: (r) => (this.starting = r),
      ...(this.options.verify !== undefined ? { verify: this.options.verify } : {}),
    };
  }

  /** The children of the monitor whose display is starting now (plugs run one at a time). */
  private starting: { pids: readonly number[]; dirs: readonly string[] } | null = null;

  private async plug(config: MonitorConfig, late = false): Promise<MonitorLink> {
    let link: MonitorLink;
    const open = (): Promise<MonitorLink> => MonitorLink.open(config, this.linkOptions(late));
    try {
      // A monitor plugged into a running session takes no virtual time (session-pace.ts).
      link = late ? await this.pace.holding(open) : await open();
    } finally {
      this.starting = null;
      this.pace.wakeAll();
    }
    this.roster.add(link);
    return link;
  }

  private linkEnded(link: MonitorLink): void {
    if (link.error !== null && this.failure === null) this.failure = link.error;
    this.pace.wakeAll();
    // Removing the last monitor leaves an adapter with none: not an end (close() ends the session).
    if (!this.finished && this.roster.size > 0 && this.roster.allEnded()) this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.endedAt = performance.now();
    this.resolveEnded();
  }

  /** True once the run is over; frames() then ends after the frames still in the ring. */
  get isEnded(): boolean {
    return this.finished;
  }

  /** The error that ended the run early, if any (the first monitor's that failed). */
  get error(): VdpushError | null {
    return this.failure;
  }

  /**
   * Drains every monitor's frames without keeping them (what `vdpush run` does) until the run
   * ends; monitors plugged in meanwhile are drained too. `except` leaves one monitor to a caller
   * that iterates its frames() itself (record, snapshot).
   */
  drain(onFrame?: (f: SessionFrame, targetId: number) => void, except?: number): Promise<void> {
    return drainMonitors({ links: () => this.roster.links(), onPlugged: (cb) => (this.onPlugged = cb) }, onFrame, except);
  }

  private onPlugged: (() => void) | null = null;

  /**
   * Calls `cb` when a monitor arrives (addMonitor, a plug fault: once it runs) or departs
   * (removeMonitor, an unplug fault: as it leaves, before its frames end). Returns the unsubscribe.
   */
  onMonitorChange(cb: (targetId: number, change: MonitorChange) => void): () => void {
    return this.events.onMonitorChange(cb);
  }

  /** Monitor arrival (IddCxMonitorArrival): plugs in a monitor at `mode`; resolves to its targetId. */
  async addMonitor(m: MonitorOptions = {}): Promise<number> {
    const targetId = this.roster.nextTarget;
    const config = pluggedMonitorConfig(m, {
      base: this.config,
      ended: this.finished || this.closing !== null,
      monitors: this.roster.size,
      targetId,
      nowMs: this.timelineNowMs(),
      shared: this.shared,
    });
    this.roster.nextTarget++;
    try {
      await this.plug(config, true);
    } catch (e) {
      this.shared?.release(targetId);
      throw e;
    }
    this.onPlugged?.();
    this.events.monitorChanged(targetId, 'arrived');
    return targetId;
  }

  /**
   * Monitor departure (IddCxMonitorDeparture): its processor is joined, its swap-chain deleted,
   * its devices destroyed, its worker ended and its ring retired. Its counters stay in the summary.
   */
  async removeMonitor(targetId: number): Promise<void> {
    const link = this.link(targetId);
    // An adapter keeps at least one monitor; the run's end is close() (or its duration).
    if (this.roster.size === 1) throw new InvalidArgumentError(`removeMonitor: monitor ${targetId} is the adapter's last; close the session instead`);
    this.roster.leave(link);
    this.events.monitorChanged(targetId, 'departed');
    // A departure takes no virtual time either (session-pace.ts).
    await this.roster.depart(link, () => this.pace.holding(() => link.close()));
    this.shared?.release(targetId);
    if (!this.finished && this.roster.allEnded()) this.finish();
  }

  /**
   * Host-requested mode (IddCxMonitorUpdateModes, then the OS commits it): monitor `targetId`
   * goes to `mode` ('WxH@HZ' or an object). On sim the OS unassigns and assigns at the new mode;
   * on xvfb it goes through RandR, adding the mode if the server lacks it. Never a failure: no
   * recovery event, nothing counted on the ladder. Resolves once the display committed the mode.
   * An object without `refreshHz` keeps the monitor's current refresh rate (a client's resize).
   */
  async setMode(targetId: number, mode: string | { width: number; height: number; refreshHz?: number }): Promise<void> {
    const link = this.link(targetId);
    const full = typeof mode === 'string' ? mode : { ...mode, refreshHz: mode.refreshHz ?? link.refreshHz };
    const m = monitorConfigFor(link.config, { mode: full }, targetId);
    await link.requestMode({ width: m.width, height: m.height, refreshHz: m.refreshHz });
  }

  /** Processes and temp folders the displays started (Xvfb, its workload), as last reported. */
  resources(): { pids: readonly number[]; dirs: readonly string[] } {
    const all = [...this.roster.links()].map((l) => l.resources());
    if (this.starting !== null) all.push(this.starting);
    if (this.shared !== null) all.push(this.shared.resources());
    return mergeResources(all);
  }

  /**
   * Injects a fault now (simulated display only) on monitor `targetId` (default 1), as the viewer's
   * buttons do. `plug` (arg: a mode, default the session's) and `unplug` (the monitor `targetId`,
   * or the newest when 1) are the session's own: they resolve when the monitor arrived or left.
   */
  injectFault(kind: string, arg?: number | string, targetId = 1): Promise<void> {
    if (kind === 'plug' || kind === 'unplug') {
      if (this.config.source !== 'sim') checkInjection(this.config.source, kind, undefined);
      return this.arrivals.inject(kind, typeof arg === 'string' ? arg : undefined, targetId);
    }
    this.link(targetId).injectFault(kind, arg);
    return Promise.resolve();
  }

  /** The fault kinds injectFault() takes on this session's display. */
  injectableFaults(): readonly string[] {
    return injectableFaults(this.config.source);
  }

  /** Every monitor's recovery events, as they arrived, each with its targetId. */
  recoveryEvents(): readonly RecoveryEventMessage[] {
    return this.events.recovery;
  }

  onRecoveryEvent(listener: (e: RecoveryEventMessage) => void): () => void {
    return this.events.onRecoveryEvent(listener);
  }

  /** Invariant violations the displays reported at the end (empty on a correct run), each naming its monitor when there are several. */
  invariantViolations(): readonly string[] {
    const all = [...this.roster.links()];
    if (all.length === 1) return all[0]!.invariantViolations();
    return all.flatMap((l) => l.invariantViolations().map((v) => `monitor ${l.targetId}: ${v}`));
  }

  /** The summary so far (final after close()). */
  stats(): RunSummary {
    const live = [...this.roster.links()];
    const records = this.roster.records();
    const virtualNow = Math.max(0, ...live.map((l) => l.displayNowMs));
    const durationMs = this.config.clock === 'virtual' ? virtualNow : (this.endedAt ?? performance.now()) - this.pace.startedAt;
    return buildRunSummary({ source: this.config.source, durationMs, fallbackMode: this.lastMode }, records);
  }

  /** Stops every monitor (terminate + wake + join), releases the rings; returns the final summary. Idempotent. */
  close(): Promise<RunSummary> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<RunSummary> {
    await this.arrivals.stop();
    const live = [...this.roster.links()];
    await Promise.all(live.map((l) => l.close()));
    // The shared X server goes once every monitor's worker is done with its screen.
    await this.shared?.stop();
    this.finish();
    this.unguard();
    return this.stats();
  }
}

/** Opens a session: the API's front door. */
export function openSession(options: SessionOptions = {}): Promise<Session> {
  return Session.open(options);
}
