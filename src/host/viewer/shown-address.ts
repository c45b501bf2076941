/**
 * The address to print in the viewer's URL. A wildcard bind (0.0.0.0, ::) listens everywhere, but
 * "http://0.0.0.0:8080/" is not an address another machine (or every browser) can open: show the
 * first external interface address instead, falling back to the host name.
 */
import { hostname, networkInterfaces } from 'node:os';

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

export function shownAddress(bindHost: string, interfaces = networkInterfaces(), fallback = hostname()): string {
  if (!WILDCARDS.has(bindHost)) return bindHost;
  const v6 = bindHost.includes(':');
  let other: string | undefined;
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') return a.address;
      // Link-local IPv6 needs a zone id in a URL, which browsers refuse: skip it.
      if (v6 && a.family === 'IPv6' && !a.address.toLowerCase().startsWith('fe80')) other ??= a.address;
    }
  }
  return other ?? fallback;
}
