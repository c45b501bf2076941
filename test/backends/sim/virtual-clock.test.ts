import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock, Prng } from '../../../src/backends/sim/index.js';
import { SimulationError } from '../../../src/contract/errors.js';

test('timers fire in time order, and timers due at one instant in the order they were set', async () => {
  const clock = new VirtualClock();
  const order: string[] = [];
  clock.setTimer(10, () => order.push('b@10'));
  clock.setTimer(5, () => order.push('a@5'));
  clock.setTimer(10, () => order.push('c@10'));
  clock.setTimer(0, () => order.push('z@0'));
  await clock.runFor(20);
  assert.deepEqual(order, ['z@0', 'a@5', 'b@10', 'c@10']);
  assert.equal(clock.now(), 20);
});

test('now() moves only when the clock is run, and to each timer as it fires', async () => {
  const clock = new VirtualClock({ startMs: 100 });
  const seen: number[] = [];
  clock.setTimer(7, () => seen.push(clock.now()));
  clock.setTimer(3, () => seen.push(clock.now()));
  assert.equal(clock.now(), 100);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(clock.now(), 100);
  await clock.runUntil(150);
  assert.deepEqual(seen, [103, 107]);
  assert.equal(clock.now(), 150);
});

test('a cancelled timer never fires, and cancelling late or twice is harmless', async () => {
  const clock = new VirtualClock();
  let fired = 0;
  const cancel = clock.setTimer(5, () => fired++);
  cancel();
  cancel();
  const late = clock.setTimer(1, () => fired++);
  await clock.runFor(10);
  late();
  assert.equal(fired, 1);
  assert.equal(clock.pendingTimers(), 0);
});

test('the async runner lets promise chains settle before the next timer fires', async () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  const worker = async (): Promise<void> => {
    await clock.sleep(10);
    log.push(`woke ${clock.now()}`);
    await Promise.resolve();
    await Promise.resolve();
    log.push('after two awaits');
    await clock.sleep(0);
    log.push(`slept 0 at ${clock.now()}`);
  };
  void worker();
  clock.setTimer(10, () => log.push('second timer at 10'));
  await clock.runFor(50);
  assert.deepEqual(log, ['woke 10', 'after two awaits', 'second timer at 10', 'slept 0 at 10']);
});

test('advance() fires due timers synchronously, in order', () => {
  const clock = new VirtualClock();
  const order: number[] = [];
  for (const t of [30, 10, 20]) clock.setTimer(t, () => order.push(t));
  clock.advance(25);
  assert.deepEqual(order, [10, 20]);
  assert.equal(clock.now(), 25);
  assert.equal(clock.nextTimerAt(), 30);
});

test('identical inputs give identical timelines', async () => {
  const run = async (): Promise<string[]> => {
    const clock = new VirtualClock();
    const prng = new Prng(42);
    const log: string[] = [];
    for (let w = 0; w < 4; w++) {
      void (async () => {
        for (let i = 0; i < 20; i++) {
          await clock.sleep(prng.intBetween(0, 7));
          log.push(`${w}:${i}@${clock.now()}`);
        }
      })();
    }
    await clock.runFor(1000);
    return log;
  };
  const a = await run();
  const b = await run();
  assert.equal(a.length, 80);
  assert.deepEqual(a, b);
});

test('drive() runs the clock until a promise settles and returns its value', async () => {
  const clock = new VirtualClock();
  const p = (async () => {
    await clock.sleep(250);
    return 'done';
  })();
  assert.equal(await clock.drive(p), 'done');
  assert.equal(clock.now(), 250);
});

test('drive() refuses a promise no timer can settle, instead of hanging', async () => {
  const clock = new VirtualClock();
  await assert.rejects(clock.drive(new Promise(() => undefined)), SimulationError);
});

test('a second run while one is running is refused', async () => {
  const clock = new VirtualClock();
  clock.setTimer(5, () => undefined);
  const first = clock.runFor(10);
  await assert.rejects(clock.runFor(10), SimulationError);
  await first;
});

test('a 0 ms timer loop is reported as a livelock instead of spinning forever', () => {
  const clock = new VirtualClock();
  const again = (): void => {
    clock.setTimer(0, again);
  };
  clock.setTimer(0, again);
  assert.throws(() => clock.advance(1), SimulationError);
});

test('one seed gives one random sequence, and forks do not depend on draws made before them', () => {
  const a = new Prng(7);
  const b = new Prng(7);
  const seqA = Array.from({ length: 10 }, () => a.nextU32());
  const seqB = Array.from({ length: 10 }, () => b.nextU32());
  assert.deepEqual(seqA, seqB);
  assert.notDeepEqual(seqA, Array.from({ length: 10 }, () => new Prng(8).nextU32()));
  const fresh = new Prng(7).fork(3).nextU32();
  assert.equal(a.fork(3).nextU32(), fresh);
  for (let i = 0; i < 1000; i++) {
    const v = a.intBetween(2, 5);
    assert.ok(v >= 2 && v <= 5);
  }
});
