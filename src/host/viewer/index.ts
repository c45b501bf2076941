/** The live viewer: an HTTP + WebSocket server for web/, fed by a ViewerSource. */
export { startViewerServer, type ViewerServer, type ViewerServerOptions } from './viewer-server.js';
export type { ViewerSource, ViewerStats, ViewerRecoveryEvent, ViewerMonitorStats } from './viewer-source.js';
export type { ViewerActivity } from './viewer-hub.js';
export { shownAddress } from './shown-address.js';
export {
  PROTOCOL_VERSION,
  WS_PATH,
  FRAME_MAGIC,
  CURSOR_MAGIC,
  FRAME_HEADER_BYTES,
  CURSOR_HEADER_BYTES,
  FrameHeader,
  CursorHeader,
  MAX_FRAMES_IN_FLIGHT,
  type ServerMessage,
  type ClientMessage,
  type CursorPosition,
  type ViewerClientStats,
  type ViewerMonitorMessage,
} from './viewer-protocol.js';
export { checkBind, isLoopbackHost, tokensEqual } from './access.js';
