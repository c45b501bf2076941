/**
 * The worker's interrupt budget (monitor-worker-tier-up.ts) makes a small function that runs once
 * per frame reach V8's optimizing tier after a few hundred calls instead of several thousand. In a
 * child node with synchronous optimization (--no-concurrent-recompilation), so the result does not
 * depend on a compiler thread's timing: V8's status bit "optimized" after 2,000 calls, with and
 * without the budget set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const moduleUrl = new URL('../../src/host/monitor-worker-tier-up.js', import.meta.url).href;

/** V8's OptimizationStatus bit for optimized code (runtime-test.cc). */
const OPTIMIZED = 16;

function statusAfterCalls(tune: boolean, calls: number): number {
  const script = `
    ${tune ? `const { tierUpSooner } = await import(${JSON.stringify(moduleUrl)}); if (!tierUpSooner()) throw new Error('not applied');` : ''}
    function perFrame(o) { o.count = o.count + 1; return o.count & 0xff; }
    function caller(n) { const o = { count: 0 }; let s = 0; for (let i = 0; i < n; i++) s += perFrame(o); return s; }
    %NeverOptimizeFunction(caller);
    caller(${calls});
    process.stdout.write(String(%GetOptimizationStatus(perFrame)));
  `;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return Number(out);
}

test('with_the_workers_budget_a_function_run_once_per_frame_is_optimized_after_2000_calls_and_without_it_is_not', () => {
  assert.ok(fileURLToPath(moduleUrl));
  const tuned = statusAfterCalls(true, 2000);
  const stock = statusAfterCalls(false, 2000);
  assert.equal(tuned & OPTIMIZED, OPTIMIZED, `tuned status ${tuned.toString(2)}`);
  assert.equal(stock & OPTIMIZED, 0, `stock status ${stock.toString(2)}: V8's own budget optimizes it later`);
});

test('an_interrupt_budget_given_to_node_is_kept', async () => {
  const { tierUpSooner } = await import('../../src/host/monitor-worker-tier-up.js');
  // This test process did not get one, but a worker started with one must not override it.
  const script = `const { tierUpSooner } = await import(${JSON.stringify(moduleUrl)}); process.stdout.write(String(tierUpSooner(['--interrupt-budget=1000'])));`;
  assert.equal(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }), 'false');
  assert.equal(typeof tierUpSooner, 'function');
});
