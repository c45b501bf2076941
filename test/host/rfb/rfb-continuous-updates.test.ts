/**
 * The ContinuousUpdates (-313, EnableContinuousUpdates 150 / EndOfContinuousUpdates) and Fence
 * (-312, message 248) extensions, with the hand-written client: updates are pushed per frame
 * without requests, each followed by a fence; at most two fences go unanswered, and the frames
 * drawn meanwhile reach the client as one later update; disabling ends with
 * EndOfContinuousUpdates; the client's own fences are answered in order with the flags the server
 * honours; misuse disconnects with a reason.
 *
 * Deterministic, no timing: "nothing was sent" is shown by a fence the client sends afterwards.
 * The test paints frames in the server's own process, so any update those frames cause is
 * written before the server reads the client's next bytes; the fence's answer arriving first
 * proves no update was due.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeTarget, rawPixel, startFakeServer, until } from './fake-target.js';
import { RfbTestClient, type UpdateRect } from './rfb-test-client.js';

const RAW = 0;
const FENCE = -312;
const CONTINUOUS = -313;
const REQUEST = 0x80000000;
const BLOCK_BEFORE = 1;
const BLOCK_AFTER = 2;
const SYNC_NEXT = 4;

function applyRaw(img: Uint32Array, width: number, rects: UpdateRect[]): void {
  for (const r of rects) {
    if (r.encoding !== RAW) continue;
    for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) img[(r.y + y) * width + r.x + x] = rawPixel(r.data, r.w, x, y);
  }
}

function assertShows(img: Uint32Array, t: FakeTarget): void {
  for (let y = 0; y < t.height; y++) {
    for (let x = 0; x < t.width; x++) {
      if (img[y * t.width + x] !== t.colour(x, y)) assert.fail(`pixel ${x},${y}`);
    }
  }
}

/** Sends a fence of its own and reads up to its answer: returns what came before it. */
async function sync(c: RfbTestClient, tag: number): Promise<string[]> {
  c.fence(REQUEST | BLOCK_BEFORE, Buffer.from([0xee, tag]));
  const before: string[] = [];
  for (;;) {
    const m = await c.readMessage();
    if (m.type === 'fence') {
      const f = c.fences[c.fences.length - 1]!;
      if (f.payload[0] === 0xee && f.payload[1] === tag) return before;
    }
    before.push(m.type);
  }
}

/** Reads one pushed update and the fence right behind it. */
async function pushed(c: RfbTestClient): Promise<{ rects: UpdateRect[]; fence: { flags: number; payload: Buffer } }> {
  const m = await c.readMessage();
  assert.equal(m.type, 'update');
  const f = await c.readMessage();
  assert.equal(f.type, 'fence', 'a fence right behind each pushed update');
  return { rects: (m as { rects: UpdateRect[] }).rects, fence: c.fences[c.fences.length - 1]! };
}

test('continuous updates: pushed per frame without requests, two fences at most unanswered, the rest merged into one update', async () => {
  const t = new FakeTarget();
  t.full(80, 60, 1);
  const server = await startFakeServer(t);
  const c = await RfbTestClient.connect(server.port);
  try {
    await c.handshake();
    c.setEncodings([RAW, FENCE, CONTINUOUS]);
    // The server announces the extension with an EndOfContinuousUpdates, as the spec asks.
    assert.equal((await c.readMessage()).type, 'end-of-continuous-updates');
    const img = new Uint32Array(80 * 60);
    c.requestUpdate(false);
    applyRaw(img, 80, await c.readUpdate());
    assert.deepEqual(await sync(c, 1), [], 'a pulled update carries no fence');

    c.enableContinuousUpdates(true);
    assert.deepEqual(await sync(c, 2), [], 'nothing changed yet: nothing pushed');
    t.paint({ x: 10, y: 10, w: 5, h: 5 }, 2);
    const a = await pushed(c);
    assert.deepEqual(a.rects.map((r) => [r.x, r.y, r.w, r.h]), [[10, 10, 5, 5]]);
    assert.equal(a.fence.flags, (REQUEST | BLOCK_BEFORE) >>> 0);
    applyRaw(img, 80, a.rects);
    t.paint({ x: 20, y: 30, w: 4, h: 2 }, 3);
    const b = await pushed(c);
    assert.deepEqual(b.rects.map((r) => [r.x, r.y, r.w, r.h]), [[20, 30, 4, 2]]);
    applyRaw(img, 80, b.rects);

    // Two fences unanswered: frames now only grow the damage.
    t.paint({ x: 40, y: 5, w: 3, h: 3 }, 4);
    t.paint({ x: 60, y: 40, w: 6, h: 6 }, 5);
    t.paint({ x: 41, y: 6, w: 3, h: 3 }, 6);
    assert.deepEqual(await sync(c, 3), [], 'no update while two fences are unanswered');

    // The client answers the first fence: one update with all three frames, then its fence.
    c.fence(a.fence.flags & ~REQUEST, a.fence.payload);
    const merged = await pushed(c);
    applyRaw(img, 80, merged.rects);
    assertShows(img, t);
    assert.ok(merged.rects.length <= 3, `${merged.rects.length} rectangles`);
    assert.notDeepEqual(merged.fence.payload, b.fence.payload, 'each fence has its own payload');

    // Answering both leaves room: the next frame goes out at once.
    c.fence(b.fence.flags & ~REQUEST, b.fence.payload);
    c.fence(merged.fence.flags & ~REQUEST, merged.fence.payload);
    t.paint({ x: 0, y: 0, w: 2, h: 2 }, 7);
    const d = await pushed(c);
    applyRaw(img, 80, d.rects);
    assertShows(img, t);
    c.fence(d.fence.flags & ~REQUEST, d.fence.payload);

    const session = [...server.sessions][0]!;
    assert.equal(session.counters.requests, 1, 'one request in all: the first, non-incremental one');
    await until(() => session.counters.fencesAnswered === 4, 'the four answers to be read');

    // Disabling: EndOfContinuousUpdates, then nothing is pushed any more.
    c.enableContinuousUpdates(false);
    assert.equal((await c.readMessage()).type, 'end-of-continuous-updates');
    t.paint({ x: 5, y: 5, w: 2, h: 2 }, 8);
    assert.deepEqual(await sync(c, 4), [], 'pull mode again: no update without a request');
    c.requestUpdate(true);
    const e = await c.readMessage();
    assert.equal(e.type, 'update');
    assert.deepEqual(await sync(c, 5), [], 'no fence behind a pulled update');
    assert.equal(c.endsOfContinuousUpdates, 2);
  } finally {
    c.close();
    await server.close();
  }
});

