/**
 * FramePublisher: the display side's (worker's) end of the ring, after seed 000's FramePublisher
 * (try_open, is_stale, publish).
 *
 * open: validates the host's header (publisher-attach.ts: checkAttach) and never throws on a
 * hostile buffer; a refusal is written back (DRIVER_STATUS = Refused, detail = the code) when that
 * is safe. On success it writes its capabilities, DRIVER_STATUS = Opened (detail: negotiated capabilities),
 * the render-adapter LUID and health Active, and works from its own validated copy of the
 * geometry from then on: a header rewritten later cannot steer a copy out of bounds.
 *
 * publish (the most performance-critical code in vdpush): checks the ring is live, guards the
 * size and the format, adds the frame's damage to every slot, takes a slot WITHOUT waiting, copies only what
 * that slot lacks, stores the slot's token/time/dirty bounds, hands the slot over, updates the
 * health tail, stores `latest` and sets frame-ready. It never throws and allocates nothing: the
 * token and the 64-bit counters are stored as 32-bit halves (header-view.ts says why a torn read
 * is safe; test/ring/no-garbage.test.ts pins it). Every outcome but Published is a counted drop.
 * Only misuse throws (InvalidArgumentError): a non-frame to publish, bad options to open, a
 * non-integer LUID.
 *
 * publish = publishBegin + publishCopy + publishCommit; the steps are public so a model test can
 * interleave a consumer between them.
 *
 * Per-frame format: IddCx may change the format of each acquired buffer from frame to frame on
 * one swap-chain ("between the formats supported", assign-swap-chain reference). A frame of the
 * ring's size in ANOTHER format is published, not dropped, whenever it fits the slots
 * (frameFitsSlot; the host sizes the slots for the formats it accepts): its format is stored in
 * the slot (SLOT_OFF_FORMAT) and travels with the consumed frame. So a one-frame blip costs no
 * drop and no recreate. Only a size change, or a format too large for the slots, is a
 * DescMismatch that makes the host recreate (source-mode-report.ts says which mode). Every slot is marked full on a format change (its
 * bytes are in the old format) and the frame's dirty bounds are the whole frame, so a consumer
 * that keeps converted pixels refreshes them all.
 */
import {
  DriverStatus,
  HealthState,
  InvalidArgumentError,
  OFF_ASSIGNMENT_EPOCH,
  OFF_CAPABILITIES,
  OFF_DEVICE_EPOCH,
  OFF_DRIVER_STATUS,
  OFF_DRIVER_STATUS_DETAIL,
  OFF_DROPPED_ALL_SLOTS_BUSY,
  OFF_DROPPED_DESC_MISMATCH,
  OFF_DROPPED_STALE,
  OFF_DROPPED_TOTAL,
  OFF_FRAME_READY,
  OFF_GENERATION,
  OFF_HEALTH_STATE,
  OFF_HOST_LAST_TAKEN,
  OFF_LAST_PUBLISH_TIME,
  OFF_LATEST,
  OFF_MAGIC,
  OFF_PRESENT_TIME,
  OFF_PUBLISHED_TOTAL,
  OFF_RENDER_ADAPTER_LUID,
  OFF_SOURCE_SEQUENCE,
  OFF_TERMINAL_ERROR_CODE,
  OFF_TERMINAL_ERROR_DOMAIN,
  PublishOutcome,
  RING_MAGIC,
  RING_MAGIC_RETIRED,
  MAX_FORMAT_CODE,
  PIXEL_FORMAT_CODES,
  bytesPerPixel,
  wordsGeneration,
  wordsSequence,
  type HealthStateCode,
  type PublishOutcomeCode,
  type SlotArm,
} from '../contract/index.js';
import { AutoResetEvent } from './auto-reset-event.js';
import { DamageTracker } from './damage-tracker.js';
import { DirtyHistory } from './dirty-history.js';
import { HeaderView } from './header-view.js';
import { PixelCopier } from './pixel-copy.js';
import { RetiredSignal } from './retired-signal.js';
import { checkLuid, validateAttach, type AttachRefused, type PublisherOptions } from './publisher-attach.js';
import type { PublishableFrame } from './publishable-frame.js';

export type { PublishableFrame, SurfaceSource } from './publishable-frame.js';
export type { PublisherOptions } from './publisher-attach.js';
import { createSlotArm, type SlotArmOps } from './slot-arm.js';
import { SlotTable } from './slot-table.js';
import { SourceModeReport } from './source-mode-report.js';

/** Read once: `performance.timeOrigin` is a getter that returns a new HeapNumber per read. */
const TIME_ORIGIN = performance.timeOrigin;

export type OpenResult = { ok: true; publisher: FramePublisher } | AttachRefused;

