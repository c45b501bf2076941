/**
 * RFB for every monitor (issue 12), on a real session: a monitor plugged in after the server
 * started is served over `/rfb?target=N` and on a TCP port of its own, at its own size; its mode
 * change reaches its clients as ExtendedDesktopSize; when it departs its clients are disconnected
 * with the reason, its port closes and `/rfb?target=N` is refused, while monitor 1's clients go on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { openSession } from '../../../src/host/session.js';
import { SessionViewerSource } from '../../../src/host/session-viewer-source.js';
import { createSessionRfbServer, vncPortFor } from '../../../src/host/rfb/session-rfb.js';
import { startViewerServer } from '../../../src/host/viewer/index.js';
import { until } from './fake-target.js';
import { RfbTestClient } from './rfb-test-client.js';

const RAW = 0;
const EXT_DESKTOP_SIZE = -308;

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

test('monitor N is served on PORT + N - 1, or on a free port each with --vnc 0', () => {
  assert.deepEqual([1, 2, 3].map((n) => vncPortFor(5900, n)), [5900, 5901, 5902]);
  assert.deepEqual([1, 2].map((n) => vncPortFor(0, n)), [0, 0]);
});

test('a monitor plugged in later is served over /rfb and TCP at its size, follows its mode, and its clients end cleanly when it departs', { timeout: 90_000 }, async () => {
  const session = await openSession({ monitors: [{ mode: '160x96@30' }], durationMs: 0 });
  const source = new SessionViewerSource(session);
  const pumping = source.pump();
  const rfb = createSessionRfbServer(session, source, { webSocketAllowsNone: true });
  const ports = new Map<number, number>();
  const portErrors: string[] = [];
  await rfb.listenTcp({ host: '127.0.0.1', basePort: 0, onPort: (id, p) => ports.set(id, p), onPortError: (id, e) => portErrors.push(`${id}: ${e.message}`) });
  const viewer = await startViewerServer({ source, port: 0, host: '127.0.0.1', rfb: rfb.server });
  const clients: RfbTestClient[] = [];
  try {
    assert.deepEqual([...ports.keys()], [1]);
    const id = await session.addMonitor({ mode: '240x136@30' });
    assert.equal(id, 2);
    await until(() => ports.has(2), "monitor 2's port");
    assert.notEqual(ports.get(2), ports.get(1));
    assert.deepEqual(rfb.server.targetIds, [1, 2]);

    const tcp = await RfbTestClient.connect(ports.get(2)!);
    clients.push(tcp);
    await tcp.handshake();
    assert.deepEqual([tcp.width, tcp.height, tcp.name], [240, 136, 'vdpush sim monitor 2']);
    tcp.setEncodings([RAW, EXT_DESKTOP_SIZE]);
    tcp.requestUpdate(false);
    assert.deepEqual((await tcp.readUpdate()).filter((r) => r.encoding === RAW).map((r) => [r.x, r.y, r.w, r.h]), [[0, 0, 240, 136]]);

    const ws = await RfbTestClient.webSocket(`ws://127.0.0.1:${viewer.port}/rfb?target=2`);
    clients.push(ws);
    await ws.handshake();
    assert.deepEqual([ws.width, ws.height], [240, 136]);
    const one = await RfbTestClient.connect(ports.get(1)!);
    clients.push(one);
    await one.handshake();
    assert.deepEqual([one.width, one.height], [160, 96]);
    one.setEncodings([RAW]);

    // A mode change of monitor 2 reaches its client without a reconnect.
    await session.setMode(2, '200x120@30');
    let resized = false;
    for (let i = 0; i < 200 && !resized; i++) {
      tcp.requestUpdate(true);
      resized = (await tcp.readUpdate()).some((r) => r.encoding === EXT_DESKTOP_SIZE && r.w === 200 && r.h === 120);
    }
    assert.ok(resized, 'ExtendedDesktopSize 200x120');
    assert.deepEqual([tcp.width, tcp.height], [200, 120]);

    // Departure: both of monitor 2's clients are told, its port closes, /rfb?target=2 is refused.
    const port2 = ports.get(2)!;
    await session.removeMonitor(2);
    await tcp.waitClosed();
    await ws.waitClosed();
    const reasons = rfb.server.closed.filter((r) => r.target === 2).map((r) => r.reason);
    assert.deepEqual(reasons, ['monitor 2 was unplugged', 'monitor 2 was unplugged']);
    assert.deepEqual(rfb.server.targetIds, [1]);
    assert.equal(await refused(port2), true, "monitor 2's port is closed");
    await assert.rejects(RfbTestClient.webSocket(`ws://127.0.0.1:${viewer.port}/rfb?target=2`), /HTTP 404/);

    // Monitor 1's client was never disturbed.
    one.requestUpdate(false);
    assert.deepEqual((await one.readUpdate()).map((r) => [r.w, r.h]), [[160, 96]]);
    assert.deepEqual(portErrors, []);
  } finally {
    for (const c of clients) c.close();
    await session.close();
    await pumping;
    await rfb.close();
    await rfb.pumping;
    await viewer.close();
  }
});
