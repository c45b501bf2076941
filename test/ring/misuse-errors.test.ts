import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_RGBA16F, InvalidArgumentError } from '../../src/contract/index.js';
import { FramePublisher, HostRing, MAX_RING_BYTES } from '../../src/ring/index.js';

const TARGET = 3;

function ring(): HostRing {
  return HostRing.create({ targetId: TARGET, width: 8, height: 4, format: 'bgra8', ringLen: 3 });
}

function publisher(host: HostRing): FramePublisher {
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  return r.publisher;
}

test('publish of null or of an object without pixels throws InvalidArgumentError', () => {
  const p = publisher(ring());
  for (const bad of [null, undefined, 42, {}, { pixels: [1, 2, 3] }]) {
    assert.throws(() => p.publish(bad as never), InvalidArgumentError);
  }
});

test('FramePublisher.open without options, or with a bad targetId, throws InvalidArgumentError', () => {
  const host = ring();
  assert.throws(() => FramePublisher.open(host.buffer, undefined as never), InvalidArgumentError);
  assert.throws(() => FramePublisher.open(host.buffer, { targetId: Number.NaN }), InvalidArgumentError);
  assert.throws(() => FramePublisher.open(host.buffer, { targetId: TARGET, renderAdapterLuid: Number.NaN }), InvalidArgumentError);
});

test('setRenderAdapterLuid(NaN) and (Infinity) throw InvalidArgumentError; a bigint and a number work', () => {
  const p = publisher(ring());
  assert.throws(() => p.setRenderAdapterLuid(Number.NaN), InvalidArgumentError);
  assert.throws(() => p.setRenderAdapterLuid(Number.POSITIVE_INFINITY), InvalidArgumentError);
  p.setRenderAdapterLuid(0x1234n);
  p.setRenderAdapterLuid(0x5678);
});

test('nextFrame({timeoutMs: NaN}) rejects at once with InvalidArgumentError instead of polling forever', async () => {
  const host = ring();
  await assert.rejects(host.nextFrame({ timeoutMs: Number.NaN }), InvalidArgumentError);
  await assert.rejects(host.nextFrame({ timeoutMs: '5' as never }), InvalidArgumentError);
  assert.equal(await host.nextFrame({ timeoutMs: 0 }), null);
});

test('a display-side mode of 16384x16384 rgba16f is refused, never allocated, and the ring stays as it was', () => {
  const host = ring();
  const p = publisher(host);
  // The display composes a huge mode: publish reports the mismatch (its pixels are never read).
  const frame = { pixels: new Uint8Array(16), width: 16384, height: 16384, format: FORMAT_RGBA16F, stride: 16384 * 8, frameNumber: 1, presentTimeMs: 0, dirtyRects: new Int32Array(0), dirtyCount: -1 };
  p.publish(frame);
  const desc = host.sourceDescChanged();
  assert.deepEqual(desc, { width: 16384, height: 16384, format: FORMAT_RGBA16F });
  assert.throws(() => host.recreate(desc!), (e: unknown) => e instanceof InvalidArgumentError && /6\.4 GB/.test(e.message) && /limit/.test(e.message));
  assert.equal(host.width, 8);
  assert.equal(host.generation, 1);
  assert.throws(() => HostRing.create({ targetId: 1, width: 16384, height: 16384, format: 'rgba16f' }), InvalidArgumentError);
  assert.ok(MAX_RING_BYTES >= 2 ** 30);
});
