import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  GENERATION_MASK,
  SEQUENCE_MASK,
  SLOT_MASK,
  TOKEN_NONE,
  nextGeneration,
  packToken,
  sequenceAfter,
  tokenGeneration,
  tokenSequence,
  tokenSlot,
  unpackToken,
} from '../../src/contract/frame-token.js';

test('the field masks are 24, 32 and 8 bits wide', () => {
  assert.equal(GENERATION_MASK, 0xffffff);
  assert.equal(SEQUENCE_MASK, 0xffffffff);
  assert.equal(SLOT_MASK, 0xff);
  assert.equal(TOKEN_NONE, 0n);
});

test('the legacy bit positions (7<<40)|(42<<8)|3 unpack to generation 7, sequence 42, slot 3', () => {
  const legacy = (7n << 40n) | (42n << 8n) | 3n;
  assert.deepEqual(unpackToken(legacy), { generation: 7, sequence: 42, slot: 3 });
  assert.equal(packToken(7, 42, 3), legacy);
});

test('a token packs to the documented bit positions', () => {
  assert.equal(packToken(1, 0, 0), 1n << 40n);
  assert.equal(packToken(0, 1, 0), 1n << 8n);
  assert.equal(packToken(0, 0, 1), 1n);
  assert.equal(packToken(GENERATION_MASK, SEQUENCE_MASK, SLOT_MASK), (1n << 64n) - 1n);
});

test('each field is masked to its width so no field spills into another', () => {
  assert.deepEqual(unpackToken(packToken(GENERATION_MASK + 2, 5, 9)), { generation: 1, sequence: 5, slot: 9 });
  assert.deepEqual(unpackToken(packToken(3, 0x1_0000_0005, 9)), { generation: 3, sequence: 5, slot: 9 });
  assert.deepEqual(unpackToken(packToken(3, 5, 0x1ff)), { generation: 3, sequence: 5, slot: 0xff });
  assert.deepEqual(unpackToken(packToken(3, -1, 0)), { generation: 3, sequence: 0xffffffff, slot: 0 });
});

test('a token read as a signed 64-bit value unpacks like the unsigned one', () => {
  const unsigned = packToken(0xfedcba, 0x89abcdef, 0x81);
  const signed = BigInt.asIntN(64, unsigned);
  assert.ok(signed < 0n);
  assert.deepEqual(unpackToken(signed), unpackToken(unsigned));
  assert.equal(tokenGeneration(signed), 0xfedcba);
  assert.equal(tokenSequence(signed), 0x89abcdef);
  assert.equal(tokenSlot(signed), 0x81);
  assert.deepEqual(unpackToken(-1n), { generation: GENERATION_MASK, sequence: SEQUENCE_MASK, slot: SLOT_MASK });
});

test('the token 0 sentinel never equals a live token', () => {
  assert.deepEqual(unpackToken(TOKEN_NONE), { generation: 0, sequence: 0, slot: 0 });
  for (const g of [1, 2, 0x7fffff, GENERATION_MASK]) {
    assert.notEqual(packToken(g, 0, 0), TOKEN_NONE);
  }
  fc.assert(
    fc.property(fc.integer({ min: 1, max: GENERATION_MASK }), fc.integer({ min: 0, max: SEQUENCE_MASK }), fc.integer({ min: 0, max: SLOT_MASK }), (g, s, k) => {
      assert.notEqual(packToken(g, s, k), TOKEN_NONE);
    }),
  );
});

test('the generation after 0xFFFFFF wraps to 1, skipping 0', () => {
  assert.equal(nextGeneration(1), 2);
  assert.equal(nextGeneration(0xfffffe), 0xffffff);
  assert.equal(nextGeneration(0xffffff), 1);
  assert.equal(nextGeneration(0), 1);
  let g = 0xfffff0;
  for (let i = 0; i < 40; i++) {
    g = nextGeneration(g);
    assert.ok(g >= 1 && g <= GENERATION_MASK);
  }
});

test('sequence order survives the 32-bit wrap', () => {
  assert.equal(sequenceAfter(2, 1), true);
  assert.equal(sequenceAfter(1, 2), false);
  assert.equal(sequenceAfter(5, 5), false);
  assert.equal(sequenceAfter(0, 0xffffffff), true);
  assert.equal(sequenceAfter(3, 0xfffffff0), true);
  assert.equal(sequenceAfter(0xfffffff0, 3), false);
});

test('random tokens round-trip through pack and unpack, and the accessors agree', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: GENERATION_MASK }), fc.integer({ min: 0, max: SEQUENCE_MASK }), fc.integer({ min: 0, max: SLOT_MASK }), (g, s, k) => {
      const t = packToken(g, s, k);
      assert.deepEqual(unpackToken(t), { generation: g, sequence: s, slot: k });
      assert.equal(tokenGeneration(t), g);
      assert.equal(tokenSequence(t), s);
      assert.equal(tokenSlot(t), k);
    }),
    { numRuns: 2000 },
  );
});

test('any 64-bit pattern, signed or not, unpacks without throwing and repacks to itself', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }), (raw) => {
      const p = unpackToken(raw);
      assert.ok(p.generation >= 0 && p.generation <= GENERATION_MASK);
      assert.ok(p.sequence >= 0 && p.sequence <= SEQUENCE_MASK);
      assert.ok(p.slot >= 0 && p.slot <= SLOT_MASK);
      assert.equal(packToken(p.generation, p.sequence, p.slot), BigInt.asUintN(64, raw));
    }),
    { numRuns: 2000 },
  );
});
