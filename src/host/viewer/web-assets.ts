/**
 * The page's files (web/ in the package). The build folder may be anywhere (dist/, or an engineer's
 * own outDir), so the package root is found by walking up from this module to the folder holding
 * package.json and web/index.html; a build outside the package tree falls back to the working
 * directory. The files are read once, at start, so a missing web/ fails the start, not a request.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../../contract/errors.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface WebAsset {
  body: Buffer;
  contentType: string;
}

function hasWeb(dir: string): boolean {
  return existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'web', 'index.html'));
}

function walkUp(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    if (hasWeb(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The web/ folder: `override` if given, else found from this module, else from the working directory. */
export function findWebRoot(override?: string): string {
  if (override !== undefined) {
    if (!existsSync(join(override, 'index.html'))) {
      throw new InvalidArgumentError(`the viewer's web folder "${override}" has no index.html`);
    }
    return resolve(override);
  }
  const root = walkUp(dirname(fileURLToPath(import.meta.url))) ?? walkUp(process.cwd());
  if (root === null) {
    throw new InvalidArgumentError("cannot find the viewer's web/ folder beside package.json (reinstall vdpush, or pass webRoot)");
  }
  return join(root, 'web');
}

/** Where index.html wants the query that carries the token (its links to viewer.css and viewer.js). */
const ASSET_QUERY_MARK = '__ASSET_QUERY__';

/**
 * Reads every servable file directly in `webRoot`, keyed by its URL path ("/viewer.js"); "/" is
 * index.html, whose asset links get `assetQuery` (e.g. "?token=..."), since every request, the
 * page's own script included, must carry the token. encodeURIComponent's output is safe inside
 * the quoted attributes it lands in.
 */
export function loadWebAssets(webRoot: string, assetQuery = ''): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  for (const name of readdirSync(webRoot)) {
    const type = CONTENT_TYPES[extname(name).toLowerCase()];
    if (type === undefined || !/^[A-Za-z0-9._-]+$/.test(name)) continue;
    assets.set(`/${name}`, { body: readFileSync(join(webRoot, name)), contentType: type });
  }
  const index = assets.get('/index.html');
  if (index) {
    const html: WebAsset = { body: Buffer.from(index.body.toString('utf8').replaceAll(ASSET_QUERY_MARK, assetQuery)), contentType: index.contentType };
    assets.set('/index.html', html);
    assets.set('/', html);
  }
  return assets;
}
