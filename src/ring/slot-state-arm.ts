/**
 * The slot-state arm: FREE → WRITING → PUBLISHED → READING → FREE, every transition a CAS on the
 * slot's state word (contract/slot-state.ts), so exactly one side owns a slot that is WRITING or
 * READING and neither side ever touches a slot the other owns.
 *
 * Producer: the FREE slot it wrote last (it lags the source least, so the least damage is copied
 * into it; a slot never written is the last choice); else the oldest PUBLISHED one (by the sequence it wrote there; a
 * slot it never wrote counts as oldest). Never READING or WRITING, never a wait. A CAS lost to the
 * consumer (it took or freed that slot) just means "look again", a bounded number of times.
 * Consumer: PUBLISHED → READING to read; READING → FREE to return, or READING → PUBLISHED to put
 * back a frame it did not consume or to retain the newest delivered frame for repeatLast (the
 * producer may still overwrite it: it is PUBLISHED, and the oldest).
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
      // The FREE slot written last lags the source least: the least damage to copy into it.
      let freshest = -1;
      for (let s = 0; s < n; s++) {
        if (t.loadState(s) !== SlotState.Free) continue;
        if (freshest < 0 || isOlder(writtenSeq[freshest]!, writtenSeq[s]!)) freshest = s;
      }
      if (freshest >= 0) {
        if (t.casState(freshest, SlotState.Free, SlotState.Writing)) return freshest;
        continue;
      }
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
