/**
 * The viewer's WebSocket protocol, defined once here; web/viewer.js mirrors the binary constants
 * (a test checks that it does).
 *
 * Binary messages (server → page), little-endian:
 *
 *   frame:  0 magic 'VPF1' (u32)  4 sequence (u32)  8 width  12 height  16 sourceWidth  20 sourceHeight
 *           24 presentTimeMs (f64)  32.. width*height*4 bytes of 8-bit sRGB RGBA (opaque)
 *           `width`/`height` are the (possibly downscaled) pixels sent; source* is the display's size,
 *           which cursor coordinates refer to.
 *   cursor: 0 magic 'VPC1' (u32)  4 shapeId  8 width  12 height  16 hotX  20 hotY  (u32 each)
 *           24.. width*height*4 bytes of RGBA (straight alpha), sent when the shape changes
 *
 * Flow control: the page answers every frame with {type:'ack'} once it has drawn it. The server
 * keeps at most MAX_FRAMES_IN_FLIGHT unacknowledged frames per page and only sends while the
 * socket's buffered amount is low; meanwhile newer frames replace older ones (dropped, counted),
 * and the next frame sent is always the newest.
 */
import type { CursorView } from '../sinks/frame-view.js';
import type { ViewerMonitorStats, ViewerRecoveryEvent, ViewerStats } from './viewer-source.js';

export const PROTOCOL_VERSION = 1;
export const WS_PATH = '/ws';

/** 'VPF1' as a little-endian u32. */
export const FRAME_MAGIC = 0x31465056;
/** 'VPC1' as a little-endian u32. */
export const CURSOR_MAGIC = 0x31435056;

export const FRAME_HEADER_BYTES = 32;
export const FrameHeader = {
  MAGIC: 0,
  SEQUENCE: 4,
  WIDTH: 8,
  HEIGHT: 12,
  SOURCE_WIDTH: 16,
  SOURCE_HEIGHT: 20,
  PRESENT_TIME_MS: 24,
} as const;

export const CURSOR_HEADER_BYTES = 24;
export const CursorHeader = {
  MAGIC: 0,
  SHAPE_ID: 4,
  WIDTH: 8,
  HEIGHT: 12,
  HOT_X: 16,
  HOT_Y: 20,
} as const;

export const MAX_FRAMES_IN_FLIGHT = 2;

/** Where the cursor is; its shape travels separately (binary, by shapeId). */
export type CursorPosition = Omit<CursorView, 'shape'>;

/** Counters the server keeps for one page. */
export interface ViewerClientStats {
  /** Frames the source produced per second, as the server saw them. */
  sourceFps: number;
  /** Frames this page was sent per second. */
  sentFps: number;
  sent: number;
  /** Frames replaced by a newer one before this page could take them. */
  skipped: number;
  clients: number;
}

/** A monitor's panel as sent: the source's numbers plus whether `/rfb?target=N` serves it now. */
export type ViewerMonitorMessage = ViewerMonitorStats & { rfb: boolean };

/** The longest mode text a page may send ('WxH@HZ' is far shorter); longer is refused, not cut. */
export const MAX_MODE_TEXT = 64;

export type ServerMessage =
  | {
      type: 'hello';
      protocol: number;
      faultKinds: readonly string[];
      maxWidth: number;
      maxHeight: number;
      /** Whether this page gets raw frames here (false: it draws through noVNC over /rfb). */
      rawFrames: boolean;
      /** The targets served over RFB at `/rfb?target=N`; empty without an RFB endpoint. */
      rfbTargets: readonly number[];
      /** The session ignores remote input (`serve --view-only`). */
      viewOnly: boolean;
    }
  /** `monitors`: one element per monitor panel (live and departed), when the source has several. */
  | { type: 'stats'; stats: ViewerStats; viewer: ViewerClientStats; monitors?: readonly ViewerMonitorMessage[] }
  | { type: 'recovery'; events: readonly ViewerRecoveryEvent[]; reset: boolean }
  | { type: 'cursor'; cursor: CursorPosition | null }
  | { type: 'fault'; kind: string; targetId?: number; ok: boolean; error?: string; code?: string }
  /** The answer to a page's set-mode: done (the display committed the mode), or why not. */
  | { type: 'mode'; targetId: number; mode: string; ok: boolean; error?: string; code?: string };

/**
 * What a page sends. `targetId` on inject aims the fault at one monitor (the schedule's `#N`);
 * set-mode asks monitor `targetId` for `mode` ('WxH@HZ'). The values are passed on as sent (a
 * non-number targetId as NaN, a non-string mode as ''), so that the hub refuses them with a
 * typed error the page shows, rather than ignoring a request the user made.
 */
export type ClientMessage =
  | { type: 'ack'; sequence?: number }
  | { type: 'inject'; kind: string; targetId?: number }
  | { type: 'set-mode'; targetId: number; mode: string };

/** Parses a page's message; null for anything malformed (ignored, never thrown). */
export function parseClientMessage(text: string): ClientMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o['type'] === 'ack') return typeof o['sequence'] === 'number' ? { type: 'ack', sequence: o['sequence'] } : { type: 'ack' };
  if (o['type'] === 'inject' && typeof o['kind'] === 'string') {
    if (o['targetId'] === undefined) return { type: 'inject', kind: o['kind'] };
    return { type: 'inject', kind: o['kind'], targetId: typeof o['targetId'] === 'number' ? o['targetId'] : NaN };
  }
  if (o['type'] === 'set-mode') {
    return { type: 'set-mode', targetId: typeof o['targetId'] === 'number' ? o['targetId'] : NaN, mode: typeof o['mode'] === 'string' ? o['mode'] : '' };
  }
  return null;
}
