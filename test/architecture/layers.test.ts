import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importsOf, layerOf, layerViolations, readSources, repoRoot } from '../support/import-graph.js';

/**
 * The layer rules of docs/TEAM-NOTES.md ("Rules"): contract is pure and imports nothing; ring
 * imports only contract; display only contract; the driver sits on display and never imports a
 * backend (nor the ring: its PublisherLike is structural); a backend sits on display and never
 * imports the driver (backends/xvfb reuses backends/sim's schedule language and dispatcher). Only
 * host, cli and the package's index join the layers. Every import counts, type-only ones too.
 */
const LAYERS = new Map<string, readonly string[]>([
  ['contract', []],
  ['ring', ['contract']],
  ['display', ['contract']],
  ['driver', ['contract', 'display']],
  ['backends/sim', ['contract', 'display']],
  ['backends/xvfb', ['contract', 'display', 'backends/sim']],
  ['host', ['contract', 'ring', 'display', 'driver', 'backends/*']],
]);
const NO_PACKAGES = ['contract', 'ring', 'display', 'driver'];

test('layers_are_named_by_their_folder_under_src_and_a_backend_by_its_own_folder', () => {
  assert.equal(layerOf('src/contract/errors.ts'), 'contract');
  assert.equal(layerOf('src/backends/xvfb/swap-chain.ts'), 'backends/xvfb');
  assert.equal(layerOf('src/host/rfb/rfb-session.ts'), 'host');
  assert.equal(layerOf('src/index.ts'), 'src');
  assert.equal(layerOf('bench/page/page-bench.ts'), 'bench');
});

test('the_checker_refuses_a_backend_importing_the_driver_a_driver_importing_a_backend_and_a_package_in_contract', () => {
  const files = new Map([
    ['src/backends/sim/a.ts', "import type { Driver } from '../../driver/index.js';"],
    ['src/driver/b.ts', "const x = await import('../backends/xvfb/index.js');"],
    ['src/contract/c.ts', "import { readFileSync } from 'node:fs';"],
    ['src/ring/d.ts', "export { E } from '../host/e.js';"],
    ['src/host/e.ts', "import { A } from '../backends/sim/a.js';\nimport { C } from '../contract/c.js';"],
  ]);
  assert.deepEqual(
    layerViolations(files, LAYERS, NO_PACKAGES).map((v) => v.split(' (')[0]),
    ['src/backends/sim/a.ts -> src/driver/index.ts', 'src/contract/c.ts -> node:fs', 'src/driver/b.ts -> src/backends/xvfb/index.ts', 'src/ring/d.ts -> src/host/e.ts'],
  );
});

test('src_keeps_the_layer_rules_of_team_notes', () => {
  const violations = layerViolations(readSources(repoRoot(), ['src']), LAYERS, NO_PACKAGES);
  assert.deepEqual(violations, [], `layer violations:\n${violations.map((v) => '  ' + v).join('\n')}`);
});

test('nothing_in_src_imports_tests_and_only_the_cli_imports_bench', () => {
  const bad: string[] = [];
  for (const [path, text] of readSources(repoRoot(), ['src'])) {
    for (const target of importsOf(path, text)) {
      const to = layerOf(target);
      if (to === 'test' || (to === 'bench' && layerOf(path) !== 'cli')) bad.push(`${path} -> ${target}`);
    }
  }
  assert.deepEqual(bad, []);
});
