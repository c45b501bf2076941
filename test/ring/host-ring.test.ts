import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachRefusal,
  Capability,
  DriverStatus,
  ErrorDomain,
  FORMAT_BGRA8,
  FORMAT_RGBA16F,
  HealthState,
  KEY_CONSUMER,
  MutexOwner,
  OFF_FRAME_READY,
  OFF_GENERATION,
  OFF_LATEST,
  OFF_MAGIC,
  OFF_SOURCE_FORMAT,
  OFF_SOURCE_HEIGHT,
  OFF_SOURCE_WIDTH,
  PublishOutcome,
  RING_MAGIC,
  RING_MAGIC_RETIRED,
  SlotState,
  mutexAbandoned,
  ringGeometry,
} from '../../src/contract/index.js';
import { AutoResetEvent, FramePublisher, HostRing, SlotTable, type ArmChoice } from '../../src/ring/index.js';
import { HeaderView } from '../../src/ring/header-view.js';
import { KeyedMutex } from '../../src/ring/keyed-mutex.js';
import { SourceDisplay } from './helpers.js';

const TARGET = 4;

function setup(arm: ArmChoice = 'auto', ringLen = 3) {
  const ring = HostRing.create({ targetId: TARGET, width: 8, height: 4, format: 'bgra8', ringLen, arm });
  const r = FramePublisher.open(ring.buffer, { targetId: TARGET, renderAdapterLuid: 0x1234 });
  assert.ok(r.ok);
  return { ring, publisher: r.publisher, source: new SourceDisplay(8, 4, FORMAT_BGRA8) };
}

test('create builds one buffer holding header, slot table and slots, magic stored', () => {
  const ring = HostRing.create({ targetId: TARGET, width: 1920, height: 1080, format: FORMAT_BGRA8 });
  const g = ringGeometry(1920, 1080, 4, 6);
  assert.equal(ring.buffer.byteLength, g.totalBytes);
  const h = new HeaderView(ring.buffer).readHostFields();
  assert.equal(h.magic, RING_MAGIC);
  assert.deepEqual([h.generation, h.ringLen, h.width, h.height, h.format, h.targetId], [1, 6, 1920, 1080, FORMAT_BGRA8, TARGET]);
  assert.deepEqual([h.stride, h.slotStride, h.pixelsOffset], [g.stride, g.slotStride, g.pixelsOffset]);
  assert.equal(ring.generation, 1);
});

test('the format may be given by name or code', () => {
  assert.equal(HostRing.create({ targetId: 1, width: 2, height: 2, format: 'rgba16f' }).format, FORMAT_RGBA16F);
  assert.equal(HostRing.create({ targetId: 1, width: 2, height: 2, format: FORMAT_RGBA16F }).format, FORMAT_RGBA16F);
});

test('the arm option decides which arms the host offers', () => {
  const caps = (arm: ArmChoice) => new HeaderView(HostRing.create({ targetId: 1, width: 2, height: 2, format: 'bgra8', arm }).buffer).readHostFields().hostCapabilities;
  assert.equal(caps('slot-state') & (Capability.SlotState | Capability.KeyedMutex), Capability.SlotState);
  assert.equal(caps('keyed-mutex') & (Capability.SlotState | Capability.KeyedMutex), Capability.KeyedMutex);
  assert.equal(caps('auto') & (Capability.SlotState | Capability.KeyedMutex), Capability.SlotState | Capability.KeyedMutex);
});

test('bad create options are typed errors that name the option', () => {
  const base = { targetId: 1, width: 2, height: 2, format: 'bgra8' };
  const cases: Array<[object, RegExp]> = [
    [{ ...base, width: 0 }, /width 0/],
    [{ ...base, height: 16385 }, /height 16385/],
    [{ ...base, width: 1.5 }, /width 1.5/],
    [{ ...base, format: 'bgr' }, /format "bgr"/],
    [{ ...base, format: 9 }, /format 9/],
    [{ ...base, ringLen: 0 }, /ringLen 0/],
    [{ ...base, ringLen: 65 }, /ringLen 65/],
    [{ ...base, arm: 'fast' }, /arm "fast"/],
    [{ ...base, targetId: -1 }, /targetId -1/],
  ];
  for (const [o, re] of cases) assert.throws(() => HostRing.create(o as never), (e: Error & { code?: string }) => e.code === 'VDP_ERR_INVALID_ARGUMENT' && re.test(e.message));
});

test('nothing is consumed before a frame is published', async () => {
  const { ring } = setup();
  assert.equal(ring.tryConsume(), null);
  assert.equal(await ring.nextFrame({ timeoutMs: 3 }), null);
  assert.equal(ring.repeatLast(), null);
});

