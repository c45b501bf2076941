/**
 * HostRing: the host's (main thread's) end of the shared-memory frame ring.
 *
 * The host creates the ring and hands `ring.buffer` to the display's worker by postMessage; the
 * worker only opens it (FramePublisher). Only those two endpoints ever hold the buffer.
 *
 *   host (this)                                  display (worker, FramePublisher)
 *   create: header, event, slots; MAGIC last ──> open: checkAttach, status Opened
 *   tryConsume / nextFrame  <── frame-ready ──── publish: copy into a slot, latest = token
 *   release(frame)          ──> slot FREE again
 *   sourceDescChanged → recreate(mode) ── new buffer by postMessage ──> isStale → open it
 *
 * Why recreate allocates a NEW buffer instead of rewriting this one: a publisher that has not yet
 * noticed the change keeps copying frames of the old size into the old buffer. Rewriting the
 * buffer in place would let that stale writer scribble over slots the host is already reading at
 * the new geometry. With a new buffer, a stale writer can only touch a buffer nobody reads: the old
 * one is retired (latest cleared, generation bumped, magic RING_MAGIC_RETIRED) and its frame-ready
 * event is set so a waiting side notices at once. Frames the host still holds from the old buffer
 * stay valid (they keep that buffer alive) until released; releasing them is a no-op.
 *
 * The host never blocks its thread: nextFrame waits with Atomics.waitAsync.
 */
import {
  ClosedError,
  FrameReleaseError,
  InvalidArgumentError,
  KEY_CONSUMER,
  KEY_PRODUCER,
  MAX_DIMENSION,
  MutexOwner,
  OFF_DRIVER_STATUS,
  OFF_FRAME_READY,
  OFF_GENERATION,
  OFF_LATEST,
  OFF_MAGIC,
  OFF_SOURCE_FORMAT,
  OFF_SOURCE_HEIGHT,
  OFF_SOURCE_WIDTH,
  RING_MAGIC_RETIRED,
  SlotState,
  bytesPerPixel,
  nextGeneration,
} from '../contract/index.js';
import { AutoResetEvent } from './auto-reset-event.js';
import type { ConsumedFrame } from './consumed-frame.js';
import { SlotFrame } from './consumed-frame.js';
import { FrameConsumer } from './frame-consumer.js';
import type { HeaderView } from './header-view.js';
import { KeyedMutex } from './keyed-mutex.js';
import { KeyedMutexArm } from './keyed-mutex-arm.js';
import { buildRing, ringBytes } from './ring-builder.js';
import { BufferPool } from './buffer-pool.js';
import { notifyRetired } from './retired-signal.js';
import { addCounters, readCounters, readHealth, ZERO_COUNTERS, type RingCounters, type RingHealth } from './ring-health.js';
import { checkRingBytes, resolveMode, resolveRingOptions, type HostRingOptions, type ResolvedRingOptions, type RingModeSpec } from './ring-options.js';
import { SlotTable } from './slot-table.js';

/** How long the consumer waits for a busy keyed mutex before it looks at the ring again (DESIGN.md). */
export const CONSUMER_MUTEX_WAIT_MS = 8;

export class HostRing {
  private options: ResolvedRingOptions;
  private view: HeaderView;
  private table: SlotTable;
  private event: AutoResetEvent;
  private consumer: FrameConsumer;
  /** The buffer retired by the last recreate, kept only until the display opens the new one. */
  private retiredView: HeaderView | null = null;
  /** Retired buffers nobody can touch any more, rebuilt by the next recreate of their size. */
  private readonly pool = new BufferPool();
  /** Counters of buffers whose publisher has moved on. */
  private carried: RingCounters = ZERO_COUNTERS;
  private rejectedCarried = 0;
  private isClosed = false;

  private constructor(options: ResolvedRingOptions, generation: number) {
    this.options = options;
    const built = buildRing(options, generation);
    this.view = built.view;
    this.table = new SlotTable(built.view, built.desc);
    this.event = AutoResetEvent.at(built.view.buffer, OFF_FRAME_READY);
    this.consumer = new FrameConsumer(built.view, this.table, options.hostCapabilities, this);
  }

