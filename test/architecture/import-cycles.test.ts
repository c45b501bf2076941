import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { findImportCycles, readSources } from '../support/import-graph.js';

/** The repository root: beside the compiled tests (dist/test/...), or the working directory. */
function repoRoot(): string {
  const candidates = [fileURLToPath(new URL('../../../', import.meta.url)), process.cwd()];
  const root = candidates.find((c) => existsSync(join(c, 'src', 'index.ts')) && existsSync(join(c, 'tsconfig.json')));
  assert.ok(root, `no repository root among ${candidates.join(', ')}`);
  return root;
}

test('the_detector_finds_cycles_through_type_only_reexport_and_dynamic_imports', () => {
  const files = new Map([
    ['src/a.ts', "import type { B } from './b.js';"],
    ['src/b.ts', "export { C } from './sub/c.js';"],
    ['src/sub/c.ts', "const m = await import('../a.js');"],
    ['src/d.ts', "import { A } from './a.js';\nimport {\n  E,\n} from './e.js';"],
    ['src/e.ts', "import './d.js';"],
    ['src/f.ts', "import { X } from 'node:fs'; import { A } from './a.js';"],
  ]);
  assert.deepEqual(findImportCycles(files), [['src/a.ts', 'src/b.ts', 'src/sub/c.ts'], ['src/d.ts', 'src/e.ts']]);
});

test('src_and_bench_have_no_import_cycles', () => {
  const cycles = findImportCycles(readSources(repoRoot(), ['src', 'bench']));
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => '  ' + c.join(' <-> ')).join('\n')}`);
});
