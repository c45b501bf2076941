/**
 * The host's consuming side of ONE ring generation: picks the newest published frame, takes its
 * slot, verifies it, hands out the slot's preallocated frame, and frees the older frames.
 *
 * Rules (DESIGN.md "The ring contract"):
 * - `latest` is only a hint. A token whose generation is not this ring's, or whose slot is
 *   >= ringLen, is rejected; nothing read from the header is trusted before it is checked.
 * - A slot is read only after it was TAKEN (slot-state CAS PUBLISHED → READING, or the keyed
 *   mutex acquired with the consumer key), and its token is verified AFTER the take: only then can
 *   the producer no longer change it. A take whose token turns out invalid or old is given back.
 * - Delivered sequences strictly increase (serial-number arithmetic), except repeatLast, which
 *   hands out the newest delivered frame again.
 * - Older published frames are freed by taking them first and checking their token, never by a
 *   blind PUBLISHED → FREE, which could free a newer frame the producer just put there (ABA).
 * - A frame carries the format its slot records; a format that is unknown or does not fit the
 *   slot (a corrupt or hostile table) is refused like a bad token, never turned into a view.
 *
 * Nothing here allocates per frame: tokens are read as their two 32-bit halves (header-view.ts
 * says why torn halves are safe here: every token is checked after its slot is taken).
 */
import {
  OFF_CAPABILITIES,
  OFF_HOST_HEARTBEAT,
  OFF_HOST_LAST_TAKEN,
  OFF_LATEST,
  bytesPerPixel,
  negotiate,
  selectArm,
  sequenceAfter,
  type SlotArm,
} from '../contract/index.js';
import { SlotFrame } from './consumed-frame.js';
import type { HeaderView } from './header-view.js';
import { KeyedMutexArm } from './keyed-mutex-arm.js';
import { createSlotArm, type SlotArmOps } from './slot-arm.js';
import type { SlotTable } from './slot-table.js';

export class FrameConsumer {
  readonly table: SlotTable;
  readonly generation: number;
  /** The HostRing this consumer belongs to (release checks it). */
  readonly ring: object;
  readonly frames: SlotFrame[];
  private readonly view: HeaderView;
  private readonly hostCapabilities: number;
  private displayCapabilities = 0;
  private arm: SlotArmOps | null = null;
  private readonly arms: Partial<Record<SlotArm, SlotArmOps>> = {};
  private hasDelivered = false;
  private lastSequence = 0;
  private lastSlot = -1;
  /** Keyed-mutex arm: the slot `latest` named whose mutex was busy (the caller may wait on it). */
  busySlot = -1;
  /** Tokens refused (foreign generation, slot out of range, or a slot token that did not verify). */
  rejectedTokens = 0;
  retired = false;
  /**
   * Scratch for `latest`'s halves ([low, high]): read without building a BigInt, and taken apart
   * here with inline bit operations (frame-token.ts's layout), since a word past 2^30 passed to a
   * helper that V8 does not inline would be a HeapNumber.
   */
  private readonly latest = new Uint32Array(2);

  constructor(view: HeaderView, table: SlotTable, hostCapabilities: number, ring: object) {
    this.view = view;
    this.table = table;
    this.generation = table.desc.generation;
    this.hostCapabilities = hostCapabilities;
    this.ring = ring;
    this.frames = [];
    for (let s = 0; s < table.ringLen; s++) this.frames.push(new SlotFrame(table, s, this));
  }

  /** The arm both sides use, once a display has attached and written its capabilities. */
  currentArm(): SlotArmOps | null {
    const caps = this.view.load32(OFF_CAPABILITIES);
    if (caps !== this.displayCapabilities || this.arm === null) {
      this.displayCapabilities = caps;
      const arm = caps === 0 ? null : selectArm(negotiate(this.hostCapabilities, caps));
      this.arm = arm === null ? null : (this.arms[arm] ??= createSlotArm(arm, this.table, 'consumer'));
    }
    return this.arm;
  }

  negotiated(): number {
    const caps = this.view.load32(OFF_CAPABILITIES);
    return caps === 0 ? 0 : negotiate(this.hostCapabilities, caps);
  }

  tryConsume(): SlotFrame | null {
    this.busySlot = -1;
    const arm = this.currentArm();
    if (arm === null) return null;
    const latest = this.latest;
    this.view.loadWords(OFF_LATEST, latest);
    const low = latest[0]!;
    const high = latest[1]!;
    if (low === 0 && high === 0) return null;
    const slot = low & 0xff;
    if (((high >>> 8) & 0xffffff) !== this.generation || slot >= this.table.ringLen) {
      this.rejectedTokens++;
      return null;
    }
    if (this.hasDelivered && !sequenceAfter(((low >>> 8) | (high << 24)) >>> 0, this.lastSequence)) return null;
    let frame: SlotFrame | null = null;
    if (!this.frames[slot]!.held && arm.takeForRead(slot)) frame = this.deliverTaken(arm, slot);
    else if (arm instanceof KeyedMutexArm && !this.frames[slot]!.held && arm.mutex(slot).isHeld()) this.busySlot = slot;
    // The hinted slot was overwritten or busy: the newest other published frame will do.
    frame ??= this.takeNewestPublished(arm);
    if (frame !== null) {
      this.busySlot = -1;
      this.freeOlderThanDelivered(arm);
    }
    return frame;
  }

