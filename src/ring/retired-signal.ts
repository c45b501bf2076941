/**
 * "The host retired this ring" (recreated it at another mode, or closed it), as something a
 * display-side wait can include: structurally a display `Signal` (tryConsume + subscribe), without
 * importing display (the ring depends on the contract only).
 *
 * Why: an idle processor waits long between passes (nothing composes), and a recreate is the one
 * ring change it must see at once: the frame stash republishes into the new ring, which is the
 * host's first frame there. The host stores MAGIC (RING_MAGIC_RETIRED) and then notifies that word
 * (HostRing.recreate / close); this signal waits on it.
 *
 * Level-triggered (tryConsume does not clear it): a retired ring never comes back to life under
 * the same generation. At most one Atomics.waitAsync is outstanding per ring, re-armed only while
 * someone subscribes, with a long timeout so a buffer nobody notifies does not keep a waiter for
 * ever.
 */
import { OFF_GENERATION, OFF_MAGIC, RING_MAGIC } from '../contract/index.js';

/** How long the one waiter sleeps before it re-arms while subscribers remain (each re-arm is a wake-up). */
const REARM_MS = 10_000;

export class RetiredSignal {
  private subscribers: Array<() => void> = [];
  private armed = false;

  constructor(
    private readonly words: Int32Array,
    private readonly generation: number,
  ) {}

  /** True once the ring's generation moved on or its magic is no longer RING_MAGIC. */
  tryConsume(): boolean {
    return (Atomics.load(this.words, OFF_GENERATION >> 2) >>> 0) !== this.generation || (Atomics.load(this.words, OFF_MAGIC >> 2) >>> 0) !== RING_MAGIC;
  }

  subscribe(onSet: () => void): () => void {
    this.subscribers.push(onSet);
    this.arm();
    return () => {
      const i = this.subscribers.indexOf(onSet);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    const r = Atomics.waitAsync(this.words, OFF_MAGIC >> 2, RING_MAGIC | 0, REARM_MS);
    if (r.async) void r.value.then(() => this.fire());
    else queueMicrotask(() => this.fire());
  }

  private fire(): void {
    this.armed = false;
    if (!this.tryConsume()) {
      // A timeout (or a notify of another kind): keep waiting for whoever still waits.
      if (this.subscribers.length > 0) this.arm();
      return;
    }
    const subs = this.subscribers;
    this.subscribers = [];
    for (const s of subs) s();
  }
}

/** What the host does after retiring a ring (magic stored): wakes a display side waiting on it. */
export function notifyRetired(words: Int32Array): void {
  Atomics.notify(words, OFF_MAGIC >> 2);
}
