/**
 * noVNC in headless Chromium whose connection ends (the server closes it: a monitor unplugged)
 * while a frame is still being drawn (a flush pending):
 * noVNC itself resumes its message handling when the flush settles and logs "Got data while
 * disconnected" (novnc/noVNC pull request 2082, open), which the multi-monitor browser test met
 * when it unplugged a monitor. With web/novnc-late-data.js (what the viewer installs on each of
 * its clients) the late data is dropped and nothing is logged. Both clients are made to hold the
 * flush the same way: the display reports a pending render until the test lets it go.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServedViewerPage } from './served-viewer-page.js';

interface Probe {
  flushed: boolean;
  guarded: boolean;
}

test('a noVNC client disconnected while a frame is drawn logs "Got data while disconnected" unless the viewer drops the late data', { timeout: 90_000 }, async () => {
  await withServedViewerPage({ mode: '320x180@30', durationMs: 0 }, async ({ page }) => {
    // Runs in the page, as the page's own script: the same noVNC and guard modules the viewer loads.
    const probe = `async (useGuard) => {
      const { default: RFB } = await import('./novnc/core/rfb.js');
      const { dropLateData } = await import('./novnc-late-data.js');
      const host = document.createElement('div');
      document.body.appendChild(host);
      const rfb = new RFB(host, 'ws://' + location.host + '/rfb?target=1', { shared: true });
      const guarded = useGuard ? dropLateData(rfb) : false;
      await new Promise((res) => rfb.addEventListener('connect', res, { once: true }));
      // Hold the next frame's flush: noVNC waits for it with the rest of the frame still queued.
      let release = () => undefined;
      rfb._display.pending = () => true;
      rfb._display.flush = () => new Promise((res) => (release = res));
      const t0 = performance.now();
      // noVNC resumes only when data is queued behind the held header: wait for the frame's rest
      // (it can come in a later WebSocket message than the header).
      const queued = () => rfb._flushing && !rfb._sock.rQwait('rest of the frame', 1);
      while (!queued() && performance.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 5));
      const flushed = queued();
      // The connection ends under it, as when the server closes it (a monitor unplugged).
      const gone = new Promise((res) => rfb.addEventListener('disconnect', res, { once: true }));
      rfb._sock._websocket.close();
      await gone;
      release();
      await new Promise((r) => setTimeout(r, 200));
      host.remove();
      return { flushed, guarded };
    }`;
    // noVNC's Log.Error is console.error bound when noVNC loaded: the page's console events carry it.
    let errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const run = async (guard: boolean): Promise<Probe & { errors: string[] }> => {
      errors = [];
      const r = (await page.evaluate(`(${probe})(${guard})`)) as Probe;
      return { ...r, errors };
    };
    const bare = await run(false);
    assert.ok(bare.flushed, 'a frame came while the flush was held, and its rest is queued');
    assert.ok(
      bare.errors.some((e) => /Got data while disconnected/.test(e)),
      `noVNC no longer resumes after a disconnect (upstream's fix landed?): web/novnc-late-data.js can go. Logged: ${JSON.stringify(bare.errors)}`,
    );
    const guarded = await run(true);
    assert.ok(guarded.guarded, 'the guard recognised noVNC');
    assert.ok(guarded.flushed, 'a frame came while the flush was held, and its rest is queued');
    assert.deepEqual(guarded.errors, []);
  });
});
