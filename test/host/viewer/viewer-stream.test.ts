import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findWebRoot } from '../../../src/host/viewer/web-assets.js';
import { startViewerServer, type ViewerServer } from '../../../src/host/viewer/viewer-server.js';
import {
  CURSOR_HEADER_BYTES,
  CURSOR_MAGIC,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  MAX_FRAMES_IN_FLIGHT,
  WS_PATH,
} from '../../../src/host/viewer/viewer-protocol.js';
import { FakeSource } from './fake-source.js';
import { TestClient, delay, http } from './viewer-test-client.js';

async function withViewer(
  source: FakeSource,
  fn: (server: ViewerServer, client: TestClient) => Promise<void>,
  opts: { statsIntervalMs?: number } = {},
): Promise<void> {
  const server = await startViewerServer({ source, port: 0, host: '127.0.0.1', ...opts });
  let client: TestClient | null = null;
  try {
    client = await TestClient.open(`ws://127.0.0.1:${server.port}${WS_PATH}`);
    const c = client;
    await c.until(() => c.ofType('hello').length === 1, 'hello');
    await fn(server, c);
  } finally {
    await client?.close();
    await server.close();
    source.stop();
  }
}

test('a_page_that_does_not_acknowledge_gets_two_frames_then_only_the_newest_once_it_does', () => {
  const source = new FakeSource({ width: 16, height: 8 });
  return withViewer(source, async (_server, c) => {
    for (let i = 0; i < 50; i++) source.emit();
    await c.until(() => c.frames.length === MAX_FRAMES_IN_FLIGHT, 'the frames in flight');
    await delay(100);
    assert.deepEqual(c.frames.map((f) => f.sequence), [1, 2], 'nothing beyond the in-flight window is sent or queued');
    c.ack(1);
    await c.until(() => c.frames.length === 3, 'the frame after the ack');
    assert.equal(c.frames[2]!.sequence, 50, 'the next frame is the newest, not the next in line');
    c.ack(2);
    c.ack(50);
    await delay(100);
    assert.equal(c.frames.length, 3, 'no backlog is flushed afterwards');
    source.emit();
    await c.until(() => c.frames.length === 4, 'a fresh frame');
    assert.equal(c.frames[3]!.sequence, 51);
  });
});

test('the_stats_count_the_frames_a_busy_page_skipped', () => {
  const source = new FakeSource({ width: 16, height: 8 });
  return withViewer(
    source,
    async (_server, c) => {
      for (let i = 0; i < 50; i++) source.emit();
      await c.until(() => c.ofType('stats').some((m) => (m['viewer'] as { skipped: number }).skipped === 47), 'a stats message counting 47 skipped');
      const last = c.ofType('stats').at(-1)!;
      assert.deepEqual((last['stats'] as { ring: unknown }).ring, { health: 'active', generation: 1 });
      assert.equal((last['viewer'] as { sent: number }).sent, 2);
    },
    { statsIntervalMs: 20 },
  );
});

test('frames_arrive_as_opaque_srgb_rgba_with_the_display_size', () => {
  const source = new FakeSource({ width: 20, height: 10 });
  return withViewer(source, async (_server, c) => {
    source.emit();
    await c.until(() => c.frames.length === 1, 'a frame');
    const f = c.frames[0]!;
    assert.deepEqual([f.width, f.height, f.sourceWidth, f.sourceHeight], [20, 10, 20, 10]);
    assert.equal(f.pixels.length, 20 * 10 * 4);
    const px = source.latestFrame()!.pixels;
    assert.deepEqual([...f.pixels.subarray(0, 4)], [px[2], px[1], px[0], 255], 'BGRA swizzled to RGBA');
  });
});

test('a_large_display_is_scaled_down_on_the_server_to_fit_1280_wide', () => {
  const source = new FakeSource({ width: 2560, height: 1440 });
  return withViewer(source, async (_server, c) => {
    source.emit();
    await c.until(() => c.frames.length === 1, 'a frame');
    const f = c.frames[0]!;
    assert.deepEqual([f.width, f.height, f.sourceWidth, f.sourceHeight], [1280, 720, 2560, 1440]);
    assert.equal(f.pixels.length, 1280 * 720 * 4);
  });
});

test('an_inject_message_reaches_the_source_and_its_recovery_event_reaches_the_page', () => {
  const source = new FakeSource({ faultKinds: ['device-removed', 'device-hung'] });
  return withViewer(source, async (_server, c) => {
    assert.deepEqual(c.ofType('hello')[0]!['faultKinds'], ['device-removed', 'device-hung']);
    c.send({ type: 'inject', kind: 'device-hung' });
    await c.until(() => c.ofType('recovery').length === 1 && c.ofType('fault').length === 1, 'the event and the reply');
    assert.deepEqual(source.injected, ['device-hung']);
    const events = c.ofType('recovery')[0]!['events'] as Array<{ failure: string; action: string }>;
    assert.deepEqual(events.map((e) => [e.failure, e.action]), [['device-hung', 'recreate-device']]);
    assert.deepEqual(c.ofType('fault')[0], { type: 'fault', kind: 'device-hung', ok: true });
    c.send({ type: 'inject', kind: 'no-such-fault' });
    await c.until(() => c.ofType('fault').length === 2, 'the refusal');
    assert.equal(c.ofType('fault')[1]!['ok'], false);
    assert.deepEqual(source.injected, ['device-hung']);
  });
});

