/**
 * RFB over WebSocket at `/rfb` on the viewer's port, on a real two-monitor session: the viewer's
 * token is required, `?target=N` picks the monitor (each its own framebuffer and size), and the
 * updates carry the simulated pattern of that monitor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../../src/host/session.js';
import { SessionViewerSource } from '../../../src/host/session-viewer-source.js';
import { createSessionRfbServer } from '../../../src/host/rfb/session-rfb.js';
import { startViewerServer } from '../../../src/host/viewer/index.js';
import { RfbTestClient } from './rfb-test-client.js';

test('/rfb needs the viewer\'s token and serves each monitor of a session as its own framebuffer', { timeout: 60_000 }, async () => {
  const session = await openSession({ monitors: [{ mode: '320x200@30' }, { mode: '160x96@30' }], durationMs: 0 });
  const source = new SessionViewerSource(session);
  const pumping = source.pump();
  const { server: rfb, pumping: rfbPumping } = createSessionRfbServer(session, source, { webSocketAllowsNone: true });
  const viewer = await startViewerServer({ source, port: 0, host: '127.0.0.1', token: 'tok', rfb });
  const base = `ws://127.0.0.1:${viewer.port}/rfb`;
  const clients: RfbTestClient[] = [];
  try {
    await assert.rejects(RfbTestClient.webSocket(base), /HTTP 401/);
    await assert.rejects(RfbTestClient.webSocket(`${base}?token=wrong`), /HTTP 401/);
    await assert.rejects(RfbTestClient.webSocket(`${base}?token=tok&target=9`), /HTTP 404/);
    for (const [target, w, h] of [[1, 320, 200], [2, 160, 96]] as const) {
      const c = await RfbTestClient.webSocket(`${base}?token=tok&target=${target}`);
      clients.push(c);
      await c.handshake();
      assert.deepEqual([c.width, c.height], [w, h], `target ${target}`);
      c.setEncodings([0]);
      c.requestUpdate(false);
      const rects = await c.readUpdate();
      assert.deepEqual(rects.map((r) => [r.x, r.y, r.w, r.h]), [[0, 0, w, h]]);
      // The stamp column (left edge) of the pattern is one colour, never black.
      const px = rects[0]!.data.readUInt32LE((50 * w + 2) * 4) & 0xffffff;
      assert.equal(rects[0]!.data.readUInt32LE((51 * w + 3) * 4) & 0xffffff, px);
      // Incremental updates keep coming as the pattern moves.
      c.requestUpdate(true);
      assert.ok((await c.readUpdate()).length >= 1);
    }
  } finally {
    for (const c of clients) c.close();
    await session.close();
    await pumping;
    await rfbPumping;
    await rfb.close();
    await viewer.close();
  }
});
