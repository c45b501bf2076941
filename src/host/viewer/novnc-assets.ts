/**
 * noVNC's RFB client (the `@novnc/novnc` package: plain ES modules, no build step), served by the
 * viewer under /novnc/ so the page talks RFB over `/rfb` like any VNC client.
 *
 * Every request must carry the viewer's token (access.ts), module imports included; a browser
 * resolves `import ... from "./util/logging.js"` against the importing module's URL without its
 * query, so each relative specifier gets the page's asset query appended when the files are read
 * (once, at start). The files are otherwise served as published.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import type { WebAsset } from './web-assets.js';

export const NOVNC_PREFIX = '/novnc/';
const SERVED_DIRS = ['core', 'vendor'];
const JS_TYPE = 'text/javascript; charset=utf-8';
/** `from "./x.js"`, `from '../y/z.js'` (static imports and re-exports; noVNC has no dynamic ones). */
const RELATIVE_SPECIFIER = /(\bfrom\s*)(["'])(\.{1,2}\/[^"'?#]+\.js)\2/g;

/** The package's folder, or null when it is not installed. */
export function findNoVnc(): string | null {
  try {
    // The package exports only core/rfb.js; its folder is two levels up.
    const main = createRequire(import.meta.url).resolve('@novnc/novnc');
    const root = dirname(dirname(main));
    return existsSync(join(root, 'core', 'rfb.js')) ? root : null;
  } catch {
    return null;
  }
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.js')) out.push(p);
  }
}

/** Rewrites a module's relative import specifiers to carry `assetQuery` (e.g. "?token=..."). */
export function withQueryOnImports(source: string, assetQuery: string): string {
  if (assetQuery === '') return source;
  return source.replace(RELATIVE_SPECIFIER, (_m, from: string, q: string, spec: string) => `${from}${q}${spec}${assetQuery}${q}`);
}

/** The modules keyed by URL path ("/novnc/core/rfb.js"); empty when noVNC is not installed. */
export function loadNoVncAssets(assetQuery: string, root: string | null = findNoVnc()): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  if (root === null) return assets;
  for (const d of SERVED_DIRS) {
    const files: string[] = [];
    if (existsSync(join(root, d))) walk(join(root, d), files);
    for (const f of files) {
      const urlPath = NOVNC_PREFIX + relative(root, f).split(sep).join('/');
      const body = Buffer.from(withQueryOnImports(readFileSync(f, 'utf8'), assetQuery), 'utf8');
      assets.set(urlPath, { body, contentType: JS_TYPE });
    }
  }
  return assets;
}
