/**
 * A small RFB client for the protocol tests, written from RFC 6143 (not from the server's code):
 * it speaks the handshake of any version, sends any message (well-formed or not), and reads
 * FramebufferUpdates, decoding Raw pixels and the pseudo-rectangles, and zlib-inflating ZRLE and
 * Tight so their pixels can be checked too.
 */
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, createWebSocketStream } from 'ws';
import { inflateSync, constants } from 'node:zlib';
import { vncAuthResponse } from '../../../src/host/rfb/vnc-auth.js';

export interface UpdateRect {
  x: number;
  y: number;
  w: number;
  h: number;
  encoding: number;
  /** Raw: the pixel bytes; Cursor: pixels then mask; ExtendedDesktopSize: the screen list. */
  data: Buffer;
}

export class RfbTestClient {
  readonly socket: Socket;
  private readonly stream: Duplex;
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  closed = false;
  width = 0;
  height = 0;
  name = '';
  bytesPerPixel = 4;
  /** The zlib streams (ZRLE's one, Tight's four), as all their input so far. */
  private readonly streams: Record<string, { input: Buffer; outLength: number }> = {};

  private constructor(socket: Duplex) {
    this.socket = socket as Socket;
    this.stream = socket;
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    // 'end' too: a WebSocket stream ends when the server closes but is not destroyed (it stays writable).
    const closed = (): void => {
      this.closed = true;
      this.wake();
    };
    socket.on('close', closed);
    socket.on('end', closed);
    socket.on('error', () => undefined);
  }

