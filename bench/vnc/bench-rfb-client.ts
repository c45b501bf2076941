/**
 * The benchmark's RFB client, the same for every server measured: RFB 3.8 (3.3/3.7 accepted),
 * security None, shared, 32-bit little-endian true colour (depth 24, red shift 16), encodings
 * ZRLE and Raw only (no CopyRect, no pseudo-encodings beyond DesktopSize and LastRect), one
 * incremental FramebufferUpdateRequest outstanding, sent again the moment an update is complete
 * ("as fast as they come").
 *
 * For each update it reports when its last byte arrived, its size in bytes, and the first pixel of
 * its first rectangle with that rectangle's position (the bench decodes the workload's stamp from
 * it). ZRLE is inflated (one zlib stream per connection, as RFC 6143 requires) to read that pixel;
 * the rest of each update is only counted.
 */
import { connect, type Socket } from 'node:net';
import { createInflate, constants as zc, type Inflate } from 'node:zlib';
import { ByteReader } from './byte-reader.js';

const ENC_RAW = 0;
const ENC_COPYRECT = 1;
const ENC_ZRLE = 16;
const ENC_LAST_RECT = -224;
const ENC_DESKTOP_SIZE = -223;

export interface UpdateSample {
  /** performance.timeOrigin + performance.now() when the update was complete. */
  atMs: number;
  bytes: number;
  rects: number;
  /** The first rectangle's origin and its first pixel (0xRRGGBB), or null (no pixel rect). */
  first: { x: number; y: number; pixel: number } | null;
}

export interface BenchClientOptions {
  host: string;
  port: number;
  onUpdate(u: UpdateSample): void;
}

export class BenchRfbClient {
  width = 0;
  height = 0;
  name = '';
  updates = 0;
  private stopped = false;
  /** Why the client stopped reading before close(), if it did: the bench reports it, never a quiet drop in updates/s. */
  failure: Error | null = null;
  private readonly inflate: Inflate = createInflate();
  private inflated: Buffer[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly reader: ByteReader,
    private readonly onUpdate: (u: UpdateSample) => void,
  ) {
    this.inflate.on('data', (d: Buffer) => this.inflated.push(d));
    this.inflate.on('error', () => socket.destroy());
  }

