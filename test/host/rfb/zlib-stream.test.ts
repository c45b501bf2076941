/**
 * The zlib stream's synchronous path (small messages, compressed on the calling thread through the
 * Deflate's native handle) against its pool path (every message on libuv's pool, the old code):
 * for random sequences of messages (empty, flat, few bytes, noise; below and above the sync limit),
 * level changes between them and messages issued at once, each message decodes, in order, to its
 * input through ONE inflate stream (as a client decodes ZRLE or a Tight stream), on both paths, and
 * each message ends on a sync flush (decodable at once). The bytes themselves may differ: zlib
 * cuts stored blocks to the output space each call is given and adds an empty block after a
 * flush that filled it exactly, and the two paths give it different output buffers.
 * Seeded (VDP_SEED overrides); a failure names its seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { SYNC_MAX_BYTES, ZlibStream } from '../../../src/host/rfb/encoders/zlib-stream.js';
import { prng } from '../../ring/helpers.js';

const SYNC_MARKER = Buffer.from([0, 0, 0xff, 0xff]);
const SEED = process.env.VDP_SEED ? Number(process.env.VDP_SEED) : 0x2b1e13;

function named(name: string, run: () => Promise<void>): Promise<void> {
  return run().catch((err: Error) => {
    err.message = `[${name}: seed ${SEED}; rerun with VDP_SEED=${SEED}] ${err.message}`;
    throw err;
  });
}

type Step = { kind: 'message'; size: number; texture: number; seed: number; atOnce: number } | { kind: 'level'; level: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('message' as const), size: fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.integer({ min: SYNC_MAX_BYTES - 64, max: SYNC_MAX_BYTES + 64 }), fc.integer({ min: 0, max: 3 * SYNC_MAX_BYTES })), texture: fc.integer({ min: 0, max: 3 }), seed: fc.nat(), atOnce: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('level' as const), level: fc.integer({ min: 0, max: 9 }) }) },
);

function message(size: number, texture: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  const rand = prng(seed);
  for (let i = 0; i < size; i++) {
    if (texture === 0) b[i] = 7; // flat
    else if (texture === 1) b[i] = (i >> 6) & 3; // few values in runs
    else if (texture === 2) b[i] = (rand() * 256) | 0; // noise
    else b[i] = i % 64 === 0 ? (rand() * 256) | 0 : b[i - 1] ?? 0; // runs of random bytes
  }
  return b;
}

/** Runs the steps through a stream; returns each message's input and output, in call order. */
async function run(steps: Step[], level: number, syncMaxBytes: number): Promise<{ inputs: Buffer[]; outputs: Buffer[] }> {
  const z = new ZlibStream(level, syncMaxBytes);
  const inputs: Buffer[] = [];
  const outputs: Promise<Buffer>[] = [];
  try {
    for (const s of steps) {
      if (s.kind === 'level') {
        z.setLevel(s.level);
        continue;
      }
      // `atOnce` messages issued without waiting (a Tight rectangle's tiles), then awaited.
      const batch: Promise<Buffer>[] = [];
      for (let k = 0; k < s.atOnce; k++) {
        const data = message(k === 0 ? s.size : s.size >> (2 * k), s.texture, s.seed + k);
        inputs.push(data);
        batch.push(z.compress(data));
      }
      outputs.push(...batch);
      await Promise.all(batch);
    }
    return { inputs, outputs: await Promise.all(outputs) };
  } finally {
    z.close();
  }
}

function assertDecodesInOrder(inputs: Buffer[], outputs: Buffer[]): void {
  // A prefix of the stream decodes to exactly the prefix of the messages: each one was flushed.
  for (const end of [1, Math.ceil(outputs.length / 2), outputs.length]) {
    if (end > outputs.length) continue;
    const got = inflateSync(Buffer.concat(outputs.slice(0, end)), { finishFlush: constants.Z_SYNC_FLUSH });
    assert.ok(got.equals(Buffer.concat(inputs.slice(0, end))), `the first ${end} messages decode to their inputs`);
  }
}

test('small messages compressed synchronously decode in order through one inflate stream and decode like the pool path', () =>
  named('zlib sync vs pool', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 9 }), async (steps, level) => {
        const sync = await run(steps, level, SYNC_MAX_BYTES);
        const pool = await run(steps, level, -1);
        assertDecodesInOrder(sync.inputs, sync.outputs);
        assertDecodesInOrder(pool.inputs, pool.outputs);
        assert.equal(sync.outputs.length, pool.outputs.length);
        for (const o of [...sync.outputs, ...pool.outputs]) assert.ok(o.subarray(-4).equals(SYNC_MARKER), 'every message ends on a sync flush');
      }),
      { seed: SEED, numRuns: 60 },
    );
  }));

test('a message returned by the sync path is its own copy: the next message does not overwrite it', async () => {
  const z = new ZlibStream(6);
  try {
    const a = await z.compress(message(3000, 2, 1));
    const copyOfA = Buffer.from(a);
    await z.compress(message(3000, 2, 2));
    assert.ok(a.equals(copyOfA));
  } finally {
    z.close();
  }
});

test('a closed stream refuses messages on both paths', async () => {
  const z = new ZlibStream(6);
  await z.compress(Buffer.from('hello'));
  z.close();
  await assert.rejects(z.compress(Buffer.from('small')), /closed/);
  await assert.rejects(z.compress(Buffer.alloc(SYNC_MAX_BYTES + 1)), /closed/);
});
