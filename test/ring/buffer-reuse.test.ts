import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_BGRA8, PublishOutcome } from '../../src/contract/index.js';
import { FramePublisher, HostRing } from '../../src/ring/index.js';
import { SourceDisplay } from './helpers.js';

const TARGET = 4;
const W = 16;
const H = 8;

function open(buffer: SharedArrayBuffer): FramePublisher {
  const r = FramePublisher.open(buffer, { targetId: TARGET });
  assert.ok(r.ok);
  return r.publisher;
}

function recreate(ring: HostRing): void {
  ring.recreate({ width: W, height: H, format: 'bgra8' });
}

test('a retired buffer is rebuilt by a later recreate once the display opened its successor', () => {
  const ring = HostRing.create({ targetId: TARGET, width: W, height: H, format: 'bgra8', ringLen: 3 });
  const a = ring.buffer;
  open(a);
  recreate(ring);
  const b = ring.buffer;
  assert.notEqual(b, a, 'the first recreate needs a new buffer: the display is still on A');
  open(b);
  recreate(ring);
  assert.equal(ring.buffer, a, 'A is quiescent (the display moved on to B): reused');
  assert.equal(ring.generation, 3);
  // The rebuilt ring starts clean: a display attaches and the host reads its frame.
  const src = new SourceDisplay(W, H, FORMAT_BGRA8);
  const p = open(ring.buffer);
  assert.equal(p.publish(src.next('full')), PublishOutcome.Published);
  const f = ring.tryConsume();
  assert.ok(f);
  assert.equal(f.generation, 3);
  assert.equal(f.sequence, 1);
  ring.release(f);
});

test('a retired buffer is not reused while the display never opened a newer one, nor while the host holds one of its frames', () => {
  const ring = HostRing.create({ targetId: TARGET, width: W, height: H, format: 'bgra8', ringLen: 3 });
  const a = ring.buffer;
  open(a);
  recreate(ring); // -> B, the display never opens it
  recreate(ring); // -> C
  assert.notEqual(ring.buffer, a);

  const ring2 = HostRing.create({ targetId: TARGET, width: W, height: H, format: 'bgra8', ringLen: 3 });
  const a2 = ring2.buffer;
  const src = new SourceDisplay(W, H, FORMAT_BGRA8);
  assert.equal(open(a2).publish(src.next('full')), PublishOutcome.Published);
  const held = ring2.tryConsume();
  assert.ok(held);
  recreate(ring2);
  open(ring2.buffer);
  recreate(ring2);
  assert.notEqual(ring2.buffer, a2, 'a frame of A is still held: A must not be rebuilt under it');
  ring2.release(held);
});

test('a stale publisher left on a reused buffer cannot publish into the rebuilt ring', () => {
  const ring = HostRing.create({ targetId: TARGET, width: W, height: H, format: 'bgra8', ringLen: 3 });
  const stale = open(ring.buffer);
  recreate(ring);
  open(ring.buffer);
  recreate(ring);
  const src = new SourceDisplay(W, H, FORMAT_BGRA8);
  const fresh = open(ring.buffer);
  assert.equal(fresh.publish(src.next('full')), PublishOutcome.Published);
  assert.equal(stale.isStale(), true);
  assert.equal(stale.publish(src.next('full')), PublishOutcome.Stale);
  const f = ring.tryConsume();
  assert.ok(f);
  assert.equal(f.sequence, 1, 'only the fresh publisher published');
  ring.release(f);
});
