/**
 * The WebSocket side of the viewer: one hub per server, one ViewerClient per open page.
 *
 * Frames are DROPPED, never queued: a page holds at most MAX_FRAMES_IN_FLIGHT unacknowledged frames
 * and is sent a frame only while its socket's buffered amount is low. A frame that arrives while a
 * page is busy only marks the page "wants a frame" (replacing, and counting, any frame it was
 * already waiting for); when the page acknowledges, it gets the NEWEST frame. So a slow page sees
 * fewer frames, never older ones, and the server's memory does not grow with the lag.
 *
 * While a page is connected, a tick (TICK_MS) pushes what changed since the last one: new recovery
 * events, the cursor, and (every statsIntervalMs) the stats, with one panel per monitor when the source has several. The
 * stats are read from the source once per push and the same message goes to every page.
 *
 * A page's requests (inject a fault, set a monitor's mode) go through viewer-actions.ts; the page
 * gets a typed answer ({type:'fault'} / {type:'mode'}) and, once it is done, fresh stats at once
 * (a plugged or unplugged monitor's panel, a new mode) rather than at the next interval.
 */
import { WebSocket } from 'ws';
import type { CursorView } from '../sinks/frame-view.js';
import { injectFault, setMode, type ActionResult } from './viewer-actions.js';
import { FrameMessageEncoder, encodeCursorShape } from './frame-messages.js';
import {
  MAX_FRAMES_IN_FLIGHT,
  PROTOCOL_VERSION,
  parseClientMessage,
  type CursorPosition,
  type ServerMessage,
  type ViewerMonitorMessage,
} from './viewer-protocol.js';
import type { ViewerSource, ViewerStats } from './viewer-source.js';

/** The refusal part of an answer to a page: nothing when it was done. */
function failure(r: ActionResult): { error?: string; code?: string } {
  if (r.status === 200) return {};
  return { error: r.error ?? 'failed', ...(r.code !== undefined ? { code: r.code } : {}) };
}

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
  /**
   * The RFB targets served at `/rfb?target=N` now (empty: no RFB endpoint, the page needs raw
   * frames). Read at every push: monitors plugged in later may be served later.
   */
  rfbTargets?: () => readonly number[];
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
  | { type: 'fault-injected'; kind: string; targetId?: number }
  | { type: 'mode-set'; targetId: number; mode: string };

export type InjectResult = ActionResult;

class ViewerClient {
  inFlight = 0;
  wantsFrame = true;
  /** False for a page that draws through noVNC over /rfb and wants only the panel's messages. */
  rawFrames = true;
  /** Ends this page's watch of the source's frames (ViewerSource.watch). */
  unwatch: () => void = () => undefined;
  sent = 0;
  sentAtLastStats = 0;
  sentFps = 0;
  /** The page's requests in flight, chained (see perform). */
  actions: Promise<void> = Promise.resolve();
  skipped = 0;
  eventsSent = 0;
  timelineSent = false;
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
  /** Runs only while a page is connected: with none, an idle display costs the hub nothing. */
  private timer: NodeJS.Timeout | null = null;
  private framesSeen = 0;
  private framesAtLastStats = 0;
  private lastStatsAt = performance.now();
  private lastStatsSent = 0;
  private sourceFps = 0;
  private cursorPos: CursorPosition | null = null;
  private shapeId = -1;
  private shapeMessage: Buffer | null = null;
  private closed = false;
  private servedKey = '';

  constructor(
    private readonly source: ViewerSource,
    private readonly opts: HubOptions,
  ) {
    this.encoder = new FrameMessageEncoder(opts.maxWidth, opts.maxHeight);
    this.unsubscribe = source.onFrame(() => this.onFrame());
  }

  private startTicking(): void {
    if (this.timer !== null || this.closed) return;
    this.lastStatsAt = performance.now();
    this.framesAtLastStats = this.framesSeen;
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
    const rfbTargets = this.rfbTargets();
    c.rawFrames = rawFrames === '1' || (rawFrames === 'auto' && rfbTargets.length === 0);
    this.clients.add(c);
    c.unwatch = this.source.watch?.() ?? c.unwatch;
    this.startTicking();
    this.checkCursor(); // not followed while no page was connected
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
    this.sendStats(c, 0, this.readStats());
    this.sendNewEvents(c);
    if (this.shapeMessage) this.sendRaw(c, this.shapeMessage);
    if (this.cursorPos) this.sendJson(c, { type: 'cursor', cursor: this.cursorPos });
    this.trySend(c);
  }

  /**
   * Injects a fault (into monitor `targetId` when given) if the source can; the resulting recovery
   * events and panels reach the pages at once.
   */
  async inject(kind: string, targetId?: number): Promise<InjectResult> {
    const r = await injectFault(this.source, kind, targetId);
    if (r.status === 200) this.opts.onActivity?.({ type: 'fault-injected', kind, ...(targetId !== undefined ? { targetId } : {}) });
    this.pushNow();
    return r;
  }

  /** Sets monitor `targetId`'s mode ('WxH@HZ'); resolves once the display committed it, or why not. */
  async setMode(targetId: number, mode: string): Promise<ActionResult> {
    const r = await setMode(this.source, targetId, mode);
    if (r.status === 200) this.opts.onActivity?.({ type: 'mode-set', targetId, mode });
    this.pushNow();
    return r;
  }

