/**
 * The faults the Xvfb display can inject on demand (XvfbDisplay.injectFault). The other kinds
 * model Windows OS behaviour (a flapping SetDevice, an HDR flip, GPU-wide assign failures) that a
 * real X server has no way to produce; they are refused, never silently ignored.
 */
export const XVFB_INJECTABLE_FAULTS: readonly string[] = [];
