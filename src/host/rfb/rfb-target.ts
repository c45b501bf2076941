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
  /**
   * Calls `cb` when the cursor changes; returns the unsubscribe. Without it the server looks at
   * the cursor on every frame and on a 100 ms timer.
   */
  onCursorChange?(cb: () => void): () => void;
  readonly input: RfbInput;
  /**
   * A client arrived: for a target whose frames are taken only while someone looks (serve,
   * frame-demand.ts), they are taken until release(), and `fresh` settles once the framebuffer
   * holds the newest frame (ServerInit waits for it). Absent: every frame is taken anyway.
   */
  watch?(): { fresh: Promise<void>; release(): void };
  /**
   * A client's SetDesktopSize (client-resize.ts): the display goes to width x height at its
   * refresh rate; resolves once it committed the mode (its frames follow), rejects with why not.
   * Absent: no client may resize this target (`serve --view-only`).
   */
  resize?(width: number, height: number): Promise<void>;
}
