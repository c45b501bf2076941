/**
 * The viewer page with ?resize=remote against `vdpush serve --source xvfb`, in headless Chromium:
 * noVNC asks the display for its panel's size (SetDesktopSize), the X server takes that size
 * through RandR (xdotool reads it from the server), noVNC's canvas follows without a reconnect,
 * and a smaller window gives a smaller display again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { Page } from 'playwright-core';
import { startXvfb } from '../../src/backends/xvfb/xvfb-server.js';
import { CLI } from './cli-helpers.js';
import { ChromiumSession, eventually, requireChromium } from '../support/chromium.js';

interface Box {
  clientWidth: number;
  clientHeight: number;
  width: number;
  height: number;
}
declare const document: { querySelector(sel: string): Box | null };

/** The X screen's size as the server reports it ("WxH"). */
function displaySize(display: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('xdotool', ['getdisplaygeometry'], { env: { ...process.env, DISPLAY: display } }, (_e, out) => resolve(String(out).trim().replace(' ', 'x')));
  });
}

/** The panel's screen area (what noVNC asks for) and noVNC's canvas (what it shows), as "WxH". */
function panel(page: Page): Promise<{ asked: string; canvas: string }> {
  return page.evaluate(() => {
    const area = document.querySelector('.monitor .screen > div')!;
    const c = document.querySelector('.monitor .screen canvas');
    return { asked: `${area.clientWidth}x${area.clientHeight}`, canvas: c ? `${c.width}x${c.height}` : '' };
  });
}

test('the page with ?resize=remote gives the X display its panel\'s size through noVNC, and follows the window', { timeout: 120_000 }, async () => {
  requireChromium();
  const xvfb = await startXvfb({ width: 1280, height: 720, depth: 24 });
  let serve: ChildProcess | null = null;
  const browser = new ChromiumSession();
  try {
    serve = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--source', 'xvfb', '--display', xvfb.display, '--no-workload'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    serve.stderr!.on('data', (d) => (err += d));
    await eventually(async () => /viewer at http/.test(err), `vdpush serve's URL (${err})`);
    const url = new URL(/viewer at (http:\/\/\S+)/.exec(err)![1]!);
    url.searchParams.set('resize', 'remote');

    const page = await browser.open();
    await page.setViewportSize({ width: 900, height: 800 });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url.href);
    await page.locator('.monitor .rfb-state', { hasText: 'live' }).waitFor({ timeout: 30_000 });

    for (const viewport of [{ width: 900, height: 800 }, { width: 640, height: 800 }]) {
      await page.setViewportSize(viewport);
      let seen = { asked: '', canvas: '', x: '' };
      await eventually(async () => {
        seen = { ...(await panel(page)), x: await displaySize(xvfb.display) };
        return seen.x === seen.asked && seen.canvas === seen.asked;
      }, `the X screen and noVNC's canvas at the panel's size, window ${viewport.width}x${viewport.height}`).catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(seen)}\n${err}`);
      });
      const [w, h] = seen.asked.split('x').map(Number);
      assert.ok(w! < 1280 && h! < 720 && w! > 300, `a size of the panel's, not the display's own (${seen.asked})`);
    }
    assert.equal(await page.locator('.monitor').count(), 1);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    if (serve && serve.exitCode === null) {
      const closed = new Promise((r) => serve!.once('close', r));
      serve.kill('SIGINT');
      await closed;
    }
    await xvfb.stop();
  }
});
