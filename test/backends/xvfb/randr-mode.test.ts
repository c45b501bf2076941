/**
 * Modes set through RandR on a real Xvfb (randr-mode.ts): the X server takes each size, and the
 * modes vdpush added for earlier sizes are removed again, so a client asking for size after size
 * (noVNC resizing with its window, SetDesktopSize) never piles modes up in the server. Modes
 * vdpush did not add are left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startXvfb } from '../../../src/backends/xvfb/xvfb-server.js';
import { setScreenMode } from '../../../src/backends/xvfb/randr-mode.js';

function query(display: string): string {
  return execFileSync('xrandr', ['-display', display, '-q'], { encoding: 'utf8' });
}

test('each size is taken, and only the current one of the modes vdpush added stays', { timeout: 60_000 }, async () => {
  const x = await startXvfb({ width: 640, height: 480, depth: 24 });
  try {
    const own = query(x.display).split('\n').filter((l) => /^\s+\S+\s+\d/.test(l)).length;
    const sizes: Array<[number, number]> = [[320, 240], [301, 203], [500, 400], [320, 240], [640, 480]];
    for (const [w, h] of sizes) {
      await setScreenMode(x.display, w, h, 60);
      const q = query(x.display);
      assert.match(q, new RegExp(`current ${w} x ${h},`), `the screen at ${w}x${h}`);
      const added = q.split('\n').filter((l) => /^\s+vdpush-/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
      assert.deepEqual(added, [`vdpush-${w}x${h}@60`], `only the current size's mode (${w}x${h}) of vdpush's`);
    }
    const modes = query(x.display).split('\n').filter((l) => /^\s+\S+\s+\d/.test(l));
    assert.equal(modes.filter((l) => !/^\s+vdpush-/.test(l)).length, own, "the server's own modes are all still there");
  } finally {
    await x.stop();
  }
});
