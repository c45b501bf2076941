/**
 * An idle `serve` costs the viewer nothing while no page is connected: the hub's tick (events,
 * cursor, stats) runs only while at least one page is. Mocked timers, no sleeping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ViewerHub } from '../../../src/host/viewer/viewer-hub.js';
import { FakeSource } from './fake-source.js';

/** The little of a ws WebSocket the hub uses: an open socket that swallows what it is sent. */
class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  sent = 0;
  send(): void {
    this.sent++;
  }
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
  terminate(): void {
    this.close();
  }
}

test('the viewer hub ticks only while a page is connected', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const source = new FakeSource();
  let looks = 0;
  const cursor = source.cursor.bind(source);
  source.cursor = () => {
    looks++;
    return cursor();
  };
  const hub = new ViewerHub(source, { maxWidth: 64, maxHeight: 36, statsIntervalMs: 1000 });
  try {
    t.mock.timers.tick(5000);
    assert.equal(looks, 0, 'no page: no tick');
    const ws = new FakeSocket();
    hub.add(ws as never, '0');
    const connected = looks;
    t.mock.timers.tick(1000);
    assert.ok(looks >= connected + 10, `a page: the tick runs (${looks - connected} looks in 1 s)`);
    ws.close();
    const left = looks;
    t.mock.timers.tick(5000);
    assert.equal(looks, left, 'the last page left: no tick');
  } finally {
    await hub.close();
  }
});
