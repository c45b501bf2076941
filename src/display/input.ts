/**
 * Input at the display boundary: what a remote user does (keys, pointer, clipboard), delivered to
 * the display system that owns the screen. The host hands it over by message; on the worker the
 * backend's `DisplayInput` turns it into the display's own input (XTEST on Xvfb; counting on the
 * simulated display, which has nothing to click). The driver never sees input: it is not the
 * swap-chain's business.
 *
 * Calls never throw and never wait: input that cannot be delivered (the X server is gone, a keysym
 * no keycode can carry) is counted as dropped.
 */

/** What the display side counted, for the panel and the run summary. */
export interface InputCounters {
  keys: number;
  /** PointerEvents (moves and button changes). */
  pointer: number;
  /** Button presses (buttons 1-3, 8+), each press counted once. */
  clicks: number;
  /** Wheel steps (buttons 4/5 vertical, 6/7 horizontal), each press counted once. */
  wheel: number;
  /** Clipboard texts set by a remote client. */
  clipboard: number;
  /** Events that did not reach the display, with why (e.g. no keycode for a keysym, display gone). */
  dropped: number;
}

export function emptyInputCounters(): InputCounters {
  return { keys: 0, pointer: 0, clicks: 0, wheel: 0, clipboard: 0, dropped: 0 };
}

export interface DisplayInput {
  /** An X keysym pressed or released (RFB KeyEvent). */
  key(down: boolean, keysym: number): void;
  /** The pointer at (x, y) in display pixels with the RFB button mask (bit 0 = button 1, bits 3-6 = wheel). */
  pointer(x: number, y: number, buttonMask: number): void;
  /** A remote client's clipboard text (RFB ClientCutText, Latin-1) becomes the display's clipboard. */
  setClipboard(text: string): void;
  /** Calls `listener` when the display's own clipboard changes; returns the unsubscribe function. */
  onClipboard(listener: (text: string) => void): () => void;
  counters(): InputCounters;
  /** Releases what it holds (a selection window, pressed keys). Idempotent. */
  close(): void;
}
