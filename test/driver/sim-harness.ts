/**
 * Test harness: the real simulated display (src/backends/sim) and the real ring (src/ring) joined
 * to the driver the way the host's worker joins them, on one virtual clock. The "host" here is a
 * consumer on clock timers that verifies every frame's pixels, recreates the ring when the display
 * changes format, and performs the schedule's host faults (stall, recreate).
 *
 * IddCxReportCriticalError does not return: the OS terminates the driver's process. The harness
 * models that for the ring too: once the display saw the critical error (or bugchecked), nothing
 * the driver writes into the ring takes effect (GatedPublisher), so a driver that writes its
 * terminal error after the call is caught.
 */
import { FramePublisher, HostRing, type ConsumedFrame } from '../../src/ring/index.js';
import { createSimDisplay, readFrameStamp, verifyFrame, type SimDisplay, type VirtualClock } from '../../src/backends/sim/index.js';
import type { DisplaySystem, HostFaultRequest, Monitor } from '../../src/display/types.js';
import { createDriver, type Driver, type DriverOptions } from '../../src/driver/driver.js';
import type { PublisherLike, RingPort } from '../../src/driver/ring-port.js';
import { PublishOutcome } from '../../src/contract/status-codes.js';

/** FramePublisher satisfies the driver's PublisherLike structurally (a compile-time check). */
export const publisherIsPublisherLike = (p: FramePublisher): PublisherLike => p;

export interface HarnessOptions {
  mode?: string;
  faults?: string;
  seed?: number;
  policy?: DriverOptions['policy'];
  /** Whether the host makes a ring at all (default true). */
  ring?: boolean;
  /** Wraps the display the driver sees (a test's extra fault injection). */
  wrap?: (d: DisplaySystem) => DisplaySystem;
  pattern?: 'moving' | 'desktop' | 'full';
}

export const TARGET_ID = 7;

export class SimHarness {
  readonly display: SimDisplay<VirtualClock>;
  readonly clock: VirtualClock;
  readonly driver: Driver;
  ring: HostRing | null = null;
  consumed = 0;
  integrityErrors = 0;
  firstIntegrityError = '';
  generations = 0;
  /** Virtual times of consumed frames, to see where frames flowed. */
  consumedAt: number[] = [];
  /** The ring's health as the host read it when the run stopped. */
  lastHealth: ReturnType<HostRing['health']> | null = null;
  /** Publishers the driver opened. */
  publishers = 0;
  /** How many frames of each format the driver handed to publish(). */
  readonly publishedFormats = new Map<number, number>();
  private held: ConsumedFrame[] = [];
  private stallUntil = -1;
  private cancelPoll: (() => void) | null = null;

  constructor(o: HarnessOptions = {}) {
    this.display = createSimDisplay({
      mode: o.mode ?? '160x90@120',
      faults: o.faults ?? '',
      seed: o.seed ?? 1,
      pattern: o.pattern ?? 'moving',
    });
    this.clock = this.display.clock;
    if (o.ring !== false) {
      const m = this.display.mode();
      this.ring = HostRing.create({ targetId: TARGET_ID, width: m.width, height: m.height, format: m.format, frameFormats: ['bgra8', 'rgba16f'] });
      this.generations = 1;
    }
    const dead = (): boolean => this.display.halted;
    const port: RingPort = {
      open: () => {
        if (this.ring === null || dead()) return null;
        const r = FramePublisher.open(this.ring.buffer, { targetId: TARGET_ID });
        if (!r.ok) return null;
        this.publishers++;
        return new GatedPublisher(r.publisher, dead, this.publishedFormats);
      },
    };
    this.display.onHostFault((req) => this.hostFault(req));
    const seen = o.wrap ? o.wrap(this.display) : this.display;
    this.driver = createDriver({ display: seen, ring: port, targetId: TARGET_ID, policy: o.policy ?? {} });
  }

  async start(): Promise<void> {
    await this.clock.drive(this.driver.start());
    this.poll();
  }

  runFor(ms: number): Promise<void> {
    return this.clock.runFor(ms);
  }

