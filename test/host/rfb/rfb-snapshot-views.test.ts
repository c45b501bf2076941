/**
 * An update's rectangles show the framebuffer as it was when the update was decided, even when a
 * frame arrives while the update is being encoded: the snapshots are views of the framebuffer,
 * and the session copies the ones not yet encoded right before the frame overwrites it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZrleEncoder } from '../../../src/host/rfb/encoders/zrle-encoder.js';
import { PixelTranslator, SERVER_PIXEL_FORMAT } from '../../../src/host/rfb/rfb-pixel-format.js';
import { FakeTarget, startFakeServer } from './fake-target.js';
import { keyRect, referenceZrleTiles } from './reference-encoders.js';
import { RfbTestClient } from './rfb-test-client.js';

const ZRLE = 16;

test('a frame that lands between two rectangles of an update does not change the second one: it follows in the next update', async () => {
  const t = new FakeTarget();
  t.full(200, 100, 1);
  const server = await startFakeServer(t);
  const c = await RfbTestClient.connect(server.port);
  const encode = ZrleEncoder.prototype.encode;
  let landFrame: (() => void) | null = null;
  // The next frame lands right after the first rectangle's encode call has read its snapshot.
  ZrleEncoder.prototype.encode = function (this: ZrleEncoder, ...args: Parameters<ZrleEncoder['encode']>) {
    const p = encode.apply(this, args);
    const land = landFrame;
    landFrame = null;
    land?.();
    return p;
  };
  try {
    await c.handshake();
    c.setEncodings([ZRLE]);
    c.requestUpdate(false);
    await c.readUpdate();
    const a = { x: 0, y: 0, w: 20, h: 10 };
    const b = { x: 150, y: 80, w: 40, h: 20 };
    t.paint(a, 2);
    t.paint(b, 2);
    const bAtRequest = keyRect(t.framebuffer.view!, b.x, b.y, b.w, b.h);
    landFrame = () => t.paint(b, 3);
    c.requestUpdate(true);
    const rects = await c.readUpdate();
    assert.deepEqual(rects.map((r) => [r.x, r.y, r.w, r.h]), [[a.x, a.y, a.w, a.h], [b.x, b.y, b.w, b.h]], 'two rectangles, A encoded first');
    assert.equal(landFrame, null, 'the frame landed during the update');
    const tr = new PixelTranslator(SERVER_PIXEL_FORMAT, { generic: true });
    assert.deepEqual(rects[1]!.data, referenceZrleTiles(bAtRequest, tr), 'B shows picture 2, as at the request');
    c.requestUpdate(true);
    const next = await c.readUpdate();
    assert.deepEqual(next.map((r) => [r.x, r.y, r.w, r.h]), [[b.x, b.y, b.w, b.h]]);
    assert.deepEqual(next[0]!.data, referenceZrleTiles(keyRect(t.framebuffer.view!, b.x, b.y, b.w, b.h), tr), 'then picture 3');
    assert.notDeepEqual(next[0]!.data, rects[1]!.data);
  } finally {
    ZrleEncoder.prototype.encode = encode;
    c.close();
    await server.close();
  }
});
