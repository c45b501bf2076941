/**
 * Issue 10, defect 8, reproduced as the probe: one odd-format frame per second on one
 * swap-chain. Before per-frame formats the host recreated its ring 9 times and dropped 9 frames
 * in 5 s; now every frame is delivered and verified in its own format on one ring.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../src/host/session.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../src/contract/pixel-format.js';

for (const base of ['bgra8', 'rgba16f'] as const) {
  test(`a one-frame format blip every second (${base}) is delivered whole and verified, with no drop and no ring recreate`, async () => {
    const session = await openSession({ source: 'sim', mode: '256x144@60', format: base, clock: 'virtual', durationMs: 5000, faults: 'format-blip@500ms*5/1s' });
    const seen = new Map<number, number>();
    let previous = -1;
    let changes = 0;
    for await (const f of session.frames()) {
      seen.set(f.format, (seen.get(f.format) ?? 0) + 1);
      if (previous !== -1 && f.format !== previous) changes++;
      previous = f.format;
    }
    const s = await session.close();
    const odd = base === 'bgra8' ? FORMAT_RGBA16F : FORMAT_BGRA8;
    assert.equal(seen.get(odd), 5, 'each blip frame is delivered, in its own format');
    assert.equal(changes, 10, 'into each blip and back out of it');
    assert.equal(s.frames.dropped.descMismatch, 0);
    assert.equal(s.ring.generations, 1, 'no recreate, let alone back and forth');
    assert.equal(s.frames.integrityErrors, 0, 'every frame verified in its own format');
    assert.equal(s.frames.published, s.frames.acquired, 'nothing the display composed was dropped');
    assert.equal(s.mode.format, base, 'the format returns after each blip');
    assert.deepEqual(s.recovery.events, []);
  });
}

test('a longer blip (format-blip:N) is carried frame by frame the same way', async () => {
  const session = await openSession({ source: 'sim', mode: '128x72@60', clock: 'virtual', durationMs: 1500, faults: 'format-blip@300ms:8,format-blip@900ms:3' });
  let odd = 0;
  for await (const f of session.frames()) if (f.format === FORMAT_RGBA16F) odd++;
  const s = await session.close();
  assert.equal(odd, 11);
  assert.equal(s.ring.generations, 1);
  assert.equal(s.frames.integrityErrors, 0);
  assert.equal(s.frames.dropped.descMismatch, 0);
  assert.equal(s.mode.format, 'bgra8');
});
