/**
 * The cursor poll asks only what no capture answered (cursor-tracker.ts): every capture's batch
 * carries a QueryPointer, so a poll tick that follows a capture's sighting of the pointer sends no
 * request, while a still screen (no captures) keeps its poll at the full rate, its own answers
 * never counting as a newer sighting. A fake connection records the requests; mocked timers tick
 * the poll deterministically.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { CursorTracker } from '../../../src/backends/xvfb/cursor-tracker.js';
import type { XConnection } from '../../../src/backends/xvfb/x-connection.js';

const ROOT = 0x25;
const POLL_MS = 100;

type PointerCb = (err: unknown, p: { root: number; rootX: number; rootY: number } | undefined) => void;

function fakeConnection(): { conn: XConnection; queries: PointerCb[] } {
  const queries: PointerCb[] = [];
  const conn = {
    closed: false,
    root: ROOT,
    xinput: null,
    xdisplay: { screen: [{ root: ROOT }] },
    fixes: {
      firstEvent: 90,
      events: { CursorNotify: 1 },
      CursorNotifyMask: { DisplayCursor: 1 },
      SelectCursorInput: () => undefined,
      GetCursorImage: () => undefined,
    },
    client: { QueryPointer: (_root: number, cb: PointerCb) => queries.push(cb) },
  };
  return { conn: conn as unknown as XConnection, queries };
}

test('a_poll_tick_after_a_captures_pointer_query_sends_nothing_and_a_still_screen_keeps_polling_every_tick', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  const { conn, queries } = fakeConnection();
  const t = new CursorTracker(conn, { width: 320, height: 240 }, () => undefined);
  try {
    t.startPolling(POLL_MS);
    // A still screen: every tick asks, and the poll's own answer does not skip the next tick.
    for (let i = 1; i <= 3; i++) {
      mock.timers.tick(POLL_MS);
      assert.equal(queries.length, i, `tick ${i} queried`);
      queries[i - 1]!(null, { root: ROOT, rootX: 10, rootY: 20 + i });
    }
    assert.deepEqual([t.polls, t.pollsSkipped], [3, 0]);
    // Frames flow: each capture's batch read the pointer (swap-chain.ts passes its reply here).
    for (let i = 0; i < 5; i++) {
      t.updatePosition(30 + i, 40, ROOT);
      mock.timers.tick(POLL_MS);
    }
    assert.equal(queries.length, 3, 'no poll query while captures read the pointer');
    assert.deepEqual([t.polls, t.pollsSkipped], [3, 5]);
    assert.deepEqual([t.state.x, t.state.y, t.state.visible], [34, 40, true]);
    // The frames stop: the next tick asks again.
    mock.timers.tick(POLL_MS);
    assert.equal(queries.length, 4, 'the poll resumes once no capture read the pointer since its last tick');
    // XFIXES's image position is no QueryPointer sighting (it cannot tell screens apart).
    queries[3]!(null, { root: ROOT, rootX: 1, rootY: 1 });
    t.updatePosition(2, 2);
    mock.timers.tick(POLL_MS);
    assert.equal(queries.length, 5);
  } finally {
    t.stopPolling();
    mock.timers.reset();
  }
});