test("the client's fences are answered in order, with its payload and only the flags the server honours", async () => {
  const t = new FakeTarget();
  t.full(32, 16, 1);
  const server = await startFakeServer(t);
  const c = await RfbTestClient.connect(server.port);
  try {
    await c.handshake();
    c.setEncodings([RAW, FENCE]);
    c.requestUpdate(false);
    c.fence(REQUEST | BLOCK_BEFORE | BLOCK_AFTER | SYNC_NEXT, Buffer.from('hello'));
    // BlockBefore: the update the earlier request asked for comes first, then the answer.
    assert.equal((await c.readMessage()).type, 'update');
    assert.equal((await c.readMessage()).type, 'fence');
    assert.deepEqual(c.fences[0], { flags: BLOCK_BEFORE | BLOCK_AFTER, payload: Buffer.from('hello') });
    assert.equal(c.endsOfContinuousUpdates, 0, 'continuous updates are not announced to a client that did not ask');
  } finally {
    c.close();
    await server.close();
  }
});

test('misuse of the extensions disconnects that client with a reason; the others go on', async () => {
  const t = new FakeTarget();
  t.full(32, 16, 1);
  const server = await startFakeServer(t);
  const good = await RfbTestClient.connect(server.port);
  const noFence = await RfbTestClient.connect(server.port);
  const bigFence = await RfbTestClient.connect(server.port);
  try {
    await good.handshake();
    await noFence.handshake();
    await bigFence.handshake();
    noFence.setEncodings([RAW, CONTINUOUS]);
    noFence.enableContinuousUpdates(true);
    await noFence.waitClosed();
    bigFence.write(Buffer.concat([Buffer.from([248, 0, 0, 0, 0x80, 0, 0, 0, 65]), Buffer.alloc(65)]));
    await bigFence.waitClosed();
    const reasons = server.closed.map((r) => r.reason);
    assert.ok(reasons.some((r) => /EnableContinuousUpdates from a client that did not announce both/.test(r)), reasons.join(' | '));
    assert.ok(reasons.some((r) => /Fence with a 65-byte payload/.test(r)), reasons.join(' | '));
    good.requestUpdate(false);
    assert.equal((await good.readUpdate()).length, 1);
  } finally {
    good.close();
    noFence.close();
    bigFence.close();
    await server.close();
  }
});

test('a client that stops answering fences is disconnected after the stall timeout, one that turns the push off in time is not', async (t) => {
  const t1 = new FakeTarget();
  t1.full(32, 16, 1);
  const server = await startFakeServer(t1, { stallTimeoutMs: 5000 });
  const stuck = await RfbTestClient.connect(server.port);
  const off = await RfbTestClient.connect(server.port);
  try {
    for (const c of [stuck, off]) {
      await c.handshake();
      c.setEncodings([RAW, FENCE, CONTINUOUS]);
      assert.equal((await c.readMessage()).type, 'end-of-continuous-updates');
      c.enableContinuousUpdates(true);
      // The whole screen first (everything is damaged for a new client), answered.
      const first = await pushed(c);
      c.fence(first.fence.flags & ~REQUEST, first.fence.payload);
      assert.deepEqual(await sync(c, 1), []);
    }
    // Virtual time from here on for the timers armed from now: the stall timers among them.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    // Two pushed updates each, never answered: both clients are now blocked on fences.
    for (const g of [2, 3]) {
      t1.paint({ x: 0, y: 0, w: 4, h: 4 }, g);
      for (const c of [stuck, off]) await pushed(c);
    }
    t1.paint({ x: 8, y: 8, w: 4, h: 4 }, 4);
    // The stall timers are armed by now (the sync's answer comes after the frame was handled).
    for (const c of [stuck, off]) assert.deepEqual(await sync(c, 2), []);
    off.enableContinuousUpdates(false);
    assert.equal((await off.readMessage()).type, 'end-of-continuous-updates');
    t.mock.timers.tick(6000);
    await stuck.waitClosed();
    assert.ok(server.closed.some((r) => /stopped answering fences \(2 unanswered\)/.test(r.reason)), server.closed.map((r) => r.reason).join(' | '));
    t.mock.timers.tick(60_000);
    assert.deepEqual(await sync(off, 3), [], 'the client that turned the push off is still served');
    assert.equal(off.closed, false);
  } finally {
    t.mock.timers.reset();
    stuck.close();
    off.close();
    await server.close();
  }
});
