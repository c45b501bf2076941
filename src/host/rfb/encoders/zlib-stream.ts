/**
 * One persistent zlib stream (ZRLE has one per connection, Tight four): every message is the
 * continuation of the stream, ended by a sync flush so the client can decode it at once.
 * compress() calls are answered in the order of the calls, which must be the order the client will
 * decode them (a Tight rectangle's tiles call it in tile order, at once).
 *
 * Two ways to run a message, one stream:
 * - small (at most `syncMaxBytes`, 64 KiB by default) and nothing queued: compressed now, on the
 *   calling thread, through the Deflate's own native handle (`_handle.writeSync`, what node:zlib's
 *   deflateSync runs on, as Node has no public synchronous call for a stream that goes on). A 1%
 *   desktop update's tiles take ~10 us that way; the pool's round trip costs ~70 us of CPU in the
 *   same loop, and with every update at 60 Hz it woke the host thread twice more and a pool
 *   thread per message (`bench vnc`, perf of `serve`).
 * - large: on libuv's pool (write + sync flush), as before, so a whole-screen update of noise never
 *   holds the host's thread (the drain) for the tens of ms its deflate takes.
 * Small messages wait in the queue behind a large one (or a level change) still on the pool, so
 * the stream's order holds. Where the handle has no writeSync (another Node), every message takes
 * the pool. A level change (params) goes through the queue too: it flushes on the pool.
 */
import { constants, createDeflate, type Deflate } from 'node:zlib';

/** Messages up to this many bytes are compressed synchronously (see the file comment). */
export const SYNC_MAX_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/** The native handle's synchronous write (the shape node:zlib's own processChunkSync calls). */
interface SyncHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
}

export class ZlibStream {
  private deflate: Deflate | null = null;
  private level: number;
  private pending: Buffer[] = [];
  /** The last queued message (settled or not). */
  private tail: Promise<unknown> = Promise.resolve();
  /** Messages and level changes on the pool not yet settled (a sync message waits while > 0). */
  private queued = 0;
  private closed = false;
  /** The sync path's output scratch (grows to the largest message's output; copied out per message). */
  private scratch = Buffer.allocUnsafe(0);

  constructor(
    level: number,
    private readonly syncMaxBytes = SYNC_MAX_BYTES,
  ) {
    this.level = level;
  }

  setLevel(level: number): void {
    if (level === this.level) return;
    this.level = level;
    const d = this.deflate;
    if (d === null) return; // opened at the new level
    // The next message is compressed at the new level; the stream (and the client's) continue.
    // params() flushes on the pool: queued, so no sync write overlaps it.
    this.enqueue(() => new Promise<void>((resolve) => d.params(level, constants.Z_DEFAULT_STRATEGY, () => resolve())));
  }

  compress(data: Buffer): Promise<Buffer> {
    let now: Buffer | null;
    try {
      now = this.compressNow(data);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return now !== null ? Promise.resolve(now) : this.enqueue(() => this.run(data));
  }

  /**
   * The message compressed now, on this thread, when it may be (small, nothing queued, a handle
   * that writes synchronously); else null, and nothing was done: pass it to compress(). Throws
   * when the stream is closed or failed (the stream is then closed).
   */
  compressNow(data: Buffer): Buffer | null {
    if (this.closed) throw new Error('zlib stream closed');
    if (this.queued !== 0 || data.length > this.syncMaxBytes) return null;
    const d = (this.deflate ??= this.open());
    const handle = syncHandleOf(d);
    return handle !== null ? this.runSync(d, handle, data) : null;
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.queued++;
    const p = this.tail.then(job);
    const settled = p.then(
      () => void this.queued--,
      () => void this.queued--,
    );
    this.tail = settled;
    return p;
  }

  private runSync(d: Deflate, handle: SyncHandle, data: Buffer): Buffer {
    // A first guess at the output's size; deflateInto grows it when a message compresses worse.
    if (this.scratch.length < data.length + 64) this.scratch = Buffer.allocUnsafe(Math.max(16 * 1024, data.length + 64 + (data.length >> 3)));
    let outOff: number;
    try {
      // The calls the pool path makes (write, then an empty sync flush), so the deflate state
      // machine sees the same sequence and the bytes are the same (an empty message too).
      outOff = this.deflateInto(d, handle, constants.Z_NO_FLUSH, data, 0);
      outOff = this.deflateInto(d, handle, constants.Z_SYNC_FLUSH, EMPTY, outOff);
    } catch (e) {
      this.close();
      throw e instanceof Error ? e : new Error(String(e));
    }
    // A copy of its own: the message may sit in the socket's queue while the next one is made.
    return Buffer.from(this.scratch.subarray(0, outOff));
  }

  /** One deflate call on all of `data` into the scratch from `outOff`; returns the output's end. */
  private deflateInto(d: Deflate, handle: SyncHandle, flush: number, data: Buffer, outOff: number): number {
    const state = (d as unknown as { _writeState: Uint32Array })._writeState;
    let inOff = 0;
    let inLen = data.length;
    for (;;) {
      const out = this.scratch;
      handle.writeSync(flush, data, inOff, inLen, out, outOff, out.length - outOff);
      if (d.destroyed) throw new Error('zlib stream failed');
      const availOut = state[0]!;
      const availIn = state[1]!;
      inOff += inLen - availIn;
      inLen = availIn;
      outOff = out.length - availOut;
      // Output space left over: zlib took all it could (its own rule, as in processChunkSync).
      if (availOut !== 0) return outOff;
      const bigger = Buffer.allocUnsafe(out.length * 2);
      out.copy(bigger, 0, 0, outOff);
      this.scratch = bigger;
    }
  }

  private run(data: Buffer): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('zlib stream closed'));
    const d = (this.deflate ??= this.open());
    return new Promise((resolve, reject) => {
      d.write(data);
      d.flush(constants.Z_SYNC_FLUSH, () => {
        const out = Buffer.concat(this.pending);
        this.pending = [];
        if (d.destroyed) reject(new Error('zlib stream closed'));
        else resolve(out);
      });
    });
  }

  /**
   * Refuses messages from now on. The native handle goes once the pool's queue has settled:
   * node:zlib asserts (a crash, not an error) when a stream is destroyed under a level change's
   * flush, which a client's SetEncodings followed by its disconnect could otherwise trigger.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const d = this.deflate;
    this.deflate = null;
    if (d === null) return;
    if (this.queued === 0) d.destroy();
    else void this.tail.then(() => d.destroy());
  }

  private open(): Deflate {
    const d = createDeflate({ level: this.level });
    d.on('data', (c: Buffer) => this.pending.push(c));
    d.on('error', () => undefined);
    return d;
  }
}

/** The Deflate's native handle when it can write synchronously and nothing else holds it, else null. */
function syncHandleOf(d: Deflate): SyncHandle | null {
  const internals = d as unknown as { _handle?: Partial<SyncHandle> | null; _writeState?: unknown; writableLength: number };
  const h = internals._handle;
  if (h === null || h === undefined || typeof h.writeSync !== 'function' || !(internals._writeState instanceof Uint32Array)) return null;
  // Bytes the stream still buffers would be compressed after this message: not ours to pass.
  if (internals.writableLength !== 0) return null;
  return h as SyncHandle;
}
