/**
 * Which fault kinds the Xvfb display injects (xvfb-faults.ts applies them), and why the others are
 * refused. Every kind of the schedule language (src/backends/sim/fault-schedule.ts) is in exactly
 * one of the two tables; test/backends/xvfb/xvfb-faults.test.ts pins that.
 *
 * The injectable ones are things the X side of vdpush (the backend is the "OS" of the monitor) can
 * really do to the driver: remove the render device it bound (its reads stop, its removed reason is
 * the fault's), take the swap-chain away, hold presents back while the X server goes on drawing,
 * commit a new mode through RandR, or ask the host to stall or recreate its ring. The refused ones
 * model Windows behaviour that a real X server has no way to produce; each names its reason.
 */

export const XVFB_INJECTABLE_FAULTS: readonly string[] = Object.freeze([
  'device-removed',
  'device-reset',
  'device-hung',
  'access-lost',
  'flap',
  'unassign',
  'idle',
  'host-stall',
  'host-recreate',
  'mode-change',
]);

/** Why each kind the Xvfb display does not inject is refused (shown to the user as is). */
export const XVFB_REFUSED_FAULTS: Readonly<Record<string, string>> = Object.freeze({
  'hdr-flip': 'an X server composes at one depth for its whole life; its pixel format never changes',
  'format-blip': 'an X server composes at one depth for its whole life; no frame comes in another format',
  'assign-fail': 'it models a GPU-wide failure (a PnP stop, a TDR) and Xvfb renders without a GPU',
  'driver-bug': 'it models a broken GPU driver on every adapter; Xvfb has none',
  'ignore-render-adapter': 'it models a Windows OS that ignores IddCxAdapterSetRenderAdapter; the Xvfb backend always switches',
  'acquire-oom': 'it models a D3D out-of-memory in ReleaseAndAcquireBuffer; nothing on the X path allocates there',
  'create-oom': 'it models a D3D out-of-memory creating a device; opening the framebuffer file cannot run out of video memory',
  'topology-lost': "it models a display path leaving the Windows desktop topology; Xvfb's one RandR output cannot be disabled",
  'static-reencode': 'it models DWM re-presenting an unchanged frame; the X server reports only real damage',
  plug: "an X server's screens are fixed at its start, so an arrival needs a screen a departed monitor freed (session.addMonitor takes one, or refuses with VDP_ERR_NO_FREE_SCREEN)",
  unplug: "an X server's screens are fixed at its start, so a departure leaves its screen blank for the next arrival (session.removeMonitor does that on purpose)",
});

/** Why `kind` cannot be injected on the Xvfb display, or null when it can. */
export function xvfbRefusal(kind: string): string | null {
  if (XVFB_INJECTABLE_FAULTS.includes(kind)) return null;
  return XVFB_REFUSED_FAULTS[kind] ?? 'it is not a fault kind the Xvfb display knows';
}
