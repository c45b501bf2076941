/**
 * Client-to-server messages after the handshake (RFC 6143 7.5), parsed from a ByteQueue.
 *
 * Every length a client declares is bounded on the header, before its body is awaited, so a
 * hostile length costs nothing: a ClientCutText over MAX_CUT_TEXT_BYTES, a SetEncodings over
 * MAX_ENCODINGS, a SetDesktopSize over MAX_SCREENS, an extended-clipboard (negative) length the
 * server never offered, or a message type the server does not know (its length is then unknown,
 * so the stream cannot be resynchronised), a Fence payload over MAX_FENCE_PAYLOAD, are protocol errors: the client is disconnected with
 * that reason.
 */
import type { ByteQueue } from './byte-queue.js';
import { ClientMessage, MAX_FENCE_PAYLOAD } from './rfb-constants.js';
import { PIXEL_FORMAT_SIZE, readPixelFormat, type RfbPixelFormat } from './rfb-pixel-format.js';
import type { DesktopScreen } from './desktop-layout.js';

export const MAX_CUT_TEXT_BYTES = 1 << 20;
export const MAX_ENCODINGS = 1024;
export const MAX_SCREENS = 16;

export type ClientMsg =
  | { type: 'set-pixel-format'; format: RfbPixelFormat }
  | { type: 'set-encodings'; encodings: Int32Array }
  | { type: 'update-request'; incremental: boolean; x: number; y: number; w: number; h: number }
  | { type: 'key'; down: boolean; keysym: number }
  | { type: 'pointer'; buttonMask: number; x: number; y: number }
  | { type: 'cut-text'; text: string }
  | { type: 'set-desktop-size'; width: number; height: number; screens: DesktopScreen[] }
  | { type: 'enable-continuous-updates'; enable: boolean; x: number; y: number; w: number; h: number }
  | { type: 'fence'; flags: number; payload: Buffer };

export type ParseResult = { msg: ClientMsg } | { error: string } | null;

/** Parses one message if all of it has arrived; null = wait for more bytes. */
export function parseClientMessage(q: ByteQueue): ParseResult {
  if (q.length < 1) return null;
  const type = q.byteAt(0);
  switch (type) {
    case ClientMessage.SetPixelFormat: {
      if (q.length < 4 + PIXEL_FORMAT_SIZE) return null;
      const b = q.take(4 + PIXEL_FORMAT_SIZE);
      return { msg: { type: 'set-pixel-format', format: readPixelFormat(b, 4) } };
    }
    case ClientMessage.SetEncodings: {
      if (q.length < 4) return null;
      const n = q.u16At(2);
      if (n > MAX_ENCODINGS) return { error: `SetEncodings with ${n} encodings (at most ${MAX_ENCODINGS})` };
      if (q.length < 4 + 4 * n) return null;
      const b = q.take(4 + 4 * n);
      const encodings = new Int32Array(n);
      for (let i = 0; i < n; i++) encodings[i] = b.readInt32BE(4 + 4 * i);
      return { msg: { type: 'set-encodings', encodings } };
    }
    case ClientMessage.FramebufferUpdateRequest: {
      if (q.length < 10) return null;
      const b = q.take(10);
      return { msg: { type: 'update-request', incremental: b[1] !== 0, x: b.readUInt16BE(2), y: b.readUInt16BE(4), w: b.readUInt16BE(6), h: b.readUInt16BE(8) } };
    }
    case ClientMessage.KeyEvent: {
      if (q.length < 8) return null;
      const b = q.take(8);
      return { msg: { type: 'key', down: b[1] !== 0, keysym: b.readUInt32BE(4) } };
    }
    case ClientMessage.PointerEvent: {
      if (q.length < 6) return null;
      const b = q.take(6);
      return { msg: { type: 'pointer', buttonMask: b[1]!, x: b.readUInt16BE(2), y: b.readUInt16BE(4) } };
    }
    case ClientMessage.ClientCutText: {
      if (q.length < 8) return null;
      const raw = q.u32At(4);
      if (raw & 0x80000000) return { error: 'ClientCutText with a negative (extended clipboard) length, which this server never offered' };
      if (raw > MAX_CUT_TEXT_BYTES) return { error: `ClientCutText of ${raw} bytes (at most ${MAX_CUT_TEXT_BYTES})` };
      if (q.length < 8 + raw) return null;
      const b = q.take(8 + raw);
      return { msg: { type: 'cut-text', text: b.toString('latin1', 8) } };
    }
    case ClientMessage.SetDesktopSize: {
      if (q.length < 8) return null;
      const screens = q.byteAt(6);
      if (screens > MAX_SCREENS) return { error: `SetDesktopSize with ${screens} screens (at most ${MAX_SCREENS})` };
      if (q.length < 8 + 16 * screens) return null;
      const b = q.take(8 + 16 * screens);
      const list: DesktopScreen[] = [];
      for (let i = 0, o = 8; i < screens; i++, o += 16) {
        list.push({ id: b.readUInt32BE(o), x: b.readUInt16BE(o + 4), y: b.readUInt16BE(o + 6), w: b.readUInt16BE(o + 8), h: b.readUInt16BE(o + 10) });
      }
      return { msg: { type: 'set-desktop-size', width: b.readUInt16BE(2), height: b.readUInt16BE(4), screens: list } };
    }
    case ClientMessage.EnableContinuousUpdates: {
      if (q.length < 10) return null;
      const b = q.take(10);
      return { msg: { type: 'enable-continuous-updates', enable: b[1] !== 0, x: b.readUInt16BE(2), y: b.readUInt16BE(4), w: b.readUInt16BE(6), h: b.readUInt16BE(8) } };
    }
    case ClientMessage.Fence: {
      if (q.length < 9) return null;
      const n = q.byteAt(8);
      if (n > MAX_FENCE_PAYLOAD) return { error: `Fence with a ${n}-byte payload (at most ${MAX_FENCE_PAYLOAD})` };
      if (q.length < 9 + n) return null;
      const b = q.take(9 + n);
      return { msg: { type: 'fence', flags: b.readUInt32BE(4), payload: Buffer.from(b.subarray(9)) } };
    }
    default:
      return { error: `unknown client message type ${type}` };
  }
}