  /** Over WebSocket (binary messages), as noVNC connects to `/rfb`. */
  static webSocket(url: string): Promise<RfbTestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { origin: new URL(url).origin.replace(/^ws/, 'http') });
      ws.once('open', () => resolve(new RfbTestClient(createWebSocketStream(ws))));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RfbTestClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new RfbTestClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** The next n bytes; rejects when the server closes first or after timeoutMs. */
  async read(n: number, timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.closed) throw new Error(`closed with ${this.buf.length} of ${n} bytes`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${n} bytes (have ${this.buf.length})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiter = () => {
          clearTimeout(t);
          r();
        };
      });
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Resolves when the server has closed the connection (after reading whatever it still sent). */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('the server did not close the connection');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiter = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }

  write(b: Buffer | number[]): void {
    this.stream.write(Buffer.isBuffer(b) ? b : Buffer.from(b));
  }

  close(): void {
    this.stream.destroy();
  }

  /**
   * The handshake up to ServerInit. `version` is what the client announces; `password` answers VNC
   * Authentication. Returns what the server offered (3.7/3.8: the list; 3.3: the one type).
   */
  async handshake(version = 'RFB 003.008\n', opts: { choose?: number; password?: string; shared?: boolean } = {}): Promise<{ types: number[] }> {
    const serverVersion = (await this.read(12)).toString('latin1');
    if (!/^RFB 003\.00[378]\n$/.test(serverVersion)) throw new Error(`server version ${JSON.stringify(serverVersion)}`);
    this.write(Buffer.from(version, 'latin1'));
    const minor = Number(version.slice(8, 11));
    let types: number[];
    let chosen: number;
    if (minor < 7) {
      chosen = (await this.read(4)).readUInt32BE(0);
      types = [chosen];
      if (chosen === 0) throw new Error(`refused: ${await this.readReason()}`);
    } else {
      const n = (await this.read(1))[0]!;
      if (n === 0) throw new Error(`refused: ${await this.readReason()}`);
      types = [...(await this.read(n))];
      chosen = opts.choose ?? types[0]!;
      this.write([chosen]);
    }
    if (chosen === 2) {
      const challenge = await this.read(16);
      this.write(vncAuthResponse(opts.password ?? '', challenge));
    }
    if (chosen === 2 || minor >= 8) {
      const result = (await this.read(4)).readUInt32BE(0);
      if (result !== 0) throw new Error(minor >= 8 ? `security failed: ${await this.readReason()}` : 'security failed');
    }
    this.write([opts.shared === false ? 0 : 1]);
    const init = await this.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    this.bytesPerPixel = init[4]! >> 3;
    this.name = (await this.read(init.readUInt32BE(20))).toString('utf8');
    return { types };
  }

  async readReason(): Promise<string> {
    const n = (await this.read(4)).readUInt32BE(0);
    return (await this.read(n)).toString('utf8');
  }

  setEncodings(encodings: number[]): void {
    const b = Buffer.alloc(4 + 4 * encodings.length);
    b[0] = 2;
    b.writeUInt16BE(encodings.length, 2);
    encodings.forEach((e, i) => b.writeInt32BE(e, 4 + 4 * i));
    this.write(b);
  }

  /** 16 bytes of PIXEL_FORMAT. */
  setPixelFormat(pf: { bpp: number; depth: number; bigEndian?: boolean; trueColour?: boolean; max: [number, number, number]; shift: [number, number, number] }): void {
    const b = Buffer.alloc(20);
    b[0] = 0;
    b[4] = pf.bpp;
    b[5] = pf.depth;
    b[6] = pf.bigEndian ? 1 : 0;
    b[7] = pf.trueColour === false ? 0 : 1;
    b.writeUInt16BE(pf.max[0], 8);
    b.writeUInt16BE(pf.max[1], 10);
    b.writeUInt16BE(pf.max[2], 12);
    b[14] = pf.shift[0];
    b[15] = pf.shift[1];
    b[16] = pf.shift[2];
    this.write(b);
    this.bytesPerPixel = pf.bpp >> 3;
  }

  requestUpdate(incremental: boolean, x = 0, y = 0, w = this.width, h = this.height): void {
    const b = Buffer.alloc(10);
    b[0] = 3;
    b[1] = incremental ? 1 : 0;
    b.writeUInt16BE(x, 2);
    b.writeUInt16BE(y, 4);
    b.writeUInt16BE(w, 6);
    b.writeUInt16BE(h, 8);
    this.write(b);
  }

  /** Reads server messages until a FramebufferUpdate; returns its rectangles (cut texts go to `cutTexts`, fences to `fences`). */
  readonly cutTexts: string[] = [];
  /** The server's Fence messages, in order (this client answers only when told to: `fence()`). */
  readonly fences: Array<{ flags: number; payload: Buffer }> = [];
  /** EndOfContinuousUpdates messages received. */
  endsOfContinuousUpdates = 0;
  async readUpdate(timeoutMs = 10_000): Promise<UpdateRect[]> {
    for (;;) {
      const m = await this.readMessage(timeoutMs);
      if (m.type === 'update') return m.rects;
    }
  }

  /** Reads the next server message (RFC 6143 7.6, plus EndOfContinuousUpdates 150 and Fence 248). */
  async readMessage(timeoutMs = 10_000): Promise<{ type: 'update'; rects: UpdateRect[] } | { type: 'cut-text' | 'end-of-continuous-updates' | 'fence' }> {
    const type = (await this.read(1, timeoutMs))[0]!;
    if (type === 3) {
      const h = await this.read(7, timeoutMs);
      this.cutTexts.push((await this.read(h.readUInt32BE(3), timeoutMs)).toString('latin1'));
      return { type: 'cut-text' };
    }
    if (type === 150) {
      this.endsOfContinuousUpdates++;
      return { type: 'end-of-continuous-updates' };
    }
    if (type === 248) {
      const h = await this.read(8, timeoutMs);
      this.fences.push({ flags: h.readUInt32BE(3), payload: Buffer.from(await this.read(h[7]!, timeoutMs)) });
      return { type: 'fence' };
    }
    if (type !== 0) throw new Error(`unexpected server message type ${type}`);
    const n = (await this.read(3, timeoutMs)).readUInt16BE(1);
    const rects: UpdateRect[] = [];
    for (let i = 0; i < n; i++) {
      const h = await this.read(12, timeoutMs);
      const r: UpdateRect = { x: h.readUInt16BE(0), y: h.readUInt16BE(2), w: h.readUInt16BE(4), h: h.readUInt16BE(6), encoding: h.readInt32BE(8), data: Buffer.alloc(0) };
      if (r.encoding === -224) break; // LastRect
      r.data = await this.readRectData(r, timeoutMs);
      rects.push(r);
      if (r.encoding === -223 || r.encoding === -308) {
        this.width = r.w;
        this.height = r.h;
      }
    }
    return { type: 'update', rects };
  }

  /** EnableContinuousUpdates (150): enable flag, then the area. */
  enableContinuousUpdates(enable: boolean, x = 0, y = 0, w = this.width, h = this.height): void {
    const b = Buffer.alloc(10);
    b[0] = 150;
    b[1] = enable ? 1 : 0;
    b.writeUInt16BE(x, 2);
    b.writeUInt16BE(y, 4);
    b.writeUInt16BE(w, 6);
    b.writeUInt16BE(h, 8);
    this.write(b);
  }

  /** A Fence (248): 3 bytes of padding, the flags, the payload's length, the payload. */
  fence(flags: number, payload: Buffer): void {
    const b = Buffer.alloc(9 + payload.length);
    b[0] = 248;
    b.writeUInt32BE(flags >>> 0, 4);
    b[8] = payload.length;
    payload.copy(b, 9);
    this.write(b);
  }

  /** How many bytes have arrived and not been read yet (0 = the server has sent nothing more). */
  get unread(): number {
    return this.buf.length;
  }

  private async readRectData(r: UpdateRect, t: number): Promise<Buffer> {
    const bpp = this.bytesPerPixel;
    switch (r.encoding) {
      case 0:
        return this.read(r.w * r.h * bpp, t);
      case -239:
        return this.read(r.w * r.h * bpp + ((r.w + 7) >> 3) * r.h, t);
      case -223:
        return Buffer.alloc(0);
      case -308: {
        const head = await this.read(4, t);
        return Buffer.concat([head, await this.read(16 * head[0]!, t)]);
      }
      case 16: {
        const len = (await this.read(4, t)).readUInt32BE(0);
        return this.inflate('zrle', await this.read(len, t));
      }
      case 7:
        return this.readTight(r, t);
      default:
        throw new Error(`encoding ${r.encoding} not expected`);
    }
  }

  /** Tight: returns the control byte followed by the decoded payload (inflated where zlib'd). */
  private async readTight(r: UpdateRect, t: number): Promise<Buffer> {
    const ctrl = (await this.read(1, t))[0]!;
    const tp = this.bytesPerPixel === 4 ? 3 : this.bytesPerPixel;
    const kind = ctrl >> 4;
    if (kind === 8) return Buffer.concat([Buffer.from([ctrl]), await this.read(tp, t)]);
    if (kind === 9) return Buffer.concat([Buffer.from([ctrl]), await this.read(await this.compactLength(t), t)]);
    const stream = (ctrl >> 4) & 3;
    let filter = 0;
    let head = Buffer.alloc(0);
    if (ctrl & 0x40) {
      filter = (await this.read(1, t))[0]!;
      if (filter === 1) {
        const n = (await this.read(1, t))[0]! + 1;
        head = Buffer.concat([Buffer.from([n - 1]), await this.read(n * tp, t)]);
      }
    }
    const n = filter === 1 ? head[0]! + 1 : 0;
    const raw = filter === 1 ? (n === 2 ? ((r.w + 7) >> 3) * r.h : r.w * r.h) : r.w * r.h * tp;
    const data = raw < 12 ? await this.read(raw, t) : this.inflate(`tight${stream}`, await this.read(await this.compactLength(t), t));
    return Buffer.concat([Buffer.from([ctrl, filter]), head, data]);
  }

  private async compactLength(t: number): Promise<number> {
    let n = 0;
    for (let i = 0; i < 3; i++) {
      const b = (await this.read(1, t))[0]!;
      n |= (i < 2 ? b & 0x7f : b) << (7 * i);
      if (i < 2 && !(b & 0x80)) break;
    }
    return n;
  }

  private inflate(which: string, data: Buffer): Buffer {
    // A persistent stream: each message continues the previous one (sync-flushed), so the whole
    // stream so far is inflated and the new output is what follows the previous output.
    const st = (this.streams[which] ??= { input: Buffer.alloc(0), outLength: 0 });
    st.input = Buffer.concat([st.input, data]);
    const all = inflateSync(st.input, { finishFlush: constants.Z_SYNC_FLUSH });
    const out = all.subarray(st.outLength);
    st.outLength = all.length;
    return out;
  }
}