function notAFrame(frame: unknown): never {
  throw new InvalidArgumentError(`publish needs a frame with pixels (a Uint8Array), got ${frame === null ? 'null' : typeof frame}`);
}

/** publishBegin's failure values: -1 - outcome, so every value >= 0 is a slot. */
function failed(outcome: PublishOutcomeCode): number {
  return -1 - outcome;
}

export class FramePublisher {
  readonly generation: number;
  readonly arm: SlotArm;
  readonly negotiated: number;
  private readonly view: HeaderView;
  private readonly table: SlotTable;
  private readonly slots: SlotArmOps;
  private readonly event: AutoResetEvent;
  /** Set once the host retired this ring (a recreate or a close): an idle processor's wait includes it. */
  readonly staleSignal: RetiredSignal;
  private readonly damage: DamageTracker;
  /** Scratch for the dirty bounds a commit stores (x, y, w, h). */
  private readonly publishBounds = new Int32Array(4);
  private readonly history = new DirtyHistory();
  private readonly copier: PixelCopier;
  /** One copier per format code that fits the slots (null otherwise); built at open, never per frame. */
  private readonly copiers: Array<PixelCopier | null>;
  /** The format of the last frame published or dropped: a change marks every slot full. */
  private lastFormat: number;
  /** The whole ring as bytes: a surface copies into it at the slot's offset. */
  private readonly slotBytes: Uint8Array;
  private readonly writtenSeq: Float64Array;
  private sequence: number;
  private published: number;
  private dropped: number;
  private readonly sourceMode: SourceModeReport;
  private activeSlot = -1;
  private lastPublishedSlot = -1;
  private lastPublishedFormat = 0;
  private detached = false;

  private constructor(view: HeaderView, table: SlotTable, arm: SlotArm, negotiated: number) {
    this.view = view;
    this.table = table;
    this.arm = arm;
    this.negotiated = negotiated;
    this.generation = table.desc.generation;
    this.slots = createSlotArm(arm, table, 'producer');
    this.event = AutoResetEvent.at(view.buffer, OFF_FRAME_READY);
    this.staleSignal = new RetiredSignal(view.i32, this.generation);
    const d = table.desc;
    this.damage = new DamageTracker(d.ringLen, d.width, d.height);
    this.copier = new PixelCopier(view.buffer, d.width, d.height, d.bytesPerPixel, d.stride);
    this.copiers = new Array<PixelCopier | null>(MAX_FORMAT_CODE + 1).fill(null);
    for (const code of PIXEL_FORMAT_CODES) {
      if (code === d.format) this.copiers[code] = this.copier;
      else if (table.fits(code)) this.copiers[code] = new PixelCopier(view.buffer, d.width, d.height, bytesPerPixel(code), d.width * bytesPerPixel(code));
    }
    this.lastFormat = d.format;
    this.slotBytes = new Uint8Array(view.buffer);
    this.writtenSeq = new Float64Array(d.ringLen).fill(-1);
    // A publisher re-attaching to the same generation continues its predecessor's numbering, so
    // the consumer (which only takes newer sequences) sees its frames at once.
    const latest = new Uint32Array(2);
    view.loadWords(OFF_LATEST, latest);
    this.sequence = wordsGeneration(latest[1]!) === this.generation ? wordsSequence(latest[0]!, latest[1]!) : 0;
    this.published = view.loadCount(OFF_PUBLISHED_TOTAL);
    this.dropped = view.loadCount(OFF_DROPPED_TOTAL);
    this.sourceMode = new SourceModeReport(view, d, this.event, negotiated);
  }

  /** Opens the host's ring. Never throws: a hostile or foreign buffer is a typed refusal. */
  static open(buffer: SharedArrayBuffer, options: PublisherOptions): OpenResult {
    const a = validateAttach(buffer, options);
    if (!a.ok) return a;
    const { view, table, check, capabilities } = a;
    const publisher = new FramePublisher(view, table, check.arm, check.negotiated);
    view.store32(OFF_CAPABILITIES, capabilities);
    if (options.renderAdapterLuid !== undefined) publisher.setRenderAdapterLuid(options.renderAdapterLuid);
    view.store32(OFF_HEALTH_STATE, HealthState.Active);
    view.store32(OFF_DRIVER_STATUS_DETAIL, check.negotiated);
    view.store32(OFF_DRIVER_STATUS, DriverStatus.Opened);
    return { ok: true, publisher };
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
    return this.table.ringLen;
  }

  get buffer(): SharedArrayBuffer {
    return this.view.buffer;
  }

  /** The host recreated (generation changed) or retired/closed this ring: drop it and re-attach. */
  isStale(): boolean {
    return this.view.load32(OFF_GENERATION) !== this.generation || this.view.load32(OFF_MAGIC) !== RING_MAGIC;
  }

