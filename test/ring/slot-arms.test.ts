import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY_CONSUMER, KEY_PRODUCER, MutexOwner, SlotState, mutexKey, ringGeometry } from '../../src/contract/index.js';
import { HeaderView } from '../../src/ring/header-view.js';
import { KeyedMutex } from '../../src/ring/keyed-mutex.js';
import { createSlotArm } from '../../src/ring/slot-arm.js';
import { SlotTable } from '../../src/ring/slot-table.js';

function table(ringLen: number): SlotTable {
  const g = ringGeometry(4, 2, 4, ringLen);
  const view = new HeaderView(new SharedArrayBuffer(g.totalBytes));
  return new SlotTable(view, { generation: 1, ringLen, width: 4, height: 2, format: 1, bytesPerPixel: 4, stride: g.stride, slotStride: g.slotStride, pixelsOffset: g.pixelsOffset });
}

const seqs = (...s: number[]): Float64Array => Float64Array.from(s);

test('the slot-state producer takes the first FREE slot', () => {
  const t = table(3);
  const p = createSlotArm('slot-state', t, 'producer');
  assert.equal(p.takeForWrite(seqs(-1, -1, -1)), 0);
  assert.equal(t.loadState(0), SlotState.Writing);
  assert.equal(p.takeForWrite(seqs(-1, -1, -1)), 1);
  t.casState(2, SlotState.Free, SlotState.Reading);
  p.publishWritten(0);
  assert.equal(t.loadState(0), SlotState.Published);
});

test('the slot-state producer writes a superseded PUBLISHED slot before a FREE one it wrote earlier', () => {
  // Just after a publish: slot 1 holds the newest frame (not taken yet), slot 0 the frame the
  // consumer retains (delivered, superseded by slot 1), slot 2 is FREE but lags the source more.
  const t = table(3);
  const p = createSlotArm('slot-state', t, 'producer');
  t.casState(0, SlotState.Free, SlotState.Published);
  t.casState(1, SlotState.Free, SlotState.Published);
  assert.equal(p.takeForWrite(seqs(8, 9, 7)), 0, 'slot 0 lags least of the writable ones; slot 1 is the newest');
  assert.equal(t.loadState(0), SlotState.Writing);
  assert.equal(t.loadState(1), SlotState.Published, 'the newest frame is never overwritten while another slot will do');
});

test('the slot-state producer prefers a FREE slot to a PUBLISHED one when neither was written by it', () => {
  const t = table(3);
  const p = createSlotArm('slot-state', t, 'producer');
  t.casState(0, SlotState.Free, SlotState.Published);
  t.casState(1, SlotState.Free, SlotState.Published);
  assert.equal(p.takeForWrite(seqs(-1, 4, -1)), 2, "slot 0 is a predecessor's frame, slot 2 is FREE");
});

test('with only the newest frame writable the slot-state producer overwrites it', () => {
  const t = table(2);
  const p = createSlotArm('slot-state', t, 'producer');
  t.casState(0, SlotState.Free, SlotState.Reading);
  t.casState(1, SlotState.Free, SlotState.Published);
  assert.equal(p.takeForWrite(seqs(4, 5)), 1, 'the consumer holds slot 0; the new frame supersedes slot 1');
});

test('with no FREE slot the slot-state producer writes the superseded PUBLISHED slot it wrote last', () => {
  const t = table(4);
  const p = createSlotArm('slot-state', t, 'producer');
  for (const [s, st] of [[0, SlotState.Published], [1, SlotState.Published], [2, SlotState.Reading], [3, SlotState.Published]] as const) t.casState(s, SlotState.Free, st);
  assert.equal(p.takeForWrite(seqs(9, 7, 10, 8)), 3, 'slot 0 is the newest PUBLISHED, slot 2 is READING');
  assert.equal(t.loadState(3), SlotState.Writing);
});

test('newest is decided with wrap-around sequence order, and a slot never written by this producer lags most', () => {
  const t = table(3);
  const p = createSlotArm('slot-state', t, 'producer');
  for (let s = 0; s < 3; s++) t.casState(s, SlotState.Free, SlotState.Published);
  assert.equal(p.takeForWrite(seqs(0xfffffff0, 3, 0xfffffff8)), 2, 'slot 1 (3) is the newest, after the wrap');
  t.casState(2, SlotState.Writing, SlotState.Published);
  assert.equal(p.takeForWrite(seqs(5, -1, 4)), 2);
  t.casState(2, SlotState.Writing, SlotState.Published);
  assert.equal(p.takeForWrite(seqs(5, -1, -1)), 1, 'never-written slots lag most; the first of them');
});

