/**
 * The input a remote client sends (RFB KeyEvent, PointerEvent, ClientCutText) and the clipboard it
 * is sent (ServerCutText), as one interface the RFB server (src/host/rfb) is handed per target. The
 * server decodes the protocol and calls these; it knows nothing about X or the worker behind them.
 *
 *   RFB client ──KeyEvent/PointerEvent/ClientCutText──> RfbServer ──> RemoteInput
 *        <──────────────ServerCutText────────────────── RfbServer <── onClipboard
 *
 * A session provides one (`session.remoteInput()`), which forwards each call to its monitor's
 * worker, where the backend delivers it (XTEST on Xvfb, counted on the simulated display).
 * `--view-only` wraps it in `viewOnlyInput`, which drops everything (and counts what it dropped).
 *
 * Calls never throw and never block: a call after the display ended is dropped silently.
 */

/** RFB PointerEvent button-mask bits (RFC 6143 7.5.5): 1-3 buttons, 4/5 wheel up/down, 6/7 left/right. */
export const BUTTON_LEFT = 1 << 0;
export const BUTTON_MIDDLE = 1 << 1;
export const BUTTON_RIGHT = 1 << 2;
export const BUTTON_WHEEL_UP = 1 << 3;
export const BUTTON_WHEEL_DOWN = 1 << 4;
export const BUTTON_WHEEL_LEFT = 1 << 5;
export const BUTTON_WHEEL_RIGHT = 1 << 6;

export interface RemoteInput {
  /** True when every call is ignored (`serve --view-only`); a server may then skip decoding. */
  readonly viewOnly: boolean;
  /** RFB KeyEvent: an X keysym went down or up. */
  key(down: boolean, keysym: number): void;
  /** RFB PointerEvent: the pointer is at (x, y) in display pixels with these buttons held. */
  pointer(x: number, y: number, buttonMask: number): void;
  /** RFB ClientCutText: the client's clipboard (Latin-1 text) becomes the display's. */
  clipboard(text: string): void;
  /**
   * The display's clipboard changed (send ServerCutText to the clients); returns the unsubscribe
   * function. A view-only input never calls it: a watcher must not read the user's clipboard.
   */
  onClipboard(listener: (text: string) => void): () => void;
}

/** Counts what a view-only input dropped. */
export interface IgnoredInputCounters {
  ignored: number;
}

/** Input that reaches nothing: `serve --view-only`. */
export function viewOnlyInput(counters: IgnoredInputCounters = { ignored: 0 }): RemoteInput {
  const ignore = (): void => {
    counters.ignored++;
  };
  return { viewOnly: true, key: ignore, pointer: ignore, clipboard: ignore, onClipboard: () => () => undefined };
}

/** Latin-1 is what RFB's cut text carries (RFC 6143 7.5.6): other characters become '?'. */
export function toLatin1(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\u0000-\u00ff]/gu, '?');
}
