/**
 * Serve's frames on demand (frame-demand.ts), on a real session: while no RFB client and no page
 * looks, the host takes no frames (the display goes on publishing them); a client arriving is
 * shown the newest frame (ServerInit waits for the take), and frames flow while it or a page
 * looks; the display's mode change and a host fault are still handled while nobody looks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { FrameDemand } from '../../src/host/frame-demand.js';
import { openSession, type Session } from '../../src/host/session.js';
import { SessionViewerSource } from '../../src/host/session-viewer-source.js';
import { createSessionRfbServer, type SessionRfb } from '../../src/host/rfb/session-rfb.js';
import { startViewerServer } from '../../src/host/viewer/index.js';
import type { FrameView } from '../../src/host/sinks/frame-view.js';
import { until } from './rfb/fake-target.js';
import { RfbTestClient } from './rfb/rfb-test-client.js';

const RAW = 0;
const EXT_DESKTOP_SIZE = -308;

interface Served {
  session: Session;
  source: SessionViewerSource;
  rfb: SessionRfb;
  port: number;
  close(): Promise<void>;
}

async function serve(mode: string): Promise<Served> {
  const session = await openSession({ monitors: [{ mode }], durationMs: 0 });
  const source = new SessionViewerSource(session, { framesOnDemand: true });
  const pumping = source.pump();
  const rfb = createSessionRfbServer(session, source, { webSocketAllowsNone: true });
  let port = 0;
  await rfb.listenTcp({ host: '127.0.0.1', basePort: 0, onPort: (_id, p) => (port = p), onPortError: () => undefined });
  return {
    session,
    source,
    rfb,
    port,
    async close() {
      await rfb.close();
      await session.close();
      await pumping.catch(() => undefined);
      await rfb.pumping;
    },
  };
}

/** Whether `p` settled by the time the promises already queued have run. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

test('FrameDemand: a consumer waits for a take only while a pump runs; an idle wait ends on wake()', async () => {
  const d = new FrameDemand();
  const early = d.acquire();
  assert.equal(d.wanted, true);
  assert.equal(await settled(early.fresh), true, 'no pump: nothing to wait for');
  d.begin();
  const a = d.acquire();
  assert.equal(await settled(a.fresh), false);
  d.settleFresh();
  assert.equal(await settled(a.fresh), true);
  const b = d.acquire();
  d.end();
  assert.equal(await settled(b.fresh), true, 'the pump ended: the waiter goes on');
  for (const h of [early, a, b, b]) h.release();
  assert.equal(d.wanted, false, 'released once each');
  const idle = d.idle(60_000);
  assert.equal(await settled(idle), false);
  d.wake();
  assert.equal(await settled(idle), true);
});

const viewOf = (s: Served): FrameView | null => s.source.framebuffer.view;
const frames = (s: Session): { published: number; consumed: number } => s.stats().frames;

test('while nobody looks the host takes no frames; a client is shown the newest frame, and frames stop again when it leaves', { timeout: 60_000 }, async () => {
  const s = await serve('160x96@60');
  let client: RfbTestClient | null = null;
  try {
    await until(() => frames(s.session).published >= 30, '30 frames published');
    assert.equal(frames(s.session).consumed, 0, 'no frame taken while nobody looks');
    assert.equal(viewOf(s), null);

    const publishedBefore = frames(s.session).published;
    client = await RfbTestClient.connect(s.port);
    await client.handshake();
    assert.deepEqual([client.width, client.height], [160, 96]);
    // ServerInit waited for a take: the framebuffer shows a frame published after the client came.
    const view = viewOf(s);
    assert.ok(view !== null, 'a frame was taken for the client');
    assert.ok(view.sequence >= publishedBefore, `frame ${view.sequence} is not older than the ${publishedBefore} published before the client came`);
    client.setEncodings([RAW]);
    client.requestUpdate(false);
    assert.deepEqual((await client.readUpdate()).map((r) => [r.x, r.y, r.w, r.h]), [[0, 0, 160, 96]]);
    const consumedWhileLooking = frames(s.session).consumed;
    await until(() => frames(s.session).consumed >= consumedWhileLooking + 10, 'frames taken while the client looks');

    client.close();
    await client.waitClosed();
    client = null;
    await until(() => s.rfb.server.sessions.size === 0 && !s.session.frameDemand(1).wanted, 'the server to see the client leave');
    const consumedAfter = frames(s.session).consumed;
    const publishedAfter = frames(s.session).published;
    await until(() => frames(s.session).published >= publishedAfter + 30, '30 more frames published');
    // At most the frame the pump was waiting for when the client left.
    assert.ok(frames(s.session).consumed <= consumedAfter + 1, `${frames(s.session).consumed - consumedAfter} frames taken after the client left`);
  } finally {
    client?.close();
    await s.close();
  }
});

test('a page on /ws makes the host take frames while it is open', { timeout: 60_000 }, async () => {
  const s = await serve('160x96@60');
  const viewer = await startViewerServer({ source: s.source, port: 0, host: '127.0.0.1', rfb: s.rfb.server });
  let ws: WebSocket | null = null;
  try {
    await until(() => frames(s.session).published >= 10, '10 frames published');
    assert.equal(frames(s.session).consumed, 0);
    ws = new WebSocket(`ws://127.0.0.1:${viewer.port}/ws?rawFrames=0`);
    await new Promise((resolve, reject) => ws!.once('open', resolve).once('error', reject));
    await until(() => frames(s.session).consumed >= 10, 'frames taken while the page is open');
    ws.close();
    await new Promise((resolve) => ws!.once('close', resolve));
    ws = null;
    await until(() => !s.session.frameDemand(1).wanted, 'the hub to see the page leave');
    const consumedAfter = frames(s.session).consumed;
    const publishedAfter = frames(s.session).published;
    await until(() => frames(s.session).published >= publishedAfter + 30, '30 more frames published');
    assert.ok(frames(s.session).consumed <= consumedAfter + 1, `${frames(s.session).consumed - consumedAfter} frames taken after the page left`);
  } finally {
    ws?.terminate();
    await viewer.close();
    await s.close();
  }
});

test('while nobody looks, a mode change recreates the ring and a host fault is performed; the next client sees the new mode', { timeout: 60_000 }, async () => {
  const s = await serve('160x96@60');
  let client: RfbTestClient | null = null;
  try {
    await until(() => frames(s.session).published >= 5, '5 frames published');
    const g0 = s.session.ringHealth().generation;
    await s.session.setMode(1, '200x120@60');
    await until(() => s.session.ringHealth().generation > g0, 'the ring recreated at the new mode');
    const g1 = s.session.ringHealth().generation;
    await s.session.injectFault('host-recreate', undefined, 1);
    await until(() => s.session.ringHealth().generation > g1, 'the host fault performed');
    assert.equal(frames(s.session).consumed, 0, 'still no frame taken');

    client = await RfbTestClient.connect(s.port);
    await client.handshake();
    assert.deepEqual([client.width, client.height], [200, 120]);
    client.setEncodings([RAW, EXT_DESKTOP_SIZE]);
    client.requestUpdate(false);
    const rects = await client.readUpdate();
    assert.ok(rects.some((r) => r.encoding === RAW && r.w === 200 && r.h === 120), 'the first update is the whole 200x120 frame');
  } finally {
    client?.close();
    await s.close();
  }
});

test('a page opening after monitor 1 departed is not an error (the source took its demand while it was there)', { timeout: 60_000 }, async () => {
  const session = await openSession({ monitors: [{ mode: '160x96@30' }, { mode: '160x96@30' }], durationMs: 0 });
  const source = new SessionViewerSource(session, { framesOnDemand: true });
  const pumping = source.pump();
  try {
    await session.removeMonitor(1);
    const unwatch = source.watch();
    unwatch();
  } finally {
    await session.close();
    await pumping.catch(() => undefined);
  }
});