  /** Builds a ring; throws InvalidArgumentError on a bad option (the message names it). */
  static create(options: HostRingOptions): HostRing {
    return new HostRing(resolveRingOptions(options), 1);
  }

  /** The current buffer: hand it to the display side (again after every recreate). */
  get buffer(): SharedArrayBuffer {
    return this.view.buffer;
  }

  get generation(): number {
    return this.table.desc.generation;
  }

  get width(): number {
    return this.table.desc.width;
  }

  get height(): number {
    return this.table.desc.height;
  }

  get format(): number {
    return this.table.desc.format;
  }

  get ringLen(): number {
    return this.table.desc.ringLen;
  }

  /** Bytes per pixel each slot holds: a frame of any format up to this is carried without a recreate. */
  get slotBytesPerPixel(): number {
    return this.options.slotBytesPerPixel;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** A new buffer at a new mode, generation bumped; the old buffer is retired (see the file header). */
  recreate(mode: RingModeSpec): void {
    if (this.isClosed) throw new ClosedError('ring');
    const resolved = resolveMode(mode);
    const old = this.view;
    const oldEvent = this.event;
    const generation = nextGeneration(this.generation);
    // Build first: if the allocation fails, the current ring is untouched.
    // Slots never shrink: a display that once sent frames of a larger format may do so again, and
    // a ring that lost that capacity would drop them and recreate back and forth.
    const options = { ...this.options, ...resolved, slotBytesPerPixel: Math.max(this.options.slotBytesPerPixel, resolved.slotBytesPerPixel) };
    checkRingBytes(options.width, options.height, options.slotBytesPerPixel, options.ringLen);
    // Every buffer retired before the current one is quiescent once the display opened the current.
    if (this.view.load32(OFF_DRIVER_STATUS) !== 0) this.pool.displayMovedOn();
    const built = buildRing(options, generation, this.pool.take(ringBytes(options)));
    this.options = options;
    this.finalizeRetired();
    this.rejectedCarried += this.consumer.rejectedTokens;
    this.consumer.retired = true;
    this.pool.retire(old.buffer, this.consumer);
    this.view = built.view;
    this.table = new SlotTable(built.view, built.desc);
    this.event = AutoResetEvent.at(built.view.buffer, OFF_FRAME_READY);
    this.consumer = new FrameConsumer(built.view, this.table, options.hostCapabilities, this);
    old.store64(OFF_LATEST, 0n);
    old.store32(OFF_GENERATION, generation);
    old.store32(OFF_MAGIC, RING_MAGIC_RETIRED);
    notifyRetired(old.i32);
    this.retiredView = old;
    oldEvent.set();
  }

  /** The newest unseen frame, or null. Never waits. Hold it until release(). */
  tryConsume(): ConsumedFrame | null {
    if (this.isClosed) return null;
    return this.consumer.tryConsume();
  }

  /**
   * Waits (without blocking the thread) up to timeoutMs (default: no limit) for a new frame; null
   * on timeout or close. With `returnOnWake`, also null as soon as the frame-ready event is set
   * without a frame to take: the display reported a new mode (sourceDescChanged), or the host
   * called wake(). So a host that reacts to those needs no poll. A timeoutMs that is not a number
   * rejects with InvalidArgumentError.
   */
  async nextFrame(options?: { timeoutMs?: number; returnOnWake?: boolean }): Promise<ConsumedFrame | null> {
    const timeoutMs = options?.timeoutMs ?? Number.POSITIVE_INFINITY;
    // NaN would make every remaining-time test false: a wait that never ends, polling all the while.
    if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) throw new InvalidArgumentError(`nextFrame: timeoutMs ${String(timeoutMs)} is not a number of ms`);
    const deadline = performance.now() + Math.max(0, timeoutMs);
    for (;;) {
      if (this.isClosed) return null;
      const consumer = this.consumer;
      const frame = consumer.tryConsume();
      if (frame !== null) return frame;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return null;
      const arm = consumer.currentArm();
      const slot = consumer.busySlot;
      if (slot >= 0 && arm instanceof KeyedMutexArm) {
        const mutex = arm.mutex(slot);
        const r = await mutex.acquireAsync(KEY_CONSUMER, Math.min(CONSUMER_MUTEX_WAIT_MS, remaining));
        if (r === 'acquired' && consumer === this.consumer && !this.isClosed) {
          const taken = consumer.finishTake(arm, slot);
          if (taken !== null) return taken;
        } else if (r !== 'timeout') {
          // Abandoned mid-write, or the ring changed while we waited: nothing to read there.
          mutex.release(r === 'abandoned' ? KEY_PRODUCER : KEY_CONSUMER);
        }
        continue;
      }
      const r = await this.event.waitAsync(remaining);
      if (r === 'signaled' && options?.returnOnWake === true) return this.isClosed ? null : this.consumer.tryConsume();
    }
  }

