/**
 * XTEST input against a real Xvfb, checked by real X clients: xdotool reads where the pointer is,
 * and xev (a plain Xlib program) prints the keys and buttons it receives. The clipboard goes
 * through the X server's CLIPBOARD selection between two independent connections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { startXvfb, type XvfbServer } from '../../../src/backends/xvfb/xvfb-server.js';
import { XInput } from '../../../src/backends/xvfb/x-input.js';
import { until } from './fake-monitor.js';

async function untilAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

function pointerAt(display: string): Promise<{ x: number; y: number }> {
  return new Promise((resolve, reject) => {
    execFile('xdotool', ['getmouselocation'], { env: { ...process.env, DISPLAY: display } }, (err, out) => {
      if (err) return reject(err);
      const m = /x:(\d+) y:(\d+)/.exec(out);
      if (!m) return reject(new Error(`xdotool said: ${out}`));
      resolve({ x: Number(m[1]), y: Number(m[2]) });
    });
  });
}

async function withXvfb(fn: (server: XvfbServer) => Promise<void>): Promise<void> {
  const server = await startXvfb({ width: 320, height: 240, depth: 24 });
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

test('pointer moves through XTEST land where xdotool finds the pointer', async () => {
  await withXvfb(async (server) => {
    const input = await XInput.open(server.display);
    try {
      input.pointer(123, 45, 0);
      assert.ok(await untilAsync(async () => JSON.stringify(await pointerAt(server.display)) === '{"x":123,"y":45}', 10_000), 'the pointer reached (123, 45)');
      input.pointer(5000, -3, 0); // off the screen: clamped by the server to its edge
      assert.ok(await untilAsync(async () => JSON.stringify(await pointerAt(server.display)) === '{"x":319,"y":0}', 10_000), 'the pointer stops at the edge');
      assert.deepEqual(input.counters(), { keys: 0, pointer: 2, clicks: 0, wheel: 0, clipboard: 0, dropped: 0 });
    } finally {
      input.close();
    }
  });
});

test('typed keys, shifted and unshifted, and a keysym missing from the keymap reach xev; so do clicks and wheel steps', async () => {
  await withXvfb(async (server) => {
    let xev: ChildProcess | null = null;
    const input = await XInput.open(server.display);
    try {
      let out = '';
      xev = spawn('xev', ['-geometry', '200x200+0+0', '-event', 'keyboard', '-event', 'button', '-event', 'structure'], {
        env: { ...process.env, DISPLAY: server.display },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      xev.stdout!.on('data', (d) => (out += d));
      assert.ok(await until(() => out.includes('MapNotify'), 10_000), `xev mapped its window: ${out}`);
      // The focus follows the pointer (the server's default, PointerRoot): put it over xev's window.
      input.pointer(50, 60, 0);
      const SHIFT_L = 0xffe1;
      input.key(true, SHIFT_L);
      input.key(true, 0x48); // H, with the client's Shift held
      input.key(false, 0x48);
      input.key(false, SHIFT_L);
      input.key(true, 0x69); // i
      input.key(false, 0x69);
      input.key(true, 0x21); // !, which needs Shift: faked around it
      input.key(false, 0x21);
      // EuroSign: not on a US keymap, so a spare keycode carries it. A client learns of the new
      // mapping from MappingNotify and refreshes its keymap lazily, so a press sent in the same
      // instant as the remap can still be read with the old map (xdotool has the same race and
      // sleeps); wait until xev has printed that first press (its sixth key release: H, Shift,
      // i, the faked Shift, !, the spare), then press it again: that one must be the Euro sign.
      input.key(true, 0x20ac);
      input.key(false, 0x20ac);
      assert.ok(await until(() => (out.match(/KeyRelease event/g)?.length ?? 0) >= 6, 10_000), `xev saw the first presses: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
      input.key(true, 0x20ac);
      input.key(false, 0x20ac);
      input.pointer(50, 60, 1); // button 1 down and up
      input.pointer(50, 60, 0);
      input.pointer(50, 60, 1 << 4); // one wheel step down (button 5)
      input.pointer(50, 60, 0);
      assert.ok(await until(() => /button 5/.test(out), 10_000), `xev saw the wheel step: ${out}`);
      // The text of the key presses, in order (xev prints one block per event).
      const typed = out
        .split(/\n\s*\n/)
        .filter((block) => block.startsWith('KeyPress'))
        .map((block) => /XLookupString gives \d+ bytes: (?:\(\w+\) "(.*)")?/.exec(block)?.[1] ?? '')
        .join('');
      assert.equal(typed.slice(0, 3), 'Hi!', `xev's text: ${typed}`);
      // The Euro key reached xev on the spare keycode, and the server's map (read by xmodmap, a
      // client of its own) holds EuroSign there. Whether xev's own copy of the map shows it
      // depends on when xev fetched its keymap (Xlib loads it lazily and may not see the remap's
      // notify), so xev's keysym name is not the check.
      const presses = [...out.matchAll(/KeyPress event[^]*?keycode (\d+) \(keysym (0x[0-9a-f]+)/g)].map((m) => Number(m[1]));
      const euroCode = presses[presses.length - 1]!;
      const pke = await new Promise<string>((resolve, reject) =>
        execFile('xmodmap', ['-pke'], { env: { ...process.env, DISPLAY: server.display } }, (err, o) => (err ? reject(err) : resolve(o))),
      );
      assert.match(pke, new RegExp(`^keycode +${euroCode} = EuroSign`, 'm'), `the server maps keycode ${euroCode} to EuroSign: ${pke.split('\n').filter((l) => l.includes(`keycode  ${euroCode} `) || l.includes(`keycode ${euroCode} `)).join(' ')}`);
      assert.match(out, /ButtonPress event[^]*?button 1,/);
      const c = input.counters();
      assert.equal(c.keys, 12);
      assert.equal(c.clicks, 1);
      assert.equal(c.wheel, 1);
      assert.equal(c.dropped, 0);
    } finally {
      input.close();
      xev?.kill();
    }
  });
});

test('a clipboard text set through one connection is read through the X CLIPBOARD selection by another', async () => {
  await withXvfb(async (server) => {
    const a = await XInput.open(server.display);
    const b = await XInput.open(server.display);
    try {
      const heardByB: string[] = [];
      const heardByA: string[] = [];
      b.onClipboard((t) => heardByB.push(t));
      a.onClipboard((t) => heardByA.push(t));
      a.setClipboard('grüße from a');
      assert.ok(await until(() => heardByB.length > 0, 10_000), 'b saw the new CLIPBOARD owner and read the text');
      assert.equal(heardByB[0], 'grüße from a');
      b.setClipboard('and back');
      assert.ok(await until(() => heardByA.length > 0, 10_000));
      assert.equal(heardByA[0], 'and back');
      assert.deepEqual(heardByB, ['grüße from a'], 'an owner does not hear its own text');
    } finally {
      a.close();
      b.close();
    }
  });
});
