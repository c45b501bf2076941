/**
 * The RFB server: the listening TCP sockets (`serve --vnc`: one per target), the WebSocket entry the
 * viewer hands `/rfb` upgrades to, the targets (one framebuffer each, added and removed as
 * monitors arrive and depart), and the sessions.
 *
 * Security (who may connect, decided once here): with a password, every connection must pass VNC
 * Authentication; without one, None is offered only where the listener is reachable from this
 * machine alone (a loopback bind), or, for WebSocket, where the viewer's access check (its token)
 * already admitted the request. A TCP listener beyond loopback without a password is refused at
 * start (the caller must not even open the port).
 *
 * The server never waits for a client: sessions are told about frames and cursor changes, and
 * each decides when to send. A session's failure ends only that session.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { InvalidArgumentError } from '../../contract/errors.js';
import type { DamageRegion } from '../framebuffer/damage-region.js';
import { isLoopbackHost } from '../viewer/access.js';
import { SecurityType } from './rfb-constants.js';
import { RfbSession } from './rfb-session.js';
import type { RfbTarget } from './rfb-target.js';
import { tcpTransport, webSocketTransport, type RfbTransport } from './rfb-transport.js';

export interface RfbServerOptions {
  targets: readonly RfbTarget[];
  /** VNC Authentication password (at most 8 bytes count). Never logged. */
  password?: string;
  /** Whether the WebSocket entry may offer None (the viewer's own bind is loopback, or it checked a token). */
  webSocketAllowsNone?: boolean;
  handshakeTimeoutMs?: number;
  stallTimeoutMs?: number;
  maxClients?: number;
  /** One line per connection and disconnection (peer address and reason; never a secret). */
  log?: (line: string) => void;
}

export interface ClosedSessionRecord {
  peer: string;
  kind: 'tcp' | 'websocket';
  target: number;
  reason: string;
}

const CURSOR_POLL_MS = 100;
const MAX_CLOSED_RECORDS = 64;
/** How long after a client's SetDesktopSize a resize to that size is put down to it (a mode change takes well under this). */
const CLIENT_RESIZE_ATTRIBUTION_MS = 10_000;

export class RfbServer {
  readonly sessions = new Set<RfbSession>();
  /** Per target, the last client-requested size: its other clients are told "another client" (rfbproto). */
  private readonly clientResizes = new Map<number, { by: RfbSession; width: number; height: number; atMs: number }>();
  /** The most recent disconnections, oldest first (for the stats and the tests). */
  readonly closed: ClosedSessionRecord[] = [];
  private readonly targets = new Map<number, RfbTarget>();
  private readonly targetCleanups = new Map<number, () => void>();
  private readonly cursorIds = new Map<number, number>();
  /** The TCP listeners, one per target (`serve --vnc`: a port per monitor). */
  private readonly listeners = new Map<number, Server>();
  private readonly ports = new Map<number, number>();
  private tcpAllowsNone = false;
  private timer: NodeJS.Timeout | null = null;
  private isClosed = false;

  constructor(private readonly opts: RfbServerOptions) {
    if (opts.password !== undefined && opts.password.length === 0) throw new InvalidArgumentError('the VNC password is empty');
    for (const t of opts.targets) this.addTarget(t);
  }

  /**
   * Serves one more framebuffer (a monitor plugged in). The cursor is followed through the
   * target's change events; only a target without them is polled (per frame, and on a timer),
   * so an idle display with event-driven targets wakes nothing here.
   */
  addTarget(t: RfbTarget): void {
    if (this.isClosed || this.targets.has(t.id)) return;
    this.targets.set(t.id, t);
    const offs: Array<() => void> = [];
    if (t.onCursorChange) offs.push(t.onCursorChange(() => this.pollCursor(t)));
    else {
      offs.push(t.framebuffer.subscribe({ framebufferChanged: (_d: DamageRegion) => this.pollCursor(t) }));
      this.timer ??= setInterval(() => {
        for (const x of this.targets.values()) if (!x.onCursorChange) this.pollCursor(x);
      }, CURSOR_POLL_MS);
      this.timer.unref();
    }
    offs.push(t.input.onClipboard((text) => this.forTarget(t.id, (s) => s.sendCutText(text))));
    this.targetCleanups.set(t.id, () => offs.forEach((f) => f()));
  }

  get targetIds(): readonly number[] {
    return [...this.targets.keys()];
  }

