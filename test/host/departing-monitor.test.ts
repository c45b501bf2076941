/**
 * A monitor being removed is departed from the moment it leaves: while its worker is joined (which
 * takes real time, seconds on a loaded machine), the summary and the viewer's panels already show it
 * with `present: false`. Before, it was in neither the live monitors nor the departed ones until
 * the join ended, so the page got panels without it, kept its view "served", and reconnected
 * noVNC to `/rfb?target=N` after the RFB server had dropped that target: a 404 in the page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../src/host/session.js';
import { SessionMonitorPanels } from '../../src/host/session-monitor-panels.js';

test('a monitor being removed is in the summary and the panels as departed while its worker is joined, and after', async () => {
  const session = await openSession({ source: 'sim', mode: '64x36@30', durationMs: 0, monitors: [{}, {}] });
  const draining = session.drain();
  const panels = new SessionMonitorPanels(session);
  try {
    const leaving = session.removeMonitor(2);
    // removeMonitor has not returned to the event loop yet: the worker is still being joined.
    assert.deepEqual(session.targets(), [1]);
    assert.deepEqual(session.stats().monitors.map((m) => m.targetId), [1, 2], 'monitor 2 stays in the summary while it leaves');
    assert.deepEqual(panels.read().map((p) => [p.targetId, p.present]), [[1, true], [2, false]], 'its panel says it is gone');
    await leaving;
    assert.deepEqual(session.stats().monitors.map((m) => m.targetId), [1, 2]);
    assert.deepEqual(panels.read().map((p) => [p.targetId, p.present]), [[1, true], [2, false]]);
  } finally {
    await session.close();
    await draining;
  }
});
