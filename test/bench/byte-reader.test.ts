/**
 * The bench's RFB client reads exact byte counts, zero included: x11vnc sends an empty
 * ServerCutText (length 0) about 15 s into a connection, and a zero-byte read with nothing
 * buffered once threw inside the client's loop, which stopped the client without a word.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ByteReader } from '../../bench/vnc/byte-reader.js';

function fakeSocket(): EventEmitter & { feed(b: number[]): void } {
  const s = new EventEmitter() as EventEmitter & { feed(b: number[]): void };
  s.feed = (b) => s.emit('data', Buffer.from(b));
  return s;
}

test('a zero-byte read resolves to an empty buffer, with or without bytes buffered', async () => {
  const s = fakeSocket();
  const r = new ByteReader(s as unknown as Socket);
  assert.equal((await r.read(0)).length, 0, 'nothing buffered');
  s.feed([7]);
  assert.equal((await r.read(0)).length, 0, 'a byte buffered');
  assert.equal(await r.u8(), 7, 'the buffered byte is still there after the empty read');
  assert.equal(r.consumed, 1);
});

test('reads span chunks and wait for bytes not yet arrived', async () => {
  const s = fakeSocket();
  const r = new ByteReader(s as unknown as Socket);
  s.feed([0, 0]);
  const p = r.u32();
  s.feed([1]);
  s.feed([2, 9]);
  assert.equal(await p, 0x0102);
  assert.equal(await r.u8(), 9);
  assert.equal(r.received, 5);
});

test('a read pending when the socket closes fails with a reason', async () => {
  const s = fakeSocket();
  const r = new ByteReader(s as unknown as Socket);
  const p = r.read(4);
  s.emit('close');
  await assert.rejects(p, /closed the connection/);
  await assert.rejects(r.read(1), /closed the connection/);
});
