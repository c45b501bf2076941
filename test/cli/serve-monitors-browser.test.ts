/**
 * The viewer in Chromium showing two monitors (issue 12): `vdpush serve --monitor 640x360@30
 * --monitor 480x270@20` on the simulated display, Debian's headless Chromium driven by
 * playwright-core. Each monitor's panel draws its own monitor through noVNC (its canvas has that
 * monitor's size and its drawn counter rises), shows its own stats (mode, frames/s, ring), a fault
 * aimed at monitor 2 lands on the timeline as monitor 2's, the mode picker on monitor 2 changes its
 * mode (its canvas resizes through DesktopSize on the same connection; the session reports the new
 * mode; monitor 1 is untouched), a bad mode is refused in red with its typed error, and a monitor
 * plugged in while the page is open gets a panel, drawn like the others, that goes "unplugged"
 * when it leaves; three panels lay out as a grid with no sideways scrolling. The page
 * logs no console error on the way. Every wait is on a condition, bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { CLI } from './cli-helpers.js';
import { http } from '../host/viewer/viewer-test-client.js';
import { ChromiumSession, eventually, requireChromium } from '../support/chromium.js';

interface PanelNode {
  dataset: Record<string, string | undefined>;
  querySelector(sel: string): { width: number; height: number; textContent: string | null } | null;
  getBoundingClientRect(): { left: number; top: number; width: number };
}
declare const document: { querySelector(sel: string): PanelNode | null; documentElement: { scrollWidth: number } };
declare const innerWidth: number;

/** Runs in the page: monitor N's panel as the test reads it (null before the panel exists). */
function readPanel(target: number): { canvas: [number, number] | null; drawn: number; connects: number; mode: string; fps: string; state: string } | null {
  const p = document.querySelector(`.monitor[data-target="${target}"]`);
  if (p === null) return null;
  const c = p.querySelector('.screen canvas');
  return {
    canvas: c === null || c.width === 0 ? null : [c.width, c.height],
    drawn: Number(p.dataset['drawn']),
    connects: Number(p.dataset['connects']),
    mode: p.querySelector('.mode-label')?.textContent ?? '',
    fps: p.querySelector('.display-fps')?.textContent ?? '',
    state: p.querySelector('.rfb-state')?.textContent ?? '',
  };
}

async function panel(page: Page, target: number): Promise<NonNullable<ReturnType<typeof readPanel>>> {
  const p = await page.evaluate(readPanel, target);
  assert.ok(p, `monitor ${target}'s panel`);
  return p;
}

