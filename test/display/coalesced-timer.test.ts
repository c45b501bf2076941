/**
 * Coalesced timers (src/display/coalesced-timer.ts): delays of at least a grid step that fall due
 * near one grid point run together from one Node timer, in the order they were set, never before
 * the grid point nearest their due time; cancels hold even from a callback of the same wake;
 * shorter delays are exact; an unref'd one does not keep the process alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COALESCE_GRID_MS, setCoalescedTimeout } from '../../src/display/coalesced-timer.js';

const GRID = COALESCE_GRID_MS;

/** Resolves with what `record` saw once `n` callbacks ran. */
function collect(n: number): { record: (name: string) => () => void; done: Promise<Array<{ name: string; at: number; turn: number }>> } {
  const seen: Array<{ name: string; at: number; turn: number }> = [];
  let turn = 0;
  let inTurn = false;
  let resolve!: (v: typeof seen) => void;
  const done = new Promise<typeof seen>((r) => (resolve = r));
  return {
    record: (name) => () => {
      // One macrotask = one wake: a setImmediate ends the turn, so callbacks of one Node timer share a turn number.
      if (!inTurn) {
        inTurn = true;
        turn++;
        setImmediate(() => (inTurn = false));
      }
      seen.push({ name, at: performance.now(), turn });
      if (seen.length === n) resolve(seen);
    },
    done,
  };
}

test('delays due near one grid point run in one wake, in order, at that grid point', async () => {
  // Three delays around one grid point about a second ahead (40 ms either side of it).
  const t0 = performance.now();
  const gridPoint = Math.ceil((t0 + 1000) / GRID) * GRID;
  const d = gridPoint - t0;
  const c = collect(3);
  setCoalescedTimeout(c.record('a'), d);
  setCoalescedTimeout(c.record('b'), d + 40);
  setCoalescedTimeout(c.record('c'), d - 40);
  const seen = await c.done;
  assert.deepEqual(seen.map((s) => s.name), ['a', 'b', 'c'], 'the order they were set');
  assert.equal(new Set(seen.map((s) => s.turn)).size, 1, 'one wake for the three');
  // (A few ms of slack: libuv counts a timer from its loop's cached time, which lags performance.now().)
  assert.ok(seen[0]!.at >= gridPoint - 5, `not before the grid point (${seen[0]!.at.toFixed(1)} vs ${gridPoint})`);
});

test('a cancelled timer never runs, even when cancelled by a callback of the same wake; a late cancel is harmless', async () => {
  const c = collect(2);
  const ran: string[] = [];
  let cancelSecond = (): void => undefined;
  const cancelFirst = setCoalescedTimeout(() => {
    ran.push('first');
    cancelSecond();
    c.record('first')();
  }, GRID * 2);
  cancelSecond = setCoalescedTimeout(() => ran.push('second'), GRID * 2);
  const cancelled = setCoalescedTimeout(() => ran.push('cancelled'), GRID * 2);
  cancelled();
  cancelled();
  setCoalescedTimeout(c.record('later'), GRID * 3);
  await c.done;
  cancelFirst(); // after it ran
  assert.deepEqual(ran, ['first']);
});

test('a delay shorter than a grid step is a plain timer: it is not moved to the grid', async () => {
  const t0 = performance.now();
  const at = await new Promise<number>((r) => setCoalescedTimeout(() => r(performance.now()), 30));
  assert.ok(at - t0 >= 29, `not early (${(at - t0).toFixed(1)} ms)`);
  assert.ok(at - t0 < GRID / 2, `not moved to a grid point (${(at - t0).toFixed(1)} ms)`);
});

test("an unref'd coalesced timer does not keep the process alive; a ref'd one does", () => {
  const mod = fileURLToPath(new URL('../../src/display/coalesced-timer.js', import.meta.url));
  const script = (ref: boolean): string =>
    `import { setCoalescedTimeout } from ${JSON.stringify(mod)};\n` +
    `const t0 = Date.now();\nsetCoalescedTimeout(() => console.log('ran'), 600, { ref: ${ref} });\n` +
    `process.on('exit', () => console.log('exit after', Date.now() - t0));`;
  const unref = spawnSync(process.execPath, ['--input-type=module', '-e', script(false)], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(unref.status, 0, unref.stderr);
  assert.ok(!unref.stdout.includes('ran'), unref.stdout);
  const ref = spawnSync(process.execPath, ['--input-type=module', '-e', script(true)], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(ref.status, 0, ref.stderr);
  assert.ok(ref.stdout.includes('ran'), ref.stdout);
});
