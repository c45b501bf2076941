/**
 * The viewer page's noVNC client against `vdpush serve --source xvfb`, in headless Chromium, with
 * real X programs on the display: noVNC connects over /rfb and its canvas shows the screen (xev's
 * white window on the black root); a click through noVNC moves the X pointer to the clicked spot
 * (xdotool reads it from the server); text typed into the page reaches xev as key presses; a
 * tiled bitmap (Tight's fills and palette rectangles) shows on the canvas pixel for pixel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { startXvfb } from '../../src/backends/xvfb/xvfb-server.js';
import { CLI } from './cli-helpers.js';
import { ChromiumSession, eventually, requireChromium } from '../support/chromium.js';
import { patternShare, patternXbm } from '../support/tiled-bitmap.js';

interface PageCanvas {
  width: number;
  height: number;
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: { querySelector(sel: string): PageCanvas | null };

const W = 320;
const H = 240;

function pointer(display: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('xdotool', ['getmouselocation'], { env: { ...process.env, DISPLAY: display } }, (_e, out) => resolve(String(out)));
  });
}

/** The noVNC canvas's size and a few of its pixels (as [r, g, b]), read in the page. */
function readNoVnc(points: Array<[number, number]>): { width: number; height: number; px: number[][] } | null {
  const c = document.querySelector('.monitor .screen canvas');
  if (c === null || c.width === 0) return null;
  const ctx = c.getContext('2d')!;
  return { width: c.width, height: c.height, px: points.map(([x, y]) => [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)]) };
}

/** The noVNC canvas's every pixel (RGBA), read in the page. */
function readCanvas(): { width: number; height: number; rgb: number[] } | null {
  const c = document.querySelector('.monitor .screen canvas');
  if (c === null || c.width === 0) return null;
  return { width: c.width, height: c.height, rgb: [...c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data] };
}

/** Where display pixel (x, y) is on the page (noVNC scales the canvas to fit). */
async function pageSpot(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const r = await page.evaluate(() => {
    const c = document.querySelector('.monitor .screen canvas')!;
    const b = c.getBoundingClientRect();
    return { left: b.left, top: b.top, sx: b.width / c.width, sy: b.height / c.height };
  });
  return { x: r.left + (x + 0.5) * r.sx, y: r.top + (y + 0.5) * r.sy };
}

test('noVNC in the viewer shows the X display, and its clicks and typing reach X programs', { timeout: 120_000 }, async () => {
  requireChromium();
  const xvfb = await startXvfb({ width: W, height: H, depth: 24 });
  const env = { ...process.env, DISPLAY: xvfb.display };
  let xev: ChildProcess | null = null;
  let serve: ChildProcess | null = null;
  const browser = new ChromiumSession();
  const dir = mkdtempSync(join(tmpdir(), 'vdp-novnc-'));
  try {
    let xevOut = '';
    xev = spawn('xev', ['-geometry', '200x200+0+0', '-event', 'keyboard', '-event', 'structure'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    xev.stdout!.on('data', (d) => (xevOut += d));
    await eventually(async () => xevOut.includes('MapNotify'), "xev's window on the screen");

    serve = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--source', 'xvfb', '--display', xvfb.display, '--no-workload'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    serve.stderr!.on('data', (d) => (err += d));
    await eventually(async () => /viewer at http/.test(err), `vdpush serve's URL (${err})`);
    const url = /viewer at (http:\/\/\S+)/.exec(err)![1]!;

    const page = await browser.open();
    await page.setViewportSize({ width: 1000, height: 600 });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await page.locator('.monitor .rfb-state', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.textContent('#transport'), 'RFB over /rfb (noVNC)');

    // The canvas is the display: its size, xev's white window, the black root beside it.
    let shown: ReturnType<typeof readNoVnc> = null;
    await eventually(async () => {
      shown = await page.evaluate(readNoVnc, [[100, 100], [300, 220]] as Array<[number, number]>);
      return shown !== null && shown.px[0]![0] === 255 && shown.px[1]![0] === 0;
    }, () => `noVNC's canvas to show the screen (${JSON.stringify(shown)})`);
    assert.deepEqual([shown!.width, shown!.height], [W, H]);
    assert.deepEqual(shown!.px, [[255, 255, 255], [0, 0, 0]]);

    // A click at display pixel (250, 40), on the root beside xev: the X pointer goes there.
    const spot = await pageSpot(page, 250, 40);
    await page.mouse.click(spot.x, spot.y);
    await eventually(async () => /x:250 y:40 /.test(await pointer(xvfb.display)), 'the X pointer at the clicked spot');

    // Typing: the pointer over xev's window gives it the focus (X's default PointerRoot focus).
    const inXev = await pageSpot(page, 60, 60);
    await page.mouse.click(inXev.x, inXev.y);
    await eventually(async () => /x:60 y:60 /.test(await pointer(xvfb.display)), 'the pointer over xev');
    await page.keyboard.type('Hi!');
    const typed = (): string =>
      xevOut
        .split(/\n\s*\n/)
        .filter((b) => b.startsWith('KeyPress'))
        .map((b) => /XLookupString gives \d+ bytes: (?:\(\w+\) "(.*)")?/.exec(b)?.[1] ?? '')
        .join('');
    await eventually(async () => typed().includes('Hi!'), `xev to receive "Hi!" (got ${JSON.stringify(typed())})`);

    // A tiled bitmap on the bare root (Tight's fills beside its palette rectangles): every pixel
    // as drawn, lossless (two colours never go as JPEG), but for the X server's cursor sprite.
    const gone = new Promise((r) => xev!.once('exit', r));
    xev.kill();
    await gone;
    writeFileSync(join(dir, 'p.xbm'), patternXbm());
    await promisify(execFile)('xsetroot', ['-bitmap', join(dir, 'p.xbm'), '-fg', '#f0c020', '-bg', '#203040'], { env });
    let share = 0;
    await eventually(async () => {
      const img = await page.evaluate(readCanvas);
      share = img === null || img.width !== W || img.height !== H ? 0 : patternShare(img, [0xf0, 0xc0, 0x20], [0x20, 0x30, 0x40], 0, 4);
      return share > 0.99;
    }, () => `noVNC's canvas to show the bitmap (${(share * 100).toFixed(1)}% of its pixels as drawn)`);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    if (serve && serve.exitCode === null) {
      const closed = new Promise((r) => serve!.once('close', r));
      serve.kill('SIGINT');
      await closed;
    }
    xev?.kill();
    await xvfb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
