/**
 * FrameDemand's watch link (frame-demand.ts): an on-demand pump with nobody looking tells the
 * display to stop watching; the first consumer tells it to watch again and the pump waits for its
 * caught-up answer to that watch (an older answer is ignored), at most CATCH_UP_TIMEOUT_MS; the
 * last consumer leaving stops it again. A pump that is not on demand never stops the display.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { CATCH_UP_TIMEOUT_MS, FrameDemand } from '../../src/host/frame-demand.js';

function linked(): { d: FrameDemand; posts: Array<[boolean, number]> } {
  const d = new FrameDemand();
  const posts: Array<[boolean, number]> = [];
  d.setWatchLink((watched, seq) => posts.push([watched, seq]));
  return { d, posts };
}

test('nobody looking: unwatched; a consumer: watched, the pump waits for that answer; the last leaving: unwatched', () => {
  const { d, posts } = linked();
  d.begin(true);
  assert.deepEqual(posts, [[false, 1]]);
  const a = d.acquire();
  assert.deepEqual(posts.at(-1), [true, 2]);
  assert.equal(d.catchingUp, true);
  const b = d.acquire();
  assert.equal(posts.length, 2, 'a second consumer changes nothing');
  d.caughtUp(1);
  assert.equal(d.catchingUp, true, 'an answer to an older message is not this one');
  d.caughtUp(2);
  assert.equal(d.catchingUp, false);
  a.release();
  assert.equal(posts.length, 2, 'one consumer still looks');
  b.release();
  assert.deepEqual(posts.at(-1), [false, 3]);
  b.release();
  assert.equal(posts.length, 3, 'a second release of one handle is no leave');
  d.end();
});

test('a display that never answers is waited for CATCH_UP_TIMEOUT_MS; a consumer leaving first ends the wait', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { d, posts } = linked();
    d.begin(true);
    const a = d.acquire();
    mock.timers.tick(CATCH_UP_TIMEOUT_MS - 1);
    assert.equal(d.catchingUp, true);
    mock.timers.tick(1);
    assert.equal(d.catchingUp, false, 'given up waiting');
    d.caughtUp(2);
    assert.equal(d.catchingUp, false, 'a late answer changes nothing');
    a.release();
    const b = d.acquire();
    assert.deepEqual(posts.at(-1), [true, 4]);
    b.release();
    assert.equal(d.catchingUp, false, 'nobody waits for an answer once the consumer left');
    d.end();
  } finally {
    mock.timers.reset();
  }
});

test('a pump that is not on demand, or no link: the display is never told to stop watching', () => {
  const { d, posts } = linked();
  d.begin(false);
  d.acquire().release();
  assert.deepEqual(posts, []);
  d.end();
  const bare = new FrameDemand();
  bare.begin(true);
  const h = bare.acquire();
  assert.equal(bare.catchingUp, false);
  h.release();
  bare.end();
});

test('the pump ending answers for the display: nobody is left waiting', () => {
  const { d } = linked();
  d.begin(true);
  d.acquire();
  assert.equal(d.catchingUp, true);
  d.end();
  assert.equal(d.catchingUp, false);
});