  /** Connects, shakes hands, and starts requesting updates. */
  static async connect(opts: BenchClientOptions): Promise<BenchRfbClient> {
    const socket = connect({ host: opts.host, port: opts.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const reader = new ByteReader(socket);
    const c = new BenchRfbClient(socket, reader, opts.onUpdate);
    try {
      await c.handshake();
    } catch (e) {
      socket.destroy();
      throw e;
    }
    void c.loop().catch((e: Error) => {
      if (!c.stopped) c.failure = e;
    });
    return c;
  }

  /** Bytes received so far, handshake included. */
  get bytes(): number {
    return this.reader.received;
  }

  close(): void {
    this.stopped = true;
    this.socket.destroy();
    this.inflate.close();
  }

  private async handshake(): Promise<void> {
    const r = this.reader;
    const version = (await r.read(12)).toString('latin1');
    const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(version);
    if (!m) throw new Error(`not an RFB server: ${JSON.stringify(version)}`);
    const minor = Number(m[1]) > 3 ? 8 : Math.min(8, Number(m[2]));
    const v = minor >= 8 ? 8 : minor >= 7 ? 7 : 3;
    this.socket.write(`RFB 003.00${v}\n`);
    if (v === 3) {
      const type = await r.u32();
      if (type !== 1) throw new Error(`the server wants security type ${type}; the bench needs None`);
    } else {
      const n = await r.u8();
      if (n === 0) throw new Error(`the server refused: ${(await r.read(await r.u32())).toString('latin1')}`);
      const types = [...(await r.read(n))];
      if (!types.includes(1)) throw new Error(`the server offers security types ${types.join(',')}; the bench needs None (1)`);
      this.socket.write(Buffer.from([1]));
      if (v === 8 && (await r.u32()) !== 0) throw new Error(`security None failed: ${(await r.read(await r.u32())).toString('latin1')}`);
    }
    this.socket.write(Buffer.from([1])); // ClientInit: shared
    const init = await r.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    this.name = (await r.read(init.readUInt32BE(20))).toString('latin1');
    const pf = Buffer.alloc(20);
    pf[0] = 0; // SetPixelFormat
    pf[4] = 32; // bits per pixel
    pf[5] = 24; // depth
    pf[6] = 0; // little-endian
    pf[7] = 1; // true colour
    pf.writeUInt16BE(255, 8);
    pf.writeUInt16BE(255, 10);
    pf.writeUInt16BE(255, 12);
    pf[14] = 16;
    pf[15] = 8;
    pf[16] = 0;
    const encodings = [ENC_ZRLE, ENC_RAW, ENC_DESKTOP_SIZE, ENC_LAST_RECT];
    const se = Buffer.alloc(4 + 4 * encodings.length);
    se[0] = 2;
    se.writeUInt16BE(encodings.length, 2);
    encodings.forEach((e, i) => se.writeInt32BE(e, 4 + 4 * i));
    this.socket.write(Buffer.concat([pf, se]));
    this.request(false);
  }

  private request(incremental: boolean): void {
    const b = Buffer.alloc(10);
    b[0] = 3;
    b[1] = incremental ? 1 : 0;
    b.writeUInt16BE(this.width, 6);
    b.writeUInt16BE(this.height, 8);
    this.socket.write(b);
  }

  private async loop(): Promise<void> {
    const r = this.reader;
    while (!this.stopped) {
      const type = await r.u8();
      switch (type) {
        case 0:
          await this.update();
          break;
        case 1: {
          const h = await r.read(5);
          await r.read(h.readUInt16BE(3) * 6);
          break;
        }
        case 2:
          break; // Bell
        case 3: {
          await r.read(3);
          await r.read(await r.u32());
          break;
        }
        default:
          throw new Error(`unknown server message ${type}`);
      }
    }
  }

  private async update(): Promise<void> {
    const r = this.reader;
    const before = r.consumed - 1; // the message type byte is read
    const h = await r.read(3);
    let n = h.readUInt16BE(1);
    let first: UpdateSample['first'] = null;
    let rects = 0;
    for (let i = 0; i < n || n === 0xffff; i++) {
      const rh = await r.read(12);
      const x = rh.readUInt16BE(0);
      const y = rh.readUInt16BE(2);
      const w = rh.readUInt16BE(4);
      const hh = rh.readUInt16BE(6);
      const enc = rh.readInt32BE(8);
      if (enc === ENC_LAST_RECT) break;
      rects++;
      if (enc === ENC_DESKTOP_SIZE) {
        this.width = w;
        this.height = hh;
        continue;
      }
      let pixel: number | null = null;
      if (enc === ENC_RAW) {
        const data = await r.read(w * hh * 4);
        if (w * hh > 0) pixel = data.readUInt32LE(0) & 0xffffff;
      } else if (enc === ENC_ZRLE) {
        const len = await r.u32();
        pixel = firstZrlePixel(await this.inflateRect(await r.read(len)), w, hh);
      } else if (enc === ENC_COPYRECT) {
        await r.read(4);
      } else {
        throw new Error(`the server sent encoding ${enc}, which the bench did not ask for`);
      }
      if (first === null && pixel !== null) first = { x, y, pixel };
      if (n === 0xffff && i > 1e6) break;
    }
    n = rects;
    this.updates++;
    this.request(true);
    this.onUpdate({ atMs: performance.timeOrigin + performance.now(), bytes: r.consumed - before, rects: n, first });
  }

  /** Inflates one ZRLE rectangle's data; the server ends each with a sync flush. */
  private inflateRect(data: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.inflated = [];
      this.inflate.write(data);
      this.inflate.flush(zc.Z_SYNC_FLUSH, () => {
        const out = Buffer.concat(this.inflated);
        this.inflated = [];
        if (out.length === 0 && data.length > 0) reject(new Error('ZRLE data inflated to nothing'));
        else resolve(out);
      });
    });
  }
}

/** The first pixel of a ZRLE rectangle's first tile (CPIXELs are 3 bytes at depth 24). */
function firstZrlePixel(t: Buffer, w: number, h: number): number | null {
  if (w === 0 || h === 0 || t.length < 4) return null;
  const sub = t[0]!;
  const cpixel = (o: number): number => t[o]! | (t[o + 1]! << 8) | (t[o + 2]! << 16);
  if (sub === 0 || sub === 1 || sub === 128) return cpixel(1); // raw, solid, plain RLE: the first CPIXEL
  if (sub >= 2 && sub <= 16) {
    const bits = sub === 2 ? 1 : sub <= 4 ? 2 : 4;
    const index = t[1 + 3 * sub]! >> (8 - bits);
    return cpixel(1 + 3 * index);
  }
  if (sub >= 130) {
    const size = sub - 128;
    const index = t[1 + 3 * size]! & 0x7f;
    return cpixel(1 + 3 * index);
  }
  return null;
}
