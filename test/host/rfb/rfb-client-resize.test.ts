/**
 * A client's SetDesktopSize (ExtendedDesktopSize): the request goes to the target's resize (the
 * display's mode), the requester's next update carries the new size with reason "client" and
 * status ok, other clients see a server-side change; a target without resize answers
 * "prohibited", a bad layout "invalid layout", a display that refuses "out of resources" (with
 * the reason in the server's log), and a flood costs one mode change at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeTarget, startFakeServer, until } from './fake-target.js';
import { RfbTestClient, type UpdateRect } from './rfb-test-client.js';

const RAW = 0;
const EXT_DESKTOP_SIZE = -308;
const CLIENT = 1;
const SERVER = 0;
const OTHER_CLIENT = 2;
const OK = 0;
const PROHIBITED = 1;
const OUT_OF_RESOURCES = 2;
const INVALID_LAYOUT = 3;

type Screen = [id: number, x: number, y: number, w: number, h: number];

/** SetDesktopSize (type 251): width, height, then each screen's id, x, y, w, h, flags. */
function setDesktopSize(c: RfbTestClient, width: number, height: number, screens: Screen[] = [[1, 0, 0, width, height]]): void {
  const b = Buffer.alloc(8 + 16 * screens.length);
  b[0] = 251;
  b.writeUInt16BE(width, 2);
  b.writeUInt16BE(height, 4);
  b[6] = screens.length;
  screens.forEach(([id, x, y, w, h], i) => {
    const o = 8 + 16 * i;
    b.writeUInt32BE(id, o);
    b.writeUInt16BE(x, o + 4);
    b.writeUInt16BE(y, o + 6);
    b.writeUInt16BE(w, o + 8);
    b.writeUInt16BE(h, o + 10);
  });
  c.write(b);
}

/** [x (reason), y (status), w, h] of the update's ExtendedDesktopSize rectangle. */
function extSize(rects: UpdateRect[]): number[] | undefined {
  const r = rects.find((x) => x.encoding === EXT_DESKTOP_SIZE);
  return r && [r.x, r.y, r.w, r.h];
}

async function client(port: number): Promise<RfbTestClient> {
  const c = await RfbTestClient.connect(port);
  await c.handshake();
  c.setEncodings([RAW, EXT_DESKTOP_SIZE]);
  c.requestUpdate(false);
  await c.readUpdate(); // the announcement and the first frame
  return c;
}

