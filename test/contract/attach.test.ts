import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AttachRefusal, checkAttach, type HeaderFields } from '../../src/contract/attach.js';
import {
  HEADER_SIZE,
  MAX_DIMENSION,
  MAX_RING_LEN,
  RING_MAGIC,
  RING_MAGIC_RETIRED,
  RING_VERSION,
  ringGeometry,
} from '../../src/contract/header-layout.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F, bytesPerPixel } from '../../src/contract/pixel-format.js';
import { ALL_CAPABILITIES, Capability } from '../../src/contract/status-codes.js';

const TARGET = 7;
const DISPLAY = { targetId: TARGET, capabilities: ALL_CAPABILITIES };

function goodHeader(over: Partial<HeaderFields> = {}): { h: HeaderFields; bytes: number } {
  const width = over.width ?? 64;
  const height = over.height ?? 32;
  const format = over.format ?? FORMAT_BGRA8;
  const ringLen = over.ringLen ?? 6;
  const g = ringGeometry(width, height, bytesPerPixel(format) || 4, ringLen);
  const h: HeaderFields = {
    magic: RING_MAGIC,
    version: RING_VERSION,
    generation: 5,
    ringLen,
    width,
    height,
    format,
    targetId: TARGET,
    stride: g.stride,
    slotStride: g.slotStride,
    pixelsOffset: g.pixelsOffset,
    hostCapabilities: Capability.SlotState | Capability.KeyedMutex | Capability.DirtyRects,
    ...over,
  };
  return { h, bytes: g.totalBytes };
}

function refusal(h: HeaderFields, bytes: number, expect: Parameters<typeof checkAttach>[2] = DISPLAY): number | 'ok' {
  const r = checkAttach(h, bytes, expect);
  if (r.ok) return 'ok';
  assert.ok(r.message.length > 0);
  return r.refusal;
}

test('a well-formed header for this target attaches with the negotiated arm', () => {
  const { h, bytes } = goodHeader();
  const r = checkAttach(h, bytes, DISPLAY);
  assert.deepEqual(r, { ok: true, arm: 'slot-state', negotiated: Capability.SlotState | Capability.KeyedMutex | Capability.DirtyRects });
});

test('the refusal codes are stable and distinct', () => {
  assert.deepEqual(AttachRefusal, {
    StaleGeneration: 1,
    BadMagic: 2,
    Retired: 3,
    UnsupportedVersion: 4,
    TargetMismatch: 5,
    RingLenOutOfRange: 6,
    BadFormat: 7,
    BadDimensions: 8,
    SizeOverflow: 9,
    NoCommonArm: 10,
    BufferTooSmall: 11,
    BadGeneration: 12,
    NotAnInteger: 13,
  });
});

test('a generation other than the attached one is refused as stale', () => {
  const { h, bytes } = goodHeader();
  assert.equal(refusal(h, bytes, { ...DISPLAY, generation: 4 }), AttachRefusal.StaleGeneration);
  assert.equal(refusal(h, bytes, { ...DISPLAY, generation: 5 }), 'ok');
});

test('staleness is checked before every other refusal', () => {
  // A header that is wrong in every other way still reads as stale: re-attaching is the remedy.
  const h: HeaderFields = {
    magic: 0, version: 99, generation: 9, ringLen: 0, width: 0, height: 0, format: 0,
    targetId: 1, stride: 0, slotStride: 0, pixelsOffset: 0, hostCapabilities: 0,
  };
  assert.equal(refusal(h, 0, { ...DISPLAY, generation: 8 }), AttachRefusal.StaleGeneration);
  assert.equal(refusal({ ...h, magic: RING_MAGIC_RETIRED }, 10, { ...DISPLAY, generation: 8 }), AttachRefusal.StaleGeneration);
});

test('a buffer smaller than the header is refused', () => {
  const { h } = goodHeader();
  assert.equal(refusal(h, HEADER_SIZE - 1), AttachRefusal.BufferTooSmall);
  assert.equal(refusal(h, 0), AttachRefusal.BufferTooSmall);
});

