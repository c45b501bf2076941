/**
 * noVNC (the viewer page, headless Chromium) on a simulated display whose whole screen changes
 * every frame: noVNC announces ContinuousUpdates and Fence, the server pushes, and the page keeps
 * drawing while it sends no FramebufferUpdateRequest after its first few (without the extension
 * noVNC sends one per update). Counts only, no timing: the frames/s drawn belong to `vdpush bench
 * page`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../support/chromium.js';
import { withServedViewerPage } from '../viewer/served-viewer-page.js';

test('noVNC in Chromium gets pushed updates (continuous updates, paced by fences) without a request per update', { timeout: 90_000 }, async () => {
  await withServedViewerPage({ mode: '320x180@30', pattern: 'full', durationMs: 0 }, async ({ rfb, page, problems }) => {
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
  });
});