test('the viewer shows two monitors, each with its own view, stats, timeline entries and mode picker; a plugged monitor gets a panel', { timeout: 120_000 }, async () => {
  requireChromium();
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--monitor', '640x360@30', '--monitor', '480x270@20'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  server.stderr.on('data', (d) => (err += d));
  const browser = new ChromiumSession();
  try {
    await eventually(async () => /viewer at http/.test(err), `vdpush serve's URL (${err})`);
    const url = /viewer at (http:\/\/\S+)/.exec(err)![1]!;
    const page = await browser.open();
    await page.setViewportSize({ width: 1280, height: 800 });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(url);

    // Both panels draw their own monitor: the canvas has that monitor's size, and frames keep coming.
    for (const [t, size] of [[1, [640, 360]], [2, [480, 270]]] as const) {
      let p: ReturnType<typeof readPanel> = null;
      await eventually(async () => {
        p = await page.evaluate(readPanel, t);
        return p !== null && p.canvas !== null && p.drawn > 0 && p.state === 'live';
      }, `monitor ${t} drawn (${JSON.stringify(p)})`);
      assert.deepEqual(p!.canvas, size);
      const drawn = p!.drawn;
      await eventually(async () => (await panel(page, t)).drawn > drawn, `monitor ${t}'s drawn counter to rise`);
    }
    // Each panel's stats are its monitor's.
    await eventually(async () => /640×360 @ 30 Hz/.test((await panel(page, 1)).mode) && /480×270 @ 20 Hz/.test((await panel(page, 2)).mode), 'each panel shows its mode');
    await eventually(async () => Number((await panel(page, 1)).fps) > 0 && Number((await panel(page, 2)).fps) > 0, "each monitor's display frames/s");
    assert.equal(await page.textContent('#mode'), '2 monitors');

    // A fault aimed at monitor 2 is monitor 2's on the timeline, and monitor 1 has no such entry.
    await page.waitForSelector('#fault-target-box:not([hidden])');
    await page.selectOption('#fault-target', '2');
    await page.click('#fault-buttons button[data-kind="device-removed"]');
    const recovered = page.locator('#timeline li[data-target="2"]', { hasText: 'recreate-device' });
    await recovered.first().waitFor({ timeout: 20_000 });
    assert.match((await recovered.first().textContent()) ?? '', /monitor 2.*device-removed/);
    assert.equal(await page.locator('#timeline li[data-target="1"]', { hasText: 'recreate-device' }).count(), 0);

    // The mode picker on monitor 2, typed as a user types (the keys go to the field, not to the
    // display): its canvas resizes on the same connection; the session says so.
    const p2 = page.locator('.monitor[data-target="2"]');
    await p2.locator('.mode-input').click();
    await page.keyboard.type('320x240@15');
    await page.keyboard.press('Enter');
    await p2.locator('.mode-result', { hasText: 'mode 320x240@15 set' }).waitFor({ timeout: 20_000 });
    await eventually(async () => {
      const p = await panel(page, 2);
      return p.canvas !== null && p.canvas[0] === 320 && p.canvas[1] === 240;
    }, "monitor 2's canvas at 320x240");
    assert.equal((await panel(page, 2)).connects, 1, 'the mode change reached noVNC without a reconnect');
    await eventually(async () => /320×240 @ 15 Hz/.test((await panel(page, 2)).mode), "monitor 2's panel shows its new mode");
    const statsUrl = new URL(url);
    statsUrl.pathname = '/api/stats';
    type ApiMonitor = { targetId: number; present: boolean; mode: { width: number; height: number; refreshHz: number }; input: { keys: number } | null };
    const api = JSON.parse((await http(statsUrl.href)).body) as { monitors: ApiMonitor[] };
    assert.deepEqual(api.monitors.map((m) => [m.targetId, m.mode.width, m.mode.height, m.mode.refreshHz]), [[1, 640, 360, 30], [2, 320, 240, 15]]);
    const p1 = await panel(page, 1);
    assert.deepEqual(p1.canvas, [640, 360], 'monitor 1 untouched');
    assert.match(p1.mode, /640×360 @ 30 Hz/);

    // A bad mode is refused with its typed error, in red.
    await p2.locator('.mode-input').fill('huge');
    await p2.locator('.mode-picker button').click();
    const refused = p2.locator('.mode-result', { hasText: 'refused' });
    await refused.waitFor({ timeout: 10_000 });
    assert.match((await refused.textContent()) ?? '', /VDP_ERR_INVALID_ARGUMENT/);
    assert.equal(await refused.evaluate((el) => getComputedStyle(el).color), 'rgb(200, 69, 59)', 'red (--bad)');

    // A monitor plugged in while the page is open gets a panel; unplugged, it is shown as gone.
    await page.click('#fault-buttons button[data-kind="plug"]');
    await page.locator('.monitor[data-target="3"] .mode-label', { hasText: '640×360' }).waitFor({ timeout: 20_000 });
    await page.locator('#timeline li[data-target="3"]', { hasText: 'monitor-arrived' }).waitFor({ timeout: 10_000 });
    // The plugged monitor is drawn too, at its size, once the RFB server serves it.
    let p3: ReturnType<typeof readPanel> = null;
    await eventually(async () => {
      p3 = await page.evaluate(readPanel, 3);
      return p3 !== null && p3.canvas !== null && p3.drawn > 0 && p3.state === 'live';
    }, `monitor 3 drawn (${JSON.stringify(p3)})`);
    assert.deepEqual(p3!.canvas, [640, 360]);
    // Three panels stay usable at 1280 wide: two side by side, the third below, nothing wider than the window.
    const layout = await page.evaluate(() => {
      const box = (t: number) => document.querySelector(`.monitor[data-target="${t}"]`)!.getBoundingClientRect();
      return { boxes: [box(1), box(2), box(3)].map((b) => [Math.round(b.left), Math.round(b.top), Math.round(b.width)]), scroll: document.documentElement.scrollWidth, width: innerWidth };
    });
    const [b1, b2, b3] = layout.boxes as Array<[number, number, number]>;
    assert.ok(b1[1] === b2[1] && b2[0] > b1[0] + b1[2] - 1 && b3[1] > b1[1] && b1[2] >= 300, `a grid of panels: ${JSON.stringify(layout)}`);
    assert.ok(layout.scroll <= layout.width, `no sideways scrolling: ${JSON.stringify(layout)}`);
    await eventually(async () => (await page.$$eval('#fault-target option', (os) => os.map((o) => o.textContent))).includes('monitor 3'), 'monitor 3 among the fault targets');
    await page.selectOption('#fault-target', '3');
    await page.click('#fault-buttons button[data-kind="unplug"]');
    await page.locator('.monitor[data-target="3"] .gone:not([hidden])').waitFor({ timeout: 20_000 });
    await page.locator('#timeline li[data-target="3"]', { hasText: 'monitor-departed' }).waitFor({ timeout: 10_000 });
    assert.equal((await panel(page, 3)).state, 'unplugged');
    assert.ok((await panel(page, 1)).drawn > 0 && (await panel(page, 2)).state === 'live', 'the other monitors live on');
    const end = JSON.parse((await http(statsUrl.href)).body) as { monitors: ApiMonitor[] };
    assert.deepEqual(end.monitors.map((m) => [m.targetId, m.present, m.input?.keys ?? 0]), [[1, true, 0], [2, true, 0], [3, false, 0]], 'the keys typed into the mode field never reached a display');

    const artifacts = join(fileURLToPath(new URL('../../../', import.meta.url)), 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'viewer-monitors.png') });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    if (server.exitCode === null) {
      const closed = new Promise((r) => server.once('close', r));
      server.kill('SIGINT');
      await closed;
    }
  }
});

declare function getComputedStyle(el: unknown): { color: string };