  private rfbTargets(): readonly number[] {
    return this.opts.rfbTargets?.() ?? [];
  }

  /** After a page's request: its events and the stats go out now, not at the next interval. */
  private pushNow(): void {
    if (this.closed || this.clients.size === 0) return;
    for (const c of this.clients) this.sendNewEvents(c);
    const read = this.readStats();
    for (const c of this.clients) this.sendStats(c, c.sentFps, read);
  }

  /** Sends every page a close frame, then cuts the ones that have not closed after a grace period. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
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
    for (const c of this.clients) {
      c.ws.terminate();
      c.unwatch();
    }
    this.clients.clear();
  }

  private remove(c: ViewerClient): void {
    if (c.retry) clearTimeout(c.retry);
    c.retry = null;
    // 'error' and 'close' both arrive for a failed socket: tell once.
    c.unwatch();
    if (this.clients.delete(c)) this.opts.onActivity?.({ type: 'client-left', peer: c.peer, clients: this.clients.size });
    if (this.clients.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private onFrame(): void {
    this.framesSeen++;
    // No page: nothing to send, and the cursor is looked at again when one connects (add()), so a
    // served display's frames cost the hub a counter increment, not a cursor read per frame.
    if (this.clients.size === 0) return;
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
    } else if (m.type === 'inject') {
      const target = m.targetId !== undefined ? { targetId: m.targetId } : {};
      this.perform(c, () => this.inject(m.kind, m.targetId), (r) => ({ type: 'fault', kind: m.kind, ...target, ok: r.status === 200, ...failure(r) }));
    } else {
      this.perform(c, () => this.setMode(m.targetId, m.mode), (r) => ({ type: 'mode', targetId: m.targetId, mode: m.mode, ok: r.status === 200, ...failure(r) }));
    }
  }

  /** A page's requests run one after another, each answered in turn (a plug, then a mode for it). */
  private perform(c: ViewerClient, action: () => Promise<ActionResult>, answer: (r: ActionResult) => ServerMessage): void {
    c.actions = c.actions.then(action).then(
      (r) => this.sendJson(c, answer(r)),
      () => undefined,
    );
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
    // The RFB server started or stopped serving a monitor (one plugged in or unplugged): the pages
    // hear it now, so a panel connects at once and a departed one does not try to reconnect.
    const served = this.rfbTargets().join(',');
    if (served !== this.servedKey) {
      this.servedKey = served;
      this.pushNow();
    }
    this.checkCursor();
    for (const c of this.clients) this.sendNewEvents(c);
    const now = performance.now();
    if (now - this.lastStatsSent < this.opts.statsIntervalMs) return;
    this.lastStatsSent = now;
    const secs = (now - this.lastStatsAt) / 1000;
    this.sourceFps = secs > 0 ? (this.framesSeen - this.framesAtLastStats) / secs : 0;
    this.framesAtLastStats = this.framesSeen;
    this.lastStatsAt = now;
    if (this.clients.size === 0) return;
    const read = this.readStats();
    for (const c of this.clients) {
      c.sentFps = secs > 0 ? (c.sent - c.sentAtLastStats) / secs : 0;
      this.sendStats(c, c.sentFps, read);
      c.sentAtLastStats = c.sent;
    }
  }

  /** The source's stats and monitor panels, read once for every page. A throwing source is shown, not fatal. */
  private readStats(): { stats: ViewerStats; monitors?: ViewerMonitorMessage[] } {
    let stats: ViewerStats;
    let monitors: ViewerMonitorMessage[] | undefined;
    try {
      stats = this.source.stats();
      const served = this.rfbTargets();
      monitors = this.source.monitors?.().map((m) => ({ ...m, rfb: m.present && served.includes(m.targetId) }));
    } catch (err) {
      stats = { error: (err as Error).message };
    }
    return monitors === undefined ? { stats } : { stats, monitors };
  }

  private sendStats(c: ViewerClient, sentFps: number, read: { stats: ViewerStats; monitors?: ViewerMonitorMessage[] }): void {
    const round = (x: number): number => Math.round(x * 10) / 10;
    this.sendJson(c, {
      type: 'stats',
      ...read,
      viewer: { sourceFps: round(this.sourceFps), sentFps: round(sentFps), sent: c.sent, skipped: c.skipped, clients: this.clients.size },
    });
  }

  private sendNewEvents(c: ViewerClient): void {
    const events = this.source.recoveryEvents();
    if (events.length === c.eventsSent && (c.timelineSent || events.length === 0)) return;
    // A page's first timeline is a reset: a page that reconnected (the socket dropped, the server
    // restarted) replaces the entries it shows instead of appending them a second time.
    const reset = !c.timelineSent || events.length < c.eventsSent;
    c.timelineSent = true;
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
    // Compared field by field (it runs per frame while a page is open: no key string per frame).
    const p = this.cursorPos;
    const same = cur === null ? p === null : p !== null && p.visible === cur.visible && p.x === cur.x && p.y === cur.y && p.hotX === cur.hotX && p.hotY === cur.hotY && p.shapeId === cur.shapeId && p.width === cur.width && p.height === cur.height;
    if (same) return;
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
