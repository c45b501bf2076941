/**
 * The keyed-mutex arm (what seed 000 uses with D3D11 keyed-mutex textures): each slot has a
 * KeyedMutex. The producer tries each slot with acquire(KEY_PRODUCER, 0), starting after the slot
 * it wrote last, and skips busy ones; it releases to KEY_CONSUMER to publish. The consumer tries
 * acquire(KEY_CONSUMER, 0) and releases to KEY_PRODUCER once it consumed the frame, or back to
 * KEY_CONSUMER to put back a frame it took but did not consume. repeatLast takes the newest
 * consumed frame again with KEY_PRODUCER (its slot's current key) while the producer has not yet
 * come round to rewriting it; the token check after the take tells.
 *
 * A slot whose previous holder died mid-write (abandoned) is taken by the next acquirer whatever
 * its key; its content is unknown. The producer then rewrites it whole; the consumer gives it
 * straight back to the producer.
 */
import { KEY_CONSUMER, KEY_PRODUCER, MutexOwner, mutexHeld, mutexKey } from '../contract/index.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { ArmSide, SlotArmOps, WrittenSequences } from './slot-arm-ops.js';
import type { SlotTable } from './slot-table.js';

export class KeyedMutexArm implements SlotArmOps {
  readonly name = 'keyed-mutex' as const;
  lastTakeAbandoned = false;
  private readonly mutexes: KeyedMutex[];
  private readonly ringLen: number;
  private next = 0;

  constructor(table: SlotTable, side: ArmSide) {
    const owner = side === 'producer' ? MutexOwner.Display : MutexOwner.Host;
    this.ringLen = table.ringLen;
    this.mutexes = [];
    for (let s = 0; s < table.ringLen; s++) this.mutexes.push(new KeyedMutex(table.view.i32, table.mutexIndex(s), owner));
  }

  takeForWrite(_writtenSeq: WrittenSequences): number {
    const n = this.ringLen;
    for (let i = 0; i < n; i++) {
      const s = (this.next + i) % n;
      const r = this.mutexes[s]!.tryAcquire(KEY_PRODUCER);
      if (r === 'timeout') continue;
      this.lastTakeAbandoned = r === 'abandoned';
      this.next = (s + 1) % n;
      return s;
    }
    return -1;
  }

  publishWritten(slot: number): void {
    this.mutexes[slot]!.release(KEY_CONSUMER);
  }

  abortWrite(slot: number): void {
    this.mutexes[slot]!.release(KEY_PRODUCER);
  }

  isReadable(slot: number): boolean {
    const w = this.mutexes[slot]!.word();
    return !mutexHeld(w) && mutexKey(w) === KEY_CONSUMER;
  }

  takeForRead(slot: number): boolean {
    const m = this.mutexes[slot]!;
    const r = m.tryAcquire(KEY_CONSUMER);
    if (r === 'acquired') return true;
    // Abandoned mid-write: nothing readable there; hand it to the producer to rewrite.
    if (r === 'abandoned') m.release(KEY_PRODUCER);
    return false;
  }

  putBack(slot: number): void {
    this.mutexes[slot]!.release(KEY_CONSUMER);
  }

  finishRead(slot: number, _retain: boolean): void {
    // Always to the producer's key: the producer only ever takes key 0, so a consumed slot left at
    // key 1 would be lost to it. A retained frame survives anyway until the producer reuses the slot.
    this.mutexes[slot]!.release(KEY_PRODUCER);
  }

  takeRetained(slot: number): boolean {
    const m = this.mutexes[slot]!;
    const r = m.tryAcquire(KEY_PRODUCER);
    if (r === 'acquired') return true;
    if (r === 'abandoned') m.release(KEY_PRODUCER);
    return false;
  }

  /** The slot's mutex, for the consumer's timed wait. */
  mutex(slot: number): KeyedMutex {
    return this.mutexes[slot]!;
  }
}
