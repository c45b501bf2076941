#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) under Node's built-in test runner.
// Node 20's `node --test` takes no globs, so the files are listed here. Pass a substring to run
// only the files whose path contains it: `npm test -- ring`. VDP_DIST names another build folder,
// inside the checkout (Node finds node_modules from the compiled files upward; /tmp has none).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const dist = process.env.VDP_DIST || 'dist';
const files = walk(join(dist, 'test'), [])
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
