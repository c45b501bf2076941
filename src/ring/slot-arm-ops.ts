/**
 * The operations each slot arm implements (see slot-arm.ts for what they mean). Its own file so
 * the arms need not import the module that chooses between them.
 */
import type { SlotArm } from '../contract/index.js';

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
