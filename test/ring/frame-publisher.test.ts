import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  AttachRefusal,
  Capability,
  DriverStatus,
  FORMAT_BGRA8,
  FORMAT_RGBA16F,
  HEADER_SIZE,
  HealthState,
  OFF_CAPABILITIES,
  OFF_DRIVER_STATUS,
  OFF_DRIVER_STATUS_DETAIL,
  OFF_HEALTH_STATE,
  OFF_MAGIC,
  OFF_RENDER_ADAPTER_LUID,
  OFF_SOURCE_FORMAT,
  OFF_SOURCE_HEIGHT,
  OFF_SOURCE_WIDTH,
  OFF_TARGET_ID,
  PublishOutcome,
} from '../../src/contract/index.js';
import { FramePublisher, HostRing } from '../../src/ring/index.js';
import { DIRTY_HISTORY } from '../../src/ring/dirty-history.js';
import { HeaderView } from '../../src/ring/header-view.js';
import { SourceDisplay, firstDifference, prng } from './helpers.js';

const TARGET = 9;

function ring(arm: 'slot-state' | 'keyed-mutex' | 'auto' = 'auto', ringLen = 3, width = 8, height = 4) {
  return HostRing.create({ targetId: TARGET, width, height, format: 'bgra8', ringLen, arm });
}

test('open on a good ring writes capabilities, status Opened with the negotiated caps, the LUID and health Active', () => {
  const host = ring('slot-state');
  const r = FramePublisher.open(host.buffer, { targetId: TARGET, renderAdapterLuid: 0xabcdef, capabilities: Capability.SlotState | Capability.KeyedMutex });
  assert.ok(r.ok);
  assert.equal(r.publisher.arm, 'slot-state');
  const v = new HeaderView(host.buffer);
  assert.equal(v.load32(OFF_CAPABILITIES), Capability.SlotState | Capability.KeyedMutex);
  assert.equal(v.load32(OFF_DRIVER_STATUS), DriverStatus.Opened);
  assert.equal(v.load32(OFF_DRIVER_STATUS_DETAIL), Capability.SlotState);
  assert.equal(v.load64(OFF_RENDER_ADAPTER_LUID), 0xabcdefn);
  assert.equal(v.load32(OFF_HEALTH_STATE), HealthState.Active);
});

test('negotiation picks the keyed-mutex arm when that is all the host offers', () => {
  const r = FramePublisher.open(ring('keyed-mutex').buffer, { targetId: TARGET });
  assert.ok(r.ok);
  assert.equal(r.publisher.arm, 'keyed-mutex');
});

test('a buffer that is not shared, or too small for a header, is refused without a write', () => {
  const notShared = FramePublisher.open(new ArrayBuffer(4096) as unknown as SharedArrayBuffer, { targetId: TARGET });
  assert.equal(notShared.ok ? 0 : notShared.refusal, AttachRefusal.BufferTooSmall);
  const tiny = new SharedArrayBuffer(HEADER_SIZE - 8);
  const r = FramePublisher.open(tiny, { targetId: TARGET });
  assert.equal(r.ok ? 0 : r.refusal, AttachRefusal.BufferTooSmall);
  assert.ok(new Uint8Array(tiny).every((b) => b === 0));
});

test('a refusal is written back as status Refused with the refusal code as detail', () => {
  const buf = new SharedArrayBuffer(4096);
  const r = FramePublisher.open(buf, { targetId: TARGET });
  assert.equal(r.ok ? 0 : r.refusal, AttachRefusal.BadMagic);
  const v = new HeaderView(buf);
  assert.equal(v.load32(OFF_DRIVER_STATUS), DriverStatus.Refused);
  assert.equal(v.load32(OFF_DRIVER_STATUS_DETAIL), AttachRefusal.BadMagic);
});

test('a ring for another target is refused and left untouched', () => {
  const host = ring();
  const r = FramePublisher.open(host.buffer, { targetId: TARGET + 1 });
  assert.equal(r.ok ? 0 : r.refusal, AttachRefusal.TargetMismatch);
  assert.equal(new HeaderView(host.buffer).load32(OFF_DRIVER_STATUS), DriverStatus.None);
});

test('sides without a common arm are refused', () => {
  const r = FramePublisher.open(ring('keyed-mutex').buffer, { targetId: TARGET, capabilities: Capability.SlotState });
  assert.equal(r.ok ? 0 : r.refusal, AttachRefusal.NoCommonArm);
});

