/**
 * `vdpush serve`'s server: the page (web/), a JSON API and the frame WebSocket, on node:http.
 *
 *   GET  /, /index.html, /viewer.js, /viewer.css   the page (read from web/ at start)
 *   GET  /novnc/core/..., /novnc/vendor/...        noVNC's RFB client modules (novnc-assets.ts)
 *   GET  /api/stats                                { stats, faultKinds, events }
 *   POST /api/fault   body {"kind": "...", "targetId": N} or ?kind=&targetId=
 *                                                  inject a fault (simulated source only), into monitor N
 *   POST /api/mode    body {"targetId": N, "mode": "WxH@HZ"}   set monitor N's mode
 *   GET  /ws  (upgrade)                            frames + stats (viewer-protocol.ts); ?rawFrames=auto:
 *                                                  frames only when there is no RFB endpoint
 *   GET  /rfb[?target=N]  (upgrade)                RFB over WebSocket (src/host/rfb), when given one
 *
 * Every request, the upgrade included, passes access.ts first (token, Host, Origin). A bind to any
 * address but 127.0.0.1, ::1 or localhost is refused unless a token is set.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { InvalidArgumentError } from '../../contract/errors.js';
import { checkAccess, checkBind, requestUrl } from './access.js';
import { ViewerHub, type RawFramesWanted } from './viewer-hub.js';
import { loadNoVncAssets } from './novnc-assets.js';
import type { HubOptions, ViewerActivity } from './viewer-hub.js';
import { shownAddress } from './shown-address.js';
import { WS_PATH } from './viewer-protocol.js';
import type { ViewerSource } from './viewer-source.js';
import { findWebRoot, loadWebAssets, type WebAsset } from './web-assets.js';

export interface ViewerServerOptions {
  source: ViewerSource;
  /** Default 8080; 0 picks a free port (see the returned `port`). */
  port?: number;
  /** Default '127.0.0.1'. Any other address but ::1 / localhost requires `token`. */
  host?: string;
  /** When set, every request must carry it (?token= or Authorization: Bearer). */
  token?: string;
  /** Frames wider or taller than this are scaled down on the server before sending. Default 1280 x 1280. */
  maxFrameWidth?: number;
  maxFrameHeight?: number;
  /** How often each page gets the stats, in ms. Default 500. */
  statsIntervalMs?: number;
  /** The folder holding index.html; default: the package's web/. */
  webRoot?: string;
  /** The session ignores remote input (`serve --view-only`): the page tells noVNC not to send any. */
  viewOnly?: boolean;
  /** Told when a page connects or leaves, and when a page injects a fault. */
  onActivity?: (a: ViewerActivity) => void;
  /** Where `/rfb` upgrades go (the RFB server); without it `/rfb` is 404. */
  rfb?: RfbEndpoint;
}

/** The RFB server's WebSocket entry, as the viewer sees it. */
export interface RfbEndpoint {
  readonly defaultTarget: number;
  /** The targets served (the page draws one noVNC view per target). */
  readonly targetIds: readonly number[];
  hasTarget(id: number): boolean;
  acceptWebSocket(ws: WebSocket, peer: string, target: number): void;
}

export const RFB_PATH = '/rfb';
/** An RFB client's messages are small, but a ClientCutText may be up to 1 MiB. */
const RFB_MAX_PAYLOAD = (1 << 20) + 64;

