/**
 * A real Xvfb on a framebuffer folder someone chose: the display captures what an X client drew
 * there, pixel for pixel, and leaves nothing in that folder after its stop. And the folder the
 * backend picks by itself gives the server's mapping huge pages exactly when the pick says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { PublishOutcome } from '../../../src/contract/index.js';
import { HostRing, FramePublisher, type ConsumedFrame } from '../../../src/ring/index.js';
import { createXvfbDisplay } from '../../../src/backends/xvfb/index.js';
import { connectXClient } from '../../../src/backends/xvfb/x-connect.js';
import { resolveFbBase } from '../../../src/backends/xvfb/framebuffer-dir.js';
import { startXvfb } from '../../../src/backends/xvfb/xvfb-server.js';
import type { AcquiredFrame } from '../../../src/display/types.js';
import { FakeMonitor, until } from './fake-monitor.js';

const WIDTH = 320;
const HEIGHT = 180;
/** Two rectangles in colours no root weave has: [x, y, w, h, 0xRRGGBB]. */
const RECTS = [
  [10, 20, 50, 30, 0x123456],
  [200, 100, 64, 48, 0xfe8001],
] as const;

function pixelAt(f: ConsumedFrame, x: number, y: number): number {
  const o = y * f.stride + x * 4;
  return f.pixels[o]! | (f.pixels[o + 1]! << 8) | (f.pixels[o + 2]! << 16);
}

/** Whether every pixel of every rectangle has its colour, and the pixels just outside do not. */
function showsRects(f: ConsumedFrame): boolean {
  for (const [x, y, w, h, rgb] of RECTS) {
    for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) if (pixelAt(f, i, j) !== rgb) return false;
    if (pixelAt(f, x - 1, y) === rgb || pixelAt(f, x + w, y + h - 1) === rgb) return false;
  }
  return true;
}

test('an Xvfb on a chosen tmpfs folder captures an X client\'s drawing exactly and leaves that folder as it was', async () => {
  const base = mkdtempSync('/dev/shm/vdpush-fbdir-test-');
  const d = await createXvfbDisplay({ mode: { width: WIDTH, height: HEIGHT, refreshHz: 60 }, workload: 'none', cursor: false, fbDir: base });
  let client: Awaited<ReturnType<typeof connectXClient>>['client'] | null = null;
  try {
    assert.equal(dirname(dirname(d.framebufferPath)), base, `the framebuffer ${d.framebufferPath} is in the chosen folder`);
    const ring = HostRing.create({ targetId: 1, width: WIDTH, height: HEIGHT, format: d.mode().format });
    const opened = FramePublisher.open(ring.buffer, { targetId: 1 });
    assert.ok(opened.ok);
    let seen = false;
    const onFrame = (f: AcquiredFrame): void => {
      if (opened.publisher.publish(f) !== PublishOutcome.Published) return;
      const c = ring.tryConsume();
      if (c === null) return;
      if (showsRects(c)) seen = true;
      ring.release(c);
    };
    await d.start(new FakeMonitor(d, { onFrame }));
    const x = await connectXClient(d.display, { purpose: 'to draw known rectangles', onError: () => undefined });
    client = x.client;
    const root = x.xdisplay.screen[0]!.root;
    for (const [rx, ry, w, h, rgb] of RECTS) {
      const gc = client.AllocID();
      client.CreateGC(gc, root, { foreground: rgb });
      client.PolyFillRectangle(root, gc, [rx, ry, w, h]);
    }
    assert.ok(await until(() => seen, 15_000), 'a captured frame shows both rectangles exactly');
  } finally {
    client?.terminate();
    await d.stop();
  }
  try {
    assert.deepEqual(readdirSync(base), [], 'nothing of the server is left in the chosen folder');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

/** The framebuffer mapping's ShmemPmdMapped kB in the server's smaps (huge pages mapped as such). */
function pmdMappedKb(pid: number, path: string): number {
  const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const at = smaps.indexOf(path);
  assert.ok(at >= 0, `the server maps ${path}`);
  const m = /ShmemPmdMapped:\s+(\d+) kB/.exec(smaps.slice(at));
  return Number(m?.[1] ?? 0);
}

/**
 * The kernel's count of huge pages it tried to give a file and could not (no free 2 MiB block:
 * fragmentation), from /proc/vmstat; such a file gets small pages silently.
 */
function thpFileFallbacks(): number {
  const m = /^thp_file_fallback (\d+)$/m.exec(readFileSync('/proc/vmstat', 'utf8'));
  return Number(m?.[1] ?? 0);
}

test('the framebuffer folder the backend picks gives the server huge pages exactly when the pick says it does', async () => {
  const screen = { width: 1920, height: 1080, depth: 24 } as const;
  const pick = resolveFbBase([screen], undefined, undefined, {});
  const saved = process.env.VDPUSH_FBDIR;
  delete process.env.VDPUSH_FBDIR;
  const fallbacksBefore = thpFileFallbacks();
  const server = await startXvfb(screen);
  try {
    const dir = dirname(server.framebufferPath);
    assert.equal(dirname(dir), pick.base);
    const pmd = pmdMappedKb(server.pid, server.framebufferPath);
    // A machine whose memory is too fragmented for 2 MiB blocks gets small pages on a huge mount;
    // the kernel counts each such fallback, so the pick was still right about the mount.
    if (pick.hugePages) {
      const fellBack = thpFileFallbacks() - fallbacksBefore;
      assert.ok(pmd >= 4096 || fellBack > 0, `${pick.reason}: ${pmd} kB PMD-mapped of the 8 MB framebuffer, ${fellBack} kernel fallbacks`);
    }
    else assert.equal(pmd, 0, `${pick.reason}: no huge pages expected, ${pmd} kB PMD-mapped`);
  } finally {
    if (saved !== undefined) process.env.VDPUSH_FBDIR = saved;
    await server.stop();
  }
  assert.equal(existsSync(dirname(server.framebufferPath)), false, 'stop() removes the framebuffer folder');
});
