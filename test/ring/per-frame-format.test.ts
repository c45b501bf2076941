/**
 * Per-frame pixel format (issue 10, defect 8): IddCx may change the format of each acquired buffer
 * from frame to frame on one swap-chain. A frame whose format differs from the ring's is carried
 * whole in its slot with its own format, never dropped, and never makes the host recreate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DriverStatus,
  FORMAT_BGRA8,
  FORMAT_RGBA16F,
  FORMAT_XRGB2101010,
  OFF_DRIVER_STATUS,
  PublishOutcome,
  bytesPerPixel,
} from '../../src/contract/index.js';
import { FramePublisher, HostRing, type ConsumedFrame } from '../../src/ring/index.js';
import { HeaderView } from '../../src/ring/header-view.js';
import { SourceDisplay, firstDifference } from './helpers.js';

const TARGET = 4;
const W = 16;
const H = 8;

function carryingRing(arm: 'slot-state' | 'keyed-mutex', ringLen = 3): HostRing {
  return HostRing.create({ targetId: TARGET, width: W, height: H, format: 'bgra8', ringLen, arm, frameFormats: ['rgba16f'] });
}

function open(host: HostRing): FramePublisher {
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  return r.publisher;
}

/** Consumes one frame, checks it is the source's current picture in the source's format, releases it. */
function consumeAndCheck(host: HostRing, src: SourceDisplay, what: string): ConsumedFrame {
  const f = host.tryConsume();
  assert.ok(f, `${what}: a frame is delivered`);
  assert.equal(f.format, src.format, `${what}: the frame carries its own format`);
  assert.equal(f.stride, W * bytesPerPixel(src.format));
  assert.equal(f.pixels.byteLength, f.stride * H);
  assert.equal(firstDifference(f.pixels, f.stride, W, H, src.wordsPerPixel, src.snapshot()), -1, `${what}: pixels verify in ${src.format}`);
  host.release(f);
  return f;
}

for (const arm of ['slot-state', 'keyed-mutex'] as const) {
  test(`a one-frame format blip is delivered whole in its own format, with no drop and no recreate (${arm})`, () => {
    const host = carryingRing(arm);
    const p = open(host);
    const sdr = new SourceDisplay(W, H, FORMAT_BGRA8);
    const hdr = new SourceDisplay(W, H, FORMAT_RGBA16F);
    // One odd frame per "second", as in the probe, nine times.
    for (let i = 0; i < 9; i++) {
      for (let k = 0; k < 4; k++) {
        assert.equal(p.publish(sdr.next(k === 0 ? 'full' : [[k, 1, 3, 2]])), PublishOutcome.Published);
        consumeAndCheck(host, sdr, `sdr frame ${sdr.frameNumber}`);
      }
      // The blip says only a small rect changed (relative to ITS previous frame): the slot it lands
      // in holds bytes of the other format, so the publisher must copy it whole regardless.
      hdr.next(i === 0 ? 'full' : [[i, 1, 2, 2]]);
      assert.equal(p.publish(hdr.frame), PublishOutcome.Published, 'the blip frame is published');
      const f = consumeAndCheck(host, hdr, `blip ${i}`);
      assert.deepEqual({ ...f.dirty }, { x: 0, y: 0, w: W, h: H }, 'a format change dirties the whole frame for the consumer');
      assert.equal(host.sourceDescChanged(), null, 'the host is not asked to recreate');
    }
    // The frame after a blip carries only a small rect of damage: the slot it lands in held the
    // blip (or older) bytes, which must be brought up to date whole, not patched.
    assert.equal(p.publish(sdr.next([[2, 2, 2, 2]])), PublishOutcome.Published);
    consumeAndCheck(host, sdr, 'after the last blip');
    const h = host.health();
    assert.equal(h.dropped.descMismatch, 0);
    assert.equal(h.droppedTotal, 0);
    assert.equal(h.publishedTotal, 9 * 5 + 1);
    assert.equal(host.generation, 1);
    assert.equal(new HeaderView(host.buffer).load32(OFF_DRIVER_STATUS), DriverStatus.Opened);
  });

  test(`a persistent format change (an HDR flip) flows on the same ring, every frame verified (${arm})`, () => {
    const host = carryingRing(arm, 4);
    const p = open(host);
    const hdr = new SourceDisplay(W, H, FORMAT_RGBA16F);
    for (let i = 0; i < 20; i++) {
      assert.equal(p.publish(hdr.next(i === 0 ? 'full' : [[i % W, i % H, 1, 1]])), PublishOutcome.Published);
      consumeAndCheck(host, hdr, `hdr frame ${i}`);
    }
    assert.equal(host.sourceDescChanged(), null);
    assert.equal(host.health().droppedTotal, 0);
  });
}