test('open never throws on hostile buffers and never accepts one whose slots leave the buffer', () => {
  const good = ring('auto', 2, 5, 3);
  const template = new Uint8Array(good.buffer.slice(0, HEADER_SIZE));
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4096 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), { maxLength: 6 }),
      fc.boolean(),
      (size, pokes, startFromGood) => {
        const buf = new SharedArrayBuffer(size);
        const bytes = new Uint8Array(buf);
        if (startFromGood) bytes.set(template.subarray(0, Math.min(size, HEADER_SIZE)));
        const words = new Int32Array(buf, 0, size >>> 2);
        for (const [i, v] of pokes) if (i < words.length && i < 12) words[i] = v;
        const r = FramePublisher.open(buf, { targetId: TARGET });
        if (r.ok) {
          // Its whole geometry fits: publishing a frame of its mode cannot write out of bounds.
          const p = r.publisher;
          const src = new SourceDisplay(p.width, p.height, p.format);
          assert.equal(p.publish(src.next('full')), PublishOutcome.Published);
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test('isStale turns true when the host recreates or closes the ring', () => {
  const a = ring();
  const pa = FramePublisher.open(a.buffer, { targetId: TARGET });
  assert.ok(pa.ok);
  assert.equal(pa.publisher.isStale(), false);
  a.recreate({ width: 8, height: 4, format: 'bgra8' });
  assert.equal(pa.publisher.isStale(), true);
  const b = ring();
  const pb = FramePublisher.open(b.buffer, { targetId: TARGET });
  assert.ok(pb.ok);
  b.close();
  assert.equal(pb.publisher.isStale(), true);
});

test('a frame of another size or format is dropped, never copied, and reported as the source mode', () => {
  const host = ring('slot-state', 2);
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  const p = r.publisher;
  const hdr = new SourceDisplay(6, 4, FORMAT_RGBA16F);
  assert.equal(p.publish(hdr.next('full')), PublishOutcome.DescMismatch);
  assert.equal(host.tryConsume(), null);
  const v = new HeaderView(host.buffer);
  assert.deepEqual([v.load32(OFF_SOURCE_WIDTH), v.load32(OFF_SOURCE_HEIGHT), v.load32(OFF_SOURCE_FORMAT)], [6, 4, FORMAT_RGBA16F]);
  assert.equal(v.load32(OFF_DRIVER_STATUS), DriverStatus.DescMismatch);
  assert.equal(v.load32(OFF_DRIVER_STATUS_DETAIL), FORMAT_RGBA16F);
  assert.deepEqual(host.sourceDescChanged(), { width: 6, height: 4, format: FORMAT_RGBA16F });
  const h = host.health();
  assert.deepEqual([h.droppedTotal, h.dropped.descMismatch, h.publishedTotal], [1, 1, 0]);
});

test('when the source returns to the ring\'s mode before a recreate, the mismatch report is withdrawn', () => {
  const host = ring();
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  r.publisher.publish(new SourceDisplay(6, 4, FORMAT_BGRA8).next('full'));
  assert.notEqual(host.sourceDescChanged(), null);
  const same = new SourceDisplay(8, 4, FORMAT_BGRA8);
  assert.equal(r.publisher.publish(same.next('full')), PublishOutcome.Published);
  assert.equal(host.sourceDescChanged(), null);
  assert.equal(new HeaderView(host.buffer).load32(OFF_DRIVER_STATUS), DriverStatus.Opened);
});

test('a surface too short for its stated geometry is dropped, not read past its end', () => {
  const host = ring();
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  const src = new SourceDisplay(8, 4, FORMAT_BGRA8);
  const f = src.next('full');
  assert.equal(r.publisher.publish({ ...f, pixels: f.pixels.subarray(0, 100) }), PublishOutcome.DescMismatch);
  assert.equal(r.publisher.publish({ ...f, stride: 16 }), PublishOutcome.DescMismatch);
  assert.equal(host.tryConsume(), null);
});

test('with every slot held by the consumer, publish drops the frame as AllSlotsBusy and never waits', () => {
  for (const arm of ['slot-state', 'keyed-mutex'] as const) {
    const host = ring(arm, 1);
    const r = FramePublisher.open(host.buffer, { targetId: TARGET });
    assert.ok(r.ok);
    const src = new SourceDisplay(8, 4, FORMAT_BGRA8);
    r.publisher.publish(src.next('full'));
    const f = host.tryConsume()!;
    assert.equal(r.publisher.publish(src.next('full')), PublishOutcome.AllSlotsBusy);
    assert.equal(host.health().dropped.allSlotsBusy, 1);
    host.release(f);
  }
});

test('a ring whose magic is neither live nor retired is fatal for the publisher', () => {
  const host = ring();
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  new HeaderView(host.buffer).store32(OFF_MAGIC, 0x12345678);
  assert.equal(r.publisher.publish(new SourceDisplay(8, 4, FORMAT_BGRA8).next('full')), PublishOutcome.Fatal);
});

test('a header rewritten after open cannot steer the publisher out of its validated geometry', () => {
  const host = ring('slot-state', 2);
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  const v = new HeaderView(host.buffer);
  for (let off = 12; off < 48; off += 4) if (off !== OFF_TARGET_ID) v.store32(off, 0x7fffffff);
  assert.equal(r.publisher.publish(new SourceDisplay(8, 4, FORMAT_BGRA8).next('full')), PublishOutcome.Published);
});

test('a publisher re-attaching to the same generation continues the numbering, so its frames are delivered', () => {
  const host = ring();
  const first = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(first.ok);
  const src = new SourceDisplay(8, 4, FORMAT_BGRA8);
  for (let i = 0; i < 3; i++) first.publisher.publish(src.next('full'));
  host.release(host.tryConsume()!);
  first.publisher.detach();
  assert.equal(new HeaderView(host.buffer).load32(OFF_DRIVER_STATUS), DriverStatus.Detached);
  const second = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(second.ok);
  second.publisher.publish(src.next('full'));
  assert.equal(host.tryConsume()?.sequence, 4);
});

test('a publisher re-attaching to the same generation reports its first frame wholly dirty: what changed while none was attached is unknown', () => {
  const host = ring('slot-state', 3, 40, 30);
  const first = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(first.ok);
  const src = new SourceDisplay(40, 30, FORMAT_BGRA8);
  first.publisher.publish(src.next('full'));
  host.release(host.tryConsume()!);
  first.publisher.detach();
  // The display changed here while no publisher was attached (a device recreate, a new swap-chain).
  src.next([[0, 0, 10, 10]]);
  const second = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(second.ok);
  second.publisher.publish(src.next([[30, 20, 2, 2]]));
  const f = host.tryConsume()!;
  assert.equal(f.sequence, 2, 'the next sequence: a consumer takes its dirty bounds as all that changed');
  assert.deepEqual({ ...f.dirty }, { x: 0, y: 0, w: 40, h: 30 });
  host.release(f);
  second.publisher.publish(src.next([[30, 20, 2, 2]]));
  assert.deepEqual({ ...host.tryConsume()!.dirty }, { x: 30, y: 20, w: 2, h: 2 }, 'after that, its own damage again');
});

test('detach gives back a slot held mid-publish, is idempotent, and silences the setters', () => {
  const host = ring('slot-state', 1);
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  const p = r.publisher;
  const src = new SourceDisplay(8, 4, FORMAT_BGRA8);
  assert.equal(p.publishBegin(src.next('full')), 0);
  p.detach();
  p.detach();
  assert.equal(p.isDetached, true);
  p.setHealth(HealthState.Dead);
  assert.equal(host.health().state, 'active');
  assert.equal(p.publish(src.next('full')), PublishOutcome.Stale);
  const again = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(again.ok);
  assert.equal(again.publisher.publish(src.next('full')), PublishOutcome.Published, 'the slot was freed');
});

for (const arm of ['slot-state', 'keyed-mutex'] as const) {
  test(`partial dirty-rect publishes always leave the consumer a complete, current frame (${arm})`, () => {
    const rand = prng(arm.length);
    for (const [w, h, pad] of [[13, 7, 0], [64, 16, 12]] as const) {
      const host = HostRing.create({ targetId: TARGET, width: w, height: h, format: 'bgra8', ringLen: 3, arm });
      const r = FramePublisher.open(host.buffer, { targetId: TARGET });
      assert.ok(r.ok);
      const src = new SourceDisplay(w, h, FORMAT_BGRA8, pad);
      const held = [];
      // What the source looked like at each published sequence (a dropped frame has none).
      const published = new Map<number, Uint32Array>();
      for (let i = 0; i < 2000; i++) {
        if (r.publisher.publish(src.nextRandom(rand)) === PublishOutcome.Published) published.set(published.size + 1, src.snapshot());
        if (rand() < 0.6) {
          const f = host.tryConsume();
          if (f) {
            assert.equal(firstDifference(f.pixels, f.stride, w, h, 1, published.get(f.sequence)!), -1, `frame ${f.sequence} is not its source`);
            held.push(f);
          }
        }
        if (held.length > 0 && (held.length > 1 || rand() < 0.5)) host.release(held.shift()!);
      }
    }
  });
}

test('the slot\'s dirty bounds are the bounding box of this frame\'s rects', () => {
  const host = ring('slot-state', 3, 40, 30);
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  const src = new SourceDisplay(40, 30, FORMAT_BGRA8);
  r.publisher.publish(src.next('full'));
  host.release(host.tryConsume()!);
  r.publisher.publish(src.next([[2, 3, 4, 5], [10, 1, 2, 2]]));
  const f = host.tryConsume()!;
  assert.deepEqual({ ...f.dirty }, { x: 2, y: 1, w: 10, h: 7 });
  host.release(f);
  r.publisher.publish(src.next([]));
  assert.deepEqual({ ...host.tryConsume()!.dirty }, { x: 0, y: 0, w: 0, h: 0 });
});

test('a published frame\'s dirty bounds also cover the frames dropped since the previous publish', () => {
  const host = ring('slot-state', 1, 40, 30);
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  const src = new SourceDisplay(40, 30, FORMAT_BGRA8);
  r.publisher.publish(src.next('full'));
  const held = host.tryConsume()!;
  // The only slot is the host's: this frame is dropped, but its damage must not be lost.
  assert.equal(r.publisher.publish(src.next([[1, 2, 3, 3]])), PublishOutcome.AllSlotsBusy);
  host.release(held);
  assert.equal(r.publisher.publish(src.next([[20, 10, 5, 5]])), PublishOutcome.Published);
  const f = host.tryConsume()!;
  assert.deepEqual({ ...f.dirty }, { x: 1, y: 2, w: 24, h: 13 });
  host.release(f);
});

for (const arm of ['slot-state', 'keyed-mutex'] as const) {
  test(`a host that skipped published frames gets dirty bounds covering them, and how many frames back they reach (${arm})`, () => {
    // A host busy for a few frames (a recording converting a whole 1080p picture) takes the newest
    // and skips the rest; their damage used to be lost to it, so every consumer that accumulates
    // damage had to treat the skip as "anything may have changed", and stayed behind.
    const host = ring(arm, 6, 40, 30);
    const r = FramePublisher.open(host.buffer, { targetId: TARGET });
    assert.ok(r.ok);
    const src = new SourceDisplay(40, 30, FORMAT_BGRA8);
    r.publisher.publish(src.next('full'));
    const first = host.tryConsume()!;
    assert.equal(first.dirtySpan, 1);
    host.release(first);
    r.publisher.publish(src.next([[1, 2, 3, 3]]));
    r.publisher.publish(src.next([[20, 10, 5, 5]]));
    r.publisher.publish(src.next([[6, 6, 1, 1]]));
    const f = host.tryConsume()!;
    assert.equal(f.sequence, 4, 'the newest');
    assert.equal(f.dirtySpan, 3, 'its bounds reach back to the frame the host took last');
    assert.deepEqual({ ...f.dirty }, { x: 1, y: 2, w: 24, h: 13 });
    host.release(f);
    r.publisher.publish(src.next([[30, 1, 2, 2]]));
    const g = host.tryConsume()!;
    assert.deepEqual([g.dirtySpan, { ...g.dirty }], [1, { x: 30, y: 1, w: 2, h: 2 }], 'taken in turn: its own damage only');
    host.release(g);
  });
}

test('a host that skipped more frames than the publisher remembers gets span 1: the skip is its to resolve (a compare, a whole picture)', () => {
  const host = ring('slot-state', 6, 40, 30);
  const r = FramePublisher.open(host.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  const src = new SourceDisplay(40, 30, FORMAT_BGRA8);
  r.publisher.publish(src.next('full'));
  host.release(host.tryConsume()!);
  for (let i = 0; i < DIRTY_HISTORY + 3; i++) r.publisher.publish(src.next([[i % 30, 0, 1, 1]]));
  const f = host.tryConsume()!;
  assert.equal(f.sequence, DIRTY_HISTORY + 4);
  assert.equal(f.dirtySpan, 1);
  assert.deepEqual({ ...f.dirty }, { x: (DIRTY_HISTORY + 2) % 30, y: 0, w: 1, h: 1 });
});
