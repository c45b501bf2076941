/**
 * The host waits for frames without polling: a long nextFrame ends on a frame, on the display's
 * new mode, on wake() and on close; the display side's idle wait ends on the host retiring the
 * ring (RetiredSignal). No timings: every wait here is far longer than the test, so only the
 * wake-up itself can end it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../src/contract/pixel-format.js';
import { PublishOutcome } from '../../src/contract/status-codes.js';
import { AutoResetEvent, FramePublisher, HostRing } from '../../src/ring/index.js';
import { SourceDisplay } from './helpers.js';

const TARGET = 4;
/** Longer than any test run: a wait that ends did so because something woke it. */
const FOREVER_MS = 600_000;

function setup() {
  const ring = HostRing.create({ targetId: TARGET, width: 8, height: 4, format: 'bgra8' });
  const r = FramePublisher.open(ring.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  return { ring, publisher: r.publisher, source: new SourceDisplay(8, 4, FORMAT_BGRA8) };
}

test('a long returnOnWake wait ends with the frame the display publishes', async () => {
  const { ring, publisher, source } = setup();
  const pending = ring.nextFrame({ timeoutMs: FOREVER_MS, returnOnWake: true });
  setImmediate(() => publisher.publish(source.next('full')));
  const f = await pending;
  assert.equal(f?.sequence, 1);
  ring.release(f!);
  ring.close();
});

test('a long returnOnWake wait ends (null) when the display reports a new mode, so the host recreates at once', async () => {
  const { ring, publisher } = setup();
  const pending = ring.nextFrame({ timeoutMs: FOREVER_MS, returnOnWake: true });
  setImmediate(() => assert.equal(publisher.publish(new SourceDisplay(6, 4, FORMAT_RGBA16F).next('full')), PublishOutcome.DescMismatch));
  assert.equal(await pending, null);
  assert.deepEqual(ring.sourceDescChanged(), { width: 6, height: 4, format: FORMAT_RGBA16F });
  ring.close();
});

test('wake() ends a long returnOnWake wait with null; a wake before the wait ends the next one', async () => {
  const { ring } = setup();
  const pending = ring.nextFrame({ timeoutMs: FOREVER_MS, returnOnWake: true });
  setImmediate(() => ring.wake());
  assert.equal(await pending, null);
  ring.wake();
  assert.equal(await ring.nextFrame({ timeoutMs: FOREVER_MS, returnOnWake: true }), null);
  ring.close();
});

test('without returnOnWake a wake() does not end the wait: only a frame, the timeout or close do', async () => {
  const { ring, publisher, source } = setup();
  const pending = ring.nextFrame({ timeoutMs: FOREVER_MS });
  setImmediate(() => {
    ring.wake();
    setImmediate(() => publisher.publish(source.next('full')));
  });
  const f = await pending;
  assert.equal(f?.sequence, 1);
  ring.release(f!);
  const closing = ring.nextFrame({ timeoutMs: FOREVER_MS });
  setImmediate(() => ring.close());
  assert.equal(await closing, null);
});

test('two waiters on one event: each set wakes exactly one of them (auto-reset), the other keeps waiting', async () => {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const ev = new AutoResetEvent(words, 1);
  const results: string[] = [];
  const a = ev.waitAsync(FOREVER_MS).then((r) => results.push(`a:${r}`));
  const b = ev.waitAsync(FOREVER_MS).then((r) => results.push(`b:${r}`));
  ev.set();
  await Promise.race([a, b]);
  assert.equal(results.length, 1);
  assert.equal(ev.isSet(), false, 'the woken waiter consumed the set');
  ev.set();
  await Promise.all([a, b]);
  assert.deepEqual(results.map((r) => r.slice(2)), ['signaled', 'signaled']);
  assert.equal(ev.isSet(), false);
});

test('many timed-out waits leave the event working: a later set still wakes the next waiter', async () => {
  const words = new Int32Array(new SharedArrayBuffer(4));
  const ev = new AutoResetEvent(words, 0);
  for (let i = 0; i < 20; i++) assert.equal(await ev.waitAsync(0), 'timeout');
  const pending = ev.waitAsync(FOREVER_MS);
  setImmediate(() => ev.set());
  assert.equal(await pending, 'signaled');
});

test('the publisher\'s stale signal fires when the host recreates the ring, and is level-triggered', async () => {
  const { ring, publisher } = setup();
  assert.equal(publisher.staleSignal.tryConsume(), false);
  const fired = new Promise<void>((resolve) => publisher.staleSignal.subscribe(resolve));
  setImmediate(() => ring.recreate({ width: 8, height: 4, format: 'bgra8' }));
  await fired;
  assert.equal(publisher.isStale(), true);
  assert.equal(publisher.staleSignal.tryConsume(), true);
  assert.equal(publisher.staleSignal.tryConsume(), true, 'a retired ring stays retired');
  ring.close();
});

test('the stale signal fires when the host closes the ring; a subscriber to a retired ring is called at once', async () => {
  const { ring, publisher } = setup();
  const fired = new Promise<void>((resolve) => publisher.staleSignal.subscribe(resolve));
  setImmediate(() => ring.close());
  await fired;
  await new Promise<void>((resolve) => publisher.staleSignal.subscribe(resolve));
  assert.equal(publisher.isStale(), true);
});

test('a cancelled stale-signal subscriber is not called', async () => {
  const { ring, publisher } = setup();
  let called = false;
  const cancel = publisher.staleSignal.subscribe(() => (called = true));
  cancel();
  const other = new Promise<void>((resolve) => publisher.staleSignal.subscribe(resolve));
  ring.close();
  await other;
  assert.equal(called, false);
});

test('nextFrame() with no timeout waits without polling: one timer, no TimeoutOverflowWarning (a timer of Infinity ms fires after 1 ms)', async () => {
  const { ring, publisher, source } = setup();
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on('warning', onWarning);
  const realSetTimeout = globalThis.setTimeout;
  let timers = 0;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    timers++;
    return realSetTimeout(fn, ms);
  }) as typeof setTimeout;
  try {
    const pending = ring.nextFrame();
    // 40 ms of a waiting host: a 1 ms poll would arm dozens of timers in it.
    await new Promise((r) => realSetTimeout(r, 40));
    publisher.publish(source.next('full'));
    const f = await pending;
    assert.equal(f?.sequence, 1);
    ring.release(f!);
  } finally {
    globalThis.setTimeout = realSetTimeout;
    process.off('warning', onWarning);
    ring.close();
  }
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(warnings.filter((n) => n === 'TimeoutOverflowWarning'), []);
  assert.ok(timers <= 2, `${timers} timers armed while one nextFrame() waited 40 ms`);
});