test('frames held across a format change keep their own format and pixels', () => {
  const host = carryingRing('slot-state', 4);
  const p = open(host);
  const sdr = new SourceDisplay(W, H, FORMAT_BGRA8);
  const hdr = new SourceDisplay(W, H, FORMAT_RGBA16F);
  p.publish(sdr.next('full'));
  const a = host.tryConsume();
  const expectA = sdr.snapshot();
  p.publish(hdr.next('full'));
  const b = host.tryConsume();
  assert.ok(a && b);
  assert.deepEqual([a.format, b.format], [FORMAT_BGRA8, FORMAT_RGBA16F]);
  assert.equal(firstDifference(a.pixels, a.stride, W, H, 1, expectA), -1);
  assert.equal(firstDifference(b.pixels, b.stride, W, H, 2, hdr.snapshot()), -1);
  host.release(a);
  host.release(b);
});

test('a format too large for the slots is still a DescMismatch; the recreated ring carries both from then on', () => {
  const host = HostRing.create({ targetId: TARGET, width: W, height: H, format: 'bgra8', ringLen: 3 });
  assert.equal(host.slotBytesPerPixel, 4);
  const p = open(host);
  const hdr = new SourceDisplay(W, H, FORMAT_RGBA16F);
  assert.equal(p.publish(hdr.next('full')), PublishOutcome.DescMismatch);
  assert.deepEqual(host.sourceDescChanged(), { width: W, height: H, format: FORMAT_RGBA16F });
  host.recreate({ width: W, height: H, format: FORMAT_RGBA16F });
  assert.equal(host.slotBytesPerPixel, 8);
  // Back to 8 bits on the recreated ring: it fits, so no second recreate.
  const p2 = open(host);
  const sdr = new SourceDisplay(W, H, FORMAT_BGRA8);
  assert.equal(p2.publish(sdr.next('full')), PublishOutcome.Published);
  consumeAndCheck(host, sdr, 'bgra8 on the rgba16f ring');
  assert.equal(host.sourceDescChanged(), null);
  // A size change keeps the larger slots: slots never shrink.
  host.recreate({ width: W / 2, height: H, format: FORMAT_BGRA8 });
  assert.equal(host.slotBytesPerPixel, 8);
});

test('a 10-bit frame on an 8-bit ring fits the same slot size and is carried in its own format', () => {
  const host = HostRing.create({ targetId: TARGET, width: W, height: H, format: 'bgra8', ringLen: 2 });
  const p = open(host);
  const deep = new SourceDisplay(W, H, FORMAT_XRGB2101010);
  assert.equal(p.publish(deep.next('full')), PublishOutcome.Published);
  consumeAndCheck(host, deep, 'xrgb2101010');
});

test('frameFormats that are not pixel formats are refused up front', () => {
  assert.throws(() => HostRing.create({ targetId: TARGET, width: W, height: H, format: 'bgra8', frameFormats: ['rgb565'] }), /not a known pixel format/);
  assert.throws(() => HostRing.create({ targetId: TARGET, width: W, height: H, format: 'bgra8', frameFormats: 'rgba16f' as unknown as string[] }), /array/);
});
