import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findImportCycles, readSources, repoRoot } from '../support/import-graph.js';

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
