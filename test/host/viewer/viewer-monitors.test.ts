/**
 * The viewer's `/ws` messages for several monitors (issue 12), against a fake source: each stats
 * message carries one panel per monitor (with whether `/rfb?target=N` serves it), an inject aimed
 * at a monitor reaches the source with its targetId, and set-mode reaches the source's setMode and
 * is answered: done, or refused with the VdpushError's code (bad target, bad mode, a source that
 * cannot change modes). POST /api/mode does the same over HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../../src/contract/errors.js';
import { startViewerServer, type RfbEndpoint, type ViewerServer } from '../../../src/host/viewer/viewer-server.js';
import { WS_PATH } from '../../../src/host/viewer/viewer-protocol.js';
import type { ViewerMonitorStats } from '../../../src/host/viewer/viewer-source.js';
import { FakeSource } from './fake-source.js';
import { TestClient, http } from './viewer-test-client.js';

class MonitorsSource extends FakeSource {
  readonly panels: ViewerMonitorStats[] = [
    { targetId: 1, present: true, mode: { width: 64, height: 36, refreshHz: 60 }, fps: 60 },
    { targetId: 2, present: true, mode: { width: 32, height: 18, refreshHz: 30 }, fps: 30 },
  ];
  readonly aimed: Array<[string, number | undefined]> = [];
  readonly modes: Array<[number, string]> = [];

  monitors(): readonly ViewerMonitorStats[] {
    return this.panels;
  }

  override injectFault(kind: string, targetId?: number): Promise<void> {
    this.aimed.push([kind, targetId]);
    if (targetId === 9) return Promise.reject(new InvalidArgumentError('no monitor has targetId 9'));
    super.injectFault(kind);
    return Promise.resolve();
  }

  async setMode(targetId: number, mode: string): Promise<void> {
    const m = /^(\d+)x(\d+)@(\d+)$/.exec(mode);
    if (m === null) throw new InvalidArgumentError(`mode "${mode}" is not WIDTHxHEIGHT@HZ`);
    const panel = this.panels.find((p) => p.targetId === targetId);
    if (panel === undefined) throw new InvalidArgumentError(`no monitor has targetId ${targetId}`);
    await new Promise((r) => setImmediate(r)); // the display commits later
    panel.mode = { width: Number(m[1]), height: Number(m[2]), refreshHz: Number(m[3]) };
    this.modes.push([targetId, mode]);
  }
}

/** An RFB endpoint that serves monitor 1 only (as the viewer sees it; no RFB is spoken here). */
const rfbForOne: RfbEndpoint = { defaultTarget: 1, targetIds: [1], hasTarget: (id) => id === 1, acceptWebSocket: (ws) => ws.close() };

async function withViewer(source: FakeSource, fn: (server: ViewerServer, client: TestClient) => Promise<void>, rfb?: RfbEndpoint, statsIntervalMs = 50): Promise<void> {
  const server = await startViewerServer({ source, port: 0, host: '127.0.0.1', statsIntervalMs, ...(rfb ? { rfb } : {}) });
  let client: TestClient | null = null;
  try {
    client = await TestClient.open(`ws://127.0.0.1:${server.port}${WS_PATH}?rawFrames=auto`);
    const c = client;
    await c.until(() => c.ofType('hello').length === 1, 'hello');
    await fn(server, c);
  } finally {
    await client?.close();
    await server.close();
    source.stop();
  }
}

type Panel = ViewerMonitorStats & { rfb: boolean };
const lastPanels = (c: TestClient): Panel[] => (c.ofType('stats').at(-1)?.['monitors'] as Panel[] | undefined) ?? [];

test('every_stats_message_has_one_panel_per_monitor_saying_whether_rfb_serves_it', () => {
  const source = new MonitorsSource();
  return withViewer(
    source,
    async (_s, c) => {
      await c.until(() => lastPanels(c).length === 2, 'two panels');
      assert.deepEqual(lastPanels(c).map((p) => [p.targetId, p.present, p.mode?.width, p.fps, p.rfb]), [[1, true, 64, 60, true], [2, true, 32, 30, false]]);
      // A monitor that departed stays, not present, and is never served.
      source.panels.push({ targetId: 3, present: false, mode: { width: 8, height: 8 } });
      await c.until(() => lastPanels(c).length === 3, 'the departed panel');
      assert.deepEqual(lastPanels(c)[2]!.rfb, false);
      assert.equal(lastPanels(c)[2]!.present, false);
    },
    rfbForOne,
  );
});

test('when_the_rfb_server_starts_or_stops_serving_a_monitor_the_pages_get_the_panels_at_once', () => {
  const source = new MonitorsSource();
  const served = new Set([1]);
  const rfb: RfbEndpoint = {
    defaultTarget: 1,
    get targetIds() {
      return [...served];
    },
    hasTarget: (id) => served.has(id),
    acceptWebSocket: (ws) => ws.close(),
  };
  // Stats every minute: only the change itself can bring the next ones within the test.
  return withViewer(
    source,
    async (_s, c) => {
      await c.until(() => lastPanels(c).length === 2, 'the first panels');
      assert.deepEqual(lastPanels(c).map((p) => p.rfb), [true, false]);
      served.add(2);
      await c.until(() => lastPanels(c)[1]?.rfb === true, 'monitor 2 served');
      served.delete(2);
      await c.until(() => lastPanels(c)[1]?.rfb === false, 'monitor 2 no longer served');
    },
    rfb,
    60_000,
  );
});