  publish(frame: PublishableFrame): PublishOutcomeCode {
    // Misuse (not a frame at all) throws; every frame-shaped input gets an outcome code.
    if (frame === null || typeof frame !== 'object' || !(frame.pixels instanceof Uint8Array)) notAFrame(frame);
    const slot = this.publishBegin(frame);
    if (slot < 0) return (-1 - slot) as PublishOutcomeCode;
    if (!this.publishCopy(frame, slot)) return this.abortCopy(slot);
    return this.publishCommit(frame, slot);
  }

  /** Step 1: checks, damage, slot. Returns the slot now owned, or -1 - outcome for a drop. */
  publishBegin(frame: PublishableFrame): number {
    if (this.detached) return failed(PublishOutcome.Stale);
    const v = this.view;
    if (v.load32(OFF_GENERATION) !== this.generation) return this.drop(PublishOutcome.Stale, OFF_DROPPED_STALE);
    const magic = v.load32(OFF_MAGIC);
    if (magic !== RING_MAGIC) return this.drop(magic === RING_MAGIC_RETIRED ? PublishOutcome.HostAbandoned : PublishOutcome.Fatal, -1);
    const d = this.table.desc;
    const format = frame.format;
    if (frame.width !== d.width || frame.height !== d.height || !(format === d.format || this.table.fits(format))) {
      // Every slot now lags the source by a whole frame.
      this.damage.markAllFull();
      this.sourceMode.report(frame.width, frame.height, frame.format);
      return this.drop(PublishOutcome.DescMismatch, OFF_DROPPED_DESC_MISMATCH);
    }
    const rowBytes = d.width * bytesPerPixel(format);
    // A surface copies itself (its geometry is its backend's business); only `pixels` is checked here.
    const surface = frame.surface ?? null;
    if (surface === null && (!(frame.stride >= rowBytes) || frame.stride % 1 !== 0 || !(frame.pixels.length >= frame.stride * (d.height - 1) + rowBytes))) {
      // Right mode, malformed surface: drop it, and trust no slot's content to be current.
      this.damage.markAllFull();
      return this.drop(PublishOutcome.DescMismatch, OFF_DROPPED_DESC_MISMATCH);
    }
    if (this.sourceMode.reported) this.sourceMode.withdraw();
    const formatChanged = format !== this.lastFormat;
    if (formatChanged) {
      this.lastFormat = format;
      this.damage.markAllFull();
    }
    this.damage.addFrame(frame.dirtyRects, frame.dirtyCount);
    if (formatChanged) this.markFrameBoundsFull();
    const slot = this.slots.takeForWrite(this.writtenSeq);
    if (slot < 0) return this.drop(PublishOutcome.AllSlotsBusy, OFF_DROPPED_ALL_SLOTS_BUSY);
    if (this.slots.lastTakeAbandoned) this.damage.markFull(slot);
    this.activeSlot = slot;
    return slot;
  }

  /**
   * Step 2: brings the slot up to date with the frame (only what it lacks). From a surface the
   * damage goes straight from the source into the slot (one copy per damaged byte); false when
   * the surface could not be read.
   */
  publishCopy(frame: PublishableFrame, slot: number): boolean {
    const surface = frame.surface ?? null;
    const offset = this.table.pixelOffset(slot);
    if (surface !== null) {
      const dmg = this.damage;
      const stride = this.slotStrideFor(frame.format);
      const ok = dmg.isFull(slot)
        ? surface.copyAll(this.slotBytes, offset, stride)
        : surface.copyRects(this.slotBytes, offset, stride, dmg.rectArray(), dmg.rectBase(slot), dmg.rectCount(slot));
      surface.copiesDone();
      if (!ok) return false;
    } else {
      const copier = frame.format === this.table.desc.format ? this.copier : this.copiers[frame.format]!;
      copier.setSource(frame.pixels, frame.stride);
      copier.copyDamage(this.damage, slot, offset);
    }
    this.damage.clear(slot);
    return true;
  }

  /** The surface failed mid-copy: the slot goes back unpublished and holds nothing trustworthy. */
  private abortCopy(slot: number): PublishOutcomeCode {
    this.slots.abortWrite(slot);
    this.activeSlot = -1;
    this.damage.markFull(slot);
    this.writtenSeq[slot] = -1;
    return (-1 - this.drop(PublishOutcome.DescMismatch, OFF_DROPPED_DESC_MISMATCH)) as PublishOutcomeCode;
  }

  /**
   * The pixels of the slot the last Published outcome wrote (a cached view), at `publishedStride`:
   * valid until the producer writes that slot again. Lets a frame stash keep a reference to what
   * the ring already holds instead of copying every frame.
   */
  publishedPixels(): Uint8Array | null {
    return this.lastPublishedSlot < 0 ? null : this.table.framePixels(this.lastPublishedSlot, this.lastPublishedFormat);
  }

