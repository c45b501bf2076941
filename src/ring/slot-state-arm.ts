/**
 * The slot-state arm: FREE → WRITING → PUBLISHED → READING → FREE, every transition a CAS on the
 * slot's state word (contract/slot-state.ts), so exactly one side owns a slot that is WRITING or
 * READING and neither side ever touches a slot the other owns.
 *
 * Producer: of the slots it may write, the one it wrote last (it lags the source least, so the
 * least damage is copied into it, and its bytes are the likeliest to be in cache; a slot never
 * written is the last choice, FREE before PUBLISHED). It may write a FREE slot, or a PUBLISHED one
 * that is superseded: older than the newest PUBLISHED frame it wrote. The consumer only ever takes
 * a frame newer than the last it delivered, and the newest first, so a superseded frame is never
 * delivered; at most it is the one the consumer retains for repeatLast, which the newer frame
 * replaces. Why not FREE slots first: right after a publish the consumer has not yet taken the new
 * frame, so the slot it retains is still PUBLISHED, and a FREE-first producer cycled through three
 * slots where two do (at 1080p three slots and the source fill the 32 MB L3 cache of this
 * project's machines; bench ring's full-frame rate rose ~10-15%, interleaved runs). When nothing
 * else is writable it overwrites the newest PUBLISHED frame (the only one left: the frame it
 * writes supersedes it). Never READING or WRITING, never the newest PUBLISHED frame while another
 * slot will do, never a wait. A CAS lost to the consumer (it took or freed that slot) just means
 * "look again", a bounded number of times.
 * Consumer: PUBLISHED → READING to read; READING → FREE to return, or READING → PUBLISHED to put
 * back a frame it did not consume or to retain the newest delivered frame for repeatLast (until
 * the producer publishes a newer one and overwrites the retained, now superseded, slot).
 */
import { sequenceAfter, SlotState } from '../contract/index.js';
import type { SlotArmOps, WrittenSequences } from './slot-arm-ops.js';
import type { SlotTable } from './slot-table.js';

export class SlotStateArm implements SlotArmOps {
  readonly name = 'slot-state' as const;
  readonly lastTakeAbandoned = false;
  private readonly table: SlotTable;

  constructor(table: SlotTable) {
    this.table = table;
  }

  takeForWrite(writtenSeq: WrittenSequences): number {
    const t = this.table;
    const n = t.ringLen;
    // Each lost CAS means the consumer moved a slot; it can do that at most a few times per pass.
    for (let attempt = 0; attempt <= n; attempt++) {
      // The newest PUBLISHED frame this producer wrote: the one the consumer takes (or retains) next.
      let newest = -1;
      for (let s = 0; s < n; s++) {
        if (writtenSeq[s]! < 0 || t.loadState(s) !== SlotState.Published) continue;
        if (newest < 0 || isOlder(writtenSeq[newest]!, writtenSeq[s]!)) newest = s;
      }
      let best = -1;
      let bestState: number = SlotState.Free;
      for (let s = 0; s < n; s++) {
        const state = t.loadState(s);
        const writable = state === SlotState.Free || (state === SlotState.Published && newest >= 0 && s !== newest);
        if (!writable) continue;
        if (best < 0 || isOlder(writtenSeq[best]!, writtenSeq[s]!) || (writtenSeq[s] === writtenSeq[best] && state === SlotState.Free && bestState !== SlotState.Free)) {
          best = s;
          bestState = state;
        }
      }
      if (best >= 0) {
        if (t.casState(best, bestState, SlotState.Writing)) return best;
        continue;
      }
      // Nothing else: the oldest PUBLISHED slot (the newest is the only one left, unless none was ours).
      let oldest = -1;
      for (let s = 0; s < n; s++) {
        if (t.loadState(s) !== SlotState.Published) continue;
        if (oldest < 0 || isOlder(writtenSeq[s]!, writtenSeq[oldest]!)) oldest = s;
      }
      if (oldest < 0) return -1;
      if (t.casState(oldest, SlotState.Published, SlotState.Writing)) return oldest;
    }
    return -1;
  }

  publishWritten(slot: number): void {
    this.table.casState(slot, SlotState.Writing, SlotState.Published);
  }

  abortWrite(slot: number): void {
    this.table.casState(slot, SlotState.Writing, SlotState.Free);
  }

  isReadable(slot: number): boolean {
    return this.table.loadState(slot) === SlotState.Published;
  }

  takeForRead(slot: number): boolean {
    return this.table.casState(slot, SlotState.Published, SlotState.Reading);
  }

  putBack(slot: number): void {
    this.table.casState(slot, SlotState.Reading, SlotState.Published);
  }

  finishRead(slot: number, retain: boolean): void {
    this.table.casState(slot, SlotState.Reading, retain ? SlotState.Published : SlotState.Free);
  }

  takeRetained(slot: number): boolean {
    return this.table.casState(slot, SlotState.Published, SlotState.Reading);
  }
}

/** Is sequence `a` older than `b`? -1 (never written by this producer) is older than anything. */
function isOlder(a: number, b: number): boolean {
  if (a < 0) return b >= 0;
  if (b < 0) return false;
  return sequenceAfter(b, a);
}
