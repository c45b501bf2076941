import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FORMAT_BGRA8,
  OFF_CAPABILITIES,
  OFF_FRAME_READY,
  OFF_LATEST,
  SLOT_OFF_DIRTY_X,
  SLOT_OFF_FORMAT,
  SLOT_OFF_MUTEX,
  SLOT_OFF_STATE,
  SLOT_OFF_TOKEN,
  bytesPerPixel,
  packToken,
  slotEntryOffset,
} from '../../src/contract/index.js';
import { FramePublisher, HostRing, type ConsumedFrame } from '../../src/ring/index.js';
import { HeaderView } from '../../src/ring/header-view.js';
import { SourceDisplay } from './helpers.js';

const TARGET = 2;
const RING_LEN = 4;

/** One hostile write into the display-written part of the header or the slot table. */
const hostileWrite = fc.oneof(
  fc.record({ kind: fc.constant('latest' as const), token: fc.oneof(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), tokenNear()) }),
  fc.record({ kind: fc.constant('state' as const), slot: fc.integer({ min: 0, max: RING_LEN - 1 }), value: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.integer()) }),
  fc.record({ kind: fc.constant('mutex' as const), slot: fc.integer({ min: 0, max: RING_LEN - 1 }), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.record({ kind: fc.constant('token' as const), slot: fc.integer({ min: 0, max: RING_LEN - 1 }), token: fc.oneof(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), tokenNear()) }),
  fc.record({ kind: fc.constant('dirty' as const), slot: fc.integer({ min: 0, max: RING_LEN - 1 }), values: fc.array(fc.integer(), { minLength: 4, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('caps' as const), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.record({ kind: fc.constant('format' as const), slot: fc.integer({ min: 0, max: RING_LEN - 1 }), value: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.integer()) }),
);

/** Tokens close to live ones: the right or a wrong generation, any sequence, any slot byte. */
function tokenNear(): fc.Arbitrary<bigint> {
  return fc
    .tuple(fc.constantFrom(0, 1, 2, 0xffffff), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 255 }))
    .map(([g, s, k]) => BigInt.asIntN(64, packToken(g, s, k)));
}

type Write = typeof hostileWrite extends fc.Arbitrary<infer T> ? T : never;

function apply(v: HeaderView, w: Write): void {
  const i32 = v.i32;
  switch (w.kind) {
    case 'latest':
      v.store64(OFF_LATEST, BigInt.asIntN(64, w.token));
      break;
    case 'state':
      Atomics.store(i32, (slotEntryOffset(w.slot) + SLOT_OFF_STATE) >> 2, w.value);
      break;
    case 'mutex':
      Atomics.store(i32, (slotEntryOffset(w.slot) + SLOT_OFF_MUTEX) >> 2, w.value);
      break;
    case 'token':
      v.store64(slotEntryOffset(w.slot) + SLOT_OFF_TOKEN, BigInt.asIntN(64, w.token));
      break;
    case 'dirty':
      w.values.forEach((x, k) => Atomics.store(i32, ((slotEntryOffset(w.slot) + SLOT_OFF_DIRTY_X) >> 2) + k, x));
      break;
    case 'caps':
      Atomics.store(i32, OFF_CAPABILITIES >> 2, w.value);
      break;
    case 'format':
      Atomics.store(i32, (slotEntryOffset(w.slot) + SLOT_OFF_FORMAT) >> 2, w.value);
      break;
  }
}

for (const arm of ['slot-state', 'keyed-mutex'] as const) {
  test(`tryConsume survives random hostile tokens and slot tables: no throw, no foreign generation, nothing out of bounds (${arm})`, () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(hostileWrite, fc.constant({ kind: 'publish' as const }), fc.constant({ kind: 'consume' as const })), { maxLength: 30 }), (ops) => {
        // Slots that also carry rgba16f, so a hostile format code can name a view that fits, or not.
        const ring = HostRing.create({ targetId: TARGET, width: 6, height: 3, format: FORMAT_BGRA8, ringLen: RING_LEN, arm, frameFormats: ['rgba16f'] });
        const r = FramePublisher.open(ring.buffer, { targetId: TARGET });
        assert.ok(r.ok);
        const v = new HeaderView(ring.buffer);
        const src = new SourceDisplay(6, 3, FORMAT_BGRA8);
        const held: ConsumedFrame[] = [];
        for (const op of ops) {
          if (op.kind === 'publish') {
            r.publisher.publish(src.next('full'));
          } else if (op.kind === 'consume') {
            for (const f of [ring.tryConsume(), ring.repeatLast()]) {
              if (f === null) continue;
              assert.equal(f.generation, ring.generation, 'a foreign generation was delivered');
              assert.ok(f.slot >= 0 && f.slot < RING_LEN);
              assert.equal(f.pixels.byteLength, f.stride * f.height);
              assert.ok(bytesPerPixel(f.format) > 0, 'an unknown format was delivered');
              assert.equal(f.stride, f.width * bytesPerPixel(f.format));
              assert.ok(f.pixels.byteOffset + f.pixels.byteLength <= ring.buffer.byteLength);
              assert.ok(f.pixels.byteLength <= new HeaderView(ring.buffer).readHostFields().slotStride, 'a frame view overran its slot');
              assert.ok(f.dirty.x >= 0 && f.dirty.y >= 0 && f.dirty.x + f.dirty.w <= f.width && f.dirty.y + f.dirty.h <= f.height);
              held.push(f);
            }
            if (held.length > 1) ring.release(held.shift()!);
          } else {
            apply(v, op);
          }
        }
        for (const f of held) ring.release(f);
        ring.close();
      }),
      { numRuns: 1500 },
    );
  });
}

test('nextFrame on a ring whose event word and latest are garbage resolves, never hangs', async () => {
  const ring = HostRing.create({ targetId: TARGET, width: 4, height: 4, format: FORMAT_BGRA8 });
  const v = new HeaderView(ring.buffer);
  v.store64(OFF_LATEST, -1n);
  Atomics.store(v.i32, OFF_FRAME_READY >> 2, -99);
  assert.equal(await ring.nextFrame({ timeoutMs: 5 }), null);
});