  /** The stride of the frame publishedPixels() returns. */
  get publishedStride(): number {
    return this.slotStrideFor(this.lastPublishedFormat);
  }

  /** A slot's row stride for a frame of `format`: the ring's own, or tightly packed for another format. */
  private slotStrideFor(format: number): number {
    const d = this.table.desc;
    return format === d.format ? d.stride : d.width * bytesPerPixel(format);
  }

  /** Step 3: token, time and dirty bounds; hand the slot over; health tail; latest; frame-ready. */
  publishCommit(frame: PublishableFrame, slot: number): PublishOutcomeCode {
    const t = this.table;
    const v = this.view;
    const seq = (this.sequence + 1) >>> 0;
    this.sequence = seq;
    // Everything since the previous published frame, so a dropped frame's damage is not lost.
    const b = this.publishBounds;
    this.damage.takePublishBounds(b);
    // ...and back to the frame the host took last, so a host that skipped some still knows.
    const span = this.history.recordAndSpan(seq, v.load32(OFF_HOST_LAST_TAKEN) >>> 0, b);
    t.storeDirty(slot, b[0]!, b[1]!, b[2]!, b[3]!, span);
    // Times go straight from the frame's field into the Float64Array, never through a call: a
    // double passed as an argument is boxed (a HeapNumber per frame) unless V8 inlines the callee.
    const f64 = v.f64;
    f64[t.presentTimeIndex(slot)] = frame.presentTimeMs;
    t.storeFormat(slot, frame.format);
    // The token as two 32-bit halves: plain integer math, no BigInt (nothing per frame allocates).
    t.storeToken(slot, this.generation, seq);
    this.slots.publishWritten(slot);
    this.writtenSeq[slot] = seq;
    this.activeSlot = -1;
    this.lastPublishedSlot = slot;
    this.lastPublishedFormat = frame.format;
    f64[OFF_PRESENT_TIME >> 3] = frame.presentTimeMs;
    // The clock every thread shares. performance.now() returns a new HeapNumber (16 bytes) per
    // call from Node's binding: the one allocation left per publish (docs/performance-notes.md, "The ring's allocations per frame").
    f64[OFF_LAST_PUBLISH_TIME >> 3] = TIME_ORIGIN + performance.now();
    v.storeCount(OFF_SOURCE_SEQUENCE, Number.isSafeInteger(frame.frameNumber) ? frame.frameNumber : 0);
    v.storeCount(OFF_PUBLISHED_TOTAL, ++this.published);
    v.storeToken(OFF_LATEST, this.generation, seq, slot);
    this.event.set();
    return PublishOutcome.Published;
  }

  setHealth(state: HealthStateCode): void {
    if (!this.detached) this.view.store32(OFF_HEALTH_STATE, state);
  }

  setRenderAdapterLuid(luid: number | bigint): void {
    checkLuid(luid);
    if (this.detached) return;
    this.view.store64(OFF_RENDER_ADAPTER_LUID, BigInt.asIntN(64, typeof luid === 'bigint' ? luid : BigInt(Math.trunc(luid))));
  }

  setEpochs(assignment: number, device: number): void {
    if (this.detached) return;
    this.view.store32(OFF_ASSIGNMENT_EPOCH, assignment);
    this.view.store32(OFF_DEVICE_EPOCH, device);
  }

  setTerminalError(domain: number, code: number): void {
    if (this.detached) return;
    this.view.store32(OFF_TERMINAL_ERROR_CODE, code);
    this.view.store32(OFF_TERMINAL_ERROR_DOMAIN, domain);
  }

  /** Lets go of the ring: gives back a slot held mid-publish, DRIVER_STATUS = Detached. Idempotent. */
  detach(): void {
    if (this.detached) return;
    if (this.activeSlot >= 0) {
      this.slots.abortWrite(this.activeSlot);
      this.activeSlot = -1;
    }
    this.view.store32(OFF_DRIVER_STATUS, DriverStatus.Detached);
    this.detached = true;
    this.event.set();
  }

  get isDetached(): boolean {
    return this.detached;
  }

  /** The frame's representation changed: to a consumer, all of it is new. */
  private markFrameBoundsFull(): void {
    const b = this.damage.frameBounds;
    b[0] = 0;
    b[1] = 0;
    b[2] = this.table.desc.width;
    b[3] = this.table.desc.height;
  }

  private drop(outcome: PublishOutcomeCode, reasonOffset: number): number {
    this.view.storeCount(OFF_DROPPED_TOTAL, ++this.dropped);
    if (reasonOffset >= 0) this.view.add32(reasonOffset, 1);
    return failed(outcome);
  }
}
