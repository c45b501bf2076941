import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openSession } from '../../src/host/session.js';

// Every published frame is either consumed or counted as overwritten, under any schedule: a host
// that stalls, recreates, flips format, a display that idles or flaps. And no live view (stats()
// between frames) ever shows more frames consumed than published.
const KINDS = ['host-stall@{t}:60ms', 'host-recreate@{t}', 'hdr-flip@{t}', 'idle@{t}:40ms', 'flap@{t}:30ms', 'unassign@{t}', 'device-removed@{t}'];

test('published = consumed + overwritten, and a live view never shows consumed > published (model test, seeded)', async () => {
  const seed = Number(process.env.VDP_SEED ?? 20261201);
  const schedule = fc.array(fc.tuple(fc.integer({ min: 0, max: KINDS.length - 1 }), fc.integer({ min: 10, max: 280 })), { minLength: 0, maxLength: 5 });
  await fc.assert(
    fc.asyncProperty(schedule, fc.integer({ min: 1, max: 1000 }), fc.boolean(), async (entries, simSeed, slowConsumer) => {
      const faults = entries.map(([k, t]) => KINDS[k]!.replace('{t}', `${t}ms`)).join(',');
      const session = await openSession({ source: 'sim', mode: '64x36@240', clock: 'virtual', durationMs: 300, seed: simSeed, faults });
      let n = 0;
      for await (const _f of session.frames()) {
        const live = session.stats().frames;
        assert.ok(live.consumed <= live.published, `live: consumed ${live.consumed} > published ${live.published} (faults ${faults})`);
        // A slow consumer skips frames, so the producer overwrites some.
        if (slowConsumer && ++n % 3 === 0) await new Promise((r) => setImmediate(r));
      }
      const s = await session.close();
      const f = s.frames;
      assert.equal(f.published, f.consumed + f.dropped.overwritten, `faults "${faults}": ${JSON.stringify(f)}`);
    }),
    { seed, numRuns: 8, endOnFailure: true },
  );
});

test('a real-clock consumer slower than the display sees its skipped frames counted as overwritten', async () => {
  const session = await openSession({ source: 'sim', mode: '64x36@240', durationMs: 400, verify: false });
  for await (const _f of session.frames()) {
    const live = session.stats().frames;
    assert.ok(live.consumed <= live.published, `live: consumed ${live.consumed} > published ${live.published}`);
    await new Promise((r) => setTimeout(r, 15));
  }
  const s = await session.close();
  assert.ok(s.frames.dropped.overwritten > 0, `a consumer at ~60 Hz behind a 240 Hz display skips frames: ${JSON.stringify(s.frames)}`);
  assert.equal(s.frames.published, s.frames.consumed + s.frames.dropped.overwritten);
});