  /** Completes a take the caller made itself (the keyed-mutex timed wait): verify, deliver, free older. */
  finishTake(arm: SlotArmOps, slot: number): SlotFrame | null {
    const frame = this.deliverTaken(arm, slot);
    if (frame !== null) this.freeOlderThanDelivered(arm);
    return frame;
  }

  /**
   * Verifies a slot this consumer just took and hands out its frame; or gives the slot back
   * (kept if it holds the newest delivered frame, else freed) and returns null.
   */
  deliverTaken(arm: SlotArmOps, slot: number): SlotFrame | null {
    const t = this.table;
    const seq = t.tokenSequenceOf(slot);
    const valid = t.tokenGenerationOf(slot) === this.generation && t.tokenSlotOf(slot) === slot && t.framePixels(slot, t.loadFormat(slot)) !== null;
    if (!valid || (this.hasDelivered && !sequenceAfter(seq, this.lastSequence))) {
      if (!valid) this.rejectedTokens++;
      arm.finishRead(slot, valid && this.hasDelivered && seq === this.lastSequence);
      return null;
    }
    this.hasDelivered = true;
    this.lastSequence = seq;
    this.lastSlot = slot;
    return this.fill(slot, seq);
  }

  /** The newest delivered frame again, if its slot still holds it and the consumer returned it. */
  repeatLast(): SlotFrame | null {
    const arm = this.currentArm();
    if (arm === null || !this.hasDelivered) return null;
    const slot = this.lastSlot;
    if (this.frames[slot]!.held || !arm.takeRetained(slot)) return null;
    const t = this.table;
    const seq = t.tokenSequenceOf(slot);
    const sameGeneration = t.tokenGenerationOf(slot) === this.generation;
    if (!sameGeneration || t.tokenSlotOf(slot) !== slot || seq !== this.lastSequence || t.framePixels(slot, t.loadFormat(slot)) === null) {
      // The producer reused the slot: whatever is there now is not the frame we delivered.
      if (sameGeneration && sequenceAfter(seq, this.lastSequence)) arm.putBack(slot);
      else arm.finishRead(slot, false);
      return null;
    }
    return this.fill(slot, seq);
  }

  /** Gives a held frame's slot back: retained for repeatLast when it is the newest delivered frame. */
  release(frame: SlotFrame): void {
    frame.held = false;
    if (this.retired) return;
    const arm = this.currentArm();
    if (arm === null) return;
    arm.finishRead(frame.slot, frame.sequence === this.lastSequence && frame.slot === this.lastSlot);
  }

  /** Hands out the slot's frame; the caller checked that its format fits (framePixels non-null). */
  private fill(slot: number, sequence: number): SlotFrame {
    const f = this.frames[slot]!;
    const format = this.table.loadFormat(slot);
    f.pixels = this.table.framePixels(slot, format)!;
    f.format = format;
    f.stride = this.table.desc.width * bytesPerPixel(format);
    f.held = true;
    this.table.copyToken(slot, f.tokenWords);
    f.sequence = sequence;
    this.table.copyPresentTime(slot, f.times);
    this.table.loadDirty(slot, f.dirty);
    f.dirtySpan = this.table.loadDirtySpan(slot);
    this.view.add32(OFF_HOST_HEARTBEAT, 1);
    // The publisher reaches each frame's dirty bounds back to this one (dirty-history.ts).
    this.view.store32(OFF_HOST_LAST_TAKEN, sequence);
    return f;
  }

  private takeNewestPublished(arm: SlotArmOps): SlotFrame | null {
    const n = this.table.ringLen;
    // Bounded: each round either delivers or gives back at least the slot it took.
    for (let round = 0; round < n; round++) {
      let best = -1;
      let bestSeq = 0;
      for (let s = 0; s < n; s++) {
        if (this.frames[s]!.held || !arm.isReadable(s)) continue;
        // A hint read before the take: deliverTaken reads the token again after it.
        if (this.table.tokenGenerationOf(s) !== this.generation) continue;
        const seq = this.table.tokenSequenceOf(s);
        if (this.hasDelivered && !sequenceAfter(seq, this.lastSequence)) continue;
        if (best < 0 || sequenceAfter(seq, bestSeq)) {
          best = s;
          bestSeq = seq;
        }
      }
      if (best < 0 || !arm.takeForRead(best)) return null;
      const f = this.deliverTaken(arm, best);
      if (f !== null) return f;
    }
    return null;
  }

  private freeOlderThanDelivered(arm: SlotArmOps): void {
    const n = this.table.ringLen;
    for (let s = 0; s < n; s++) {
      if (s === this.lastSlot || this.frames[s]!.held || !arm.isReadable(s) || !arm.takeForRead(s)) continue;
      const t = this.table;
      const newer = t.tokenGenerationOf(s) === this.generation && t.tokenSlotOf(s) === s && sequenceAfter(t.tokenSequenceOf(s), this.lastSequence);
      if (newer) arm.putBack(s);
      else arm.finishRead(s, false);
    }
  }
}
