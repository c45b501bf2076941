/** Small clients for the viewer tests: HTTP with chosen headers, and a WebSocket that records what arrives. */
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { FRAME_MAGIC, FrameHeader } from '../../../src/host/viewer/viewer-protocol.js';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function http(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface ReceivedFrame {
  sequence: number;
  width: number;
  height: number;
  sourceWidth: number;
  sourceHeight: number;
  pixels: Buffer;
}

/** A page stand-in: records JSON messages and frames; acknowledges frames only when told to. */
export class TestClient {
  readonly json: Array<Record<string, unknown>> = [];
  readonly frames: ReceivedFrame[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        if (data.readUInt32LE(FrameHeader.MAGIC) === FRAME_MAGIC) {
          this.frames.push({
            sequence: data.readUInt32LE(FrameHeader.SEQUENCE),
            width: data.readUInt32LE(FrameHeader.WIDTH),
            height: data.readUInt32LE(FrameHeader.HEIGHT),
            sourceWidth: data.readUInt32LE(FrameHeader.SOURCE_WIDTH),
            sourceHeight: data.readUInt32LE(FrameHeader.SOURCE_HEIGHT),
            pixels: data.subarray(32),
          });
        }
      } else {
        this.json.push(JSON.parse(data.toString()) as Record<string, unknown>);
      }
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const c = new TestClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }

  /** Resolves when `pred` holds, checking after every message; rejects after `ms`. */
  until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      const check = (): void => {
        if (pred()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  ofType(type: string): Array<Record<string, unknown>> {
    return this.json.filter((m) => m['type'] === type);
  }

  ack(sequence: number): void {
    this.ws.send(JSON.stringify({ type: 'ack', sequence }));
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** How a WebSocket upgrade ends: 'open', or the refusal's HTTP status. */
export function upgradeOutcome(url: string, headers: Record<string, string> = {}): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', () => undefined);
  });
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
