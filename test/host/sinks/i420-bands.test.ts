/**
 * A picture converted in bands on helper threads is byte for byte the one this thread converts,
 * for every format, odd sizes, unaligned views and regions; small or unshared work stays on the
 * calling thread; a helper that dies mid-recording costs nothing but its speed; close() joins them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BAND_MIN_PIXELS, I420Bands } from '../../../src/host/sinks/i420-bands.js';
import { I420Converter, i420Size } from '../../../src/host/sinks/i420-convert.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010, bytesPerPixel } from '../../../src/contract/pixel-format.js';
import { prng, randInt, seedsFor } from '../../ring/helpers.js';

const FORMATS = [FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010];

/** A frame in shared memory at `shift` bytes into its buffer (0 keeps it word-aligned). */
function sharedFrame(rand: () => number, format: number, width: number, height: number, shift: number) {
  const stride = width * bytesPerPixel(format) + 4 * randInt(rand, 0, 3);
  const sab = new SharedArrayBuffer(shift + stride * height + 16);
  const pixels = new Uint8Array(sab, shift, stride * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (rand() * 256) | 0;
  return { pixels, width, height, stride, format };
}

async function bothWays(bands: I420Bands, frame: ReturnType<typeof sharedFrame>, region: [number, number, number, number], offset: number): Promise<[Buffer, Buffer]> {
  const size = offset + i420Size(frame.width, frame.height);
  const banded = Buffer.from(new SharedArrayBuffer(size)).fill(7);
  const inline = Buffer.alloc(size, 7);
  const r = await bands.convert(frame, banded, offset, ...region);
  const s = new I420Converter().convert(frame, inline, offset, ...region);
  assert.equal(r, s);
  return [banded, inline];
}

test('banded pictures equal the calling thread\'s, whole and in regions, every format, odd sizes and unaligned views', { timeout: 120_000 }, async () => {
  const bands = new I420Bands(3);
  try {
    // The helpers start with the first large conversion; the ones before them convert here.
    const warm = sharedFrame(prng(1), FORMAT_BGRA8, 640, 480, 0);
    await bands.convert(warm, Buffer.from(new SharedArrayBuffer(i420Size(640, 480))), 0);
    for (let k = 0; k < 100 && bands.banded === 0; k++) {
      await new Promise((r) => setTimeout(r, 20));
      await bands.convert(warm, Buffer.from(new SharedArrayBuffer(i420Size(640, 480))), 0);
    }
    assert.ok(bands.banded > 0, 'the helpers took a picture');
    for (const seed of seedsFor([0xba1d, 0xba1e, 0xba1f, 0xba20, 0xba21, 0xba22])) {
      try {
        const rand = prng(seed);
        const format = FORMATS[randInt(rand, 0, FORMATS.length - 1)]!;
        const width = randInt(rand, 600, 801);
        const height = randInt(rand, 451, 601);
        const frame = sharedFrame(rand, format, width, height, rand() < 0.3 ? 1 : 0);
        const whole: [number, number, number, number] = [0, 0, width, height];
        const x0 = randInt(rand, 0, 40);
        const y0 = randInt(rand, 0, 41);
        const part: [number, number, number, number] = [x0, y0, width - randInt(rand, 0, 40), height - randInt(rand, 0, 41)];
        for (const region of [whole, part]) {
          const before = bands.banded;
          const [banded, inline] = await bothWays(bands, frame, region, 6);
          assert.ok(banded.equals(inline), `seed ${seed}: format ${format} ${width}x${height} region ${region}`);
          const area = (region[2] - region[0]) * (region[3] - region[1]);
          if (area >= BAND_MIN_PIXELS * 1.1) assert.equal(bands.banded, before + 1, 'a large region went to the helpers');
        }
      } catch (e) {
        (e as Error).message = `[seed ${seed}; rerun with VDP_SEED=${seed}] ${(e as Error).message}`;
        throw e;
      }
    }
    // Small, or not in shared memory: this thread, at once.
    const small = sharedFrame(prng(2), FORMAT_BGRA8, 64, 32, 0);
    assert.equal(typeof bands.convert(small, Buffer.from(new SharedArrayBuffer(i420Size(64, 32))), 0), 'number');
    const plain = { ...warm, pixels: new Uint8Array(warm.pixels) };
    assert.equal(typeof bands.convert(plain, Buffer.alloc(i420Size(640, 480)), 0), 'number');
  } finally {
    await bands.close();
  }
});

test('a helper that dies leaves the conversions right, and close() joins the rest', { timeout: 60_000 }, async () => {
  const bands = new I420Bands(2);
  const frame = sharedFrame(prng(3), FORMAT_BGRA8, 800, 600, 0);
  const out = (): Buffer => Buffer.from(new SharedArrayBuffer(i420Size(800, 600)));
  await bands.convert(frame, out(), 0);
  for (let k = 0; k < 100 && bands.banded === 0; k++) {
    await new Promise((r) => setTimeout(r, 20));
    await bands.convert(frame, out(), 0);
  }
  assert.ok(bands.banded > 0);
  const helpers = (bands as unknown as { helpers: Array<{ worker: { terminate(): Promise<number> }; dead: boolean }> }).helpers;
  await helpers[0]!.worker.terminate();
  for (let k = 0; k < 50 && !helpers[0]!.dead; k++) await new Promise((r) => setTimeout(r, 10));
  const [banded, inline] = await bothWays(bands, frame, [0, 0, 800, 600], 0);
  assert.ok(banded.equals(inline));
  await bands.close();
  assert.equal(helpers.length, 0, 'every helper joined');
  assert.equal(typeof bands.convert(frame, out(), 0), 'number', 'after close, this thread converts');
});

test('a second large picture while one is in the helpers converts on this thread, and both are right', { timeout: 60_000 }, async () => {
  const bands = new I420Bands(2);
  try {
    const a = sharedFrame(prng(4), FORMAT_BGRA8, 800, 600, 0);
    const b = sharedFrame(prng(5), FORMAT_BGRA8, 800, 600, 0);
    const out = (): Buffer => Buffer.from(new SharedArrayBuffer(i420Size(800, 600)));
    for (let k = 0; k < 100 && bands.banded === 0; k++) {
      await bands.convert(a, out(), 0);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(bands.banded > 0);
    const oa = out();
    const ob = out();
    const first = bands.convert(a, oa, 0);
    const second = bands.convert(b, ob, 0);
    assert.ok(first instanceof Promise, 'the first went to the helpers');
    assert.equal(typeof second, 'number', 'the second did not wait for them');
    await first;
    for (const [f, o] of [[a, oa], [b, ob]] as const) {
      const ref = Buffer.alloc(i420Size(800, 600));
      new I420Converter().convert(f, ref, 0);
      assert.ok(o.equals(ref));
    }
  } finally {
    await bands.close();
  }
});
