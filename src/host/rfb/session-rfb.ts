/**
 * The RFB server of a `serve` session: one target per monitor, following the session as monitors
 * arrive and depart (`/rfb?target=N`; over TCP, one port per monitor). Monitor 1's frames come
 * through the viewer's source (one latest framebuffer shared by the page and the RFB clients);
 * every other monitor is pumped here into a latest framebuffer of its own.
 *
 * A departed monitor's clients are disconnected with the reason, its port closes, and its pump
 * ends with its frames. TCP ports: monitor N is served on PORT + N - 1 (what users of several
 * X displays expect of :0, :1, ...: 5900, 5901, ...), or on a free port each when PORT is 0; a
 * monitor plugged in later whose port cannot be opened is reported through `onPortError` and
 * stays reachable over `/rfb`.
 */
import { LatestFramebuffer } from '../framebuffer/latest-framebuffer.js';
import type { Session } from '../session.js';
import type { SessionViewerSource } from '../session-viewer-source.js';
import { RfbServer, type RfbServerOptions } from './rfb-server.js';
import type { RfbTarget } from './rfb-target.js';
import { viewOnlyInput } from '../input/remote-input.js';

export interface TcpPlan {
  host: string;
  /** The first monitor's port; 0 = a free port per monitor. */
  basePort: number;
  /** A monitor's port is open (at start, and for each monitor plugged in later). */
  onPort(targetId: number, port: number): void;
  /** A later monitor's port could not be opened (at start, the error is thrown instead). */
  onPortError(targetId: number, err: Error): void;
}

export interface SessionRfb {
  server: RfbServer;
  /** Resolves when the pumps of the monitors other than the first have ended (the session ended); read it at the end. */
  readonly pumping: Promise<void>;
  /** Opens a TCP port per monitor, now and for every monitor plugged in later. Rejects if one of today's cannot be opened. */
  listenTcp(plan: TcpPlan): Promise<void>;
  /** Stops following the session and closes the server. */
  close(): Promise<void>;
}

/** The TCP port of monitor `targetId` under `basePort` (0 stays 0: a free port). */
export function vncPortFor(basePort: number, targetId: number): number {
  return basePort === 0 ? 0 : basePort + targetId - 1;
}

/** `viewOnly` (`serve --view-only`): the clients' input is dropped before it reaches the session. */
export function createSessionRfbServer(
  session: Session,
  source: SessionViewerSource,
  { viewOnly = false, ...opts }: Omit<RfbServerOptions, 'targets'> & { viewOnly?: boolean },
): SessionRfb {
  const c = session.config;
  const pumps: Promise<void>[] = [];
  const first = session.targets()[0];
  const targetFor = (id: number): RfbTarget => {
    let framebuffer = source.framebuffer;
    if (id !== first) {
      const fb = new LatestFramebuffer();
      framebuffer = fb;
      const keeper = session.frameKeeper(id);
      pumps.push(
        (async () => {
          try {
            for await (const f of session.frames(id, { onDemand: source.framesOnDemand })) fb.accept(f, keeper);
          } finally {
            fb.releaseHeld();
          }
        })().catch(() => undefined),
      );
    }
    // Taken now, while the monitor is plugged in (a client may arrive as it departs).
    const demand = source.framesOnDemand ? session.frameDemand(id) : null;
    return {
      id,
      name: `vdpush ${c.source} monitor ${id}`,
      framebuffer,
      cursor: () => session.cursor(id),
      onCursorChange: (cb: () => void) => session.onCursorChange(id, cb),
      input: viewOnly ? viewOnlyInput() : session.remoteInput(id),
      // A client's SetDesktopSize is a mode request like the page's picker; a watcher may not.
      ...(viewOnly ? {} : { resize: (width: number, height: number) => session.setMode(id, { width, height }) }),
      ...(demand !== null ? { watch: () => demand.acquire() } : {}),
    };
  };
  const server = new RfbServer({ ...opts, targets: session.targets().map(targetFor) });
  let tcp: TcpPlan | null = null;
  const unlisten = session.onMonitorChange((id, change) => {
    if (change === 'departed') return server.removeTarget(id, `monitor ${id} was unplugged`);
    let target: RfbTarget;
    try {
      target = targetFor(id);
    } catch {
      return; // already gone again
    }
    server.addTarget(target);
    const plan = tcp;
    if (plan === null) return;
    server.listen(plan.host, vncPortFor(plan.basePort, id), id).then(
      (port) => plan.onPort(id, port),
      (err: Error) => plan.onPortError(id, err),
    );
  });
  return {
    server,
    // Read when awaited: monitors plugged in meanwhile have added their pumps.
    get pumping() {
      return Promise.all(pumps).then(() => undefined);
    },
    async listenTcp(plan) {
      tcp = plan;
      for (const id of server.targetIds) {
        const port = await server.listen(plan.host, vncPortFor(plan.basePort, id), id);
        plan.onPort(id, port);
      }
    },
    async close() {
      unlisten();
      await server.close();
    },
  };
}
