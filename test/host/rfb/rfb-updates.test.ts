/**
 * What the clients are sent: damage-driven incremental updates (each client its own), pixel
 * formats, ZRLE and Tight payloads, mode changes without a reconnect, the cursor, and input and
 * clipboard in both directions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeTarget, colourAt, rawPixel, startFakeServer, until } from './fake-target.js';
import { RfbTestClient, type UpdateRect } from './rfb-test-client.js';

const RAW = 0;
const TIGHT = 7;
const ZRLE = 16;
const CURSOR = -239;
const DESKTOP_SIZE = -223;
const EXT_DESKTOP_SIZE = -308;

/** Applies Raw rects to a client-side image of 32-bit keys and checks it against the target's picture. */
function applyRaw(img: Uint32Array, width: number, rects: UpdateRect[]): void {
  for (const r of rects) {
    if (r.encoding !== RAW) continue;
    for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) img[(r.y + y) * width + r.x + x] = rawPixel(r.data, r.w, x, y);
  }
}

function assertShows(img: Uint32Array, t: FakeTarget): void {
  for (let y = 0; y < t.height; y++) {
    for (let x = 0; x < t.width; x++) {
      const want = t.colour(x, y);
      if (img[y * t.width + x] !== want) assert.fail(`pixel ${x},${y}: ${img[y * t.width + x]!.toString(16)} != ${want.toString(16)}`);
    }
  }
}

async function session(t: FakeTarget, encodings: number[] = [RAW]): Promise<{ c: RfbTestClient; close(): Promise<void>; server: Awaited<ReturnType<typeof startFakeServer>> }> {
  const server = await startFakeServer(t);
  const c = await RfbTestClient.connect(server.port);
  await c.handshake();
  c.setEncodings(encodings);
  return {
    c,
    server,
    async close() {
      c.close();
      await server.close();
    },
  };
}

test('an incremental request gets only the damage since the client\'s last update, with the right pixels', async () => {
  const t = new FakeTarget();
  t.full(80, 60, 1);
  const s = await session(t);
  try {
    const img = new Uint32Array(80 * 60);
    s.c.requestUpdate(false);
    applyRaw(img, 80, await s.c.readUpdate());
    assertShows(img, t);
    s.c.requestUpdate(true);
    t.paint({ x: 10, y: 20, w: 7, h: 3 }, 2);
    const rects = await s.c.readUpdate();
    assert.deepEqual(rects.map((r) => [r.x, r.y, r.w, r.h, r.encoding]), [[10, 20, 7, 3, RAW]]);
    applyRaw(img, 80, rects);
    assertShows(img, t);
  } finally {
    await s.close();
  }
});

test('a slow client gets one update covering every frame it missed, not one update per frame', async () => {
  const t = new FakeTarget();
  t.full(80, 60, 1);
  const s = await session(t);
  try {
    const img = new Uint32Array(80 * 60);
    s.c.requestUpdate(false);
    applyRaw(img, 80, await s.c.readUpdate());
    // Ten frames while the client is not asking.
    for (let i = 0; i < 10; i++) t.paint({ x: 2 + 3 * i, y: 5 + i, w: 2, h: 2 }, 2 + i);
    t.paint({ x: 70, y: 50, w: 4, h: 4 }, 20);
    s.c.requestUpdate(true);
    const rects = await s.c.readUpdate();
    assert.ok(rects.length <= 8, `${rects.length} rectangles`);
    applyRaw(img, 80, rects);
    assertShows(img, t);
    const area = rects.reduce((a, r) => a + r.w * r.h, 0);
    assert.ok(area < 80 * 60, 'not the whole frame');
  } finally {
    await s.close();
  }
});

test('a request for part of the screen gets that part; the rest of the damage waits for the next request', async () => {
  const t = new FakeTarget();
  t.full(64, 64, 1);
  const s = await session(t);
  try {
    const img = new Uint32Array(64 * 64);
    s.c.requestUpdate(false);
    applyRaw(img, 64, await s.c.readUpdate());
    t.paint({ x: 0, y: 0, w: 64, h: 10 }, 2);
    s.c.requestUpdate(true, 0, 0, 32, 32);
    const part = await s.c.readUpdate();
    assert.deepEqual(part.map((r) => [r.x, r.y, r.w, r.h]), [[0, 0, 32, 10]]);
    applyRaw(img, 64, part);
    s.c.requestUpdate(true);
    const rest = await s.c.readUpdate();
    assert.deepEqual(rest.map((r) => [r.x, r.y, r.w, r.h]), [[32, 0, 32, 10]]);
    applyRaw(img, 64, rest);
    assertShows(img, t);
  } finally {
    await s.close();
  }
});

