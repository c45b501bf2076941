/**
 * Remote input through a session to the simulated display, which counts it: the path the RFB
 * server uses (session.remoteInput()), over the real worker thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../../src/host/session.js';
import { BUTTON_LEFT, BUTTON_RIGHT, BUTTON_WHEEL_DOWN, BUTTON_WHEEL_UP, toLatin1, viewOnlyInput } from '../../../src/host/input/remote-input.js';
import { CountingInput } from '../../../src/backends/sim/sim-input.js';

test('keys, pointer moves, clicks, wheel steps and clipboard texts reach the simulated display and are counted there', async () => {
  const session = await openSession({ source: 'sim', mode: '320x180@60', durationMs: 0 });
  const input = session.remoteInput();
  assert.equal(input.viewOnly, false);
  const heard: string[] = [];
  input.onClipboard((t) => heard.push(t));
  input.key(true, 0x61);
  input.key(false, 0x61);
  input.pointer(10, 20, 0);
  input.pointer(10, 20, BUTTON_LEFT);
  input.pointer(11, 20, BUTTON_LEFT); // still held: not a second click
  input.pointer(11, 20, 0);
  input.pointer(11, 20, BUTTON_RIGHT | BUTTON_WHEEL_DOWN);
  input.pointer(11, 20, 0);
  input.pointer(11, 20, BUTTON_WHEEL_UP);
  input.pointer(11, 20, 0);
  input.clipboard('héllo €');
  // The worker reports its counters in its periodic snapshot (a stop travels faster than messages).
  const deadline = Date.now() + 20_000;
  while ((session.inputCounters()?.clipboard ?? 0) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await session.close();
  assert.deepEqual(session.inputCounters(), { keys: 2, pointer: 8, clicks: 2, wheel: 2, clipboard: 1, dropped: 0 });
  assert.deepEqual(heard, ['héllo ?'], 'the other clients hear the new clipboard, in Latin-1');
  input.key(true, 0x61); // after the end: dropped without a throw
});

test('a view-only input drops everything and never offers the clipboard', () => {
  const counters = { ignored: 0 };
  const input = viewOnlyInput(counters);
  let heard = 0;
  input.onClipboard(() => heard++);
  input.key(true, 0x41);
  input.pointer(1, 2, BUTTON_LEFT);
  input.clipboard('secret');
  assert.equal(input.viewOnly, true);
  assert.equal(counters.ignored, 3);
  assert.equal(heard, 0);
});

test('the simulated input counts each press once and nothing after close', () => {
  const sim = new CountingInput();
  sim.pointer(0, 0, BUTTON_LEFT | BUTTON_RIGHT);
  sim.pointer(0, 0, BUTTON_LEFT | BUTTON_RIGHT);
  sim.close();
  sim.key(true, 0x20);
  assert.deepEqual(sim.counters(), { keys: 0, pointer: 2, clicks: 2, wheel: 0, clipboard: 0, dropped: 1 });
});

test('cut text outside Latin-1 becomes question marks', () => {
  assert.equal(toLatin1('aé€😀'), 'aé??');
});

test('on xvfb, a pointer move through the session reaches the X server (xdotool finds it there)', async () => {
  const { startXvfb } = await import('../../../src/backends/xvfb/xvfb-server.js');
  const { execFile } = await import('node:child_process');
  const server = await startXvfb({ width: 320, height: 240, depth: 24 });
  const session = await openSession({ source: 'xvfb', display: server.display, workload: 'none', durationMs: 0 });
  try {
    const where = (): Promise<string> =>
      new Promise((resolve) => execFile('xdotool', ['getmouselocation'], { env: { ...process.env, DISPLAY: server.display } }, (_e, out) => resolve(String(out))));
    const input = session.remoteInput();
    const deadline = Date.now() + 20_000;
    let at = '';
    // The first events wait while the worker opens its input connection; repeat until one lands.
    while (Date.now() < deadline) {
      input.pointer(77, 66, 0);
      at = await where();
      if (/x:77 y:66/.test(at)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(at, /x:77 y:66/);
  } finally {
    await session.close();
    await server.stop();
  }
});
