/**
 * The screen's damage at DAMAGE's NonEmpty level, taken in the capture's one round trip.
 *
 * At NonEmpty the server sends ONE DamageNotify when the damage goes from empty to non-empty, not
 * one per drawing request (RawRectangles): a frame drawn in 50 requests costs one event, and a
 * workload drawing faster than frames are captured sends nothing more until the capture takes the
 * damage. The capture takes it with two requests sent in the same write as its GrabServer:
 *
 *   DamageSubtract(damage, None, parts)   parts := the damage; the damage := empty
 *   XFixesFetchRegion(parts)              the reply: parts' rectangles (y-x banded, exact)
 *
 * Under the grab, no draw can come between the subtract and the copy that follows the reply, so
 * the rectangles are exactly what changed up to the frame's pixels; without the grab a draw after
 * the subtract makes the damage non-empty again, which sends the next DamageNotify: nothing is
 * ever lost, at worst it is captured twice.
 *
 * Hot path: the two requests are packed into buffers made once; the reply is parsed straight into
 * the caller's DirtyRegion (clipped there; more rectangles than it holds become their bounding
 * box). node-x11 still slices the reply off its socket buffer; nothing else is allocated per frame.
 */
import type { XClient } from 'x11';
import type { DirtyRegion } from './dirty-region.js';

/** What this needs of node-x11's DAMAGE and XFIXES extension objects: their major opcodes. */
interface XExtension {
  majorOpcode: number;
}

/** XFixes FetchRegion's minor opcode; DAMAGE Subtract's. */
const FIXES_FETCH_REGION = 19;
const DAMAGE_SUBTRACT = 3;
/** The reply's body: 24 bytes (the extents and padding), then 8 bytes per rectangle. */
const REPLY_RECTS_AT = 24;

/** node-x11's reply handler: [parse(buffer) → result, callback(err, result)]. */
type ReplyHandler = [(buf: Buffer) => number, (err: unknown) => void];
interface RawClient {
  seq_num: number;
  replies: Record<number, ReplyHandler>;
  pack_stream: { put(b: Buffer): void; submit(expectsReply?: boolean): boolean };
}

/** Fetches in flight at once: one per swap-chain, and a deleted one's may still be on its way. */
const MAX_IN_FLIGHT = 8;

export class DamageFetch {
  private readonly subtract = Buffer.alloc(16);
  private readonly fetch = Buffer.alloc(8);
  /** Replies come in request order: a FIFO of the fetches in flight (fixed arrays, no allocation). */
  private readonly targets: Array<DirtyRegion | null> = new Array<DirtyRegion | null>(MAX_IN_FLIGHT).fill(null);
  private readonly dones: Array<((err: unknown) => void) | null> = new Array<((err: unknown) => void) | null>(MAX_IN_FLIGHT).fill(null);
  private head = 0;
  private inFlight = 0;
  private readonly handler: ReplyHandler;

  constructor(
    private readonly client: XClient,
    damage: XExtension,
    fixes: XExtension,
    damageId: number,
    /** An XFixes region of ours (created empty) that receives the damage. */
    regionId: number,
  ) {
    const s = this.subtract;
    s.writeUInt8(damage.majorOpcode, 0);
    s.writeUInt8(DAMAGE_SUBTRACT, 1);
    s.writeUInt16LE(4, 2);
    s.writeUInt32LE(damageId >>> 0, 4);
    s.writeUInt32LE(0, 8); // repair = None: take it all
    s.writeUInt32LE(regionId >>> 0, 12);
    const f = this.fetch;
    f.writeUInt8(fixes.majorOpcode, 0);
    f.writeUInt8(FIXES_FETCH_REGION, 1);
    f.writeUInt16LE(2, 2);
    f.writeUInt32LE(regionId >>> 0, 4);
    this.handler = [(buf) => this.parse(buf), (err) => this.settle(err)];
  }

  /** False when MAX_IN_FLIGHT fetches are on their way (the caller then treats it as a failed fetch). */
  get canSend(): boolean {
    return this.inFlight < MAX_IN_FLIGHT;
  }

  /**
   * Queues the subtract and the fetch; the reply's rectangles are added to `into`, then `done`
   * runs (err set if the server refused: the caller must then assume the whole screen changed).
   * `flush`: send now (the fetch is the batch's last request); otherwise a later request with a
   * reply sends it, in the same write.
   */
  send(into: DirtyRegion, done: (err: unknown) => void, flush: boolean): void {
    const c = this.client as unknown as RawClient;
    const slot = (this.head + this.inFlight) % MAX_IN_FLIGHT;
    this.targets[slot] = into;
    this.dones[slot] = done;
    this.inFlight++;
    c.seq_num++;
    c.pack_stream.put(this.subtract);
    c.pack_stream.submit(false);
    c.seq_num++;
    c.pack_stream.put(this.fetch);
    c.replies[c.seq_num] = this.handler;
    c.pack_stream.submit(flush);
  }

  private parse(buf: Buffer): number {
    const into = this.inFlight > 0 ? this.targets[this.head] : null;
    if (!into) return 0;
    const n = (buf.length - REPLY_RECTS_AT) >> 3;
    for (let i = 0; i < n; i++) {
      const o = REPLY_RECTS_AT + i * 8;
      into.add(buf.readInt16LE(o), buf.readInt16LE(o + 2), buf.readUInt16LE(o + 4), buf.readUInt16LE(o + 6));
    }
    return n;
  }

  private settle(err: unknown): void {
    if (this.inFlight === 0) return;
    const done = this.dones[this.head]!;
    this.targets[this.head] = null;
    this.dones[this.head] = null;
    this.head = (this.head + 1) % MAX_IN_FLIGHT;
    this.inFlight--;
    done(err ?? null);
  }
}
