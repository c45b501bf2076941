/**
 * What the host receives from the ring: a view on one slot plus the frame's description. The
 * objects are PREALLOCATED, one per slot per generation, and reused for every frame that slot
 * delivers, so consuming allocates nothing (the token is kept as its two 32-bit halves; `token`
 * builds the BigInt only when read, and nothing on the per-frame path reads it). A frame is the consumer's until
 * it returns it with `HostRing.release`; the producer never touches the slot meanwhile.
 *
 * `format` is the frame's own (the slot's SLOT_OFF_FORMAT), which may differ from the ring's from
 * one frame to the next (IddCx changes formats per frame); `pixels` and `stride` follow it. Read
 * all three per frame; a sink converts per frame.
 */
import { tokenFromWords } from '../contract/index.js';
import type { SlotTable } from './slot-table.js';

export interface DirtyBounds {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ConsumedFrame {
  /** The slot's pixels: `height` rows of `stride` bytes. Valid until the frame is released. */
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** This frame's pixel-format code (contract/pixel-format.ts); may differ from the ring's. */
  readonly format: number;
  /** Bytes per row: width * bytesPerPixel(format). */
  readonly stride: number;
  /** The publisher's sequence number (32-bit, wrapping). */
  readonly sequence: number;
  /** The display's present time for this frame, in its clock's milliseconds. */
  readonly presentTimeMs: number;
  /** Bounding box of what changed in this frame since the frame `dirtySpan` published frames before it. */
  readonly dirty: Readonly<DirtyBounds>;
  /**
   * How many published frames back `dirty` reaches (at least 1): after a skip of published frames,
   * it reaches the frame the host took before when the publisher remembered that far.
   */
  readonly dirtySpan: number;
  readonly slot: number;
  readonly generation: number;
  /** The frame token (generation, sequence, slot). Builds a BigInt per read: not for the per-frame path. */
  readonly token: bigint;
}

/** The ring-internal side of a ConsumedFrame. */
export class SlotFrame implements ConsumedFrame {
  /** Set per delivery from the slot's format (views cached by the SlotTable). */
  pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  format: number;
  stride: number;
  readonly slot: number;
  readonly generation: number;
  readonly dirty: DirtyBounds = { x: 0, y: 0, w: 0, h: 0 };
  dirtySpan = 1;
  sequence = 0;
  /**
   * [0] = the present time, in a typed array rather than a field: a double stored into an
   * object field can cost a fresh HeapNumber per store (V8 boxes it unless the field keeps its
   * double representation), which was the consumer's last allocation per frame.
   */
  readonly times = new Float64Array(1);
  /** The token's halves as the slot held them at delivery ([low, high]; frame-token.ts words*). */
  readonly tokenWords = new Uint32Array(2);
  /** Held by the consumer (taken, not yet released). */
  held = false;
  /** The object that handed it out: release checks it, so a foreign frame is refused. */
  readonly owner: object;

  constructor(table: SlotTable, slot: number, owner: object) {
    const d = table.desc;
    this.pixels = table.pixels(slot);
    this.width = d.width;
    this.height = d.height;
    this.format = d.format;
    this.stride = d.stride;
    this.slot = slot;
    this.generation = d.generation;
    this.owner = owner;
  }

  get presentTimeMs(): number {
    return this.times[0]!;
  }

  get token(): bigint {
    return tokenFromWords(this.tokenWords[0]!, this.tokenWords[1]!);
  }
}