test('a client\'s SetDesktopSize resizes the display: its update says "client, ok", another client\'s "another client", a later server change "server"', async () => {
  const t = new FakeTarget();
  t.full(40, 30, 1);
  const calls: number[][] = [];
  t.resize = async (w, h) => {
    calls.push([w, h]);
    t.full(w, h, 2);
  };
  const server = await startFakeServer(t);
  const [a, b] = [await client(server.port), await client(server.port)];
  try {
    setDesktopSize(a, 64, 48);
    a.requestUpdate(true);
    const ra = await a.readUpdate();
    assert.deepEqual(calls, [[64, 48]]);
    assert.deepEqual(extSize(ra), [CLIENT, OK, 64, 48]);
    assert.ok(ra.some((r) => r.encoding === RAW && r.w === 64 && r.h === 48), 'the whole new framebuffer follows');
    b.requestUpdate(true);
    assert.deepEqual(extSize(await b.readUpdate()), [OTHER_CLIENT, OK, 64, 48]);
    // The size it has already: answered ok, nothing asked of the display.
    setDesktopSize(a, 64, 48);
    a.requestUpdate(true);
    assert.deepEqual(extSize(await a.readUpdate()), [CLIENT, OK, 64, 48]);
    assert.equal(calls.length, 1);
    // The display changes its mode by itself: both clients see the server's change.
    t.full(50, 40, 3);
    for (const c of [a, b]) {
      c.requestUpdate(true);
      assert.deepEqual(extSize(await c.readUpdate()), [SERVER, OK, 50, 40]);
    }
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('SetDesktopSize is answered "prohibited" by a target no client may resize (view-only)', async () => {
  const t = new FakeTarget();
  t.full(40, 30, 1);
  const server = await startFakeServer(t);
  const c = await client(server.port);
  try {
    setDesktopSize(c, 100, 100);
    c.requestUpdate(true);
    assert.deepEqual(extSize(await c.readUpdate()), [CLIENT, PROHIBITED, 40, 30]);
  } finally {
    c.close();
    await server.close();
  }
});

test('a bad layout is answered "invalid layout" and never reaches the display', async () => {
  const t = new FakeTarget();
  t.full(40, 30, 1);
  let calls = 0;
  t.resize = async (w, h) => {
    calls++;
    t.full(w, h, 3);
  };
  const server = await startFakeServer(t);
  const c = await client(server.port);
  try {
    const bad: Array<[number, number, Screen[]]> = [
      [50, 50, []], // no screens
      [50, 50, [[1, 0, 0, 60, 50]]], // a screen wider than the framebuffer
      [50, 50, [[1, 0, 0, 0, 50]]], // an empty screen
      [50, 50, [[1, 0, 0, 25, 50], [1, 25, 0, 25, 50]]], // one id twice
      [0, 50, [[1, 0, 0, 1, 1]]], // an empty framebuffer
    ];
    for (const [w, h, screens] of bad) {
      setDesktopSize(c, w, h, screens);
      c.requestUpdate(true);
      assert.deepEqual(extSize(await c.readUpdate()), [CLIENT, INVALID_LAYOUT, 40, 30], JSON.stringify([w, h, screens]));
    }
    assert.equal(calls, 0);
    // Two screens side by side are a valid layout: applied as one framebuffer of their union.
    setDesktopSize(c, 50, 20, [[1, 0, 0, 25, 20], [2, 25, 0, 25, 20]]);
    c.requestUpdate(true);
    assert.deepEqual(extSize(await c.readUpdate()), [CLIENT, OK, 50, 20]);
    assert.equal(calls, 1);
  } finally {
    c.close();
    await server.close();
  }
});

test('a size the display refuses is answered "out of resources", with the display\'s reason in the log', async () => {
  const t = new FakeTarget();
  t.full(40, 30, 1);
  t.resize = () => Promise.reject(new Error('mode 5000x5000 is larger than display :9 can show'));
  const log: string[] = [];
  const server = await startFakeServer(t, { log: (l) => log.push(l) });
  const c = await client(server.port);
  try {
    setDesktopSize(c, 5000, 5000);
    c.requestUpdate(true);
    assert.deepEqual(extSize(await c.readUpdate()), [CLIENT, OUT_OF_RESOURCES, 40, 30]);
    assert.ok(log.some((l) => l.includes('SetDesktopSize 5000x5000 not applied: mode 5000x5000 is larger')), log.join('\n'));
  } finally {
    c.close();
    await server.close();
  }
});

test('a flood of SetDesktopSize costs one mode change at a time: the last request waiting is the next applied', async () => {
  const t = new FakeTarget();
  t.full(40, 30, 1);
  const calls: number[][] = [];
  let finish: () => void = () => undefined;
  t.resize = (w, h) => {
    calls.push([w, h]);
    return new Promise<void>((resolve) => {
      finish = () => {
        t.full(w, h, 2);
        resolve();
      };
    });
  };
  const server = await startFakeServer(t);
  const c = await client(server.port);
  try {
    for (let i = 0; i < 2000; i++) setDesktopSize(c, 41 + (i % 50), 31);
    setDesktopSize(c, 77, 55);
    await until(() => calls.length === 1, 'the first request reached the display');
    await new Promise((r) => setTimeout(r, 100)); // the whole flood has been parsed
    assert.deepEqual(calls, [[41, 31]], 'one mode change in flight, the rest waiting');
    finish();
    await until(() => calls.length === 2, 'the waiting request applied next');
    assert.deepEqual(calls[1], [77, 55], 'the newest one');
    finish();
    c.requestUpdate(true);
    let size: number[] | undefined;
    for (let i = 0; i < 3 && size?.[2] !== 77; i++) size = extSize(await c.readUpdate());
    assert.deepEqual(size, [CLIENT, OK, 77, 55]);
    assert.equal(server.sessions.size, 1, 'the client is still served');
  } finally {
    c.close();
    await server.close();
  }
});
