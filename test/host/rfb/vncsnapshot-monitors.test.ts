/**
 * `vdpush serve --vnc` with several monitors, against Debian's vncsnapshot: each monitor has its
 * own port (`--vnc 0`: a free one each, printed as `VNC at HOST:PORT (monitor N, ...)`), the
 * image of monitor 2's port has monitor 2's size and shows monitor 2's pattern (its targetId is
 * drawn into the tiles), and a monitor plugged in by the fault schedule after serve started gets
 * a port of its own too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePatternParams } from '../../../src/backends/sim/index.js';
import { startServe } from './serve-process.js';
import { requireVncsnapshot, vncsnapshot } from './vncsnapshot-client.js';
import { matchBgraPattern } from './pattern-match.js';

test('vncsnapshot on monitor 2\'s port sees monitor 2; a monitor plugged in later gets its own port', { timeout: 90_000 }, async () => {
  requireVncsnapshot();
  const dir = mkdtempSync(join(tmpdir(), 'vdp-vncsnap-'));
  const serve = await startServe(['--monitor', '320x200@30', '--monitor', '160x96@30', '--faults', 'plug@300ms:240x136@30']);
  try {
    const ports = [await serve.vncPortOf(1), await serve.vncPortOf(2), await serve.vncPortOf(3)];
    assert.equal(new Set(ports).size, 3, `three ports: ${ports.join(', ')}`);
    for (const [target, w, h] of [[2, 160, 96], [3, 240, 136], [1, 320, 200]] as const) {
      const img = await vncsnapshot(ports[target - 1]!, join(dir, `snap-${target}.jpg`), ['-encodings', 'raw']);
      assert.deepEqual([img.width, img.height], [w, h], `monitor ${target}`);
      const m = matchBgraPattern(img.rgb, img.width, img.height, makePatternParams({ targetId: target }));
      assert.ok(m.frame >= 0 && m.meanError < 2 && m.badShare < 0.01, `monitor ${target}: best frame ${m.frame}, mean error ${m.meanError.toFixed(2)}, bad ${m.badShare}`);
    }
  } finally {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