test('the slot-state producer never takes a READING or WRITING slot and never waits', () => {
  const t = table(2);
  const p = createSlotArm('slot-state', t, 'producer');
  t.casState(0, SlotState.Free, SlotState.Reading);
  t.casState(1, SlotState.Free, SlotState.Writing);
  assert.equal(p.takeForWrite(seqs(1, 2)), -1);
  assert.equal(t.loadState(0), SlotState.Reading);
  assert.equal(t.loadState(1), SlotState.Writing);
});

test('a slot-state slot in an unknown state is left alone by both sides', () => {
  const t = table(1);
  Atomics.store(t.view.i32, t.stateIndex(0), 9);
  assert.equal(createSlotArm('slot-state', t, 'producer').takeForWrite(seqs(1)), -1);
  const c = createSlotArm('slot-state', t, 'consumer');
  assert.equal(c.isReadable(0), false);
  assert.equal(c.takeForRead(0), false);
  assert.equal(t.loadState(0), 9);
});

test('the slot-state consumer reads PUBLISHED slots, puts back, finishes, retains and retakes', () => {
  const t = table(1);
  const c = createSlotArm('slot-state', t, 'consumer');
  assert.equal(c.takeForRead(0), false);
  t.casState(0, SlotState.Free, SlotState.Published);
  assert.equal(c.isReadable(0), true);
  assert.equal(c.takeForRead(0), true);
  assert.equal(t.loadState(0), SlotState.Reading);
  c.putBack(0);
  assert.equal(t.loadState(0), SlotState.Published);
  c.takeForRead(0);
  c.finishRead(0, true);
  assert.equal(t.loadState(0), SlotState.Published, 'retained');
  assert.equal(c.takeRetained(0), true);
  c.finishRead(0, false);
  assert.equal(t.loadState(0), SlotState.Free);
});

test('an aborted slot-state write frees the slot', () => {
  const t = table(1);
  const p = createSlotArm('slot-state', t, 'producer');
  p.takeForWrite(seqs(-1));
  p.abortWrite(0);
  assert.equal(t.loadState(0), SlotState.Free);
});

test('the keyed-mutex producer tries slots round-robin after the last one it wrote, skipping busy ones', () => {
  const t = table(3);
  const p = createSlotArm('keyed-mutex', t, 'producer');
  assert.equal(p.takeForWrite(seqs(-1, -1, -1)), 0);
  p.publishWritten(0);
  assert.equal(mutexKey(Atomics.load(t.view.i32, t.mutexIndex(0))), KEY_CONSUMER);
  new KeyedMutex(t.view.i32, t.mutexIndex(1), MutexOwner.Host).acquire(KEY_PRODUCER, 0);
  assert.equal(p.takeForWrite(seqs(-1, -1, -1)), 2, 'slot 1 is held by the host');
  p.publishWritten(2);
  assert.equal(p.takeForWrite(seqs(-1, -1, -1)), -1, 'slot 0 and 2 wait for the consumer, slot 1 is held');
});

test('the keyed-mutex consumer reads key-1 slots and always returns consumed ones to the producer key', () => {
  const t = table(1);
  const p = createSlotArm('keyed-mutex', t, 'producer');
  const c = createSlotArm('keyed-mutex', t, 'consumer');
  assert.equal(c.isReadable(0), false);
  p.takeForWrite(seqs(-1));
  assert.equal(c.isReadable(0), false, 'held by the producer');
  p.publishWritten(0);
  assert.equal(c.isReadable(0), true);
  assert.equal(c.takeForRead(0), true);
  c.putBack(0);
  assert.equal(c.takeForRead(0), true, 'put back unconsumed: still key 1');
  c.finishRead(0, true);
  const w = Atomics.load(t.view.i32, t.mutexIndex(0));
  assert.equal(mutexKey(w), KEY_PRODUCER, 'a retained frame still goes back to the producer key');
  assert.equal(c.takeRetained(0), true);
  c.finishRead(0, false);
  assert.equal(p.takeForWrite(seqs(-1)), 0);
});

test('a keyed-mutex slot abandoned mid-write is handed back to the producer and rewritten whole', () => {
  const t = table(1);
  const p = createSlotArm('keyed-mutex', t, 'producer');
  const c = createSlotArm('keyed-mutex', t, 'consumer');
  p.takeForWrite(seqs(-1));
  KeyedMutex.abandon(t.view.i32, t.mutexIndex(0), MutexOwner.Display);
  assert.equal(c.takeForRead(0), false, 'nothing readable in an abandoned slot');
  const fresh = createSlotArm('keyed-mutex', t, 'producer');
  assert.equal(fresh.takeForWrite(seqs(-1)), 0);
  assert.equal(fresh.lastTakeAbandoned, false, 'the consumer already gave it back to the producer key');
  KeyedMutex.abandon(t.view.i32, t.mutexIndex(0), MutexOwner.Display);
  const third = createSlotArm('keyed-mutex', t, 'producer');
  assert.equal(third.takeForWrite(seqs(-1)), 0);
  assert.equal(third.lastTakeAbandoned, true);
});
