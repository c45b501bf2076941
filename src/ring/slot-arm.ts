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
import type { ArmSide, SlotArmOps, WrittenSequences } from './slot-arm-ops.js';

export type { ArmSide, SlotArmOps, WrittenSequences };

export function createSlotArm(arm: SlotArm, table: SlotTable, side: ArmSide): SlotArmOps {
  return arm === 'slot-state' ? new SlotStateArm(table) : new KeyedMutexArm(table, side);
}
