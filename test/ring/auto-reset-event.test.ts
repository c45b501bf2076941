import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { AutoResetEvent } from '../../src/ring/index.js';

function event(): AutoResetEvent {
  return AutoResetEvent.at(new SharedArrayBuffer(16), 4);
}

test('an event needs a shared, aligned, in-range word', () => {
  assert.throws(() => new AutoResetEvent(new Int32Array(4), 0), TypeError);
  assert.throws(() => AutoResetEvent.at(new SharedArrayBuffer(16), 2), RangeError);
  assert.throws(() => new AutoResetEvent(new Int32Array(new SharedArrayBuffer(16)), 4), RangeError);
});

test('a set event is consumed by exactly one tryConsume', () => {
  const e = event();
  assert.equal(e.tryConsume(), false);
  e.set();
  e.set();
  assert.equal(e.isSet(), true);
  assert.equal(e.tryConsume(), true);
  assert.equal(e.tryConsume(), false);
  e.set();
  e.reset();
  assert.equal(e.tryConsume(), false);
});

test('any non-zero word counts as set, so a corrupt word cannot hang a waiter', async () => {
  const buf = new SharedArrayBuffer(8);
  new Int32Array(buf)[1] = -7;
  const e = AutoResetEvent.at(buf, 4);
  assert.equal(await e.waitAsync(10_000), 'signaled');
});

test('a synchronous wait on an unset event times out', () => {
  assert.equal(event().waitSync(2), 'timeout');
  assert.equal(event().waitSync(0), 'timeout');
});

test('a synchronous wait returns at once when the event is already set, and consumes it', () => {
  const e = event();
  e.set();
  assert.equal(e.waitSync(10_000), 'signaled');
  assert.equal(e.isSet(), false);
});

test('an async wait resolves signaled when the event is set later, and consumes it', async () => {
  const e = event();
  const waiting = e.waitAsync(10_000);
  setTimeout(() => e.set(), 5);
  assert.equal(await waiting, 'signaled');
  assert.equal(e.isSet(), false);
});

test('an async wait times out when nothing sets the event, and keeps the process alive meanwhile', async () => {
  assert.equal(await event().waitAsync(5), 'timeout');
});

test('a waiter left without subscribers (a wait timed out, a subscriber cancelled) ends when the event is set, as HostRing sets it at recreate and close', async () => {
  const buf = new SharedArrayBuffer(16);
  const words = new Int32Array(buf);
  const e = AutoResetEvent.at(buf, 4);
  assert.equal(await e.waitAsync(5), 'timeout');
  const cancel = e.subscribe(() => assert.fail('a cancelled subscriber is never called'));
  cancel();
  e.set();
  await new Promise((r) => setImmediate(r));
  assert.equal(Atomics.notify(words, 1), 0, 'no waiter is left pending on the word');
  assert.equal(e.tryConsume(), true, 'the set is still there for the next wait');
});

test('a wait after a timed-out one is served by a set and leaves nothing pending', async () => {
  const buf = new SharedArrayBuffer(16);
  const e = AutoResetEvent.at(buf, 4);
  assert.equal(await e.waitAsync(5), 'timeout');
  const next = e.waitAsync(10_000);
  setTimeout(() => e.set(), 5);
  assert.equal(await next, 'signaled');
  assert.equal(Atomics.notify(new Int32Array(buf), 1), 0, 'nothing pending once the wait was served');
});

test('waits and subscribers share one pending waiter, which a spurious notify does not end for them', async () => {
  const buf = new SharedArrayBuffer(16);
  const e = AutoResetEvent.at(buf, 4);
  const a = e.waitAsync(10_000);
  const b = e.waitAsync(10_000);
  assert.equal(Atomics.notify(new Int32Array(buf), 1), 1, 'one waiter for both');
  // Woken without a set: both still wait (on a new shared waiter).
  await new Promise((r) => setImmediate(r));
  e.set();
  assert.equal(await Promise.race([a, b]), 'signaled');
  e.set();
  assert.deepEqual(await Promise.all([a, b]), ['signaled', 'signaled']);
});

test('a worker blocked in waitSync wakes when the main thread sets the event', async () => {
  const buf = new SharedArrayBuffer(16);
  const e = AutoResetEvent.at(buf, 0);
  const url = new URL('../../src/ring/auto-reset-event.js', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(url)}).then(({ AutoResetEvent }) => {
       const { parentPort, workerData } = require('node:worker_threads');
       const e = AutoResetEvent.at(workerData, 0);
       parentPort.postMessage('waiting');
       parentPort.postMessage(e.waitSync(10000));
     });`,
    { eval: true, workerData: buf },
  );
  try {
    const results: string[] = [];
    await new Promise<void>((resolve, reject) => {
      worker.on('error', reject);
      worker.on('message', (m: string) => {
        results.push(m);
        if (m === 'waiting') setTimeout(() => e.set(), 5);
        else resolve();
      });
    });
    assert.deepEqual(results, ['waiting', 'signaled']);
  } finally {
    await worker.terminate();
  }
});

test('a subscriber is called once when the event is set, without consuming it', async () => {
  const e = event();
  let calls = 0;
  const called = new Promise<void>((resolve) =>
    e.subscribe(() => {
      calls++;
      resolve();
    }),
  );
  setTimeout(() => e.set(), 2);
  await called;
  assert.equal(calls, 1);
  assert.equal(e.tryConsume(), true);
});

test('a subscriber subscribing to a set event is called at once', async () => {
  const e = event();
  e.set();
  await new Promise<void>((resolve) => e.subscribe(resolve));
});

test('a cancelled subscriber is not called', async () => {
  const e = event();
  let cancelledCalls = 0;
  const cancel = e.subscribe(() => cancelledCalls++);
  const other = new Promise<void>((resolve) => e.subscribe(resolve));
  cancel();
  e.set();
  await other;
  assert.equal(cancelledCalls, 0);
});
