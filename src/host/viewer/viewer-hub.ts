/**
 * The WebSocket side of the viewer: one hub per server, one ViewerClient per open page.
 *
 * Frames are DROPPED, never queued: a page holds at most MAX_FRAMES_IN_FLIGHT unacknowledged frames
 * and is sent a frame only while its socket's buffered amount is low. A frame that arrives while a
 * page is busy only marks the page "wants a frame" (replacing, and counting, any frame it was
 * already waiting for); when the page acknowledges, it gets the NEWEST frame. So a slow page sees
 * fewer frames, never older ones, and the server's memory does not grow with the lag.
 *
 * A tick (TICK_MS) pushes what changed since the last one: new recovery events, the cursor, and
 * (every statsIntervalMs) the stats.
 */
import { WebSocket } from 'ws';
import { VdpushError } from '../../contract/errors.js';
import type { CursorView } from '../sinks/frame-view.js';
import { FrameMessageEncoder, encodeCursorShape } from './frame-messages.js';
import {
  MAX_FRAMES_IN_FLIGHT,
  PROTOCOL_VERSION,
  parseClientMessage,
  type CursorPosition,
  type ServerMessage,
} from './viewer-protocol.js';
import type { ViewerSource } from './viewer-source.js';

const TICK_MS = 50;
/** Above this many bytes waiting in a page's socket, no frame is sent to it. */
const BUFFERED_LIMIT = 1 << 20;
/** How soon to look again at a page whose socket was too full. */
const RETRY_MS = 10;
const CLOSE_GRACE_MS = 500;

export interface HubOptions {
  maxWidth: number;
  maxHeight: number;
  statsIntervalMs: number;
  /** The RFB targets served at `/rfb?target=N` (empty: no RFB endpoint, the page needs raw frames). */
  rfbTargets?: readonly number[];
  /** True when the session ignores remote input (`serve --view-only`); the page tells noVNC. */
  viewOnly?: boolean;
  /** Told when a page connects or leaves and when a page injects a fault (serve logs these). */
  onActivity?: (a: ViewerActivity) => void;
}

/** What a page asks for in its `/ws` URL (`?rawFrames=`): raw frames always, never, or only without RFB. */
export type RawFramesWanted = '1' | '0' | 'auto';

/** What happened on the viewer, for a log; `peer` is the page's remote address. */
export type ViewerActivity =
  | { type: 'client-connected' | 'client-left'; peer: string; clients: number }
  | { type: 'fault-injected'; kind: string };

export interface InjectResult {
  /** HTTP status: 200 done, 400 unknown kind, 409 the source cannot inject, 500 the injection failed. */
  status: number;
  error?: string;
}

class ViewerClient {
  inFlight = 0;
  wantsFrame = true;
  /** False for a page that draws through noVNC over /rfb and wants only the panel's messages. */
  rawFrames = true;
  sent = 0;
  sentAtLastStats = 0;
  skipped = 0;
  eventsSent = 0;
  retry: NodeJS.Timeout | null = null;
  constructor(
    readonly ws: WebSocket,
    readonly peer: string,
  ) {}
}

export class ViewerHub {
  private readonly clients = new Set<ViewerClient>();
  private readonly encoder: FrameMessageEncoder;
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout;
  private framesSeen = 0;
  private framesAtLastStats = 0;
  private lastStatsAt = performance.now();
  private lastStatsSent = 0;
  private sourceFps = 0;
  private cursorKey = '';
  private cursorPos: CursorPosition | null = null;
  private shapeId = -1;
  private shapeMessage: Buffer | null = null;
  private closed = false;