  /** Ends a pending `nextFrame({ returnOnWake: true })` now (the host has its own work to look at). */
  wake(): void {
    if (!this.isClosed) this.event.set();
  }

  /** The newest delivered frame again (for a sink that must keep a rate while the display is idle). */
  repeatLast(): ConsumedFrame | null {
    if (this.isClosed) return null;
    return this.consumer.repeatLast();
  }

  /** Returns a frame. Throws FrameReleaseError for a frame released twice or not from this ring. */
  release(frame: ConsumedFrame): void {
    if (!(frame instanceof SlotFrame) || !(frame.owner instanceof FrameConsumer) || frame.owner.ring !== this) {
      throw new FrameReleaseError('this frame did not come from this ring');
    }
    if (!frame.held) {
      throw new FrameReleaseError(`frame ${frame.sequence} (slot ${frame.slot}, generation ${frame.generation}) was already released`);
    }
    if (this.isClosed) {
      frame.held = false;
      return;
    }
    frame.owner.release(frame);
  }

  /** The display now composes a valid mode other than the ring's: recreate at it. Else null. */
  sourceDescChanged(): { width: number; height: number; format: number } | null {
    const width = this.view.load32(OFF_SOURCE_WIDTH);
    const height = this.view.load32(OFF_SOURCE_HEIGHT);
    const format = this.view.load32(OFF_SOURCE_FORMAT);
    if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION || bytesPerPixel(format) === 0) return null;
    const d = this.table.desc;
    if (width === d.width && height === d.height && format === d.format) return null;
    return { width, height, format };
  }

  health(): RingHealth {
    this.finalizeRetiredIfReplaced();
    let counters = addCounters(this.carried, readCounters(this.view));
    if (this.retiredView !== null) counters = addCounters(counters, readCounters(this.retiredView));
    return readHealth(this.view, this.table.desc, this.options.hostCapabilities, counters, {
      rejectedTokens: this.rejectedCarried + this.consumer.rejectedTokens,
      closed: this.isClosed,
    });
  }

  /**
   * The display's worker died: whatever it held can never be returned. Marks display-held keyed
   * mutexes abandoned (the next acquire succeeds and says so) and frees slot-state slots it left
   * WRITING (their content is incomplete, so FREE, never PUBLISHED).
   */
  abandonDisplaySide(): void {
    const t = this.table;
    for (let s = 0; s < t.ringLen; s++) {
      KeyedMutex.abandon(this.view.i32, t.mutexIndex(s), MutexOwner.Display);
      t.casState(s, SlotState.Writing, SlotState.Free);
    }
  }

  /** Marks the ring host-abandoned (publish then returns HostAbandoned) and wakes waiters. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    // Magic retired with the generation unchanged is "closed"; a recreate also bumps the generation.
    this.view.store32(OFF_MAGIC, RING_MAGIC_RETIRED);
    notifyRetired(this.view.i32);
    this.event.set();
    this.finalizeRetired();
    this.pool.clear();
  }

  /** The retired buffer's counters are final once the display opened the new buffer. */
  private finalizeRetiredIfReplaced(): void {
    if (this.retiredView !== null && this.view.load32(OFF_DRIVER_STATUS) !== 0) this.finalizeRetired(true);
  }

  private finalizeRetired(displayMovedOn = false): void {
    if (displayMovedOn) this.pool.displayMovedOn();
    if (this.retiredView === null) return;
    this.carried = addCounters(this.carried, readCounters(this.retiredView));
    this.retiredView = null;
  }
}