test('an_inject_aimed_at_a_monitor_reaches_the_source_with_its_target_and_a_refusal_comes_back_typed', () => {
  const source = new MonitorsSource({ faultKinds: ['device-removed'] });
  return withViewer(source, async (_s, c) => {
    c.send({ type: 'inject', kind: 'device-removed', targetId: 2 });
    c.send({ type: 'inject', kind: 'device-removed', targetId: 9 });
    c.send({ type: 'inject', kind: 'device-removed', targetId: 'two' });
    await c.until(() => c.ofType('fault').length === 3, 'three replies');
    const replies = c.ofType('fault');
    assert.deepEqual(replies[0], { type: 'fault', kind: 'device-removed', targetId: 2, ok: true });
    assert.deepEqual(replies[1], { type: 'fault', kind: 'device-removed', targetId: 9, ok: false, error: 'no monitor has targetId 9', code: 'VDP_ERR_INVALID_ARGUMENT' });
    assert.equal(replies[2]!['ok'], false);
    assert.equal(replies[2]!['code'], 'VDP_ERR_INVALID_ARGUMENT');
    assert.deepEqual(source.aimed, [['device-removed', 2], ['device-removed', 9]], 'a non-number target never reaches the source');
  });
});

test('set_mode_reaches_the_source_and_is_answered_done_or_refused_with_its_code', () => {
  const source = new MonitorsSource();
  return withViewer(source, async (_s, c) => {
    c.send({ type: 'set-mode', targetId: 2, mode: '800x600@60' });
    await c.until(() => c.ofType('mode').length === 1, 'the answer');
    assert.deepEqual(c.ofType('mode')[0], { type: 'mode', targetId: 2, mode: '800x600@60', ok: true });
    assert.deepEqual(source.modes, [[2, '800x600@60']]);
    // The new mode is in the stats that follow at once.
    await c.until(() => lastPanels(c)[1]?.mode?.width === 800, 'the panel at the new mode');

    const bad: Array<[unknown, unknown, RegExp]> = [
      [2, 'huge', /not WIDTHxHEIGHT@HZ/],
      [7, '800x600@60', /no monitor has targetId 7/],
      [0, '800x600@60', /targetId must be an integer/],
      ['2', '800x600@60', /targetId must be an integer/],
      [2, '', /which mode/],
      [2, 42, /which mode/],
      [2, `${'9'.repeat(80)}x1@1`, /at most 64 characters/],
    ];
    for (const [targetId, mode] of bad) c.send({ type: 'set-mode', targetId, mode });
    await c.until(() => c.ofType('mode').length === 1 + bad.length, 'every refusal');
    c.ofType('mode').slice(1).forEach((m, i) => {
      assert.equal(m['ok'], false, JSON.stringify(m));
      assert.equal(m['code'], 'VDP_ERR_INVALID_ARGUMENT', JSON.stringify(m));
      assert.match(String(m['error']), bad[i]![2]);
    });
    assert.deepEqual(source.modes, [[2, '800x600@60']], 'no refused mode was set');
  });
});

test('a_source_that_cannot_change_modes_says_so_and_post_api_mode_does_what_the_socket_does', async () => {
  const plain = new FakeSource();
  const source = new MonitorsSource();
  const s1 = await startViewerServer({ source: plain, port: 0, host: '127.0.0.1' });
  const s2 = await startViewerServer({ source, port: 0, host: '127.0.0.1' });
  try {
    const r1 = await http(`http://127.0.0.1:${s1.port}/api/mode`, { method: 'POST', body: '{"targetId":1,"mode":"800x600@60"}' });
    assert.equal(r1.status, 409);
    assert.match(r1.body, /cannot change modes/);
    const base = `http://127.0.0.1:${s2.port}/api/mode`;
    const ok = await http(base, { method: 'POST', body: '{"targetId":2,"mode":"640x480@30"}' });
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(source.modes, [[2, '640x480@30']]);
    const q = await http(`${base}?targetId=1&mode=320x200@10`, { method: 'POST' });
    assert.equal(q.status, 200, q.body);
    const refused = await http(base, { method: 'POST', body: '{"targetId":2,"mode":"tiny"}' });
    assert.equal(refused.status, 400);
    assert.equal((JSON.parse(refused.body) as { code: string }).code, 'VDP_ERR_INVALID_ARGUMENT');
    assert.equal((await http(base, { method: 'POST', body: 'nope' })).status, 400);
    assert.equal((await http(base)).status, 405);
    const stats = JSON.parse((await http(`http://127.0.0.1:${s2.port}/api/stats`)).body) as { monitors: ViewerMonitorStats[] };
    assert.deepEqual(stats.monitors.map((m) => m.mode?.width), [320, 640]);
  } finally {
    await s1.close();
    await s2.close();
  }
});

test('a_page_that_reconnects_gets_the_whole_timeline_as_a_reset_so_it_never_shows_an_entry_twice', async () => {
  const source = new MonitorsSource({ faultKinds: ['device-removed'] });
  source.injectFault('device-removed', 1);
  const server = await startViewerServer({ source, port: 0, host: '127.0.0.1' });
  try {
    for (let visit = 0; visit < 2; visit++) {
      const c = await TestClient.open(`ws://127.0.0.1:${server.port}${WS_PATH}?rawFrames=auto`);
      try {
        await c.until(() => c.ofType('recovery').length === 1, 'the timeline');
        const first = c.ofType('recovery')[0]!;
        assert.equal(first['reset'], true, 'the first timeline a page gets replaces what it shows');
        assert.equal((first['events'] as unknown[]).length, 1);
      } finally {
        await c.close();
      }
    }
  } finally {
    await server.close();
  }
});
