/**
 * The viewer in a real browser: Debian's headless Chromium, driven by playwright-core (which never
 * downloads a browser). It opens the page with a token, sees frames arrive (canvas pixels change),
 * clicks a fault button, sees the recovery event on the timeline, and keeps a screenshot in
 * artifacts/viewer.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startViewerServer, type ViewerServer } from '../../../src/host/viewer/viewer-server.js';
import { findWebRoot } from '../../../src/host/viewer/web-assets.js';
import { FakeSource } from './fake-source.js';
import { ChromiumSession, eventually, requireChromium } from '../../support/chromium.js';

// The few page globals the functions run inside the page use (this project's tsconfig has no DOM lib).
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: { getElementById(id: string): (PageCanvas & { hidden: boolean }) | null };

/** Runs in the page: a cheap fingerprint of the display canvas's pixels, plus one pixel of the task bar. */
function readCanvas(): { width: number; height: number; hash: number; bar: number[] } {
  const c = document.getElementById('display')!;
  const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let hash = 0;
  for (let i = 0; i < d.length; i += 4) hash = (Math.imul(hash, 31) + d[i]! + (d[i + 1]! << 8) + (d[i + 2]! << 16)) | 0;
  const o = ((c.height - 1) * c.width + 1) * 4;
  return { width: c.width, height: c.height, hash, bar: [d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!] };
}

test('the_viewer_page_shows_live_frames_and_a_fault_button_puts_an_event_on_the_timeline', { timeout: 90_000 }, async () => {
  requireChromium();
  const source = new FakeSource({ width: 640, height: 360, faultKinds: ['device-removed', 'device-hung', 'access-lost'] });
  const shape = new Uint8Array(12 * 12 * 4);
  for (let i = 0; i < 12 * 12; i++) shape.set([0, 0, 0, 255], i * 4); // premultiplied black square
  source.cursorState = { visible: true, x: 320, y: 200, hotX: 0, hotY: 0, shapeId: 1, width: 12, height: 12, shape };
  const browser = new ChromiumSession();
  let server: ViewerServer | null = null;
  try {
    source.emit();
    source.animate(30);
    server = await startViewerServer({ source, port: 0, host: '127.0.0.1', token: 'browser-test-token' });
    const page = await browser.open();
    await page.setViewportSize({ width: 1280, height: 720 });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });

    await page.goto(server.url);
    await eventually(async () => page.evaluate(() => document.getElementById('waiting')?.hidden === true), 'the first frame');
    const first = await page.evaluate(readCanvas);
    assert.deepEqual([first.width, first.height], [640, 360]);
    assert.deepEqual(first.bar, [32, 36, 40, 255], 'the task bar of the fake desktop, pixel for pixel');
    await eventually(async () => (await page.evaluate(readCanvas)).hash !== first.hash, 'the canvas to change');
    // Live frames are proven and the rest needs none: stop them. The page draws 0.9 MB raw frames,
    // 30 a second (each sent once it acked the last), so on a loaded machine its renderer and
    // Chromium's browser process spend their whole share on frames, and each of the ~10 round
    // trips of a page.click queued behind them until it ran out of its 30 s (6 of 9 runs, three at
    // once beside two busy loops). Not Playwright's mirror of the frames: with CDP's Network
    // domain off it still failed 3 of 3.
    source.stop();

    await page.waitForSelector('#faults:not([hidden])');
    const kinds = await page.$$eval('#fault-buttons button', (bs) => bs.map((b) => b.textContent));
    assert.deepEqual(kinds, ['device-removed', 'device-hung', 'access-lost']);
    await page.click('#fault-buttons button[data-kind="device-removed"]');
    const entry = page.locator('#timeline li', { hasText: 'recreate-device' });
    await entry.waitFor({ timeout: 10_000 });
    assert.match((await entry.textContent()) ?? '', /device-removed\s*→\s*recreate-device/);
    assert.deepEqual(source.injected, ['device-removed']);
    await page.locator('#health', { hasText: 'rebuilding' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.textContent('#generation'), '2');
    assert.equal(await page.textContent('#adapter'), 'hardware');
    assert.equal(await page.textContent('#conn'), 'live');

    const artifacts = join(dirname(findWebRoot()), 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'viewer.png') });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await server?.close();
    source.stop();
  }
});