for (const arm of ['slot-state', 'keyed-mutex'] as const) {
  test(`a published frame is consumed once, with its description (${arm})`, () => {
    const { ring, publisher, source } = setup(arm);
    assert.equal(publisher.publish(source.next('full', 12.5)), PublishOutcome.Published);
    const f = ring.tryConsume();
    assert.ok(f);
    assert.deepEqual([f.width, f.height, f.format, f.stride, f.sequence, f.presentTimeMs, f.generation], [8, 4, FORMAT_BGRA8, 32, 1, 12.5, 1]);
    assert.deepEqual({ ...f.dirty }, { x: 0, y: 0, w: 8, h: 4 });
    assert.equal(new Uint32Array(f.pixels.buffer, f.pixels.byteOffset, 32)[31], 1);
    assert.equal(ring.tryConsume(), null, 'the same frame is not delivered twice');
    ring.release(f);
  });

  test(`the consumer takes the newest frame and frees the older ones (${arm})`, () => {
    const { ring, publisher, source } = setup(arm, 4);
    for (let i = 0; i < 3; i++) publisher.publish(source.next([[i, 0, 1, 1]]));
    const f = ring.tryConsume();
    assert.equal(f?.sequence, 3);
    assert.deepEqual({ ...f!.dirty }, { x: 2, y: 0, w: 1, h: 1 });
    assert.equal(ring.tryConsume(), null);
    ring.release(f!);
    // Every slot is usable again: four more publishes never find the ring busy.
    for (let i = 0; i < 4; i++) assert.equal(publisher.publish(source.next([])), PublishOutcome.Published);
  });

  test(`a consumed frame stays intact while held, whatever the producer does (${arm})`, () => {
    const { ring, publisher, source } = setup(arm, 2);
    publisher.publish(source.next('full'));
    const f = ring.tryConsume()!;
    const before = Uint8Array.from(f.pixels);
    for (let i = 0; i < 10; i++) publisher.publish(source.next('full'));
    assert.deepEqual(Uint8Array.from(f.pixels), before);
    ring.release(f);
  });

  test(`repeatLast hands out the newest delivered frame again until the producer reuses its slot (${arm})`, () => {
    const { ring, publisher, source } = setup(arm, 3);
    publisher.publish(source.next('full'));
    const f = ring.tryConsume()!;
    assert.equal(ring.repeatLast(), null, 'not while the consumer still holds it');
    ring.release(f);
    const again = ring.repeatLast();
    assert.equal(again?.sequence, 1);
    assert.equal(again, f, 'the same preallocated object');
    ring.release(again!);
    for (let i = 0; i < 3; i++) publisher.publish(source.next('full'));
    const newest = ring.tryConsume()!;
    assert.equal(newest.sequence, 4);
    ring.release(newest);
  });
}

test('a producer that picks its next slot before the consumer takes the last frame writes two slots, and every frame arrives intact', () => {
  // The order of a real flood: publish, take the next slot at once (publishBegin), and only then
  // the consumer (another thread, woken by the publish) takes the frame and returns it (retained).
  // Writing a FREE slot first made the producer cycle through three slots here; the retained frame
  // is superseded by the one just published, so its slot is written instead.
  const { ring, publisher, source } = setup('slot-state', 6);
  const written = new Set<number>();
  let slot = publisher.publishBegin(source.next('full'));
  for (let i = 1; i <= 12; i++) {
    written.add(slot);
    assert.ok(publisher.publishCopy(source.frame, slot));
    assert.equal(publisher.publishCommit(source.frame, slot), PublishOutcome.Published);
    const expected = Uint8Array.from(source.frame.pixels);
    if (i < 12) slot = publisher.publishBegin(source.next('full'));
    const f = ring.tryConsume();
    assert.equal(f?.sequence, i);
    assert.deepEqual(Uint8Array.from(f!.pixels), expected, `frame ${i} is the source as published`);
    ring.release(f!);
  }
  assert.equal(written.size, 2, `slots written: ${[...written].join(', ')}`);
  const last = ring.repeatLast();
  assert.equal(last?.sequence, 12, 'the newest delivered frame is still retained');
  ring.release(last!);
});

