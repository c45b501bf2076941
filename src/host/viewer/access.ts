/**
 * Who may talk to the viewer. The rules, applied to EVERY request (HTTP and WebSocket upgrade):
 * - With a token: the request must carry it, as `?token=` or `Authorization: Bearer <token>`,
 *   compared in constant time; else 401 (or the upgrade is refused).
 * - Without a token (allowed only on a loopback address): the Host header must name a loopback
 *   host, so a web page on another site cannot reach the viewer through DNS rebinding.
 * - A request that says where it comes from (Origin) must come from the viewer's own origin, so
 *   another site's page cannot open the WebSocket or inject faults from a user's browser.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError } from '../../contract/errors.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

/** Throws InvalidArgumentError when a non-loopback bind has no token (or the token is empty). */
export function checkBind(host: string, token: string | undefined): void {
  if (token !== undefined && (typeof token !== 'string' || token.length === 0)) {
    throw new InvalidArgumentError('the viewer token must be a non-empty string');
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new InvalidArgumentError(
      `refusing to serve the viewer on ${host} without a token: anyone who can reach that address could watch the display; ` +
        'pass --token <secret>, or bind to 127.0.0.1, ::1 or localhost',
    );
  }
}

/** Equal-length digests, so neither the content nor the length of the token leaks through timing. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The request's URL, or null when it does not parse. */
export function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://viewer.invalid');
  } catch {
    return null;
  }
}

/** The token a request carries (query first, then the bearer header), or null. */
export function requestToken(req: IncomingMessage): string | null {
  const q = requestUrl(req)?.searchParams.get('token') ?? null;
  if (q !== null) return q;
  const auth = req.headers.authorization;
  if (auth && /^Bearer /i.test(auth)) return auth.slice(7).trim();
  return null;
}

/** The hostname part of a Host header ("[::1]:8080" → "::1"), lower-cased, or null. */
function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return null;
  }
}

export type AccessVerdict = 'ok' | 'unauthorized' | 'forbidden';

/** Applies the rules above to one request. */
export function checkAccess(req: IncomingMessage, token: string | undefined): AccessVerdict {
  if (token !== undefined) {
    const given = requestToken(req);
    if (given === null || !tokensEqual(given, token)) return 'unauthorized';
  } else {
    const h = hostnameOf(req.headers.host);
    if (h === null || !isLoopbackHost(h)) return 'forbidden';
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return 'forbidden';
    }
    if (originHost !== (req.headers.host ?? '').toLowerCase()) return 'forbidden';
  } else if (origin === 'null') {
    return 'forbidden';
  }
  return 'ok';
}
