/**
 * CaptureWatch (capture-watch.ts): when a display watched again says it caught up. At once if
 * nothing changed meanwhile; else once a capture started after the watch has ended (its frame
 * finished, or nothing to deliver), never on the end of a frame from before the watch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureWatch } from '../../../src/backends/xvfb/capture-watch.js';
import type { XvfbSwapChain } from '../../../src/backends/xvfb/swap-chain.js';

type State = 'idle' | 'capturing' | 'held';

/** The swap-chain as CaptureWatch sees it; `onCapture` is what its maybeCapture() leads to. */
function fakeChain(state: State, onCapture: State = state): { sc: XvfbSwapChain; set(s: State): void; captures: number } {
  const f = {
    state,
    captures: 0,
    sc: null as unknown as XvfbSwapChain,
    set(s: State) {
      f.state = s;
    },
  };
  f.sc = {
    get idle() {
      return f.state === 'idle';
    },
    get capturing() {
      return f.state === 'capturing';
    },
    maybeCapture() {
      f.captures++;
      if (f.state === 'idle') f.state = onCapture;
    },
  } as unknown as XvfbSwapChain;
  return f;
}

test('unwatched, then watched with nothing changed meanwhile: caught up at once', () => {
  const w = new CaptureWatch();
  const c = fakeChain('idle');
  let caught = 0;
  w.set(false, () => assert.fail('an unwatch is never answered'), c.sc);
  assert.equal(w.unwatched, true);
  w.set(true, () => caught++, c.sc);
  assert.equal(w.unwatched, false);
  assert.equal(c.captures, 1, 'watching again looks for damage at once');
  assert.equal(caught, 1);
});

test('watched with damage waiting: caught up when that capture ends, not before', () => {
  const w = new CaptureWatch();
  const c = fakeChain('idle', 'capturing');
  let caught = 0;
  w.set(false, () => undefined, c.sc);
  w.set(true, () => caught++, c.sc);
  assert.equal(caught, 0, 'the capture of what changed is on its way');
  c.set('held');
  assert.equal(caught, 0);
  c.set('idle');
  w.captureEnded(c.sc); // finish(): the frame was published
  assert.equal(caught, 1);
  w.captureEnded(c.sc);
  assert.equal(caught, 1, 'answered once');
});

test('a frame from before the watch is held: its end does not count, the capture after it does', () => {
  const w = new CaptureWatch();
  const c = fakeChain('held');
  let caught = 0;
  w.set(false, () => undefined, c.sc);
  w.set(true, () => caught++, c.sc);
  assert.equal(caught, 0);
  c.set('capturing'); // finish() of the old frame started the capture of what changed
  w.captureEnded(c.sc);
  assert.equal(caught, 0, 'the old frame is not the catch-up');
  c.set('idle');
  w.captureEnded(c.sc);
  assert.equal(caught, 1);
});

test('a frame from before the watch is held and nothing changed since: caught up when it is finished', () => {
  const w = new CaptureWatch();
  const c = fakeChain('held');
  let caught = 0;
  w.set(true, () => caught++, c.sc);
  c.set('idle');
  w.captureEnded(c.sc);
  assert.equal(caught, 1);
});

test('a newer watch or unwatch answers the older watch at once; no swap-chain: caught up at once', () => {
  const w = new CaptureWatch();
  const c = fakeChain('idle', 'capturing');
  const answered: string[] = [];
  w.set(true, () => answered.push('first'), c.sc);
  w.set(false, () => answered.push('unwatch'), c.sc);
  assert.deepEqual(answered, ['first']);
  w.set(true, () => answered.push('none'), null);
  assert.deepEqual(answered, ['first', 'none']);
});
