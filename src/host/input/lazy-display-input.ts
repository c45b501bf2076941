/**
 * A DisplayInput that opens the real one on first use, on the worker: `vdpush run` and the
 * recorders never touch input, so they never open the X input connection; `serve` attaches at
 * start (the host's first 'attach' input message) so the display's clipboard is watched from then on.
 *
 * While the inner input is opening, events wait in a bounded queue (in order); beyond it they are
 * dropped and counted. An inner input whose display went away (the X server restarted) is reopened
 * on the next event, at most once per REOPEN_MS; events meanwhile are dropped and counted.
 */
import { emptyInputCounters, type DisplayInput, type InputCounters } from '../../display/input.js';

/** What the worker can open: a DisplayInput with `alive` (false once its display connection ended). */
export interface ReopenableInput extends DisplayInput {
  readonly alive: boolean;
}

type Pending = { kind: 'key'; down: boolean; keysym: number } | { kind: 'pointer'; x: number; y: number; buttons: number } | { kind: 'clipboard'; text: string };

const MAX_PENDING = 1024;
const REOPEN_MS = 500;

export class LazyDisplayInput implements DisplayInput {
  private inner: ReopenableInput | null = null;
  private opening: Promise<void> | null = null;
  private lastOpenAt = -Infinity;
  private readonly pending: Pending[] = [];
  private readonly listeners = new Set<(text: string) => void>();
  private readonly base = emptyInputCounters();
  /** Counters of inputs that were replaced after their display went away. */
  private readonly retired = emptyInputCounters();
  private closed = false;
  /** Why the last open failed (for the panel), or null. */
  lastError: string | null = null;

  constructor(private readonly open: () => Promise<ReopenableInput>) {}

  /** Opens now (the host attached); resolves when open or failed. */
  attach(): Promise<void> {
    this.ensure();
    return this.opening ?? Promise.resolve();
  }

  key(down: boolean, keysym: number): void {
    this.deliver({ kind: 'key', down, keysym });
  }

  pointer(x: number, y: number, buttons: number): void {
    this.deliver({ kind: 'pointer', x, y, buttons });
  }

  setClipboard(text: string): void {
    this.deliver({ kind: 'clipboard', text });
  }

  onClipboard(listener: (text: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  counters(): InputCounters {
    const inner = this.inner?.counters() ?? emptyInputCounters();
    const out = emptyInputCounters();
    for (const k of Object.keys(out) as Array<keyof InputCounters>) out[k] = this.base[k] + this.retired[k] + inner[k];
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.length = 0;
    this.inner?.close();
    this.listeners.clear();
  }

  private deliver(e: Pending): void {
    if (this.closed) return void this.base.dropped++;
    const inner = this.ensure();
    if (inner !== null) return apply(inner, e);
    if (this.opening === null || this.pending.length >= MAX_PENDING) return void this.base.dropped++;
    this.pending.push(e);
  }

  /** The open inner input, or null while it opens (or cannot be opened yet). */
  private ensure(): ReopenableInput | null {
    if (this.inner !== null && this.inner.alive) return this.inner;
    if (this.opening !== null || this.closed) return null;
    const now = performance.now();
    if (now - this.lastOpenAt < REOPEN_MS) return null;
    this.lastOpenAt = now;
    if (this.inner !== null) {
      const c = this.inner.counters();
      for (const k of Object.keys(c) as Array<keyof InputCounters>) this.retired[k] += c[k];
      this.inner.close();
      this.inner = null;
    }
    this.opening = this.open().then(
      (inner) => {
        this.opening = null;
        if (this.closed) return inner.close();
        this.inner = inner;
        this.lastError = null;
        inner.onClipboard((text) => {
          for (const l of this.listeners) l(text);
        });
        for (const e of this.pending.splice(0)) apply(inner, e);
      },
      (err: unknown) => {
        this.opening = null;
        this.lastError = (err as Error).message;
        this.base.dropped += this.pending.length;
        this.pending.length = 0;
      },
    );
    return null;
  }
}

function apply(input: DisplayInput, e: Pending): void {
  if (e.kind === 'key') input.key(e.down, e.keysym);
  else if (e.kind === 'pointer') input.pointer(e.x, e.y, e.buttons);
  else input.setClipboard(e.text);
}
