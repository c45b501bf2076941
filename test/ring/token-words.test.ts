/**
 * The 64-bit token and counters as two 32-bit halves (header-view.ts): the halves are the
 * BigInt encoding's bits exactly, a value written as halves reads back whole through the 64-bit
 * view, and a torn `latest` (halves of two different tokens, written by hand) never makes the
 * consumer deliver a frame other than the one its slot holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FORMAT_BGRA8,
  OFF_LATEST,
  OFF_PUBLISHED_TOTAL,
  SLOT_OFF_TOKEN,
  packToken,
  slotEntryOffset,
  tokenFromWords,
  tokenGeneration,
  tokenHighWord,
  tokenLowWord,
  tokenSequence,
  tokenSlot,
  wordsGeneration,
  wordsSequence,
  wordsSlot,
} from '../../src/contract/index.js';
import { FramePublisher, HeaderView, HostRing } from '../../src/ring/index.js';
import { SourceDisplay, prng, randInt, seedsFor, withSeed } from './helpers.js';

const TARGET = 3;

test('the halves are packToken\'s bits, and decode to the same fields, for random generations, sequences and slots', () => {
  for (const seed of seedsFor([0x70ce01, 0x70ce02])) {
    console.log(`token-words: seed ${seed}`);
    withSeed(seed, (s) => {
      const rand = prng(s);
      const v = new HeaderView(new SharedArrayBuffer(4096));
      for (let i = 0; i < 5000; i++) {
        // Edges as often as the middle: 0, 1, the field's top, and random values.
        const pick = (max: number): number => [0, 1, max, max - 1, randInt(rand, 0, max)][randInt(rand, 0, 4)]!;
        const g = Math.max(1, pick(0xffffff));
        const seq = pick(0xffffffff);
        const slot = pick(255);
        const token = packToken(g, seq, slot);
        const low = tokenLowWord(seq, slot);
        const high = tokenHighWord(g, seq);
        assert.equal(tokenFromWords(low, high), token, `g ${g} seq ${seq} slot ${slot}`);
        assert.equal(wordsGeneration(high), tokenGeneration(token));
        assert.equal(wordsSequence(low, high), tokenSequence(token));
        assert.equal(wordsSlot(low), tokenSlot(token));
        // Written as halves, read whole (and back as halves) at the contract's offset.
        v.storeWords(OFF_LATEST, low, high);
        assert.equal(BigInt.asUintN(64, v.load64(OFF_LATEST)), token);
        const out = new Uint32Array(2);
        v.loadWords(OFF_LATEST, out);
        assert.deepEqual([out[0], out[1]], [low, high]);
      }
    });
  }
});

test('a counter written as halves reads back exactly, across the 2^32 boundary and up to 2^53', () => {
  const v = new HeaderView(new SharedArrayBuffer(4096));
  for (const n of [0, 1, 0xffffffff, 0x1_0000_0000, 0x1_0000_0001, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]) {
    v.storeCount(OFF_PUBLISHED_TOTAL, n);
    assert.equal(v.loadCount(OFF_PUBLISHED_TOTAL), n);
    assert.equal(v.i64[OFF_PUBLISHED_TOTAL / 8], BigInt(n));
  }
});

for (const arm of ['slot-state', 'keyed-mutex'] as const) {
  test(`a torn latest (halves of two tokens) never delivers a wrong frame (${arm})`, () => {
    for (const seed of seedsFor([0x7051, 0x7052])) {
      console.log(`token-words torn latest (${arm}): seed ${seed}`);
      withSeed(seed, (s) => {
        const rand = prng(s);
        const ring = HostRing.create({ targetId: TARGET, width: 8, height: 4, format: FORMAT_BGRA8, ringLen: 4, arm });
        try {
          const r = FramePublisher.open(ring.buffer, { targetId: TARGET });
          assert.ok(r.ok);
          const src = new SourceDisplay(8, 4, FORMAT_BGRA8);
          const v = new HeaderView(ring.buffer);
          let lastDelivered = -1;
          for (let i = 0; i < 300; i++) {
            src.frame.frameNumber = i + 1;
            r.publisher.publish(src.frame);
            // Tear `latest`: keep one half of the real token and take the other from a random
            // token (another slot, sequence or generation), as a reader racing two stores could.
            const out = new Uint32Array(2);
            v.loadWords(OFF_LATEST, out);
            const other = [randInt(rand, 0, 0xffffffff) >>> 0, randInt(rand, 0, 0xffffffff) >>> 0];
            if (rand() < 0.5) v.storeWords(OFF_LATEST, out[0]!, rand() < 0.5 ? other[1]! : tokenHighWord(ring.generation, randInt(rand, 0, 0xffffffff)));
            else v.storeWords(OFF_LATEST, rand() < 0.5 ? other[0]! : tokenLowWord(randInt(rand, 0, 0xffffffff), randInt(rand, 0, 5)), out[1]!);
            if (rand() < 0.3) continue;
            const f = ring.tryConsume();
            if (f === null) continue;
            // Whatever `latest` said, the frame is what its slot's own token names, and newer.
            const slotToken = BigInt.asUintN(64, v.load64(slotEntryOffset(f.slot) + SLOT_OFF_TOKEN));
            assert.equal(f.token, slotToken);
            assert.equal(tokenGeneration(slotToken), ring.generation);
            assert.equal(f.sequence, tokenSequence(slotToken));
            assert.ok(f.sequence > lastDelivered, `sequence ${f.sequence} after ${lastDelivered}`);
            lastDelivered = f.sequence;
            ring.release(f);
          }
          assert.ok(lastDelivered > 0, 'some frames were delivered');
        } finally {
          ring.close();
        }
      });
    }
  });
}