test('release refuses a frame released twice or not from this ring', () => {
  const a = setup();
  const b = setup();
  a.publisher.publish(a.source.next('full'));
  b.publisher.publish(b.source.next('full'));
  const fa = a.ring.tryConsume()!;
  const fb = b.ring.tryConsume()!;
  assert.throws(() => a.ring.release(fb), { code: 'VDP_ERR_FRAME_RELEASE', name: 'FrameReleaseError' });
  a.ring.release(fa);
  assert.throws(() => a.ring.release(fa), { code: 'VDP_ERR_FRAME_RELEASE' });
  assert.throws(() => a.ring.release({ ...fa }), { code: 'VDP_ERR_FRAME_RELEASE' });
  b.ring.release(fb);
});

test('nextFrame resolves with a frame published while it waits', async () => {
  const { ring, publisher, source } = setup();
  const pending = ring.nextFrame({ timeoutMs: 10_000 });
  setTimeout(() => publisher.publish(source.next('full')), 3);
  const f = await pending;
  assert.equal(f?.sequence, 1);
  ring.release(f!);
});

test('recreate moves to a new buffer and generation and retires the old one', () => {
  const { ring, publisher, source } = setup();
  publisher.publish(source.next('full'));
  const oldBuffer = ring.buffer;
  const oldEvent = AutoResetEvent.at(oldBuffer, OFF_FRAME_READY);
  oldEvent.reset();
  ring.recreate({ width: 16, height: 2, format: 'rgba16f' });
  assert.notEqual(ring.buffer, oldBuffer);
  assert.equal(ring.generation, 2);
  assert.deepEqual([ring.width, ring.height, ring.format], [16, 2, FORMAT_RGBA16F]);
  const old = new HeaderView(oldBuffer);
  assert.equal(old.load64(OFF_LATEST), 0n);
  assert.equal(old.load32(OFF_GENERATION), 2);
  assert.equal(old.load32(OFF_MAGIC), RING_MAGIC_RETIRED);
  assert.equal(oldEvent.isSet(), true, 'a waiter on the old buffer wakes');
  const fresh = new HeaderView(ring.buffer).readHostFields();
  assert.deepEqual([fresh.magic, fresh.generation, fresh.width, fresh.format], [RING_MAGIC, 2, 16, FORMAT_RGBA16F]);
  assert.equal(publisher.isStale(), true);
  assert.equal(publisher.publish(source.next('full')), PublishOutcome.Stale);
  assert.equal(FramePublisher.open(oldBuffer, { targetId: TARGET }).ok, false);
  assert.equal(ring.tryConsume(), null, 'the old generation\'s frame is not delivered');
});

test('frames held across a recreate stay valid, and returning them is a no-op', () => {
  const { ring, publisher, source } = setup();
  publisher.publish(source.next('full'));
  const f = ring.tryConsume()!;
  const copy = Uint8Array.from(f.pixels);
  ring.recreate({ width: 8, height: 4, format: 'bgra8' });
  publisher.publish(source.next('full')); // a stale writer publishing into the old buffer
  assert.deepEqual(Uint8Array.from(f.pixels), copy);
  ring.release(f);
  assert.throws(() => ring.release(f), { code: 'VDP_ERR_FRAME_RELEASE' });
});

