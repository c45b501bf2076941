/**
 * A client's SetDesktopSize layout (the ExtendedDesktopSize extension of RFC 6143 7.8.2 and the
 * community rfbproto): the framebuffer size it asks for and the screens it would split it into.
 *
 * vdpush's framebuffer is one monitor, so it has one screen whatever the client lists: a valid
 * layout is applied as its width x height, and the reply (and every later ExtendedDesktopSize)
 * lists the one screen. Valid, as TigerVNC's server checks it: a non-empty framebuffer, at least
 * one screen, every screen non-empty and inside the framebuffer, no screen id twice.
 */
export interface DesktopScreen {
  id: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Why the layout is invalid (status InvalidLayout), or null. */
export function desktopLayoutProblem(width: number, height: number, screens: readonly DesktopScreen[]): string | null {
  if (width === 0 || height === 0) return `an empty framebuffer (${width}x${height})`;
  if (screens.length === 0) return 'no screens';
  const ids = new Set<number>();
  for (const s of screens) {
    if (s.w === 0 || s.h === 0) return `screen ${s.id} is empty (${s.w}x${s.h})`;
    if (s.x + s.w > width || s.y + s.h > height) return `screen ${s.id} (${s.w}x${s.h}+${s.x}+${s.y}) is outside the ${width}x${height} framebuffer`;
    if (ids.has(s.id)) return `screen id ${s.id} is listed twice`;
    ids.add(s.id);
  }
  return null;
}