export interface ViewerServer {
  /** The page's address, with the token in its query when one is set. */
  readonly url: string;
  readonly port: number;
  /** Closes the pages' sockets and the server. Idempotent. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4096;

function positiveInt(name: string, v: unknown, max: number): number {
  if (!(Number.isInteger(v) && (v as number) > 0 && (v as number) <= max)) {
    throw new InvalidArgumentError(`${name} must be an integer in 1..${max}, got ${String(v)}`);
  }
  return v as number;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // The token may be in the page's URL: never hand it to another site in a Referer.
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404): void {
  const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

class ViewerHttpServer implements ViewerServer {
  url = '';
  port = 0;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  private readonly rfbWss = new WebSocketServer({ noServer: true, maxPayload: RFB_MAX_PAYLOAD, perMessageDeflate: false });
  private readonly hub: ViewerHub;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly source: ViewerSource,
    private readonly token: string | undefined,
    private readonly assets: Map<string, WebAsset>,
    private readonly rfb: RfbEndpoint | undefined,
    hubOptions: HubOptions,
  ) {
    this.hub = new ViewerHub(source, hubOptions);
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        if (res.headersSent) res.destroy();
        else sendJson(res, 500, { error: (err as Error).message });
      });
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? `port ${port} is in use (choose another with --port)` : err.message;
        reject(new InvalidArgumentError(`cannot serve the viewer on ${host}:${port}: ${why}`, { cause: err }));
      });
      this.server.listen(port, host, () => resolve());
    });
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr !== null ? addr.port : port;
    const shown = shownAddress(host);
    const shownHost = shown.includes(':') ? `[${shown}]` : shown;
    this.url = `http://${shownHost}:${this.port}/${this.token !== undefined ? `?token=${encodeURIComponent(this.token)}` : ''}`;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.hub.close();
      this.wss.close();
      this.rfbWss.close();
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
    })();
    return this.closing;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const verdict = checkAccess(req, this.token);
    if (verdict !== 'ok') return refuseUpgrade(socket, verdict === 'unauthorized' ? 401 : 403);
    const url = requestUrl(req);
    if (url?.pathname === RFB_PATH && this.rfb && !this.closing) {
      const rfb = this.rfb;
      const t = url.searchParams.get('target');
      const target = t === null ? rfb.defaultTarget : /^\d{1,9}$/.test(t) ? Number(t) : -1;
      if (!rfb.hasTarget(target)) return refuseUpgrade(socket, 404);
      const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
      this.rfbWss.handleUpgrade(req, socket, head, (ws) => rfb.acceptWebSocket(ws, peer, target));
      return;
    }
    if (url?.pathname !== WS_PATH || this.closing) return refuseUpgrade(socket, 404);
    const raw = url.searchParams.get('rawFrames');
    const wanted: RawFramesWanted = raw === '0' || raw === 'auto' ? raw : '1';
    this.wss.handleUpgrade(req, socket, head, (ws) => this.hub.add(ws, wanted, req.socket.remoteAddress ?? ''));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = checkAccess(req, this.token);
    if (verdict === 'unauthorized') {
      res.setHeader('www-authenticate', 'Bearer realm="vdpush viewer"');
      return sendJson(res, 401, { error: 'missing or wrong token' });
    }
    if (verdict === 'forbidden') return sendJson(res, 403, { error: 'request from another host or origin refused' });
    const url = requestUrl(req);
    if (url === null) return sendJson(res, 400, { error: 'malformed URL' });
    const path = url.pathname;
    if (path === '/api/fault' || path === '/api/mode') {
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
      const body = await readBody(req);
      if (body === null) return sendJson(res, 413, { error: 'body too large' });
      let fields: Record<string, unknown> = {};
      if (body.trim() !== '') {
        try {
          const parsed: unknown = JSON.parse(body);
          if (typeof parsed === 'object' && parsed !== null) fields = parsed as Record<string, unknown>;
        } catch {
          return sendJson(res, 400, { error: `the body must be JSON like ${path === '/api/mode' ? '{"targetId": 1, "mode": "1280x720@60"}' : '{"kind": "device-removed"}'}` });
        }
      }
      const q = url.searchParams;
      const text = (k: string): string | null => (typeof fields[k] === 'string' ? (fields[k] as string) : q.get(k));
      const num = (k: string): number | undefined => {
        const v = fields[k] ?? q.get(k) ?? undefined;
        return v === undefined ? undefined : typeof v === 'number' ? v : /^\d{1,9}$/.test(String(v)) ? Number(v) : NaN;
      };
      const targetId = num('targetId');
      if (path === '/api/mode') {
        const r = await this.hub.setMode(targetId ?? NaN, text('mode') ?? '');
        return sendJson(res, r.status, { ok: r.status === 200, targetId: targetId ?? null, mode: text('mode'), ...(r.error !== undefined ? { error: r.error, code: r.code } : {}) });
      }
      const kind = text('kind');
      if (kind === null) return sendJson(res, 400, { error: 'which fault? pass {"kind": ...} or ?kind=' });
      const r = await this.hub.inject(kind, targetId);
      return sendJson(res, r.status, r.error === undefined ? { ok: true, kind } : { ok: false, kind, error: r.error, ...(r.code !== undefined ? { code: r.code } : {}) });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    if (path === '/api/stats') {
      const monitors = this.source.monitors?.();
      return sendJson(res, 200, { stats: this.source.stats(), faultKinds: this.source.faultKinds(), events: this.source.recoveryEvents(), ...(monitors ? { monitors } : {}) });
    }
    const asset = this.assets.get(path);
    if (!asset) return sendJson(res, 404, { error: `no such page: ${path}` });
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.contentType, 'content-length': asset.body.length });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }
}

/** Starts the viewer. Throws InvalidArgumentError for bad options, a tokenless public bind, or a busy port. */
export async function startViewerServer(options: ViewerServerOptions): Promise<ViewerServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new InvalidArgumentError(`port must be an integer in 0..65535, got ${String(port)}`);
  }
  checkBind(host, options.token);
  const hubOptions = {
    maxWidth: positiveInt('maxFrameWidth', options.maxFrameWidth ?? 1280, 16384),
    maxHeight: positiveInt('maxFrameHeight', options.maxFrameHeight ?? 1280, 16384),
    statsIntervalMs: positiveInt('statsIntervalMs', options.statsIntervalMs ?? 500, 60_000),
    viewOnly: options.viewOnly === true,
    ...(options.onActivity !== undefined ? { onActivity: options.onActivity } : {}),
    rfbTargets: () => options.rfb?.targetIds ?? [],
  };
  const assetQuery = options.token !== undefined ? `?token=${encodeURIComponent(options.token)}` : '';
  const assets = loadWebAssets(findWebRoot(options.webRoot), assetQuery);
  for (const [path, asset] of loadNoVncAssets(assetQuery)) assets.set(path, asset);
  const server = new ViewerHttpServer(options.source, options.token, assets, options.rfb, hubOptions);
  try {
    await server.listen(host, port);
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}
