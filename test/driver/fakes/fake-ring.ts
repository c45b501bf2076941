/**
 * A fake ring for the driver's unit tests: a RingPort that attaches only while a ring "exists", and
 * publishers that record what they were given and can be made stale.
 */
import { PublishOutcome } from '../../../src/contract/status-codes.js';
import { LocalSignal } from '../../../src/display/signal.js';
import type { AcquiredFrame } from '../../../src/display/types.js';
import type { PublisherLike, RingPort } from '../../../src/driver/ring-port.js';

export class FakePublisher implements PublisherLike {
  stale = false;
  /** Set when the fake host retires the ring (FramePublisher's RetiredSignal does the same on a real ring). */
  readonly staleSignal = new LocalSignal();
  detached = false;
  health: number[] = [];
  luid = 0;
  epochs: [number, number] = [0, 0];
  terminal: [number, number] | null = null;
  /** Frame numbers published, with the first pixel byte (to tell a stash copy from a live frame). */
  published: Array<{ frameNumber: number; firstByte: number; dirtyCount: number }> = [];
  /** Outcome of the next publishes (then Published). */
  outcomes: number[] = [];
  constructor(
    readonly generation: number,
    private readonly log: string[] | null,
  ) {}
  isStale(): boolean {
    return this.stale;
  }
  publish(frame: AcquiredFrame): number {
    const o = this.outcomes.shift() ?? (this.stale ? PublishOutcome.Stale : PublishOutcome.Published);
    if (o === PublishOutcome.Published) {
      this.published.push({ frameNumber: frame.frameNumber, firstByte: frame.pixels[0] ?? -1, dirtyCount: frame.dirtyCount });
    }
    this.log?.push(`publish:${frame.frameNumber}:${o}`);
    return o;
  }
  setHealth(state: number): void {
    this.health.push(state);
  }
  setRenderAdapterLuid(luid: number): void {
    this.luid = luid;
  }
  setEpochs(assignment: number, device: number): void {
    this.epochs = [assignment, device];
  }
  setTerminalError(domain: number, code: number): void {
    this.terminal = [domain, code];
  }
  detach(): void {
    this.detached = true;
  }
}

export class FakeRingPort implements RingPort {
  /** Whether the host has created a ring. */
  available = true;
  generation = 1;
  opens = 0;
  publishers: FakePublisher[] = [];
  constructor(private readonly log: string[] | null = null) {}
  open(): PublisherLike | null {
    this.opens++;
    if (!this.available) return null;
    const p = new FakePublisher(this.generation, this.log);
    this.publishers.push(p);
    return p;
  }
  /** The host recreates the ring: the current publishers go stale; the next open gets the new one. */
  recreate(): void {
    for (const p of this.publishers) {
      p.stale = true;
      p.staleSignal.set();
    }
    this.generation++;
  }
  get last(): FakePublisher | undefined {
    return this.publishers[this.publishers.length - 1];
  }
}
