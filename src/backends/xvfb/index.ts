/**
 * The Xvfb backend: a real virtual display on Linux (DESIGN.md, the map's right column). A
 * DisplaySystem over an Xvfb vdpush starts or attaches to, the workload clients that draw on it,
 * and the frame check for the built-in animated workload.
 */
export {
  createXvfbDisplay,
  XvfbDisplay,
  XVFB_HARDWARE_LUID,
  XVFB_SOFTWARE_LUID,
  type XvfbDisplayOptions,
  type XvfbStats,
} from './xvfb-display.js';
export { verifyXFrame, pixelForSequence, WORKLOAD_TILE, type XFrameCheck, type WorkloadKind } from './workload.js';
export type { WorkloadSpec } from './workload-process.js';
export { parseXwdHeader, formatForDepth, type XwdHeader } from './xwd-header.js';
export { XVFB_PACKAGE, parseDisplayNumber } from './xvfb-server.js';
export { pendingExitGuards } from './exit-guard.js';