test('a retired buffer is refused as retired, not as a bad magic', () => {
  const { h, bytes } = goodHeader({ magic: RING_MAGIC_RETIRED });
  assert.equal(refusal(h, bytes), AttachRefusal.Retired);
});

test('a wrong or unpublished magic is refused', () => {
  for (const magic of [0, 1, RING_MAGIC + 1, 0xffffffff]) {
    const { h, bytes } = goodHeader({ magic });
    assert.equal(refusal(h, bytes), AttachRefusal.BadMagic);
  }
});

test('an unknown version is refused', () => {
  for (const version of [0, RING_VERSION + 1, 0xffffffff]) {
    const { h, bytes } = goodHeader({ version });
    assert.equal(refusal(h, bytes), AttachRefusal.UnsupportedVersion);
  }
});

test('a generation of 0 or wider than 24 bits is refused', () => {
  for (const generation of [0, 0x1000000, 0xffffffff]) {
    const { h, bytes } = goodHeader({ generation });
    assert.equal(refusal(h, bytes), AttachRefusal.BadGeneration);
  }
});

test('a ring for another target is refused, so one monitor never feeds another', () => {
  const { h, bytes } = goodHeader({ targetId: TARGET + 1 });
  assert.equal(refusal(h, bytes), AttachRefusal.TargetMismatch);
});

test('a ring length of 0 or above the maximum is refused', () => {
  for (const ringLen of [0, MAX_RING_LEN + 1, 0xffffffff]) {
    const { h } = goodHeader();
    assert.equal(refusal({ ...h, ringLen }, 1 << 30), AttachRefusal.RingLenOutOfRange);
  }
});

test('an unknown pixel format is refused', () => {
  for (const format of [0, 4, 0xffffffff]) {
    const { h, bytes } = goodHeader();
    assert.equal(refusal({ ...h, format }, bytes), AttachRefusal.BadFormat);
  }
});

test('a width or height of 0 or above the maximum is refused', () => {
  const { h, bytes } = goodHeader();
  for (const [width, height] of [[0, 32], [64, 0], [MAX_DIMENSION + 1, 32], [64, MAX_DIMENSION + 1]]) {
    assert.equal(refusal({ ...h, width: width!, height: height! }, bytes), AttachRefusal.BadDimensions);
  }
});

test('a stride that is not width times bytes per pixel is refused as a size overflow', () => {
  const { h, bytes } = goodHeader();
  assert.equal(refusal({ ...h, stride: h.stride + 4 }, bytes), AttachRefusal.SizeOverflow);
  assert.equal(refusal({ ...h, stride: h.stride - 4 }, bytes), AttachRefusal.SizeOverflow);
});

test('a slot stride too small for a frame, or unaligned, is refused as a size overflow', () => {
  const { h, bytes } = goodHeader();
  assert.equal(refusal({ ...h, slotStride: h.stride * h.height - 64 }, bytes), AttachRefusal.SizeOverflow);
  assert.equal(refusal({ ...h, slotStride: h.slotStride + 4 }, bytes + 64), AttachRefusal.SizeOverflow);
});

test('a pixel offset inside the slot table, or unaligned, is refused as a size overflow', () => {
  const { h, bytes } = goodHeader();
  assert.equal(refusal({ ...h, pixelsOffset: h.pixelsOffset - 64 }, bytes), AttachRefusal.SizeOverflow);
  assert.equal(refusal({ ...h, pixelsOffset: h.pixelsOffset + 4 }, bytes + 64), AttachRefusal.SizeOverflow);
});

test('slots that end past the buffer are refused as a size overflow', () => {
  const { h, bytes } = goodHeader();
  assert.equal(refusal(h, bytes - 1), AttachRefusal.SizeOverflow);
  assert.equal(refusal(goodHeader({ format: FORMAT_RGBA16F }).h, bytes), AttachRefusal.SizeOverflow);
});

test('sides that share no slot arm are refused', () => {
  const { h, bytes } = goodHeader({ hostCapabilities: Capability.KeyedMutex });
  assert.equal(refusal(h, bytes, { targetId: TARGET, capabilities: Capability.SlotState | Capability.DirtyRects }), AttachRefusal.NoCommonArm);
  assert.equal(refusal(h, bytes, { targetId: TARGET, capabilities: Capability.KeyedMutex }), 'ok');
});