test('a recreated ring delivers the new publisher\'s frames, numbered afresh', () => {
  const { ring, publisher, source } = setup();
  for (let i = 0; i < 5; i++) publisher.publish(source.next('full'));
  ring.release(ring.tryConsume()!);
  ring.recreate({ width: 8, height: 4, format: 'bgra8' });
  const r = FramePublisher.open(ring.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  r.publisher.publish(source.next('full'));
  const f = ring.tryConsume()!;
  assert.deepEqual([f.generation, f.sequence], [2, 1]);
  ring.release(f);
});

test('recreate refuses a bad mode and leaves the ring as it was', () => {
  const { ring } = setup();
  const buffer = ring.buffer;
  assert.throws(() => ring.recreate({ width: 0, height: 4, format: 'bgra8' }), { code: 'VDP_ERR_INVALID_ARGUMENT' });
  assert.equal(ring.buffer, buffer);
  assert.equal(ring.generation, 1);
});

test('sourceDescChanged reports a valid source mode that differs from the ring, and nothing else', () => {
  const { ring } = setup();
  const v = new HeaderView(ring.buffer);
  assert.equal(ring.sourceDescChanged(), null);
  const write = (w: number, h: number, f: number) => {
    v.store32(OFF_SOURCE_WIDTH, w);
    v.store32(OFF_SOURCE_HEIGHT, h);
    v.store32(OFF_SOURCE_FORMAT, f);
  };
  write(8, 4, FORMAT_BGRA8);
  assert.equal(ring.sourceDescChanged(), null, 'the same mode');
  write(16, 4, 99);
  assert.equal(ring.sourceDescChanged(), null, 'an unknown format');
  write(0, 4, FORMAT_BGRA8);
  assert.equal(ring.sourceDescChanged(), null);
  write(20000, 4, FORMAT_BGRA8);
  assert.equal(ring.sourceDescChanged(), null);
  write(16, 9, FORMAT_RGBA16F);
  assert.deepEqual(ring.sourceDescChanged(), { width: 16, height: 9, format: FORMAT_RGBA16F });
});

test('health reports the display side\'s tail, unknown health as dead', () => {
  const { ring, publisher, source } = setup('slot-state', 1);
  let h = ring.health();
  assert.deepEqual([h.state, h.driverStatus, h.arm, h.renderAdapterLuid, h.publishedTotal], ['active', DriverStatus.Opened, 'slot-state', 0x1234, 0]);
  assert.equal(h.driverStatusDetail, h.negotiated);
  publisher.publish(source.next('full', 5));
  const held = ring.tryConsume()!;
  publisher.publish(source.next('full'));
  publisher.setEpochs(3, 4);
  publisher.setTerminalError(ErrorDomain.Device, 0x887a0005);
  publisher.setHealth(HealthState.Rebuilding);
  h = ring.health();
  assert.deepEqual([h.publishedTotal, h.droppedTotal, h.dropped.allSlotsBusy], [1, 1, 1]);
  assert.deepEqual([h.assignmentEpoch, h.deviceEpoch, h.state, h.sourceSequence, h.presentTimeMs], [3, 4, 'rebuilding', 1, 5]);
  assert.deepEqual(h.terminalError, { domain: ErrorDomain.Device, code: 0x887a0005 });
  assert.ok(h.lastPublishTimeMs > 0);
  publisher.setHealth(77 as never);
  assert.equal(ring.health().state, 'dead');
  ring.release(held);
});

test('health totals survive a recreate', () => {
  const { ring, publisher, source } = setup();
  publisher.publish(source.next('full'));
  publisher.publish(source.next('full'));
  ring.recreate({ width: 8, height: 4, format: 'bgra8' });
  publisher.publish(source.next('full')); // stale: counted in the old buffer
  const r = FramePublisher.open(ring.buffer, { targetId: TARGET });
  assert.ok(r.ok);
  r.publisher.publish(source.next('full'));
  const h = ring.health();
  assert.equal(h.publishedTotal, 3);
  assert.equal(h.dropped.stale, 1);
  assert.equal(ring.health().publishedTotal, 3, 'folding the old buffer in happens once');
});

test('abandonDisplaySide frees what a dead display held: slot-state WRITING slots and display-held mutexes', () => {
  for (const arm of ['slot-state', 'keyed-mutex'] as const) {
    const { ring, publisher, source } = setup(arm, 2);
    const slot = publisher.publishBegin(source.next('full'));
    assert.ok(slot >= 0);
    ring.abandonDisplaySide();
    const h = new HeaderView(ring.buffer).readHostFields();
    const t = new SlotTable(new HeaderView(ring.buffer), { generation: 1, ringLen: 2, width: 8, height: 4, format: 1, bytesPerPixel: 4, stride: h.stride, slotStride: h.slotStride, pixelsOffset: h.pixelsOffset });
    if (arm === 'slot-state') assert.equal(t.loadState(slot), SlotState.Free);
    else {
      assert.equal(mutexAbandoned(Atomics.load(t.view.i32, t.mutexIndex(slot))), true);
      assert.equal(new KeyedMutex(t.view.i32, t.mutexIndex(slot), MutexOwner.Host).acquire(KEY_CONSUMER, 0), 'abandoned');
    }
    assert.equal(ring.tryConsume(), null, 'nothing half-written is delivered');
  }
});

test('close is idempotent, wakes waiters and makes publish report HostAbandoned', async () => {
  const { ring, publisher, source } = setup();
  const pending = ring.nextFrame({ timeoutMs: 10_000 });
  ring.close();
  ring.close();
  assert.equal(await pending, null);
  assert.equal(ring.closed, true);
  assert.equal(publisher.publish(source.next('full')), PublishOutcome.HostAbandoned);
  assert.equal(ring.tryConsume(), null);
  assert.throws(() => ring.recreate({ width: 8, height: 4, format: 'bgra8' }), { code: 'VDP_ERR_CLOSED' });
  const reopen = FramePublisher.open(ring.buffer, { targetId: TARGET });
  assert.equal(reopen.ok ? 0 : reopen.refusal, AttachRefusal.Retired);
});
