/**
 * noVNC (the viewer page, headless Chromium) on a simulated display whose whole screen changes
 * every frame: noVNC announces ContinuousUpdates and Fence, the server pushes, and the page keeps
 * drawing while it sends no FramebufferUpdateRequest after its first few (without the extension
 * noVNC sends one per update). Counts only, no timing: the frames/s drawn belong to `vdpush bench
 * page`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../../src/host/session.js';
import { SessionViewerSource } from '../../../src/host/session-viewer-source.js';
import { createSessionRfbServer } from '../../../src/host/rfb/session-rfb.js';
import { startViewerServer } from '../../../src/host/viewer/index.js';
import { ChromiumSession, eventually, requireChromium } from '../../support/chromium.js';

test('noVNC in Chromium gets pushed updates (continuous updates, paced by fences) without a request per update', { timeout: 90_000 }, async () => {
  requireChromium();
  const session = await openSession({ mode: '320x180@30', pattern: 'full', durationMs: 0 });
  const source = new SessionViewerSource(session);
  const pumping = source.pump();
  const { server: rfb, pumping: rfbPumping } = createSessionRfbServer(session, source, { webSocketAllowsNone: true });
  const viewer = await startViewerServer({ source, port: 0, host: '127.0.0.1', rfb });
  const browser = new ChromiumSession();
  try {
    const page = await browser.open();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(viewer.url);
    await page.locator('.monitor .rfb-state', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    const client = (): NonNullable<ReturnType<typeof first>> => first()!;
    const first = () => [...rfb.sessions].find((s) => s.transport.kind === 'websocket');
    await eventually(async () => first() !== undefined && first()!.counters.updates >= 5, 'the first pushed updates');
    const start = { ...client().counters };
    await eventually(async () => client().counters.updates >= start.updates + 30, `30 more updates (${JSON.stringify(client().counters)})`, 60_000);
    const now = client().counters;
    assert.equal(now.requests, start.requests, `no FramebufferUpdateRequest while ${now.updates - start.updates} updates were pushed`);
    assert.ok(now.fencesAnswered - start.fencesAnswered >= 28, `noVNC answered the fences behind the updates (${now.fencesAnswered - start.fencesAnswered})`);
    assert.ok(now.requests <= 3, `${now.requests} requests in all`);
    // The page drew them: its frames/s counter counts noVNC's flips.
    await eventually(async () => Number(await page.textContent('.monitor .drawn-fps')) > 0, 'frames/s drawn on the panel');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await session.close();
    await pumping;
    await rfbPumping;
    await rfb.close();
    await viewer.close();
  }
});
