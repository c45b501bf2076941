/**
 * A served Xvfb display nobody looks at captures nothing (capture-watch.ts, frame-demand.ts): while
 * no RFB client and no page looks, a real X program's drawing is not read (no frame published);
 * a VNC client arriving after it is shown the screen as it is now, not the frame captured before
 * nobody looked (nor the one the host still holds from an earlier client); while it looks frames
 * flow; when it leaves they stop again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import x11 from 'x11';
import type { XClient } from 'x11';
import { createXvfbDisplay } from '../../src/backends/xvfb/index.js';
import { openSession } from '../../src/host/session.js';
import { SessionViewerSource } from '../../src/host/session-viewer-source.js';
import { createSessionRfbServer } from '../../src/host/rfb/session-rfb.js';
import { until } from './rfb/fake-target.js';
import { RfbTestClient } from './rfb/rfb-test-client.js';

const RAW = 0;

/** Another X client holding the server grabbed (every other client's requests wait) until release(). */
async function grabServer(display: string): Promise<{ release(): Promise<void> }> {
  const c = await new Promise<XClient>((resolve, reject) => {
    const x = x11.createClient({ display }, (err) => (err ? reject(err) : resolve(x)));
    x.on('error', () => undefined);
  });
  c.GrabServer();
  await new Promise<void>((r) => c.GetInputFocus(() => r()));
  return {
    release: async () => {
      c.UngrabServer();
      await new Promise<void>((r) => c.GetInputFocus(() => r()));
      c.terminate();
    },
  };
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The count once it held still over two of the worker's 200 ms reports (a loaded machine delays them). */
async function settledCount(count: () => number): Promise<number> {
  let last = count();
  for (let i = 0; i < 20; i++) {
    await sleep(450);
    const now = count();
    if (now === last) return now;
    last = now;
  }
  throw new Error(`the count never held still (last ${last})`);
}

test('an Xvfb display nobody looks at reads no frame; a client arriving is shown the screen as it is now, and frames stop again when it leaves', { timeout: 60_000 }, async () => {
  const owner = await createXvfbDisplay({ mode: { width: 320, height: 240, refreshHz: 60 }, workload: 'none' });
  const env = { ...process.env, DISPLAY: owner.display };
  const paint = (colour: string): void => assert.equal(spawnSync('xsetroot', ['-solid', colour], { env }).status, 0, `xsetroot ${colour}`);
  const session = await openSession({ source: 'xvfb', display: owner.display, durationMs: 0 });
  const source = new SessionViewerSource(session, { framesOnDemand: true });
  const pumping = source.pump();
  const rfb = createSessionRfbServer(session, source, { webSocketAllowsNone: true });
  let client: RfbTestClient | null = null;
  const published = (): number => session.stats().frames.published;
  try {
    let port = 0;
    await rfb.listenTcp({ host: '127.0.0.1', basePort: 0, onPort: (_id, p) => (port = p), onPortError: () => undefined });
    // The pump began with nobody looking and told the display so; a capture on its way may end.
    const before = await settledCount(published);
    for (const c of ['#ff0000', '#0000ff', '#30c060']) {
      paint(c);
      await sleep(150);
    }
    await sleep(600); // the worker's counters reach the host every 200 ms
    assert.equal(published(), before, 'no frame read while nobody looks, though the screen changed three times');

    client = await RfbTestClient.connect(port);
    await client.handshake();
    client.setEncodings([RAW]);
    client.requestUpdate(false);
    const [full] = await client.readUpdate();
    assert.ok(full !== undefined && full.w === 320 && full.h === 240, 'a whole-screen update');
    // 32-bit little-endian true colour, red at bit 16: bytes B, G, R.
    assert.deepEqual([full.data[2], full.data[1], full.data[0]], [0x30, 0xc0, 0x60], 'the client sees the last colour drawn while nobody looked');

    const looking = published();
    paint('#c08020');
    client.requestUpdate(true);
    const changed = await client.readUpdate();
    assert.ok(changed.length > 0, 'an update while the client looks');
    assert.deepEqual([changed[0]!.data[2], changed[0]!.data[1], changed[0]!.data[0]], [0xc0, 0x80, 0x20], 'the new colour reaches the client');
    await until(() => published() > looking, 'a frame published while the client looks');

    client.close();
    await client.waitClosed();
    client = null;
    await until(() => rfb.server.sessions.size === 0 && !session.frameDemand(1).wanted, 'the server to see the client leave');
    const after = await settledCount(published);
    paint('#ffffff');
    await sleep(600);
    assert.equal(published(), after, 'no frame read once the client left');

    // The host still holds the frame the first client last saw; the next client must not get it,
    // even when the catch-up capture is slow: another X client holds the server grabbed for a
    // while, so the capture waits, and the client's ServerInit must wait for it.
    const grabber = await grabServer(owner.display);
    client = await RfbTestClient.connect(port);
    let shook = false;
    const shaking = client.handshake().then(() => void (shook = true));
    await sleep(300);
    assert.equal(shook, false, 'ServerInit waits for the catch-up capture, which waits for the grabbed server');
    await grabber.release();
    await shaking;
    client.setEncodings([RAW]);
    client.requestUpdate(false);
    const [again] = await client.readUpdate();
    assert.deepEqual([again!.data[2], again!.data[1], again!.data[0]], [0xff, 0xff, 0xff], 'the next client sees the white drawn while nobody looked, not the frame held since');
  } finally {
    client?.close();
    await rfb.close();
    await session.close();
    await pumping.catch(() => undefined);
    await rfb.pumping;
    await owner.stop();
  }
});
