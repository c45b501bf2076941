/**
 * The part of a client's accumulated damage that one update covers: the damage rectangles
 * clipped to the area the client asked for (a request, or its continuous-updates area), each
 * snapshotted from the framebuffer now; what lies outside the area stays in the client's damage
 * for a later update.
 */
import type { DamageRegion } from '../framebuffer/damage-region.js';
import type { FrameView } from '../sinks/frame-view.js';
import { snapshotRect, type RectSnapshot } from './encoders/rect-snapshot.js';
import type { ScratchArena } from './encoders/scratch-arena.js';

/**
 * Takes the damage inside (rx0..rx1, ry0..ry1) out of `damage`; `scratch` holds 4 ints per rectangle.
 * With `arena` (the session's, reset per update) a bgra8 frame's snapshots are views of the
 * framebuffer, which the session copies if a frame arrives before they are encoded; without, copies.
 */
export function takeDamage(damage: DamageRegion, scratch: Int32Array, fb: FrameView, rx0: number, ry0: number, rx1: number, ry1: number, arena?: ScratchArena): RectSnapshot[] {
  rx1 = Math.min(fb.width, rx1);
  ry1 = Math.min(fb.height, ry1);
  const snaps: RectSnapshot[] = [];
  const n = damage.take(scratch);
  for (let i = 0; i < n; i++) {
    const x0 = scratch[4 * i]!;
    const y0 = scratch[4 * i + 1]!;
    const x1 = x0 + scratch[4 * i + 2]!;
    const y1 = y0 + scratch[4 * i + 3]!;
    const cx0 = Math.max(x0, rx0);
    const cy0 = Math.max(y0, ry0);
    const cx1 = Math.min(x1, rx1);
    const cy1 = Math.min(y1, ry1);
    if (cx0 > x0 || cy0 > y0 || cx1 < x1 || cy1 < y1) keepOutside(damage, x0, y0, x1, y1, rx0, ry0, rx1, ry1);
    if (cx1 <= cx0 || cy1 <= cy0) continue;
    const s = snapshotRect(fb, cx0, cy0, cx1 - cx0, cy1 - cy0, arena, arena ? 'view' : 'copy');
    if (s !== null) snaps.push(s);
  }
  return snaps;
}

/** The parts of damage rect (x0..x1, y0..y1) outside the area stay damaged. */
function keepOutside(damage: DamageRegion, x0: number, y0: number, x1: number, y1: number, rx0: number, ry0: number, rx1: number, ry1: number): void {
  if (y0 < ry0) damage.add(x0, y0, x1 - x0, Math.min(y1, ry0) - y0);
  if (y1 > ry1) damage.add(x0, Math.max(y0, ry1), x1 - x0, y1 - Math.max(y0, ry1));
  const my0 = Math.max(y0, ry0);
  const my1 = Math.min(y1, ry1);
  if (my1 > my0) {
    if (x0 < rx0) damage.add(x0, my0, Math.min(x1, rx0) - x0, my1 - my0);
    if (x1 > rx1) damage.add(Math.max(x0, rx1), my0, x1 - Math.max(x0, rx1), my1 - my0);
  }
}
