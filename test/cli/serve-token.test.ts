import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkInterfaceInfo } from 'node:os';
import { InvalidArgumentError } from '../../src/contract/errors.js';
import { resolveServeToken } from '../../src/cli/serve-token.js';
import { shownAddress } from '../../src/host/viewer/shown-address.js';

test('the serve token comes from --token, else --token-file, else VDPUSH_TOKEN; both flags at once is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-token-'));
  try {
    const file = join(dir, 't');
    writeFileSync(file, 'from-file\n');
    assert.equal(resolveServeToken({ token: 'flag' }, { VDPUSH_TOKEN: 'env' }), 'flag');
    assert.equal(resolveServeToken({ 'token-file': file }, { VDPUSH_TOKEN: 'env' }), 'from-file');
    assert.equal(resolveServeToken({}, { VDPUSH_TOKEN: 'env' }), 'env');
    assert.equal(resolveServeToken({}, {}), undefined);
    assert.throws(() => resolveServeToken({ token: 'a', 'token-file': file }, {}), InvalidArgumentError);
    writeFileSync(file, '\n');
    assert.throws(() => resolveServeToken({ 'token-file': file }, {}), /one non-empty line/);
    writeFileSync(file, 'a\nb\n');
    assert.throws(() => resolveServeToken({ 'token-file': file }, {}), /one non-empty line/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a wildcard bind is shown as the first external address, else the host name; any other address as given', () => {
  const nic = (address: string, family: 'IPv4' | 'IPv6', internal: boolean): NetworkInterfaceInfo =>
    ({ address, family, internal, netmask: '', mac: '', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;
  const ifs = { lo: [nic('127.0.0.1', 'IPv4', true)], eth0: [nic('fe80::1', 'IPv6', false), nic('2001:db8::5', 'IPv6', false), nic('10.1.2.3', 'IPv4', false)] };
  assert.equal(shownAddress('0.0.0.0', ifs, 'box'), '10.1.2.3');
  assert.equal(shownAddress('::', { eth0: [nic('fe80::1', 'IPv6', false), nic('2001:db8::5', 'IPv6', false)] }, 'box'), '2001:db8::5');
  assert.equal(shownAddress('0.0.0.0', { lo: [nic('127.0.0.1', 'IPv4', true)] }, 'box'), 'box');
  assert.equal(shownAddress('192.168.1.9', ifs, 'box'), '192.168.1.9');
  assert.equal(shownAddress('127.0.0.1', ifs, 'box'), '127.0.0.1');
});
