import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  KEY_CONSUMER,
  KEY_PRODUCER,
  MUTEX_ABANDONED,
  MUTEX_HELD,
  MUTEX_KEY_MASK,
  MUTEX_OWNER_MASK,
  MutexOwner,
  mutexAbandoned,
  mutexHeld,
  mutexKey,
  mutexOwner,
  mutexWord,
} from '../../src/contract/keyed-mutex-word.js';

test('the word layout is key 15..0, held 16, owner 18..17, abandoned 19', () => {
  assert.equal(MUTEX_KEY_MASK, 0xffff);
  assert.equal(MUTEX_HELD, 1 << 16);
  assert.equal(MUTEX_OWNER_MASK, 0b11 << 17);
  assert.equal(MUTEX_ABANDONED, 1 << 19);
  assert.deepEqual(MutexOwner, { Display: 1, Host: 2 });
});

test('the producer key is 0 and the consumer key 1, so a fresh zeroed word is the producer\'s', () => {
  assert.equal(KEY_PRODUCER, 0);
  assert.equal(KEY_CONSUMER, 1);
  assert.equal(mutexKey(0), KEY_PRODUCER);
  assert.equal(mutexHeld(0), false);
});

test('a held word built for an owner reads back its key, owner and flags', () => {
  const w = mutexWord(KEY_CONSUMER, true, MutexOwner.Host);
  assert.equal(mutexKey(w), KEY_CONSUMER);
  assert.equal(mutexHeld(w), true);
  assert.equal(mutexOwner(w), MutexOwner.Host);
  assert.equal(mutexAbandoned(w), false);
  assert.equal(mutexAbandoned(mutexWord(0, true, MutexOwner.Display, true)), true);
});

test('fields are masked so a wide key or owner cannot set another field', () => {
  const w = mutexWord(0x1ffff, false, 0);
  assert.equal(mutexKey(w), 0xffff);
  assert.equal(mutexHeld(w), false);
  const o = mutexWord(0, false, 0xff);
  assert.equal(mutexOwner(o), 3);
  assert.equal(mutexHeld(o), false);
  assert.equal(mutexAbandoned(o), false);
});

test('random words round-trip through the helpers', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.boolean(), (key, held, owner, ab) => {
      const w = mutexWord(key, held, owner, ab);
      assert.equal(mutexKey(w), key);
      assert.equal(mutexHeld(w), held);
      assert.equal(mutexOwner(w), owner);
      assert.equal(mutexAbandoned(w), ab);
    }),
  );
});
