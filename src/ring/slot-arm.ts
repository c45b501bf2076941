/**
 * How one side takes and gives back slots: the seam between the ring's two slot arms (DESIGN.md
 * "The ring contract") and the code that copies and reads pixels.
 *
 * Producer (display side): `takeForWrite` never waits: it returns a slot it now owns, or -1.
 * `publishWritten` hands the slot to the consumer; `abortWrite` gives an unfinished slot back.
 * Consumer (host side), never waiting:
 *   `takeForRead`   takes a published frame;
 *   `putBack`       returns a taken frame unconsumed (it is newer than what was delivered);
 *   `finishRead`    returns a consumed frame; with `retain`, its pixels stay readable for
 *                   repeatLast until the producer needs the slot (slot-state: PUBLISHED again;
 *                   keyed mutex: released to the producer's key, which does not rewrite it until
 *                   it comes round to that slot — releasing to the consumer's key would keep the
 *                   producer out of the slot for good);
 *   `takeRetained`  takes such a retained frame again.
 *
 * Neither arm reads a token: choosing by sequence is the caller's business (the producer passes
 * the sequence it last wrote into each slot; the consumer verifies the token after each take).
 */
import type { SlotArm } from '../contract/index.js';
import { KeyedMutexArm } from './keyed-mutex-arm.js';
import { SlotStateArm } from './slot-state-arm.js';
import type { SlotTable } from './slot-table.js';

/** `writtenSeq[s]` = the sequence this producer last wrote into slot s, or -1 when unknown. */
export type WrittenSequences = Float64Array;

export interface SlotArmOps {
  readonly name: SlotArm;
  /** A slot this producer now owns, or -1 when every slot is busy. Never waits. */
  takeForWrite(writtenSeq: WrittenSequences): number;
  /** True when the last takeForWrite took a slot whose previous holder died mid-write. */
  readonly lastTakeAbandoned: boolean;
  publishWritten(slot: number): void;
  abortWrite(slot: number): void;
  /** A cheap look: does the slot hold a published frame nobody holds? */
  isReadable(slot: number): boolean;
  takeForRead(slot: number): boolean;
  putBack(slot: number): void;
  finishRead(slot: number, retain: boolean): void;
  takeRetained(slot: number): boolean;
}

export type ArmSide = 'producer' | 'consumer';

export function createSlotArm(arm: SlotArm, table: SlotTable, side: ArmSide): SlotArmOps {
  return arm === 'slot-state' ? new SlotStateArm(table) : new KeyedMutexArm(table, side);
}
