/**
 * Encodings that every client of one framebuffer can reuse: Tight's JPEG tiles. A JPEG depends
 * only on the tile's pixels and the quality (no stream state, no pixel format: JPEG is always
 * 24-bit colour), so when several clients (the page, a VNC viewer, a second page) are sent the
 * same tile of the same frame at the same quality, sharp encodes it once.
 *
 * The key is the framebuffer's version (LatestFramebuffer.counts.frames when the update was
 * decided: the snapshot shows the framebuffer as it was then, see rect-snapshot.ts) and the tile's
 * place. Only the newest version is kept, and at most MAX_ENTRIES tiles of it (a 4K frame has 135
 * Tight tiles); an older snapshot is encoded without the cache. ZRLE and Tight's zlib tiles are
 * not shared: their bytes continue each client's own zlib stream, and their analysis costs less
 * than the compression.
 */

const MAX_ENTRIES = 256;

export class SharedEncodes {
  private version = -1;
  private readonly entries = new Map<string, Promise<Buffer>>();
  /** Tiles encoded, and tiles taken from another client's encode (for the tests and stats). */
  readonly counts = { made: 0, reused: 0 };

  /** The JPEG for `key` at `version`, made (synchronously started) by `make` if no client made it yet. */
  jpeg(version: number, key: string, make: () => Promise<Buffer>): Promise<Buffer> {
    if (version > this.version) {
      this.version = version;
      this.entries.clear();
    }
    if (version !== this.version) return make();
    const had = this.entries.get(key);
    if (had !== undefined) {
      this.counts.reused++;
      return had;
    }
    const p = make();
    this.counts.made++;
    if (this.entries.size < MAX_ENTRIES) {
      this.entries.set(key, p);
      p.catch(() => this.entries.delete(key));
    }
    return p;
  }
}

const byOwner = new WeakMap<object, SharedEncodes>();

/** The shared encodes of one framebuffer (made on first use, dropped with it). */
export function sharedEncodesOf(owner: object): SharedEncodes {
  let s = byOwner.get(owner);
  if (s === undefined) {
    s = new SharedEncodes();
    byOwner.set(owner, s);
  }
  return s;
}