test('the_fault_endpoint_injects_refuses_unknown_kinds_and_sources_that_cannot_inject', async () => {
  const sim = new FakeSource({ faultKinds: ['device-removed'] });
  const s1 = await startViewerServer({ source: sim, port: 0, host: '127.0.0.1' });
  const real = new FakeSource();
  const s2 = await startViewerServer({ source: real, port: 0, host: '127.0.0.1' });
  try {
    const base = `http://127.0.0.1:${s1.port}/api/fault`;
    assert.equal((await http(base, { method: 'POST', body: '{"kind":"device-removed"}' })).status, 200);
    assert.equal((await http(`${base}?kind=device-removed`, { method: 'POST' })).status, 200);
    assert.equal((await http(base, { method: 'POST', body: '{"kind":"meteor"}' })).status, 400);
    assert.equal((await http(base, { method: 'POST', body: 'not json' })).status, 400);
    assert.equal((await http(base)).status, 405);
    assert.deepEqual(sim.injected, ['device-removed', 'device-removed']);
    const stats = JSON.parse((await http(`http://127.0.0.1:${s1.port}/api/stats`)).body) as { events: unknown[] };
    assert.equal(stats.events.length, 2);
    const r = await http(`http://127.0.0.1:${s2.port}/api/fault`, { method: 'POST', body: '{"kind":"device-removed"}' });
    assert.equal(r.status, 409);
    assert.equal(real.injected.length, 0);
  } finally {
    await s1.close();
    await s2.close();
  }
});

test('the_cursor_position_and_shape_reach_the_page', () => {
  const source = new FakeSource();
  return withViewer(source, async (server, c) => {
    const shape = new Uint8Array(2 * 2 * 4);
    shape.set([10, 20, 30, 255, 0, 0, 0, 0, 0, 0, 0, 0, 10, 20, 30, 255]); // premultiplied BGRA
    source.cursorState = { visible: true, x: 5, y: 6, hotX: 1, hotY: 0, shapeId: 7, width: 2, height: 2, shape };
    const shapes: Buffer[] = [];
    c.ws.on('message', (d: Buffer, bin: boolean) => {
      if (bin && d.readUInt32LE(0) === CURSOR_MAGIC) shapes.push(d);
    });
    await c.until(() => c.ofType('cursor').length === 1 && shapes.length === 1, 'cursor messages', 3000);
    assert.deepEqual(c.ofType('cursor')[0]!['cursor'], { visible: true, x: 5, y: 6, hotX: 1, hotY: 0, shapeId: 7, width: 2, height: 2 });
    assert.deepEqual([...shapes[0]!.subarray(CURSOR_HEADER_BYTES, CURSOR_HEADER_BYTES + 4)], [30, 20, 10, 255]);
    void server;
  });
});

test('close_is_idempotent_and_disconnects_pages', async () => {
  const source = new FakeSource();
  const server = await startViewerServer({ source, port: 0, host: '127.0.0.1' });
  const c = await TestClient.open(`ws://127.0.0.1:${server.port}${WS_PATH}`);
  const closed = new Promise<number>((resolve) => c.ws.once('close', (code: number) => resolve(code)));
  await Promise.all([server.close(), server.close()]);
  assert.equal(await closed, 1001);
  assert.equal(source.listenerCount, 0);
  await assert.rejects(http(`http://127.0.0.1:${server.port}/`));
});

test('the_page_script_mirrors_the_binary_protocol_constants', () => {
  // The raw-frame fallback decodes the binary messages; the page's main module opens the socket.
  const js = ['viewer.js', 'raw-frames.js'].map((f) => readFileSync(join(findWebRoot(), f), 'utf8')).join('\n');
  const num = (name: string): number => Number(new RegExp(`const ${name} = (0x[0-9a-f]+|\\d+);`, 'i').exec(js)?.[1]);
  assert.equal(num('FRAME_MAGIC'), FRAME_MAGIC);
  assert.equal(num('CURSOR_MAGIC'), CURSOR_MAGIC);
  assert.equal(num('FRAME_HEADER_BYTES'), FRAME_HEADER_BYTES);
  assert.equal(num('CURSOR_HEADER_BYTES'), CURSOR_HEADER_BYTES);
  assert.match(js, new RegExp(`const WS_PATH = '${WS_PATH}';`));
});
