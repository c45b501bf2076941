/**
 * DAMAGE at its NonEmpty level (damage-fetch.ts): a frame another client draws in many requests
 * costs one DamageNotify, and the capture's fetch gives exactly the drawn areas as dirty rects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import x11 from 'x11';
import type { XClient } from 'x11';
import { createXvfbDisplay } from '../../../src/backends/xvfb/index.js';
import { FakeMonitor, until } from './fake-monitor.js';

const W = 320;
const H = 240;

function connect(display: string): Promise<{ client: XClient; root: number }> {
  return new Promise((resolve, reject) => {
    const c = x11.createClient({ display, shm: false }, (err, d) => (err ? reject(err) : resolve({ client: c, root: d.screen[0]!.root })));
  });
}

/** Pixels covered by `rects` (x, y, w, h quadruples, `count` of them), as a W x H bitmap. */
function coverage(rects: ArrayLike<number>, count: number): Uint8Array {
  const m = new Uint8Array(W * H);
  for (let i = 0; i < count; i++) {
    const [x, y, w, h] = [rects[i * 4]!, rects[i * 4 + 1]!, rects[i * 4 + 2]!, rects[i * 4 + 3]!];
    for (let r = y; r < y + h; r++) m.fill(1, r * W + x, r * W + x + w);
  }
  return m;
}

test('twenty_draws_under_another_clients_grab_cost_one_damage_event_and_a_frame_whose_dirty_rects_are_exactly_them', async () => {
  const d = await createXvfbDisplay({ mode: { width: W, height: H, refreshHz: 60 }, workload: 'none', cursor: false });
  let last: { rects: Int32Array; count: number } | null = null;
  const m = new FakeMonitor(d, { onFrame: (f) => (last = { rects: f.dirtyRects.slice(0, f.dirtyCount * 4), count: f.dirtyCount }) });
  const { client, root } = await connect(d.display);
  try {
    await d.start(m);
    assert.ok(await until(() => m.frames >= 1, 5_000), 'the first (whole-screen) frame');
    const before = d.stats();
    const frames = m.frames;
    // Twenty separate fills, made atomic by this client's own grab: the capture's grab waits for
    // the ungrab, so all twenty land before one capture takes them.
    const gc = client.AllocID();
    client.CreateGC(gc, root, { foreground: 0xff0000 });
    const drawn: number[] = [];
    client.GrabServer();
    for (let i = 0; i < 20; i++) {
      const rect = [10 + (i % 5) * 60, 10 + Math.floor(i / 5) * 55, 20 + i, 10 + i];
      drawn.push(...rect);
      client.PolyFillRectangle(root, gc, rect);
    }
    client.UngrabServer();
    await new Promise<void>((r) => client.GetInputFocus(() => r()));
    assert.ok(await until(() => m.frames > frames, 5_000), 'a frame for the draws');
    const after = d.stats();
    assert.equal(after.damageEvents - before.damageEvents, 1, 'NonEmpty: one event for twenty draws');
    assert.equal(m.frames, frames + 1, 'one frame');
    const got = last!;
    assert.deepEqual(coverage(got.rects, got.count), coverage(drawn, 20), 'the dirty rects cover exactly the drawn pixels');
  } finally {
    client.terminate();
    await d.stop();
  }
});
