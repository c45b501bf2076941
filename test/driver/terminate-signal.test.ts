import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { RealClock } from '../../src/display/real-clock.js';
import { waitAny, WAIT_TIMEOUT } from '../../src/display/signal.js';
import { TerminateFlag, requestSharedTerminate } from '../../src/driver/terminate-signal.js';
import { SwapChainProcessor } from '../../src/driver/swap-chain-processor.js';
import { FakeClock } from './fakes/fake-clock.js';
import { FakeDevice, FakeSwapChain, HARDWARE } from './fakes/fake-display.js';
import { NO_RING } from '../../src/driver/ring-port.js';

test('a_local_flag_stays_requested_and_its_wake_ends_a_wait', async () => {
  const clock = new FakeClock();
  const flag = TerminateFlag.local();
  const w = waitAny([flag.wake], 1000, clock);
  clock.setTimer(10, () => flag.request(clock.now()));
  assert.equal(await clock.drive(w), 0);
  assert.ok(flag.requested);
  assert.equal(flag.requestedAtMs, 10);
  flag.request(50);
  assert.equal(flag.requestedAtMs, 10, 'the first request is the one timed');
});

test('a_child_flag_reads_as_requested_when_its_parent_is_and_wakes_on_it', async () => {
  const clock = new FakeClock();
  const parent = TerminateFlag.local();
  const child = TerminateFlag.local(parent);
  const w = waitAny([child.wake], 1000, clock);
  clock.setTimer(5, () => parent.request(clock.now()));
  assert.equal(await clock.drive(w), 0);
  assert.ok(child.requested);
  assert.equal(child.requestedAtMs, 5);
});

test('a_shared_flag_refuses_a_non_shared_buffer_and_an_index_out_of_range', () => {
  assert.throws(() => TerminateFlag.shared(new Int32Array(4), 0), TypeError);
  assert.throws(() => TerminateFlag.shared(new Int32Array(new SharedArrayBuffer(8)), 2), RangeError);
});

test('another_thread_setting_the_shared_word_wakes_an_idle_processor_at_once', async () => {
  const words = new Int32Array(new SharedArrayBuffer(16));
  const flag = TerminateFlag.shared(words, 0);
  const sc = new FakeSwapChain();
  // An idle processor whose E_PENDING wait would last a minute: only the wake can end it soon.
  const proc = new SwapChainProcessor({
    swapChain: sc,
    device: new FakeDevice(HARDWARE),
    clock: new RealClock(),
    ring: NO_RING,
    terminate: TerminateFlag.local(flag),
    tuning: { pendingWaitMs: 60_000 },
  });
  const run = proc.run();
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const w = new Int32Array(workerData);
     setTimeout(() => { Atomics.store(w, 0, 1); Atomics.notify(w, 0); }, 20);`,
    { eval: true, workerData: words.buffer },
  );
  try {
    const outcome = await Promise.race([run, new Promise<'late'>((r) => setTimeout(() => r('late'), 10_000).unref())]);
    assert.notEqual(outcome, 'late', 'the processor did not wake on the shared word');
    assert.equal(outcome !== 'late' && outcome.reason, 'terminated');
    assert.ok(sc.deleted);
  } finally {
    await worker.terminate();
  }
});

test('many_waits_on_a_shared_wake_keep_at_most_one_waiter_and_all_see_the_set', async () => {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const flag = TerminateFlag.shared(words, 0);
  const clock = new RealClock();
  // Short waits that time out, as an idle processor's would.
  for (let i = 0; i < 50; i++) assert.equal(await waitAny([flag.wake], 0, clock), WAIT_TIMEOUT);
  const pending = [waitAny([flag.wake], 60_000, clock), waitAny([flag.wake], 60_000, clock)];
  requestSharedTerminate(words, 0);
  assert.deepEqual(await Promise.all(pending), [0, 0]);
  assert.ok(flag.requested);
});