test('16-bit and 8-bit true-colour clients get their own pixel values, each in its own format at once', async () => {
  const t = new FakeTarget();
  t.full(16, 8, 1);
  const server = await startFakeServer(t);
  const a = await RfbTestClient.connect(server.port);
  const b = await RfbTestClient.connect(server.port);
  try {
    await a.handshake();
    await b.handshake();
    a.setPixelFormat({ bpp: 16, depth: 16, bigEndian: true, max: [31, 63, 31], shift: [11, 5, 0] }); // RGB565, big-endian
    b.setPixelFormat({ bpp: 8, depth: 8, max: [7, 7, 3], shift: [0, 3, 6] }); // BGR233
    a.setEncodings([RAW]);
    b.setEncodings([RAW]);
    a.requestUpdate(false);
    b.requestUpdate(false);
    const [ra] = await a.readUpdate();
    const [rb] = await b.readUpdate();
    for (const [x, y] of [[0, 0], [5, 3], [15, 7]] as const) {
      const c = colourAt(x, y, 1);
      const r8 = c >>> 16;
      const g8 = (c >> 8) & 0xff;
      const b8 = c & 0xff;
      const want565 = (Math.round((r8 * 31) / 255) << 11) | (Math.round((g8 * 63) / 255) << 5) | Math.round((b8 * 31) / 255);
      assert.equal(ra!.data.readUInt16BE((y * 16 + x) * 2), want565, `565 at ${x},${y}`);
      const want233 = Math.round((r8 * 7) / 255) | (Math.round((g8 * 7) / 255) << 3) | (Math.round((b8 * 3) / 255) << 6);
      assert.equal(rb!.data[y * 16 + x], want233, `233 at ${x},${y}`);
    }
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('ZRLE sends a solid area as one-colour tiles and detail as palette or raw tiles, through one zlib stream', async () => {
  const t = new FakeTarget();
  t.full(64, 64, 1);
  const s = await session(t, [ZRLE]);
  try {
    s.c.requestUpdate(false);
    const [full] = await s.c.readUpdate();
    assert.equal(full!.encoding, ZRLE);
    assert.equal(full!.data[0], 0, 'a detailed 64x64 tile is raw (sub-encoding 0)');
    assert.equal(full!.data.length, 1 + 64 * 64 * 3, 'CPIXELs are 3 bytes for 32-bit depth-24');
    // A solid 20x20 square: one tile of one colour.
    s.c.requestUpdate(true);
    t.paintSolid({ x: 4, y: 4, w: 20, h: 20 }, 0x123456);
    const [solid] = await s.c.readUpdate();
    assert.deepEqual([solid!.x, solid!.y, solid!.w, solid!.h], [4, 4, 20, 20]);
    assert.deepEqual([...solid!.data], [1, 0x56, 0x34, 0x12]);
  } finally {
    await s.close();
  }
});

test('Tight sends fills, palettes and (with a quality level) JPEG', async () => {
  const t = new FakeTarget();
  t.full(64, 64, 1);
  const s = await session(t, [TIGHT, -23]);
  try {
    s.c.requestUpdate(false);
    const [full] = await s.c.readUpdate();
    assert.equal(full!.encoding, TIGHT);
    assert.equal(full!.data[0]! >> 4, 9, 'a detailed tile with a quality level is JPEG');
    assert.deepEqual([...full!.data.subarray(1, 3)], [0xff, 0xd8], 'a JFIF stream');
    s.c.requestUpdate(true);
    t.paintSolid({ x: 4, y: 4, w: 20, h: 20 }, 0x123456);
    const [fill] = await s.c.readUpdate();
    assert.deepEqual([...fill!.data], [0x80, 0x12, 0x34, 0x56], 'fill with an R,G,B TPIXEL');
  } finally {
    await s.close();
  }
});

test('a mode change reaches clients as ExtendedDesktopSize or DesktopSize; a client with neither is told why and disconnected', async () => {
  const t = new FakeTarget();
  t.full(40, 30, 1);
  const server = await startFakeServer(t);
  const ext = await RfbTestClient.connect(server.port);
  const plain = await RfbTestClient.connect(server.port);
  const none = await RfbTestClient.connect(server.port);
  try {
    for (const c of [ext, plain, none]) await c.handshake();
    ext.setEncodings([RAW, EXT_DESKTOP_SIZE]);
    plain.setEncodings([RAW, DESKTOP_SIZE]);
    none.setEncodings([RAW]);
    ext.requestUpdate(false);
    const first = await ext.readUpdate();
    assert.deepEqual(first.map((r) => r.encoding), [EXT_DESKTOP_SIZE, RAW], 'support is announced with the first update');
    plain.requestUpdate(false);
    await plain.readUpdate();
    none.requestUpdate(false);
    await none.readUpdate();
    for (const c of [ext, plain, none]) c.requestUpdate(true);
    t.full(50, 20, 2);
    const e = await ext.readUpdate();
    assert.deepEqual([e[0]!.encoding, e[0]!.x, e[0]!.y, e[0]!.w, e[0]!.h], [EXT_DESKTOP_SIZE, 0, 0, 50, 20]);
    assert.deepEqual(e.slice(1).map((r) => [r.x, r.y, r.w, r.h]), [[0, 0, 50, 20]], 'then the whole new framebuffer');
    const p = await plain.readUpdate();
    assert.deepEqual(p.map((r) => [r.encoding, r.w, r.h]), [[DESKTOP_SIZE, 50, 20], [RAW, 50, 20]]);
    await none.waitClosed();
    await until(() => server.closed.length > 0, 'the disconnection');
    assert.match(server.closed.at(-1)!.reason, /changed its mode to 50x20 and the client cannot resize/);
  } finally {
    for (const c of [ext, plain, none]) c.close();
    await server.close();
  }
});

test('the cursor shape and hotspot reach a client that takes the Cursor pseudo-encoding', async () => {
  const t = new FakeTarget();
  t.full(40, 30, 1);
  // 2x2, premultiplied BGRA: opaque red, half-transparent (alpha 128) white, transparent, opaque blue.
  t.cursorView = { visible: true, x: 5, y: 5, hotX: 1, hotY: 0, shapeId: 7, width: 2, height: 2, shape: new Uint8Array([0, 0, 255, 255, 128, 128, 128, 128, 0, 0, 0, 0, 255, 0, 0, 255]) };
  const s = await session(t, [RAW, CURSOR]);
  try {
    s.c.requestUpdate(false);
    const rects = await s.c.readUpdate();
    const cur = rects.find((r) => r.encoding === CURSOR)!;
    assert.deepEqual([cur.x, cur.y, cur.w, cur.h], [1, 0, 2, 2]);
    assert.equal(cur.data.readUInt32LE(0) & 0xffffff, 0xff0000);
    assert.equal(cur.data.readUInt32LE(4) & 0xffffff, 0xffffff, 'un-premultiplied');
    assert.equal(cur.data.readUInt32LE(12) & 0xffffff, 0x0000ff);
    assert.deepEqual([...cur.data.subarray(16)], [0b11000000, 0b01000000], 'the mask: at least half opaque');
  } finally {
    await s.close();
  }
});

test('keys, pointer and clipboard reach the input; the display\'s clipboard reaches the client', async () => {
  const t = new FakeTarget();
  t.full(40, 30, 1);
  const s = await session(t);
  try {
    s.c.write([4, 1, 0, 0, 0, 0, 0xff, 0x0d]); // Return down
    s.c.write([5, 0b101, 0x01, 0x00, 0x00, 0x05]); // buttons 1+3 at (256, 5): clipped to the framebuffer
    s.c.write(Buffer.concat([Buffer.from([6, 0, 0, 0, 0, 0, 0, 5]), Buffer.from('hello', 'latin1')]));
    await until(() => t.received.length === 3, 'the input');
    assert.deepEqual(t.received, [
      { kind: 'key', args: [true, 0xff0d] },
      { kind: 'pointer', args: [39, 5, 0b101] },
      { kind: 'clipboard', args: ['hello'] },
    ]);
    t.serverClipboard('from the display');
    s.c.requestUpdate(false);
    await s.c.readUpdate();
    assert.deepEqual(s.c.cutTexts, ['from the display']);
  } finally {
    await s.close();
  }
});
