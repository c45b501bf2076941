/**
 * The handshake over a real socket, for every version and security type: 3.3, 3.7 and 3.8 with
 * None and with VNC Authentication (right and wrong password), types not offered, and the
 * refusal to listen beyond loopback without a password.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../../src/contract/errors.js';
import { RfbServer } from '../../../src/host/rfb/rfb-server.js';
import { negotiateVersion } from '../../../src/host/rfb/handshake.js';
import { FakeTarget, startFakeServer, until } from './fake-target.js';
import { RfbTestClient } from './rfb-test-client.js';

const VERSIONS = ['RFB 003.003\n', 'RFB 003.007\n', 'RFB 003.008\n'] as const;

test('version strings map to the version the server speaks (RFC 6143 7.1.1)', () => {
  assert.equal(negotiateVersion('RFB 003.003\n'), '3.3');
  assert.equal(negotiateVersion('RFB 003.005\n'), '3.3');
  assert.equal(negotiateVersion('RFB 003.007\n'), '3.7');
  assert.equal(negotiateVersion('RFB 003.008\n'), '3.8');
  assert.equal(negotiateVersion('RFB 003.889\n'), '3.8');
  assert.equal(negotiateVersion('RFB 004.001\n'), '3.8');
  assert.equal(negotiateVersion('RFB 002.000\n'), null);
  assert.equal(negotiateVersion('HTTP/1.1 200'), null);
});

for (const version of VERSIONS) {
  test(`${version.trim()} with security None reaches ServerInit with the display's size and name`, async () => {
    const t = new FakeTarget();
    t.full(64, 48, 1);
    const server = await startFakeServer(t);
    const c = await RfbTestClient.connect(server.port);
    try {
      const { types } = await c.handshake(version);
      assert.deepEqual(types, [1]);
      assert.deepEqual([c.width, c.height, c.name], [64, 48, 'fake display']);
      c.requestUpdate(false);
      const rects = await c.readUpdate();
      assert.deepEqual(rects.map((r) => [r.x, r.y, r.w, r.h, r.encoding]), [[0, 0, 64, 48, 0]]);
    } finally {
      c.close();
      await server.close();
    }
  });

  test(`${version.trim()} with VNC Authentication: the right password gets in, a wrong one is refused and disconnected`, async () => {
    const t = new FakeTarget();
    t.full(32, 32, 1);
    const server = await startFakeServer(t, { password: 'sesame' });
    const good = await RfbTestClient.connect(server.port);
    const bad = await RfbTestClient.connect(server.port);
    try {
      const { types } = await good.handshake(version, { password: 'sesame' });
      assert.deepEqual(types, [2], 'only VNC Authentication is offered when a password is set');
      assert.equal(good.width, 32);
      await assert.rejects(bad.handshake(version, { password: 'wrong' }), version.includes('008') ? /security failed: authentication failed/ : /security failed/);
      await bad.waitClosed();
      await until(() => server.closed.some((r) => r.reason === 'wrong VNC password'), 'the refusal to be recorded');
      // The good client is undisturbed.
      good.requestUpdate(false);
      assert.equal((await good.readUpdate()).length, 1);
    } finally {
      good.close();
      bad.close();
      await server.close();
    }
  });
}

test('a security type that was not offered is refused with a reason (3.8) and the client disconnected', async () => {
  const t = new FakeTarget();
  t.full(16, 16, 1);
  const server = await startFakeServer(t, { password: 'pw' });
  const c = await RfbTestClient.connect(server.port);
  try {
    await assert.rejects(c.handshake('RFB 003.008\n', { choose: 1 }), /security type 1 was not offered/);
    await c.waitClosed();
    assert.match(server.closed.at(-1)!.reason, /security type 1 was not offered/);
  } finally {
    c.close();
    await server.close();
  }
});

test('a WebSocket entry without None and without a password offers nothing, and says why', async () => {
  const t = new FakeTarget();
  t.full(16, 16, 1);
  // TCP on loopback offers None; the point here is the empty list, reached through a server
  // whose sessions may not offer None (a non-loopback TCP bind would need a password).
  const server = new RfbServer({ targets: [t] });
  await server.listen('127.0.0.1', 0);
  (server as unknown as { tcpAllowsNone: boolean }).tcpAllowsNone = false;
  const c = await RfbTestClient.connect(server.port);
  try {
    await assert.rejects(c.handshake('RFB 003.008\n'), /refused: no security type is available/);
  } finally {
    c.close();
    await server.close();
  }
});

test('VNC beyond loopback without a password is refused before the port opens', async () => {
  const t = new FakeTarget();
  const server = new RfbServer({ targets: [t] });
  await assert.rejects(server.listen('0.0.0.0', 0), (e: unknown) => e instanceof InvalidArgumentError && /without a password/.test((e as Error).message));
  await server.close();
});

test('a client that sends something other than a version string is disconnected with the reason', async () => {
  const t = new FakeTarget();
  t.full(16, 16, 1);
  const server = await startFakeServer(t);
  const c = await RfbTestClient.connect(server.port);
  try {
    await c.read(12);
    c.write(Buffer.from('GET / HTTP/1', 'latin1'));
    await c.waitClosed();
    assert.match(server.closed.at(-1)!.reason, /not an RFB version string/);
  } finally {
    c.close();
    await server.close();
  }
});
