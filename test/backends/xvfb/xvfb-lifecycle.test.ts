import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createXvfbDisplay, pendingExitGuards } from '../../../src/backends/xvfb/index.js';
import { FakeMonitor, until } from './fake-monitor.js';
import { liveChildren } from '../../host/process-probe.js';

test('starting_and_stopping_fifty_times_leaks_no_process_no_temp_file_and_no_exit_handler', async () => {
  const sigintBefore = process.listenerCount('SIGINT');
  const seen: Array<{ pid: number; fbDir: string; display: string }> = [];
  for (let i = 0; i < 50; i++) {
    const d = await createXvfbDisplay({ mode: { width: 64, height: 64, refreshHz: 60 }, workload: 'none', cursor: i % 2 === 0 });
    seen.push({ pid: d.serverPid, fbDir: dirname(d.framebufferPath), display: d.display });
    if (i % 10 === 0) {
      // Now and then with a monitor attached and a frame delivered.
      const m = new FakeMonitor(d);
      await d.start(m);
      assert.ok(await until(() => m.frames >= 1, 5_000));
    }
    await d.stop();
    await d.stop(); // idempotent
  }
  for (const s of seen) {
    assert.equal(existsSync(`/proc/${s.pid}`) && !readFileSync(`/proc/${s.pid}/stat`, 'latin1').includes(') Z'), false, `Xvfb ${s.pid} survived`);
    assert.equal(existsSync(s.fbDir), false, `${s.fbDir} left behind`);
    const n = s.display.slice(1);
    if (existsSync(`/tmp/.X${n}-lock`)) {
      const owner = Number.parseInt(readFileSync(`/tmp/.X${n}-lock`, 'latin1').trim(), 10);
      assert.ok(!seen.some((x) => x.pid === owner), `lock file of ${s.display} left behind`);
    }
  }
  assert.deepEqual(liveChildren(), []);
  assert.equal(pendingExitGuards(), 0);
  assert.equal(process.listenerCount('SIGINT'), sigintBefore, 'the exit guard removed its handlers');
});

test('a_display_with_the_animated_workload_stops_its_workload_process_too', async () => {
  const d = await createXvfbDisplay({ mode: { width: 128, height: 96, refreshHz: 60 } });
  const w = d.workloadPid!;
  assert.ok(w > 0 && existsSync(`/proc/${w}`));
  await d.stop();
  assert.ok(await until(() => !existsSync(`/proc/${w}`) || readFileSync(`/proc/${w}/stat`, 'latin1').includes(') Z'), 2_000));
  assert.deepEqual(liveChildren(), []);
});
