/** The run summary's ending: completed, critical-error or bugcheck (issue 10), and its text form. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRunSummary, formatRunSummary, type HostCounters } from '../../src/host/run-summary.js';
import { emptyWorkerSnapshot } from '../../src/host/worker-messages.js';

const mode = { width: 64, height: 32, refreshHz: 60, format: 0 };
const host: HostCounters = { targetId: 1, mode, consumed: 0, integrityErrors: 0, generations: 1, health: 'active', ringPublished: 0 };
const run = { source: 'sim', durationMs: 1000, fallbackMode: mode };

test('a_run_ends_completed_critical_error_or_bugcheck_and_a_bugcheck_carries_its_reason', () => {
  const worker = emptyWorkerSnapshot();
  const a = buildRunSummary(run, [{ host, worker }]);
  assert.deepEqual([a.ending, a.bugcheck], ['completed', null]);
  worker.criticalError = { major: 0x101, minor: 2 };
  assert.equal(buildRunSummary(run, [{ host, worker }]).ending, 'critical-error');
  worker.display.bugcheck = { reason: 'IddCxSwapChainFinishedProcessingFrame was called with no frame acquired', atMs: 12.5 };
  const s = buildRunSummary(run, [{ host, worker }]);
  assert.equal(s.ending, 'bugcheck');
  assert.deepEqual(s.bugcheck, { reason: 'IddCxSwapChainFinishedProcessingFrame was called with no frame acquired', atMs: 12.5 });
  assert.match(formatRunSummary(s), /BUGCHECK at 12\.5 ms: IddCxSwapChainFinishedProcessingFrame/);
});
