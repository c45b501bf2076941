/**
 * The VNC benchmark's workload, in its own process (its CPU is neither server's): the Xvfb
 * workload's pictures (workload.ts: a checkerboard whose every square encodes the frame number N),
 * drawn at a fixed rate, and the time of every draw printed as "N MS\n" (MS = the epoch in
 * fractional milliseconds, comparable across processes), so the bench can tell how long after its
 * draw a client received frame N.
 *
 *  animation: frame N covers the whole screen.
 *  desktop:   the checkerboard once, then each frame one text-line strip (60% x 1/60 of the screen:
 *             1%) walking down it.
 *  luma:      `bench record`'s full-screen animation, stamped so that N survives I420 and H.264
 *             (../record/luma-stamp.ts) instead of the checkerboard.
 *
 * Usage: node stamped-workload-main.js --display :N --kind animation|desktop|luma --fps F
 */
import x11 from 'x11';
import type { XClient } from 'x11';
import { pixelForSequence, WORKLOAD_TILE } from '../../src/backends/xvfb/workload.js';
import { LUMA_TILE_H, LUMA_TILE_W, lumaStampColours, lumaStampLightCells } from '../record/luma-stamp.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const display = arg('display', ':0');
const kind = arg('kind', 'animation');
const fps = Math.max(1, Number(arg('fps', '60')));

const { client, root, depth, width, height } = await new Promise<{ client: XClient; root: number; depth: number; width: number; height: number }>((resolve, reject) => {
  const c = x11.createClient({ display, shm: false }, (err, d) => {
    if (err) reject(err);
    else {
      const s = d.screen[0]!;
      resolve({ client: c, root: s.root, depth: s.root_depth, width: s.pixel_width, height: s.pixel_height });
    }
  });
  c.on('error', () => undefined);
});
client.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));

const T = WORKLOAD_TILE;
const tile = client.AllocID();
(client as unknown as { CreatePixmap(p: number, d: number, depth: number, w: number, h: number): void }).CreatePixmap(tile, root, depth, 2 * T, 2 * T);
const gcA = client.AllocID();
const gcB = client.AllocID();
const gcTile = client.AllocID();
client.CreateGC(gcA, tile, { foreground: 0 });
client.CreateGC(gcB, tile, { foreground: 0 });
client.CreateGC(gcTile, root, { fillStyle: 1, tile });
const stripH = Math.max(1, Math.floor(height / 60));
const rows = Math.max(1, Math.floor(height / stripH));

const lumaTile = client.AllocID();
const lumaGc = client.AllocID();
const lumaFill = client.AllocID();
const lightCells: number[] = [];
if (kind === 'luma') {
  if (depth !== 24) throw new Error(`the luma workload draws at depth 24 (the screen has ${depth})`);
  (client as unknown as { CreatePixmap(p: number, d: number, depth: number, w: number, h: number): void }).CreatePixmap(lumaTile, root, depth, LUMA_TILE_W, LUMA_TILE_H);
  client.CreateGC(lumaGc, lumaTile, { foreground: 0 });
  client.CreateGC(lumaFill, root, { fillStyle: 1, tile: lumaTile });
}

function drawLuma(seq: number): void {
  const { light, dark } = lumaStampColours(seq);
  client.ChangeGC(lumaGc, { foreground: dark });
  client.PolyFillRectangle(lumaTile, lumaGc, [0, 0, LUMA_TILE_W, LUMA_TILE_H]);
  client.ChangeGC(lumaGc, { foreground: light });
  client.PolyFillRectangle(lumaTile, lumaGc, lumaStampLightCells(seq, lightCells));
  // One tiled fill: the only request that touches the screen, so a grabbed read sees one N.
  client.PolyFillRectangle(root, lumaFill, [0, 0, width, height]);
}

function draw(seq: number): void {
  if (kind === 'luma') return drawLuma(seq);
  client.ChangeGC(gcA, { foreground: pixelForSequence(seq, depth) });
  client.ChangeGC(gcB, { foreground: pixelForSequence(seq, depth, true) });
  client.PolyFillRectangle(tile, gcA, [0, 0, T, T, T, T, T, T]);
  client.PolyFillRectangle(tile, gcB, [T, 0, T, T, 0, T, T, T]);
  if (kind === 'animation' || seq === 1) client.PolyFillRectangle(root, gcTile, [0, 0, width, height]);
  else client.PolyFillRectangle(root, gcTile, [Math.floor(width * 0.05), (seq % rows) * stripH, Math.floor(width * 0.6), stripH]);
}

const interval = 1000 / fps;
const started = performance.now();
let seq = 0;
const tick = (): void => {
  seq++;
  const at = performance.timeOrigin + performance.now();
  draw(seq);
  process.stdout.write(`${seq} ${at.toFixed(3)}\n`);
  // A round trip per frame, so draws never queue in the server faster than it performs them.
  client.sync(() => {
    const due = started + seq * interval - performance.now();
    setTimeout(tick, Math.max(0, due));
  });
};
process.stdout.write('ready\n');
tick();
