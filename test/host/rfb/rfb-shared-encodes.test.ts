/**
 * Clients of one framebuffer sent the same Tight JPEG tile of the same frame at the same quality
 * share one encode, and get the same bytes; a new frame is encoded anew.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEncodesOf } from '../../../src/host/rfb/encoders/shared-encodes.js';
import { FakeTarget, startFakeServer } from './fake-target.js';
import { RfbTestClient } from './rfb-test-client.js';

const TIGHT = 7;
const QUALITY_6 = -32 + 6;

test('two Tight clients at the same quality share the JPEG of a frame; the next frame is encoded again', async () => {
  const t = new FakeTarget();
  t.full(300, 200, 1); // two Tight tiles (256 + 44 wide), both photographic enough for JPEG: one merged JPEG rectangle
  const server = await startFakeServer(t);
  const a = await RfbTestClient.connect(server.port);
  const b = await RfbTestClient.connect(server.port);
  try {
    await a.handshake();
    await b.handshake();
    for (const c of [a, b]) c.setEncodings([TIGHT, QUALITY_6]);
    const counts = sharedEncodesOf(t.framebuffer).counts;
    const round = async (): Promise<Buffer[][]> => {
      a.requestUpdate(false);
      b.requestUpdate(false);
      const [ra, rb] = await Promise.all([a.readUpdate(), b.readUpdate()]);
      for (const r of [...ra, ...rb]) assert.equal(r.data[0]! >> 4, 9, `tile at ${r.x},${r.y} is JPEG`);
      return [ra.map((r) => r.data), rb.map((r) => r.data)];
    };
    const [a1, b1] = await round();
    assert.equal(a1.length, 1);
    assert.deepEqual(a1, b1, 'the same bytes for both clients');
    assert.deepEqual(counts, { made: 1, reused: 1 }, 'encoded once');
    t.full(300, 200, 2);
    const [a2, b2] = await round();
    assert.deepEqual(a2, b2);
    assert.notDeepEqual(a2, a1, 'the new frame is what they get');
    assert.deepEqual(counts, { made: 2, reused: 2 });
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});
