/**
 * The relative-import graph of TypeScript sources, and its cycles. Every kind of import counts:
 * `import`, `import type`, `export ... from` and `import('...')`, because a type-only cycle still
 * ties two files' concepts together (and the layer rules forbid cycles of any kind).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SPECIFIER_PATTERNS = [
  /\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  /\bimport\s+['"](\.{1,2}\/[^'"]+)['"]/g,
];

/** Relative specifiers a source imports, resolved to repo-relative `.ts` paths. */
export function importsOf(path: string, text: string): string[] {
  const out = new Set<string>();
  for (const re of SPECIFIER_PATTERNS) {
    for (const m of text.matchAll(re)) {
      const spec = m[1]!.replace(/\.js$/, '.ts');
      out.add(posix.normalize(posix.join(posix.dirname(path), spec)));
    }
  }
  return [...out];
}

/** Every strongly connected group of two or more files (or a file importing itself), sorted. */
export function findImportCycles(files: ReadonlyMap<string, string>): string[][] {
  const edges = new Map<string, string[]>();
  for (const [path, text] of files) edges.set(path, importsOf(path, text).filter((p) => files.has(p)));
  // Tarjan's algorithm, iterative enough for a few hundred files.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(group.sort());
    }
  };
  for (const v of [...files.keys()].sort()) if (!idx.has(v)) visit(v);
  return cycles;
}

/**
 * The layer of a repo-relative path: `src/<folder>` (a backend is `backends/<name>`), `src` for a
 * file at src's top, or the top folder outside src (`bench`, `test`).
 */
export function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] !== 'src') return parts[0]!;
  if (parts.length === 2) return 'src';
  return parts[1] === 'backends' && parts.length > 3 ? `backends/${parts[2]}` : parts[1]!;
}

/** The bare (package or `node:`) specifiers a source imports. */
export function packagesOf(text: string): string[] {
  const out = new Set<string>();
  for (const re of [/\bfrom\s*['"]([^.'"][^'"]*)['"]/g, /\bimport\s*\(\s*['"]([^.'"][^'"]*)['"]\s*\)/g, /\bimport\s+['"]([^.'"][^'"]*)['"]/g]) {
    for (const m of text.matchAll(re)) out.add(m[1]!);
  }
  return [...out];
}

/**
 * Imports that cross a layer boundary the rules do not allow, as `from -> to` lines. `allowed` maps
 * a layer to the layers it may import (a trailing `*` matches a prefix: `backends/*`); a layer
 * absent from it is unconstrained. `noPackages` layers may import no package at all.
 */
export function layerViolations(files: ReadonlyMap<string, string>, allowed: ReadonlyMap<string, readonly string[]>, noPackages: readonly string[] = []): string[] {
  const out: string[] = [];
  const matches = (layer: string, pattern: string): boolean => (pattern.endsWith('*') ? layer.startsWith(pattern.slice(0, -1)) : layer === pattern);
  for (const [path, text] of files) {
    const from = layerOf(path);
    const rule = allowed.get(from);
    if (rule !== undefined) {
      for (const target of importsOf(path, text)) {
        const to = layerOf(target);
        if (to !== from && !rule.some((p) => matches(to, p))) out.push(`${path} -> ${target} (${from} may import only ${rule.join(', ') || 'nothing'})`);
      }
    }
    if (noPackages.includes(from)) for (const pkg of packagesOf(text)) out.push(`${path} -> ${pkg} (${from} imports no package)`);
  }
  return out.sort();
}

/** Reads every `.ts` file under `dirs` (relative to `root`), keyed by repo-relative posix path. */
export function readSources(root: string, dirs: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) files.set(relative(root, p).split(sep).join('/'), readFileSync(p, 'utf8'));
    }
  };
  for (const d of dirs) walk(join(root, d));
  return files;
}

/** The repository root: above the compiled tests (dist/test/support/...), or the working directory. */
export function repoRoot(): string {
  const candidates = [fileURLToPath(new URL('../../../', import.meta.url)), process.cwd()];
  const root = candidates.find((c) => existsSync(join(c, 'src', 'index.ts')) && existsSync(join(c, 'tsconfig.json')));
  if (root === undefined) throw new Error(`no repository root among ${candidates.join(', ')}`);
  return root;
}
