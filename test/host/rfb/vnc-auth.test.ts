import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vncAuthMatches, vncAuthResponse, vncDesKey } from '../../../src/host/rfb/vnc-auth.js';

test('the DES key is the password\'s first 8 bytes, zero-padded, each byte bit-reversed', () => {
  assert.deepEqual([...vncDesKey('A')], [0x82, 0, 0, 0, 0, 0, 0, 0]); // 'A' = 0x41 = 01000001 -> 10000010
  assert.deepEqual([...vncDesKey('abcdefghij')], [...vncDesKey('abcdefgh')]);
});

test('VNC Authentication matches a known answer (the DES test vector under the bit-reversed key)', () => {
  // FIPS 81 / NBS test: key 0123456789ABCDEF, plaintext "Now is t" (4E6F772069732074) -> 3FA40E8A984D4815.
  // VNC reverses the bits of each key byte, so the password whose key is 0123456789ABCDEF is
  // the bytes reverse(0x01), reverse(0x23), ...
  const rev = (b: number): number => parseInt(b.toString(2).padStart(8, '0').split('').reverse().join(''), 2);
  const password = Buffer.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef].map(rev)).toString('latin1');
  const challenge = Buffer.from('4E6F7720697320744E6F772069732074', 'hex');
  assert.equal(vncAuthResponse(password, challenge).toString('hex').toUpperCase(), '3FA40E8A984D48153FA40E8A984D4815');
  assert.ok(vncAuthMatches(password, challenge, vncAuthResponse(password, challenge)));
  assert.ok(!vncAuthMatches('other', challenge, vncAuthResponse(password, challenge)));
  assert.ok(!vncAuthMatches(password, challenge, Buffer.alloc(3)));
});
