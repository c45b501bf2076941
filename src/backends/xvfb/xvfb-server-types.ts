/**
 * What an X server behind the Xvfb backend is, started (xvfb-server.ts) or attached to
 * (attached-server.ts): the shape both kinds share, in a file of its own so neither imports the other.
 */

export interface XvfbScreenSpec {
  width: number;
  height: number;
  depth: 24 | 30;
}

export interface XvfbServer {
  /** ":N" */
  readonly display: string;
  readonly displayNumber: number;
  /** The live framebuffer file (XWD) of screen 0, DIR/Xvfb_screen0. */
  readonly framebufferPath: string;
  /** How many screens the server has (1 unless started with several). */
  readonly screens: number;
  /** The framebuffer file of screen `s`, DIR/Xvfb_screenS. */
  framebufferPathOf(s: number): string;
  /** The server's pid (ours or the attached one's owner). */
  readonly pid: number;
  /** True when vdpush started this server (and so may restart and must stop it). */
  readonly owned: boolean;
  /** True while the process runs (for an attached server: while its pid exists). */
  alive(): boolean;
  /** Calls `fn` once when a vdpush-started server exits without stop() having been called. */
  onUnexpectedExit(fn: (code: number | null, signal: string | null) => void): void;
  /** Stops a started server (SIGTERM, then SIGKILL) and removes its temp dir; no-op when attached. Idempotent. */
  stop(): Promise<void>;
}
