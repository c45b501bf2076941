/** bench ring's memcpy ceiling (ring-bench.ts takes its turns with the ring and the floor). */

/**
 * SAB → SAB copy of one frame, repeated for a while: GB/s. With `destinations` 2 the copies
 * alternate between two buffers, as a ring's publishes alternate between two slots while the
 * consumer holds the other: the same bytes, a larger working set (it no longer fits the L3 cache
 * at 1080p), so the figure a ring can actually approach. The buffers are made (and warmed) once
 * per size, so the interleaved chunks below measure copies, not allocation.
 */
export class MemcpyCeiling {
  private readonly src: Uint8Array;
  private readonly dst: Uint8Array[];

  constructor(private readonly bytes: number) {
    this.src = new Uint8Array(new SharedArrayBuffer(bytes));
    this.dst = [new Uint8Array(new SharedArrayBuffer(bytes)), new Uint8Array(new SharedArrayBuffer(bytes))];
    for (let i = 0; i < bytes; i += 4096) this.src[i] = i & 0xff;
    for (let i = 0; i < 6; i++) this.dst[i % 2]!.set(this.src);
  }

  measure(durationMs: number, destinations: 1 | 2): number {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < durationMs) {
      this.dst[n % destinations]!.set(this.src);
      n++;
      t = performance.now();
    }
    return (n * this.bytes) / ((t - t0) / 1000) / 1e9;
  }
}
