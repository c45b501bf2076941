/**
 * The simulated display's input: there is nothing to click, so input is counted (the viewer shows
 * the counts) and the clipboard is kept. No program on it ever changes the clipboard, so onClipboard
 * never fires (a remote client's own text reaches the others through the host's RemoteInput).
 */
import { emptyInputCounters, type DisplayInput, type InputCounters } from '../../display/input.js';

const WHEEL_BITS = 0b1111000; // buttons 4-7
const PRESS_BITS = 0xff & ~WHEEL_BITS;

export class CountingInput implements DisplayInput {
  private readonly counts = emptyInputCounters();
  private buttons = 0;
  private text = '';
  private closed = false;

  key(_down: boolean, _keysym: number): void {
    if (this.closed) return void this.counts.dropped++;
    this.counts.keys++;
  }

  pointer(_x: number, _y: number, buttonMask: number): void {
    if (this.closed) return void this.counts.dropped++;
    this.counts.pointer++;
    const pressed = buttonMask & ~this.buttons;
    this.buttons = buttonMask;
    this.counts.clicks += popcount(pressed & PRESS_BITS);
    this.counts.wheel += popcount(pressed & WHEEL_BITS);
  }

  setClipboard(text: string): void {
    if (this.closed) return void this.counts.dropped++;
    this.counts.clipboard++;
    this.text = text;
  }

  onClipboard(_listener: (text: string) => void): () => void {
    return () => undefined;
  }

  /** The clipboard as the display holds it now. */
  clipboardText(): string {
    return this.text;
  }

  counters(): InputCounters {
    return { ...this.counts };
  }

  close(): void {
    this.closed = true;
  }
}

function popcount(v: number): number {
  let n = 0;
  for (let x = v; x !== 0; x &= x - 1) n++;
  return n;
}