  /** Stops everything; returns the broken invariants (display's and the driver's), empty when healthy. */
  async stop(): Promise<string[]> {
    this.cancelPoll?.();
    this.cancelPoll = null;
    await this.clock.drive(this.driver.stop());
    this.releaseHeld();
    const out = this.display.checkInvariants();
    const s = this.driver.stats();
    if (s.devices.live !== 0) out.push(`driver: ${s.devices.live} device(s) live after stop`);
    if (this.driver.monitor.processor !== null) out.push('driver: a processor still runs after stop');
    if (this.integrityErrors > 0) out.push(`host: ${this.integrityErrors} integrity error(s): ${this.firstIntegrityError}`);
    const ds = this.display.stats();
    if (s.acquired !== ds.acquired) out.push(`driver acquired ${s.acquired}, display says ${ds.acquired}`);
    if (s.finished !== ds.finished) out.push(`driver finished ${s.finished}, display says ${ds.finished}`);
    this.lastHealth = this.ring?.health() ?? null;
    this.ring?.close();
    return out;
  }

  /** The host's consumer: every millisecond, take every new frame, verify it, give it back. */
  private poll(): void {
    this.cancelPoll = this.clock.setTimer(1, () => {
      this.consume();
      this.poll();
    });
  }

  private consume(): void {
    const ring = this.ring;
    if (ring === null) return;
    const now = this.clock.now();
    if (now >= this.stallUntil) this.releaseHeld();
    const change = ring.sourceDescChanged();
    if (change !== null) this.recreate(change);
    for (let f = ring.tryConsume(); f !== null; f = ring.tryConsume()) {
      this.consumed++;
      this.consumedAt.push(now);
      this.verify(f);
      if (now < this.stallUntil) this.held.push(f);
      else ring.release(f);
    }
  }

  private verify(f: ConsumedFrame): void {
    const params = this.display.patternParams();
    const n = readFrameStamp(f.pixels, f.format, params);
    const r = n < 0 ? { ok: false, reason: 'no stamp at (0,0)' } : verifyFrame(f.pixels, f.width, f.height, f.stride, f.format, n, params);
    if (!r.ok) {
      this.integrityErrors++;
      if (this.firstIntegrityError === '') this.firstIntegrityError = `frame ${n} (seq ${f.sequence}): ${r.reason}`;
    }
  }

  private hostFault(req: HostFaultRequest): void {
    if (req.kind === 'host-stall') this.stallUntil = this.clock.now() + req.durationMs;
    else if (req.kind === 'host-recreate' && this.ring !== null) {
      this.recreate({ width: this.ring.width, height: this.ring.height, format: this.ring.format });
    }
  }

  private recreate(mode: { width: number; height: number; format: number }): void {
    const ring = this.ring!;
    this.releaseHeld();
    ring.recreate(mode);
    this.generations++;
  }

  private releaseHeld(): void {
    const ring = this.ring;
    for (const f of this.held) if (ring !== null && !ring.closed) ring.release(f);
    this.held = [];
  }
}

/** Wraps a display so the driver's monitor sees every swap-chain through `wrapSwapChain`. */
export function wrapMonitor(d: DisplaySystem, wrapAssign: (m: Monitor) => Monitor): DisplaySystem {
  return {
    get clock() {
      return d.clock;
    },
    get adapter() {
      return d.adapter;
    },
    mode: () => d.mode(),
    start: (monitor) => d.start(wrapAssign(monitor)),
    stop: () => d.stop(),
    stats: () => d.stats(),
    onHostFault: (l) => d.onHostFault(l),
  };
}

/** A publisher whose writes stop taking effect once the driver's process is gone (critical error). */
class GatedPublisher implements PublisherLike {
  constructor(
    private readonly inner: FramePublisher,
    private readonly dead: () => boolean,
    private readonly formats: Map<number, number>,
  ) {}
  isStale(): boolean {
    return this.inner.isStale();
  }
  publish(frame: Parameters<PublisherLike['publish']>[0]): number {
    if (this.dead()) return PublishOutcome.Fatal;
    this.formats.set(frame.format, (this.formats.get(frame.format) ?? 0) + 1);
    return this.inner.publish(frame);
  }
  setHealth(state: number): void {
    if (!this.dead()) this.inner.setHealth(state as Parameters<FramePublisher["setHealth"]>[0]);
  }
  setRenderAdapterLuid(luid: number): void {
    if (!this.dead()) this.inner.setRenderAdapterLuid(luid);
  }
  setEpochs(assignment: number, device: number): void {
    if (!this.dead()) this.inner.setEpochs(assignment, device);
  }
  setTerminalError(domain: number, code: number): void {
    if (!this.dead()) this.inner.setTerminalError(domain, code);
  }
  detach(): void {
    if (!this.dead()) this.inner.detach();
  }
}