  constructor(
    private readonly source: ViewerSource,
    private readonly opts: HubOptions,
  ) {
    this.encoder = new FrameMessageEncoder(opts.maxWidth, opts.maxHeight);
    this.unsubscribe = source.onFrame(() => this.onFrame());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  add(ws: WebSocket, rawFrames: RawFramesWanted = '1', peer = ''): void {
    if (this.closed) {
      ws.close(1001, 'server closing');
      return;
    }
    const c = new ViewerClient(ws, peer);
    const rfbTargets = this.opts.rfbTargets ?? [];
    c.rawFrames = rawFrames === '1' || (rawFrames === 'auto' && rfbTargets.length === 0);
    this.clients.add(c);
    this.opts.onActivity?.({ type: 'client-connected', peer, clients: this.clients.size });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onMessage(c, data.toString());
    });
    ws.on('close', () => this.remove(c));
    ws.on('error', () => this.remove(c));
    this.sendJson(c, {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      faultKinds: this.source.faultKinds(),
      maxWidth: this.opts.maxWidth,
      maxHeight: this.opts.maxHeight,
      rawFrames: c.rawFrames,
      rfbTargets,
      viewOnly: this.opts.viewOnly === true,
    });
    this.sendStats(c, 0);
    this.sendNewEvents(c);
    if (this.shapeMessage) this.sendRaw(c, this.shapeMessage);
    if (this.cursorPos) this.sendJson(c, { type: 'cursor', cursor: this.cursorPos });
    this.trySend(c);
  }

  /** Injects a fault if the source can; the resulting recovery events reach the pages at once. */
  inject(kind: string): InjectResult {
    const kinds = this.source.faultKinds();
    if (kinds.length === 0) return { status: 409, error: 'this source cannot inject faults (only the simulated display can)' };
    if (!kinds.includes(kind)) return { status: 400, error: `unknown fault kind "${kind}"; known: ${kinds.join(', ')}` };
    try {
      this.source.injectFault(kind);
    } catch (err) {
      return { status: err instanceof VdpushError ? 400 : 500, error: (err as Error).message };
    }
    this.opts.onActivity?.({ type: 'fault-injected', kind });
    this.tick();
    return { status: 200 };
  }

  /** Sends every page a close frame, then cuts the ones that have not closed after a grace period. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.unsubscribe();
    const waits: Promise<void>[] = [];
    for (const c of this.clients) {
      if (c.retry) clearTimeout(c.retry);
      waits.push(new Promise((resolve) => c.ws.once('close', () => resolve())));
      c.ws.close(1001, 'server closing');
    }
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waits), new Promise((r) => (grace = setTimeout(r, CLOSE_GRACE_MS)))]);
    clearTimeout(grace);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
  }

  private remove(c: ViewerClient): void {
    if (c.retry) clearTimeout(c.retry);
    c.retry = null;
    // 'error' and 'close' both arrive for a failed socket: tell once.
    if (this.clients.delete(c)) this.opts.onActivity?.({ type: 'client-left', peer: c.peer, clients: this.clients.size });
  }

  private onFrame(): void {
    this.framesSeen++;
    for (const c of this.clients) {
      if (c.wantsFrame && c.sent > 0) c.skipped++; // the frame it was waiting for is superseded
      c.wantsFrame = true;
      this.trySend(c);
    }
    this.checkCursor();
  }

  private onMessage(c: ViewerClient, text: string): void {
    const m = parseClientMessage(text);
    if (m === null) return;
    if (m.type === 'ack') {
      if (c.inFlight > 0) c.inFlight--;
      this.trySend(c);
    } else {
      const r = this.inject(m.kind);
      this.sendJson(c, r.error === undefined ? { type: 'fault', kind: m.kind, ok: true } : { type: 'fault', kind: m.kind, ok: false, error: r.error });
    }
  }

  private trySend(c: ViewerClient): void {
    if (!c.rawFrames || !c.wantsFrame || c.ws.readyState !== WebSocket.OPEN || c.inFlight >= MAX_FRAMES_IN_FLIGHT) return;
    if (c.ws.bufferedAmount > BUFFERED_LIMIT) {
      c.retry ??= setTimeout(() => {
        c.retry = null;
        this.trySend(c);
      }, RETRY_MS);
      return;
    }
    const frame = this.source.latestFrame();
    if (frame === null) return; // the next onFrame brings one
    const msg = this.encoder.encode(frame);
    c.wantsFrame = false;
    if (msg === null) return;
    msg.refs++;
    c.inFlight++;
    c.sent++;
    c.ws.send(msg.buf, { binary: true }, msg.done);
  }

  private tick(): void {
    if (this.closed) return;
    this.checkCursor();
    for (const c of this.clients) this.sendNewEvents(c);
    const now = performance.now();
    if (now - this.lastStatsSent < this.opts.statsIntervalMs) return;
    this.lastStatsSent = now;
    const secs = (now - this.lastStatsAt) / 1000;
    this.sourceFps = secs > 0 ? (this.framesSeen - this.framesAtLastStats) / secs : 0;
    this.framesAtLastStats = this.framesSeen;
    this.lastStatsAt = now;
    for (const c of this.clients) {
      this.sendStats(c, secs > 0 ? (c.sent - c.sentAtLastStats) / secs : 0);
      c.sentAtLastStats = c.sent;
    }
  }

  private sendStats(c: ViewerClient, sentFps: number): void {
    let stats;
    try {
      stats = this.source.stats();
    } catch (err) {
      stats = { error: (err as Error).message };
    }
    const round = (x: number): number => Math.round(x * 10) / 10;
    this.sendJson(c, {
      type: 'stats',
      stats,
      viewer: { sourceFps: round(this.sourceFps), sentFps: round(sentFps), sent: c.sent, skipped: c.skipped, clients: this.clients.size },
    });
  }

  private sendNewEvents(c: ViewerClient): void {
    const events = this.source.recoveryEvents();
    if (events.length === c.eventsSent) return;
    const reset = events.length < c.eventsSent;
    this.sendJson(c, { type: 'recovery', events: reset ? events : events.slice(c.eventsSent), reset });
    c.eventsSent = events.length;
  }

  private checkCursor(): void {
    const cur: CursorView | null = this.source.cursor?.() ?? null;
    if (cur && cur.shapeId !== this.shapeId) {
      this.shapeId = cur.shapeId;
      this.shapeMessage = encodeCursorShape(cur);
      if (this.shapeMessage) for (const c of this.clients) this.sendRaw(c, this.shapeMessage);
    }
    const key = cur ? `${+cur.visible}:${cur.x}:${cur.y}:${cur.hotX}:${cur.hotY}:${cur.shapeId}:${cur.width}:${cur.height}` : '';
    if (key === this.cursorKey) return;
    this.cursorKey = key;
    this.cursorPos = cur
      ? { visible: cur.visible, x: cur.x, y: cur.y, hotX: cur.hotX, hotY: cur.hotY, shapeId: cur.shapeId, width: cur.width, height: cur.height }
      : null;
    for (const c of this.clients) this.sendJson(c, { type: 'cursor', cursor: this.cursorPos });
  }

  private sendJson(c: ViewerClient, m: ServerMessage): void {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(JSON.stringify(m));
  }

  private sendRaw(c: ViewerClient, b: Buffer): void {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(b, { binary: true });
  }
}