  /** The lowest targetId served (what `/rfb` without `?target=` shows). */
  get defaultTarget(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const id of this.targets.keys()) min = Math.min(min, id);
    return Number.isFinite(min) ? min : 1;
  }

  /** The TCP port of the default target's listener (0 before listen()). */
  get port(): number {
    return this.ports.get(this.defaultTarget) ?? 0;
  }

  /** The TCP port each target is served on, by targetId. */
  get tcpPorts(): ReadonlyMap<number, number> {
    return this.ports;
  }

  hasTarget(id: number): boolean {
    return this.targets.has(id);
  }

  /**
   * Opens a TCP listener serving target `targetId` (default: the default target); resolves to the
   * port bound (`port` 0 picks a free one). Beyond loopback a password is required
   * (InvalidArgumentError otherwise); a port in use is an InvalidArgumentError too.
   */
  async listen(host: string, port: number, targetId = this.defaultTarget): Promise<number> {
    if (!this.targets.has(targetId)) throw new InvalidArgumentError(`cannot serve VNC for monitor ${targetId}: there is no such monitor`);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`cannot serve VNC for monitor ${targetId} on port ${port}: ports run from 1 to 65535`);
    if (this.listeners.has(targetId)) throw new InvalidArgumentError(`monitor ${targetId} is already served on port ${this.ports.get(targetId)}`);
    this.tcpAllowsNone = isLoopbackHost(host) && this.opts.password === undefined;
    if (!isLoopbackHost(host) && this.opts.password === undefined) {
      throw new InvalidArgumentError(
        `refusing to serve VNC on ${host} without a password: anyone who can reach that address could watch and control the display; ` +
          'set VDPUSH_VNC_PASSWORD or pass --vnc-password-file FILE, or bind to 127.0.0.1, ::1 or localhost',
      );
    }
    const server = createServer((socket) => this.acceptTcp(socket, targetId));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? `port ${port} is in use (choose another: --vnc PORT)` : err.message;
        reject(new InvalidArgumentError(`cannot serve VNC on ${host}:${port}: ${why}`, { cause: err }));
      });
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
    // The target may have left, or the server closed, while the port was being bound.
    if (this.isClosed || !this.targets.has(targetId)) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw new InvalidArgumentError(`monitor ${targetId} left before its VNC port opened`);
    }
    this.listeners.set(targetId, server);
    this.ports.set(targetId, bound);
    return bound;
  }

  /**
   * A monitor departed: its clients are disconnected with `reason`, its TCP listener closes, and
   * `/rfb?target=N` is refused from now on.
   */
  removeTarget(id: number, reason: string): void {
    if (!this.targets.delete(id)) return;
    this.targetCleanups.get(id)?.();
    this.targetCleanups.delete(id);
    this.cursorIds.delete(id);
    this.clientResizes.delete(id);
    this.forTarget(id, (s) => s.close(reason));
    const l = this.listeners.get(id);
    this.listeners.delete(id);
    this.ports.delete(id);
    l?.close();
  }

  /** A `/rfb` WebSocket the viewer accepted (its token and origin already checked). */
  acceptWebSocket(ws: WebSocket, peer: string, target: number): void {
    const t = this.targets.get(target);
    if (t === undefined) {
      ws.close(1008, `no target ${target}`);
      return;
    }
    this.accept(webSocketTransport(ws, peer), t, this.opts.webSocketAllowsNone === true && this.opts.password === undefined);
  }

  /** Ends every session and the listener. Idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.timer) clearInterval(this.timer);
    for (const c of this.targetCleanups.values()) c();
    this.targetCleanups.clear();
    for (const s of [...this.sessions]) s.close('the server is shutting down');
    const closing = [...this.listeners.values()].map((l) => new Promise<void>((resolve) => l.close(() => resolve())));
    this.listeners.clear();
    this.ports.clear();
    await Promise.all(closing);
  }

  private acceptTcp(socket: Socket, targetId: number): void {
    const t = this.targets.get(targetId);
    if (t === undefined) {
      socket.destroy();
      return;
    }
    this.accept(tcpTransport(socket), t, this.tcpAllowsNone);
  }

  private accept(transport: RfbTransport, target: RfbTarget, allowNone: boolean): void {
    if (this.isClosed || this.sessions.size >= (this.opts.maxClients ?? 32)) {
      this.record(transport, target.id, this.isClosed ? 'the server is shutting down' : 'too many clients');
      transport.end('too many clients');
      transport.destroy();
      return;
    }
    const securityTypes = this.opts.password !== undefined ? [SecurityType.VncAuthentication] : allowNone ? [SecurityType.None] : [];
    const session = new RfbSession(transport, target, {
      handshake: { securityTypes, ...(this.opts.password !== undefined ? { password: this.opts.password } : {}) },
      handshakeTimeoutMs: this.opts.handshakeTimeoutMs ?? 10_000,
      stallTimeoutMs: this.opts.stallTimeoutMs ?? 30_000,
      onClose: (s, reason) => {
        this.sessions.delete(s);
        this.record(s.transport, target.id, reason);
      },
      onNotice: (s, line) => this.opts.log?.(`vnc: ${s.transport.kind} client ${s.transport.peer}: ${line}`),
      onClientResize: (s, width, height) => this.clientResizes.set(target.id, { by: s, width, height, atMs: performance.now() }),
      resizedByAnother: (s, width, height) => {
        const r = this.clientResizes.get(target.id);
        return r !== undefined && r.by !== s && r.width === width && r.height === height && performance.now() - r.atMs < CLIENT_RESIZE_ATTRIBUTION_MS;
      },
    });
    if (session.closeReason === null) this.sessions.add(session);
    this.opts.log?.(`vnc: ${transport.kind} client ${transport.peer} connected (target ${target.id})`);
  }

  private record(t: RfbTransport, target: number, reason: string): void {
    this.closed.push({ peer: t.peer, kind: t.kind, target, reason });
    if (this.closed.length > MAX_CLOSED_RECORDS) this.closed.shift();
    this.opts.log?.(`vnc: ${t.kind} client ${t.peer} disconnected: ${reason}`);
  }

  private forTarget(id: number, f: (s: RfbSession) => void): void {
    for (const s of this.sessions) if (s.target.id === id) f(s);
  }

  private pollCursor(t: RfbTarget): void {
    const cur = t.cursor();
    const id = cur?.shapeId ?? -1;
    if (this.cursorIds.get(t.id) === id) return;
    this.cursorIds.set(t.id, id);
    this.forTarget(t.id, (s) => s.cursorChanged(id));
  }
}
