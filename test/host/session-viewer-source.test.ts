/**
 * What the viewer shows of a real session with several monitors (sim, one worker per monitor):
 * one panel per monitor with that monitor's own mode, counters, ring and input; the page's mode
 * picker (setMode) changes one monitor's mode and puts a 'host' entry on the timeline naming it;
 * a fault aimed at monitor 2 is monitor 2's on the timeline; a monitor plugged in or unplugged
 * (however that happens) is a 'monitor' entry naming it, and a departed monitor keeps its panel,
 * not present, with its final counters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession, type Session } from '../../src/host/session.js';
import { SessionViewerSource } from '../../src/host/session-viewer-source.js';
import type { ViewerMonitorStats, ViewerRecoveryEvent } from '../../src/host/viewer/viewer-source.js';
import { VdpushError } from '../../src/contract/errors.js';

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const panel = (src: SessionViewerSource, t: number): ViewerMonitorStats | undefined => src.monitors().find((m) => m.targetId === t);
const entries = (src: SessionViewerSource, pred: (e: ViewerRecoveryEvent) => boolean): ViewerRecoveryEvent[] => src.recoveryEvents().filter(pred);

test('the viewer source gives each monitor its own panel, and names the monitor of every timeline entry', { timeout: 60_000 }, async () => {
  const session: Session = await openSession({ source: 'sim', durationMs: 0, monitors: [{ mode: '96x54@30' }, { mode: '64x36@20' }] });
  const source = new SessionViewerSource(session);
  const draining = session.drain();
  try {
    await until(() => (panel(source, 1)?.frames?.published ?? 0) > 0 && (panel(source, 2)?.frames?.published ?? 0) > 0, 'frames on both monitors');
    const [p1, p2] = source.monitors();
    assert.deepEqual([p1!.targetId, p1!.present, p1!.mode?.width, p1!.mode?.height, p1!.mode?.refreshHz], [1, true, 96, 54, 30]);
    assert.deepEqual([p2!.targetId, p2!.present, p2!.mode?.width, p2!.mode?.height, p2!.mode?.refreshHz], [2, true, 64, 36, 20]);
    for (const p of [p1!, p2!]) {
      assert.equal(p.ring?.health, 'active');
      assert.ok((p.ring?.generation ?? 0) >= 1);
      assert.equal(p.adapter?.kind, 'hardware');
      assert.equal(p.dead, null);
      assert.deepEqual(Object.keys(p.drops ?? {}).sort(), ['allSlotsBusy', 'descMismatch', 'noPublisher', 'overwritten', 'stale']);
    }
    // frames/s: measured between reads at least 400 ms apart, so it appears after a while.
    await until(() => (panel(source, 1)?.fps ?? 0) > 0 && (panel(source, 2)?.fps ?? 0) > 0, 'a frame rate on each monitor');

    // The mode picker: monitor 2 changes, monitor 1 does not; the timeline names monitor 2.
    await source.setMode(2, '48x27@10');
    // The host takes the new size from the first frame at it (the ring is rebuilt at that size).
    await until(() => panel(source, 2)?.mode?.width === 48, 'monitor 2 at its new size');
    assert.deepEqual(panel(source, 2)?.mode, { width: 48, height: 27, refreshHz: 10, format: 'bgra8' });
    assert.deepEqual(panel(source, 1)?.mode, { width: 96, height: 54, refreshHz: 30, format: 'bgra8' });
    const modeEvents = entries(source, (e) => e.failure === 'mode-change');
    assert.deepEqual(modeEvents.map((e) => [e.class, e.action, e['targetId']]), [['host', 'mode set to 48x27@10', 2]]);
    await assert.rejects(source.setMode(2, '48x27'), (e: unknown) => e instanceof VdpushError && e.code === 'VDP_ERR_INVALID_ARGUMENT');
    await assert.rejects(source.setMode(5, '48x27@10'), (e: unknown) => e instanceof VdpushError && e.code === 'VDP_ERR_INVALID_ARGUMENT');
    // A mode whose ring the host would refuse (8192x8192 at 8 bytes a pixel, 6 slots: 3.2 GB) is
    // refused before the display is asked, and the monitor lives on at its mode.
    await assert.rejects(source.setMode(2, '8192x8192@1'), (e: unknown) => e instanceof VdpushError && e.code === 'VDP_ERR_INVALID_ARGUMENT' && /GiB limit/.test(e.message));
    assert.equal(session.monitorEnd(2), null);
    assert.equal(panel(source, 2)?.mode?.refreshHz, 10);

    // A fault aimed at monitor 2 is monitor 2's.
    await source.injectFault('device-removed', 2);
    await until(() => entries(source, (e) => e.failure === 'device-removed').length > 0, 'the recovery event');
    assert.deepEqual([...new Set(entries(source, (e) => e.failure === 'device-removed').map((e) => e['targetId']))], [2]);

    // Arrival and departure: a panel appears, then stays as departed with its final counters.
    await source.injectFault('plug');
    assert.deepEqual(session.targets(), [1, 2, 3]);
    assert.equal(panel(source, 3)?.present, true);
    assert.deepEqual(entries(source, (e) => e.class === 'monitor').map((e) => [e.failure, e['targetId']]), [['monitor-arrived', 3]]);
    await until(() => (panel(source, 3)?.frames?.published ?? 0) > 0, "monitor 3's first frames");
    await source.injectFault('unplug', 3);
    assert.deepEqual(session.targets(), [1, 2]);
    const gone = panel(source, 3)!;
    assert.equal(gone.present, false);
    assert.ok((gone.frames?.published ?? 0) > 0, 'its final counters');
    assert.deepEqual(entries(source, (e) => e.class === 'monitor').map((e) => [e.failure, e['targetId']]), [['monitor-arrived', 3], ['monitor-departed', 3]]);
    // The adapter's last monitor cannot be unplugged from the page either: a typed refusal.
    await source.injectFault('unplug', 2);
    await assert.rejects(source.injectFault('unplug', 1), (e: unknown) => e instanceof VdpushError && e.code === 'VDP_ERR_INVALID_ARGUMENT');
    await assert.rejects(source.injectFault('unplug'), (e: unknown) => e instanceof VdpushError && e.code === 'VDP_ERR_INVALID_ARGUMENT');
    assert.deepEqual(session.targets(), [1]);
    // The timeline only grows: what a page was sent is never rewritten.
    const all = source.recoveryEvents();
    assert.deepEqual(source.recoveryEvents().slice(0, all.length), all);
  } finally {
    await session.close();
    await draining;
  }
});
