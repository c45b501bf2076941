/**
 * The server grab is counted per connection (x-connection.ts grabServer/ungrabServer): X's grab
 * does not nest, so a deleted swap-chain's late ungrab must not release the grab a newer one reads
 * under. Another client's request is the witness: the server serves it only once nobody holds the
 * grab.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import x11 from 'x11';
import type { XClient } from 'x11';
import { XConnection } from '../../../src/backends/xvfb/x-connection.js';
import { startXvfb } from '../../../src/backends/xvfb/xvfb-server.js';

function connect(display: string): Promise<XClient> {
  return new Promise((resolve, reject) => {
    const c = x11.createClient({ display, shm: false }, (err) => (err ? reject(err) : resolve(c)));
  });
}

test('two_holders_of_the_grab_keep_the_server_grabbed_until_both_let_go', async () => {
  const server = await startXvfb({ width: 64, height: 64, depth: 24 });
  const conn = await XConnection.open(server.display);
  const other = await connect(server.display);
  try {
    conn.grabServer(); // a capture whose swap-chain is then deleted
    conn.grabServer(); // the next swap-chain's capture
    conn.ungrabServer(); // the deleted one's reply came: it lets go
    await conn.sync();
    let served = false;
    const otherDone = new Promise<void>((r) => other.GetInputFocus(() => ((served = true), r())));
    // Our own round trips go on under the grab; the other client's request waits behind it.
    for (let i = 0; i < 5; i++) await conn.sync();
    assert.equal(served, false, 'the other client was served while a capture still held the grab');
    conn.ungrabServer();
    await otherDone;
    assert.equal(served, true);
  } finally {
    other.terminate();
    conn.close();
    await server.stop();
  }
});
