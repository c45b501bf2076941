/**
 * `vdpush serve` end to end in a real browser: the simulated display drained by the real driver on
 * its worker, frames through the ring to the page, a fault button injecting into the simulation,
 * and the driver's recovery decision arriving on the page's timeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from './cli-helpers.js';
import { ChromiumSession, eventually, requireChromium } from '../support/chromium.js';

interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: { getElementById(id: string): PageCanvas | null; querySelector(sel: string): PageCanvas | null };
declare function getComputedStyle(el: unknown): { color: string };

/** A fingerprint of the display as the page draws it: noVNC's canvas in the monitor's panel. */
function canvasHash(): number {
  // serve has an RFB endpoint, so the page draws with noVNC over /rfb (its canvas in the monitor's
  // .screen); the raw-frames canvas (#display) is the fallback without one.
  const c = document.querySelector('#monitors .screen canvas') ?? document.getElementById('display');
  if (c === null || c.width === 0) return 0; // the page builds its display view after the server's hello
  const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 16) h = (Math.imul(h, 31) + d[i]! + (d[i + 1]! << 8) + (d[i + 2]! << 16)) | 0;
  return h;
}

test('vdpush serve shows the live simulated display, and a fault button drives the real recovery ladder', { timeout: 90_000 }, async () => {
  requireChromium();
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--mode', '640x360@30'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const browser = new ChromiumSession();
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      const t = setTimeout(() => reject(new Error(`vdpush serve printed no URL: ${err}`)), 20_000);
      server.stderr.on('data', (d) => {
        err += d;
        const m = /viewer at (http:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
    const page = await browser.open();
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(url);
    let first = 0;
    await eventually(async () => {
      first = await page.evaluate(canvasHash);
      return first !== 0;
    }, 'the first frame');
    await eventually(async () => (await page.evaluate(canvasHash)) !== first, 'the canvas to change as the display moves');

    await page.click('#fault-buttons button[data-kind="device-removed"]');
    const entry = page.locator('#timeline li', { hasText: 'recreate-device' });
    await entry.waitFor({ timeout: 15_000 });
    assert.match((await entry.textContent()) ?? '', /device-removed/);
    assert.match((await entry.textContent()) ?? '', /0x887A0005/);
    // Frames keep coming after the recovery.
    const after = await page.evaluate(canvasHash);
    await eventually(async () => (await page.evaluate(canvasHash)) !== after, 'frames after the recovery');

    // A driver bug breaks every device: the ladder ends in a critical error. The page says the
    // display is dead, with the code, and shows the critical error in red, not green.
    await page.click('#fault-buttons button[data-kind="driver-bug"]');
    const dead = page.locator('.monitor .dead');
    await dead.waitFor({ state: 'visible', timeout: 30_000 });
    // The ring's Dead health can reach the page a stats tick before the worker's critical error
    // does (the banner first says "the ring reports the display dead"); the code follows.
    await eventually(async () => /display dead.*critical error 0x10\d/.test((await dead.textContent()) ?? ''), 'the critical error on the dead banner');
    assert.equal(await page.textContent('#display-state'), 'dead');
    const fatal = page.locator('#timeline li .action', { hasText: 'critical-error' }).first();
    assert.equal(await fatal.evaluate((el) => getComputedStyle(el).color), 'rgb(200, 69, 59)', 'red (--bad)');

    const artifacts = join(fileURLToPath(new URL('../../../', import.meta.url)), 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'viewer-live.png') });
  } finally {
    await browser.close();
    const closed = new Promise((r) => server.on('close', r));
    server.kill('SIGINT');
    await closed;
  }
});
