/**
 * A display-side event (the attached X display went away, came back; the Xvfb workload died) is on
 * the host's timeline promptly, not at the worker's next counters snapshot (which an idle display
 * posts once a second): a viewer, or a test, that sees the frames of a display that came back
 * also sees that it came back.
 *
 * The event travels by message and frames by the ring, two channels the host's event loop serves
 * in no fixed order within one turn, so the guarantee checked is the one a turn gives: the event,
 * recorded before the display's swap-chain starts, is there once the host has consumed a later
 * frame than the first one of the server that came back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openSession } from '../../src/host/session.js';
import { waitUntil } from './process-probe.js';
import { startUserXvfb, type UserXvfb } from './user-xvfb.js';

/** xsetroot colours and their first pixel as the ring's BGRA bytes. */
const BLUE = { name: '#2050a0', bgr: '160,80,32' };
const RED = { name: '#c01010', bgr: '16,16,192' };

test('the display-back event is on the timeline by the second frame of the server that came back', async () => {
  const first = await startUserXvfb(160, 120);
  let second: UserXvfb | null = null;
  try {
    const session = await openSession({ source: 'xvfb', display: first.display, durationMs: 0 });
    let frames = 0;
    let sawBlue = false;
    let backAtRed: boolean | null = null;
    const drain = session.drain((f) => {
      frames++;
      const corner = `${f.pixels[0]},${f.pixels[1]},${f.pixels[2]}`;
      if (corner === BLUE.bgr) sawBlue = true;
      else if (sawBlue && corner === RED.bgr && backAtRed === null) backAtRed = session.recoveryEvents().some((e) => e.action === 'display-back');
    });
    const paint = (c: { name: string }): void => {
      assert.equal(spawnSync('xsetroot', ['-solid', c.name], { env: { ...process.env, DISPLAY: second!.display } }).status, 0);
    };
    try {
      assert.ok(await waitUntil(() => frames >= 1, 10_000), 'a first frame');
      await first.kill();
      assert.ok(await waitUntil(() => session.recoveryEvents().some((e) => e.action === 'display-lost'), 10_000), 'display-lost');
      second = await startUserXvfb(160, 120, first.number);
      // Blue before vdpush reattaches (it retries every 250 ms) or right after; red once blue is in.
      paint(BLUE);
      assert.ok(await waitUntil(() => sawBlue, 15_000), `a frame of the new server: ${JSON.stringify(session.recoveryEvents())}`);
      paint(RED);
      assert.ok(await waitUntil(() => backAtRed !== null, 10_000), 'a later frame of the new server');
      assert.equal(backAtRed, true, `display-back by then: ${JSON.stringify(session.recoveryEvents().map((e) => e.action))}`);
    } finally {
      await session.close();
      await drain;
    }
  } finally {
    await second?.stop();
    await first.stop();
  }
});
