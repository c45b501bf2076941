/**
 * RFB (RFC 6143) numbers used by the server, named once. Encodings are signed 32-bit; the
 * pseudo-encodings are negative.
 */

export const RFB_PROTOCOL_3_3 = 'RFB 003.003\n';
export const RFB_PROTOCOL_3_7 = 'RFB 003.007\n';
export const RFB_PROTOCOL_3_8 = 'RFB 003.008\n';
/** The version string is exactly 12 bytes in every version. */
export const VERSION_LENGTH = 12;

export const SecurityType = {
  Invalid: 0,
  None: 1,
  VncAuthentication: 2,
} as const;

export const SecurityResult = { Ok: 0, Failed: 1 } as const;

/** Client-to-server message types (RFC 6143 7.5, plus the extensions the server parses). */
export const ClientMessage = {
  SetPixelFormat: 0,
  SetEncodings: 2,
  FramebufferUpdateRequest: 3,
  KeyEvent: 4,
  PointerEvent: 5,
  ClientCutText: 6,
  /** ContinuousUpdates extension: the client turns pushed updates on or off for an area. */
  EnableContinuousUpdates: 150,
  /** Fence extension (both directions share the number and the layout). */
  Fence: 248,
  /** ExtendedDesktopSize's client request: a mode request to the display (client-resize.ts). */
  SetDesktopSize: 251,
} as const;

/** Server-to-client message types. */
export const ServerMessage = {
  FramebufferUpdate: 0,
  SetColourMapEntries: 1,
  Bell: 2,
  ServerCutText: 3,
  /** Announces ContinuousUpdates support, and confirms that pushed updates have stopped. */
  EndOfContinuousUpdates: 150,
  Fence: 248,
} as const;

/** Fence flags (the community RFB spec's Fence message). */
export const FenceFlag = {
  BlockBefore: 1,
  BlockAfter: 2,
  SyncNext: 4,
  Request: 0x80000000,
} as const;
/** A fence's payload is at most this long. */
export const MAX_FENCE_PAYLOAD = 64;

export const Encoding = {
  Raw: 0,
  CopyRect: 1,
  Tight: 7,
  ZRLE: 16,
  /** Pseudo-encodings. */
  Cursor: -239,
  DesktopSize: -223,
  LastRect: -224,
  ExtendedDesktopSize: -308,
  Fence: -312,
  ContinuousUpdates: -313,
  /** -32..-23: JPEG quality level 0..9 (Tight). */
  QualityLevel0: -32,
  QualityLevel9: -23,
  /** -256..-247: compression level 0..9 (zlib in ZRLE and Tight). */
  CompressLevel0: -256,
  CompressLevel9: -247,
} as const;

/** ExtendedDesktopSize: x = why, y = status (RFC 6143 7.8.2). */
export const DesktopSizeReason = { Server: 0, Client: 1, OtherClient: 2 } as const;
export const DesktopSizeStatus = { Ok: 0, Prohibited: 1, OutOfResources: 2, InvalidLayout: 3 } as const;

/** The one screen every vdpush framebuffer has (ExtendedDesktopSize's screen list). */
export const SCREEN_ID = 1;
