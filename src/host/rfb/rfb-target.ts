/**
 * What one RFB framebuffer is served from: a monitor's latest framebuffer, its cursor, and where
 * the clients' input goes. The server holds one per target (`/rfb?target=N`).
 */
import type { LatestFramebuffer } from '../framebuffer/latest-framebuffer.js';
import type { RemoteInput } from '../input/remote-input.js';
import type { CursorView } from '../sinks/frame-view.js';

/** The input side: the RFB server decodes and bounds the messages; the path to X is input/'s. */
export type RfbInput = RemoteInput;

export interface RfbTarget {
  readonly id: number;
  /** The desktop name in ServerInit. */
  readonly name: string;
  readonly framebuffer: LatestFramebuffer;
  cursor(): CursorView | null;
  readonly input: RfbInput;
}