const u32 = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 70 }), fc.constantFrom(RING_MAGIC, RING_MAGIC_RETIRED, RING_VERSION, TARGET));

test('random headers never make checkAttach throw, and an accepted one keeps every slot inside the buffer', () => {
  const arbitraryHeader = fc.record({
    magic: fc.oneof(fc.constant(RING_MAGIC), u32),
    version: fc.oneof(fc.constant(RING_VERSION), u32),
    generation: u32,
    ringLen: fc.oneof(fc.integer({ min: 0, max: 70 }), u32),
    width: fc.oneof(fc.integer({ min: 0, max: 2000 }), u32),
    height: fc.oneof(fc.integer({ min: 0, max: 2000 }), u32),
    format: fc.oneof(fc.integer({ min: 0, max: 4 }), u32),
    targetId: fc.oneof(fc.constant(TARGET), u32),
    stride: u32,
    slotStride: u32,
    pixelsOffset: u32,
    hostCapabilities: u32,
  });
  fc.assert(
    fc.property(arbitraryHeader, fc.integer({ min: 0, max: 2 ** 33 }), fc.option(u32, { nil: undefined }), (h, bytes, generation) => {
      const r = checkAttach(h, bytes, generation === undefined ? DISPLAY : { ...DISPLAY, generation });
      if (!r.ok) return;
      const end = h.pixelsOffset + h.ringLen * h.slotStride;
      assert.ok(end <= bytes, 'slots end inside the buffer');
      assert.ok(h.pixelsOffset >= HEADER_SIZE + h.ringLen * 64, 'pixels start after the slot table');
      assert.ok(h.slotStride >= h.stride * h.height, 'a frame fits its slot');
      assert.equal(h.stride, h.width * bytesPerPixel(h.format));
    }),
    { numRuns: 5000 },
  );
});

test('random near-valid headers (one field perturbed) never make checkAttach throw or accept an overflow', () => {
  const fields = ['ringLen', 'width', 'height', 'format', 'stride', 'slotStride', 'pixelsOffset'] as const;
  fc.assert(
    fc.property(fc.constantFrom(...fields), u32, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 8 }), (field, value, w, hgt, n) => {
      const { h, bytes } = goodHeader({ width: w, height: hgt, ringLen: n });
      const bad = { ...h, [field]: value };
      const r = checkAttach(bad, bytes, DISPLAY);
      if (r.ok) assert.ok(bad.pixelsOffset + bad.ringLen * bad.slotStride <= bytes);
    }),
    { numRuns: 5000 },
  );
});

test('NaN, fractional, negative and oversized header fields are refused as not integers', () => {
  const fields: (keyof HeaderFields)[] = ['magic', 'version', 'generation', 'ringLen', 'width', 'height', 'format', 'targetId', 'stride', 'slotStride', 'pixelsOffset', 'hostCapabilities'];
  for (const name of fields) {
    const { h, bytes } = goodHeader();
    for (const value of [Number.NaN, h[name] + 0.5, -1, 2 ** 32, Number.POSITIVE_INFINITY]) {
      assert.equal(refusal({ ...h, [name]: value }, bytes), AttachRefusal.NotAnInteger, `${name} = ${value}`);
    }
  }
});

test('a NaN or fractional buffer size or expectation is refused, never compared', () => {
  const { h, bytes } = goodHeader();
  assert.equal(refusal(h, Number.NaN), AttachRefusal.NotAnInteger);
  assert.equal(refusal(h, bytes + 0.5), AttachRefusal.NotAnInteger);
  assert.equal(refusal(h, bytes, { targetId: Number.NaN, capabilities: ALL_CAPABILITIES }), AttachRefusal.NotAnInteger);
  assert.equal(refusal(h, bytes, { targetId: TARGET, capabilities: 1.5 }), AttachRefusal.NotAnInteger);
  assert.equal(refusal(h, bytes, { ...DISPLAY, generation: Number.NaN }), AttachRefusal.NotAnInteger);
  assert.equal(refusal(h, bytes), 'ok');
});
