/**
 * The byte pipe under one RFB session: a TCP socket (`serve --vnc`) or a WebSocket (`/rfb` on the
 * viewer's port, binary messages, for noVNC). The session sees only this interface, so both carry
 * exactly the same protocol.
 *
 * `bufferedBytes` is what the session checks before it starts an update (backpressure): written
 * but not yet taken by the kernel. `onDrain` fires when that amount has fallen low again.
 */
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

export interface RfbTransport {
  readonly kind: 'tcp' | 'websocket';
  /** "address:port" of the peer, for the log (never a secret). */
  readonly peer: string;
  readonly bufferedBytes: number;
  /** Writes the chunks in order; the array is not kept (the caller may reuse it), the buffers are. */
  write(chunks: readonly Buffer[]): void;
  onData(cb: (b: Buffer) => void): void;
  onDrain(cb: () => void): void;
  onClose(cb: () => void): void;
  /** Ends the connection after what was written (a WebSocket says why in its close frame). */
  end(reason: string): void;
  destroy(): void;
}

/** Chunks of at most this many bytes in all are copied into one buffer and written at once. */
const COALESCE_MAX_BYTES = 16 * 1024;

export function tcpTransport(socket: Socket): RfbTransport {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  return {
    kind: 'tcp',
    peer,
    get bufferedBytes() {
      return socket.writableLength;
    },
    write(chunks) {
      if (socket.destroyed) return;
      if (chunks.length === 1) {
        socket.write(chunks[0]!);
        return;
      }
      let total = 0;
      for (const c of chunks) total += c.length;
      // A small update (a desktop's, a flat animation's: ~60 bytes in 3 chunks) is one buffer and
      // one write: the corked writev path costs several times the copy of a few KiB.
      if (total <= COALESCE_MAX_BYTES) {
        socket.write(Buffer.concat(chunks, total));
        return;
      }
      socket.cork();
      for (const c of chunks) socket.write(c);
      socket.uncork();
    },
    onData: (cb) => socket.on('data', cb),
    onDrain: (cb) => socket.on('drain', cb),
    onClose: (cb) => socket.on('close', cb),
    end: () => socket.end(),
    destroy: () => socket.destroy(),
  };
}

/** Below this, a WebSocket counts as drained. */
const WS_LOW_WATER = 64 * 1024;

export function webSocketTransport(ws: WebSocket, peer: string): RfbTransport {
  const drains: Array<() => void> = [];
  ws.on('error', () => ws.terminate());
  return {
    kind: 'websocket',
    peer,
    get bufferedBytes() {
      return ws.bufferedAmount;
    },
    write(chunks) {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), { binary: true }, () => {
        if (ws.bufferedAmount < WS_LOW_WATER) for (const d of drains) d();
      });
    },
    onData: (cb) =>
      ws.on('message', (data, isBinary) => {
        // noVNC sends binary frames; a text frame is treated as its bytes all the same.
        if (Array.isArray(data)) cb(Buffer.concat(data));
        else cb(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
        void isBinary;
      }),
    onDrain: (cb) => drains.push(cb),
    onClose: (cb) => ws.on('close', cb),
    end: (reason) => {
      // A close reason is at most 123 bytes.
      if (ws.readyState === WebSocket.OPEN) ws.close(1008, Buffer.from(reason).subarray(0, 120).toString());
      else ws.terminate();
    },
    destroy: () => ws.terminate(),
  };
}
