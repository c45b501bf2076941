/**
 * VNC Authentication (RFC 6143 7.2.2): the server sends a random 16-byte challenge, the client
 * returns it DES-encrypted (ECB, two blocks) under a key made of the password's first 8 bytes,
 * zero-padded, with the bits of EVERY key byte reversed (a quirk of the original implementation
 * that every client reproduces).
 *
 * Node's OpenSSL 3 has no single-DES cipher ("des-ecb" lives in the legacy provider), but
 * triple DES with K1 = K2 = K3 is single DES by construction (E_K(D_K(E_K(x))) = E_K(x)), so
 * "des-ede3-ecb" with the 8-byte key repeated three times computes exactly VNC's DES.
 *
 * The password is never logged; comparisons are constant-time.
 */
import { createCipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

export const CHALLENGE_LENGTH = 16;
/** VNC passwords are at most 8 bytes; longer ones are cut (what every VNC server does). */
export const MAX_PASSWORD_BYTES = 8;

function reverseBits(b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return r;
}

/** The DES key of a password: its first 8 bytes (Latin-1), zero-padded, each byte bit-reversed. */
export function vncDesKey(password: string): Buffer {
  const key = Buffer.alloc(8);
  const raw = Buffer.from(password, 'latin1');
  for (let i = 0; i < MAX_PASSWORD_BYTES && i < raw.length; i++) key[i] = reverseBits(raw[i]!);
  return key;
}

/** The response a client with `password` sends to `challenge`. */
export function vncAuthResponse(password: string, challenge: Uint8Array): Buffer {
  const k = vncDesKey(password);
  const cipher = createCipheriv('des-ede3-ecb', Buffer.concat([k, k, k]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(challenge), cipher.final()]);
}

export function newChallenge(): Buffer {
  return randomBytes(CHALLENGE_LENGTH);
}

export function vncAuthMatches(password: string, challenge: Uint8Array, response: Uint8Array): boolean {
  if (response.length !== CHALLENGE_LENGTH) return false;
  return timingSafeEqual(vncAuthResponse(password, challenge), response);
}
