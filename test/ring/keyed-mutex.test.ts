import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY_CONSUMER, KEY_PRODUCER, MutexOwner, mutexAbandoned, mutexHeld, mutexKey, mutexOwner } from '../../src/contract/index.js';
import { KeyedMutex } from '../../src/ring/index.js';

function pair(): { producer: KeyedMutex; consumer: KeyedMutex; words: Int32Array } {
  const words = new Int32Array(new SharedArrayBuffer(8));
  return { producer: new KeyedMutex(words, 1, MutexOwner.Display), consumer: new KeyedMutex(words, 1, MutexOwner.Host), words };
}

test('a keyed mutex needs a shared word in range', () => {
  assert.throws(() => new KeyedMutex(new Int32Array(2), 0, MutexOwner.Host), TypeError);
  assert.throws(() => new KeyedMutex(new Int32Array(new SharedArrayBuffer(8)), 2, MutexOwner.Host), RangeError);
});

test('the producer acquires key 0 and releases to key 1; the consumer then acquires key 1', () => {
  const { producer, consumer, words } = pair();
  assert.equal(consumer.acquire(KEY_CONSUMER, 0), 'timeout', 'a fresh mutex carries the producer key');
  assert.equal(producer.acquire(KEY_PRODUCER, 0), 'acquired');
  assert.equal(mutexOwner(words[1]!), MutexOwner.Display);
  assert.equal(producer.release(KEY_CONSUMER), true);
  assert.equal(mutexKey(words[1]!), KEY_CONSUMER);
  assert.equal(producer.acquire(KEY_PRODUCER, 0), 'timeout');
  assert.equal(consumer.acquire(KEY_CONSUMER, 0), 'acquired');
  assert.equal(consumer.release(KEY_PRODUCER), true);
  assert.equal(producer.tryAcquire(KEY_PRODUCER), 'acquired');
});

test('a held mutex cannot be acquired by anyone, whatever key they present', () => {
  const { producer, consumer } = pair();
  assert.equal(producer.acquire(KEY_PRODUCER, 0), 'acquired');
  assert.equal(consumer.acquire(KEY_PRODUCER, 0), 'timeout');
  assert.equal(producer.acquire(KEY_PRODUCER, 0), 'timeout', 'not re-entrant');
});

test('only the holder can release, and releasing an unheld mutex changes nothing', () => {
  const { producer, consumer, words } = pair();
  assert.equal(consumer.release(KEY_CONSUMER), false);
  assert.equal(words[1], 0);
  producer.acquire(KEY_PRODUCER, 0);
  const held = words[1];
  assert.equal(consumer.release(KEY_CONSUMER), false);
  assert.equal(words[1], held);
  assert.equal(producer.heldByMe(), true);
  assert.equal(consumer.heldByMe(), false);
  assert.equal(consumer.isHeld(), true);
});

test('a timed acquire of a busy mutex on this thread times out', () => {
  const { producer, consumer } = pair();
  producer.acquire(KEY_PRODUCER, 0);
  assert.equal(consumer.acquire(KEY_PRODUCER, 3), 'timeout');
});

test('an async acquire succeeds as soon as the holder releases to its key', async () => {
  const { producer, consumer } = pair();
  producer.acquire(KEY_PRODUCER, 0);
  const pending = consumer.acquireAsync(KEY_CONSUMER, 10_000);
  setTimeout(() => producer.release(KEY_CONSUMER), 5);
  assert.equal(await pending, 'acquired');
  assert.equal(consumer.heldByMe(), true);
});

test('an async acquire times out while the mutex carries another key', async () => {
  const { consumer } = pair();
  assert.equal(await consumer.acquireAsync(KEY_CONSUMER, 5), 'timeout');
});

test('a mutex whose holder died is marked abandoned, and the next acquire gets it and says so', () => {
  const { producer, consumer, words } = pair();
  producer.acquire(KEY_PRODUCER, 0);
  assert.equal(KeyedMutex.abandon(words, 1, MutexOwner.Host), false, 'only the dead owner\'s hold is abandoned');
  assert.equal(KeyedMutex.abandon(words, 1, MutexOwner.Display), true);
  assert.equal(KeyedMutex.abandon(words, 1, MutexOwner.Display), false, 'once');
  assert.equal(mutexAbandoned(words[1]!), true);
  assert.equal(consumer.acquire(KEY_CONSUMER, 0), 'abandoned');
  assert.equal(mutexAbandoned(words[1]!), false);
  assert.equal(mutexHeld(words[1]!), true);
  assert.equal(mutexOwner(words[1]!), MutexOwner.Host);
  assert.equal(consumer.release(KEY_PRODUCER), true);
  assert.equal(producer.acquire(KEY_PRODUCER, 0), 'acquired');
});

test('an unheld mutex cannot be marked abandoned', () => {
  const { words } = pair();
  assert.equal(KeyedMutex.abandon(words, 1, MutexOwner.Display), false);
  assert.equal(words[1], 0);
});

test('a waiter on a mutex that gets abandoned takes it at once', async () => {
  const { producer, consumer, words } = pair();
  producer.acquire(KEY_PRODUCER, 0);
  const pending = consumer.acquireAsync(KEY_CONSUMER, 10_000);
  setTimeout(() => KeyedMutex.abandon(words, 1, MutexOwner.Display), 5);
  assert.equal(await pending, 'abandoned');
});
