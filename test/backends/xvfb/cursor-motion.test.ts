/**
 * The cursor follows the pointer without its poll: XI2 motion events on the root answer XTEST
 * motion (what vdpush's own input and xdotool's relative moves send) and a warp over the bare root;
 * the (backed-off) poll catches what no event reports, a warp over a window whose client selects
 * motion (xev here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { createXvfbDisplay, type XvfbDisplay } from '../../../src/backends/xvfb/index.js';
import { FakeMonitor, until } from './fake-monitor.js';

const run = promisify(execFile);
/** Longer than any test here: a position that arrives came from an event, never from this poll. */
const NO_POLL_MS = 600_000;

async function withDisplay(cursorPollMs: number, body: (d: XvfbDisplay, m: FakeMonitor) => Promise<void>): Promise<void> {
  const d = await createXvfbDisplay({ mode: { width: 320, height: 240, refreshHz: 60 }, workload: 'none', cursorPollMs });
  const m = new FakeMonitor(d);
  try {
    await d.start(m);
    assert.ok(await until(() => m.frames >= 1, 5_000), 'the first frame');
    await body(d, m);
  } finally {
    await d.stop();
  }
}

const xdotool = (display: string, ...args: string[]) => run('xdotool', args, { env: { ...process.env, DISPLAY: display } });

test('xtest_motion_and_a_warp_over_the_root_reach_the_cursor_through_xi2_events_without_a_poll', async () => {
  await withDisplay(NO_POLL_MS, async (d, m) => {
    const c = m.swapChain!.frame.cursor!;
    // Absolute xdotool moves are WarpPointer: over the bare root, XI2 Motion reports them.
    await xdotool(d.display, 'mousemove', '50', '60');
    assert.ok(await until(() => c.x === 50 && c.y === 60, 5_000), `warp: cursor at ${c.x},${c.y}`);
    // Relative moves go through XTEST: XI2 RawMotion reports them wherever the pointer is.
    const frames = m.frames;
    await xdotool(d.display, 'mousemove_relative', '--', '7', '9');
    assert.ok(await until(() => m.frames > frames && c.x === 57 && c.y === 69, 5_000), `xtest: cursor at ${c.x},${c.y}`);
  });
});

test('a_warp_over_a_window_that_selects_motion_is_still_caught_by_the_backed_off_poll', async () => {
  await withDisplay(10, async (d, m) => {
    const xev = spawn('xev', ['-display', d.display, '-geometry', '320x240+0+0'], { stdio: 'ignore' });
    try {
      // xev's window covers the screen once its damage arrives (its map draws the window).
      const before = m.frames;
      assert.ok(await until(() => m.frames > before, 5_000), 'xev mapped');
      const c = m.swapChain!.frame.cursor!;
      await xdotool(d.display, 'mousemove', '100', '110');
      assert.ok(await until(() => c.x === 100 && c.y === 110, 5_000), `cursor at ${c.x},${c.y}`);
    } finally {
      xev.kill();
    }
  });
});
