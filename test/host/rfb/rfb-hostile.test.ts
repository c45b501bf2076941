/**
 * Hostile and broken clients: each case ends with that client disconnected with a reason, its
 * input never buffered beyond the limits, and a well-behaved client beside it (and the frames
 * flowing into the framebuffer) undisturbed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOW_WATER } from '../../../src/host/rfb/rfb-session.js';
import type { RfbServer } from '../../../src/host/rfb/rfb-server.js';
import { FakeTarget, startFakeServer, until } from './fake-target.js';
import { RfbTestClient } from './rfb-test-client.js';

const W = 128;
const H = 96;

/** A good client that follows every frame with incremental updates; returns a check that it still does. */
async function goodClient(server: RfbServer, t: FakeTarget): Promise<{ c: RfbTestClient; stillServed(g: number): Promise<void> }> {
  const c = await RfbTestClient.connect(server.port);
  await c.handshake();
  c.setEncodings([0]);
  c.requestUpdate(false);
  await c.readUpdate();
  return {
    c,
    async stillServed(g: number) {
      c.requestUpdate(true);
      t.paint({ x: 3, y: 4, w: 5, h: 6 }, g);
      const rects = await c.readUpdate();
      // Exactly the new damage, or (when it did not ask for a while) a few rectangles covering it too.
      const covers = rects.some((r) => r.x <= 3 && r.y <= 4 && r.x + r.w >= 8 && r.y + r.h >= 10);
      assert.ok(covers && rects.length <= 8, `the good client's update covers the new damage: ${JSON.stringify(rects.map((r) => [r.x, r.y, r.w, r.h]))}`);
    },
  };
}

interface Case {
  name: string;
  reason: RegExp;
  /** Sends the bad bytes after the handshake (or instead of it when `raw`). */
  send(c: RfbTestClient): void;
  raw?: boolean;
}

const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};

const CASES: Case[] = [
  { name: 'an unknown message type', reason: /unknown client message type 127/, send: (c) => c.write([127, 0, 0, 0]) },
  {
    name: 'a ClientCutText that declares 100 MB',
    reason: /ClientCutText of 100000000 bytes/,
    // The header alone is refused: the server never waits for (or buffers) the 100 MB.
    send: (c) => c.write(Buffer.concat([Buffer.from([6, 0, 0, 0]), u32(100_000_000), Buffer.alloc(64 * 1024, 0x41)])),
  },
  { name: 'a ClientCutText with a negative (extended) length', reason: /negative/, send: (c) => c.write(Buffer.concat([Buffer.from([6, 0, 0, 0]), u32(0xfffffff0)])) },
  {
    name: 'SetEncodings with 100,000 entries',
    reason: /SetEncodings with 65535 encodings/,
    // The count field is 16 bits: the client says 65535 and streams 100,000 entries anyway.
    send: (c) => c.write(Buffer.concat([Buffer.from([2, 0, 0xff, 0xff]), Buffer.alloc(100_000 * 4)])),
  },
  {
    name: 'SetPixelFormat with 24 bits per pixel',
    reason: /SetPixelFormat refused: bits-per-pixel 24/,
    send: (c) => c.setPixelFormat({ bpp: 24, depth: 24, max: [255, 255, 255], shift: [16, 8, 0] }),
  },
  {
    name: 'SetPixelFormat with a colour map',
    reason: /colour-map/,
    send: (c) => c.setPixelFormat({ bpp: 8, depth: 8, trueColour: false, max: [7, 7, 3], shift: [0, 3, 6] }),
  },
  {
    name: 'SetPixelFormat with a red-max that is no bit mask',
    reason: /red-max 200 is not 2\^n - 1/,
    send: (c) => c.setPixelFormat({ bpp: 32, depth: 24, max: [200, 255, 255], shift: [16, 8, 0] }),
  },
  { name: 'SetDesktopSize with 200 screens', reason: /SetDesktopSize with 200 screens/, send: (c) => c.write([251, 0, 0, 64, 0, 64, 200, 0]) },
  { name: 'bytes flooding the handshake', reason: /bytes sent during the handshake/, raw: true, send: (c) => c.write(Buffer.alloc(10_000, 0x52)) },
];

for (const k of CASES) {
  test(`a client sending ${k.name} is disconnected with the reason; the others and the frames go on`, async () => {
    const t = new FakeTarget();
    t.full(W, H, 1);
    const server = await startFakeServer(t);
    const good = await goodClient(server, t);
    const bad = await RfbTestClient.connect(server.port);
    try {
      if (!k.raw) await bad.handshake();
      k.send(bad);
      await bad.waitClosed();
      await until(() => server.closed.length > 0, 'the disconnection to be recorded');
      assert.match(server.closed.at(-1)!.reason, k.reason);
      assert.equal(server.sessions.size, 1);
      await good.stillServed(2);
      await good.stillServed(3);
    } finally {
      good.c.close();
      bad.close();
      await server.close();
    }
  });
}

test('a client that never finishes the handshake is disconnected when its time is up', async () => {
  const t = new FakeTarget();
  t.full(W, H, 1);
  const server = await startFakeServer(t, { handshakeTimeoutMs: 200 });
  const bad = await RfbTestClient.connect(server.port);
  try {
    await bad.read(12);
    bad.write(Buffer.from('RFB 003.008\n'));
    await bad.waitClosed();
    assert.match(server.closed.at(-1)!.reason, /handshake did not complete/);
  } finally {
    bad.close();
    await server.close();
  }
});

test('a client that never reads gets at most about one update buffered, then is disconnected; the others go on', async () => {
  const t = new FakeTarget();
  t.full(W, H, 1);
  const server = await startFakeServer(t, { stallTimeoutMs: 300 });
  const good = await goodClient(server, t);
  const bad = await RfbTestClient.connect(server.port);
  try {
    await bad.handshake();
    bad.setEncodings([0]);
    // Stop reading: the kernel's buffers fill, then the server's socket buffer.
    bad.socket.pause();
    const session = [...server.sessions].find((s) => s.transport.peer.endsWith(`:${bad.socket.localPort}`))!;
    let g = 2;
    let maxBuffered = 0;
    while (session.closeReason === null) {
      bad.requestUpdate(false); // full updates, 48 KiB each, as fast as the server will send them
      t.paint({ x: 0, y: 0, w: W, h: 8 }, g++ & 0xff);
      maxBuffered = Math.max(maxBuffered, session.transport.bufferedBytes);
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.match(session.closeReason, /the client stopped reading/);
    const update = W * H * 4 + 16;
    assert.ok(maxBuffered <= LOW_WATER + update, `buffered ${maxBuffered} bytes, more than one update (${update}) past the low-water mark`);
    await good.stillServed(200);
  } finally {
    good.c.close();
    bad.close();
    await server.close();
  }
});
