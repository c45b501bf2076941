import { openSession } from '../host/session.js';
import { SessionViewerSource } from '../host/session-viewer-source.js';
import { formatRunSummary } from '../host/run-summary.js';
import { startViewerServer, type ViewerActivity } from '../host/viewer/index.js';
import { createSessionRfbServer } from '../host/rfb/session-rfb.js';
import { vncOptionsFromFlags } from './vnc-flags.js';
import type { ParsedCommand } from './argv.js';
import { parseIntegerFlag } from './parse-values.js';
import { sessionOptionsFromFlags } from './source-flags.js';
import { EXIT_CRITICAL, EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { watchInterrupts } from './interrupt.js';
import { resolveServeToken } from './serve-token.js';

function log(line: string): void {
  process.stderr.write(`vdpush: ${line}\n`);
}

function activityLine(a: ViewerActivity): string {
  switch (a.type) {
    case 'client-connected':
      return `viewer connected from ${a.peer || 'unknown'} (${a.clients} watching)`;
    case 'client-left':
      return `viewer from ${a.peer || 'unknown'} left (${a.clients} watching)`;
    case 'fault-injected':
      return `fault injected from the viewer: ${a.kind}${a.targetId !== undefined ? ` on monitor ${a.targetId}` : ''}`;
    case 'mode-set':
      return `monitor ${a.targetId} set to ${a.mode} from the viewer`;
  }
}

export async function serveCommand(cmd: ParsedCommand): Promise<number> {
  const v = cmd.values;
  const portText = typeof v.port === 'string' ? v.port : '8080';
  const port = parseIntegerFlag(portText, '--port', 0, 65535);
  const host = typeof v.host === 'string' ? v.host : '127.0.0.1';
  const token = resolveServeToken(v);
  const vnc = vncOptionsFromFlags(v, host);
  const viewOnly = v['view-only'] === true;
  if (vnc.warning) log(vnc.warning);
  const opts = sessionOptionsFromFlags(v);
  opts.durationMs = 0; // until Ctrl-C
  const interrupts = watchInterrupts();
  try {
    const session = await openSession(opts);
    // The page stays up after the display ends (a critical error, say), so its final state can be
    // read; only a stop signal ends the command.
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    interrupts.onStop(() => stop());
    const unlisten = session.onRecoveryEvent((e) => {
      log(`[${(e.atMs / 1000).toFixed(3)} s] ${e.failure} (${e.hresult}) -> ${e.action} on ${e.adapter}`);
    });
    void session.ended.then(() => {
      const c = session.stats().recovery.criticalError;
      if (c) log(`CRITICAL ERROR major 0x${c.major.toString(16)} minor 0x${c.minor.toString(16)}: the display stopped; the page keeps its last state (Ctrl-C to end)`);
      else if (session.error) log(`the display ended: ${session.error.message} [${session.error.code}]`);
    });
    // Frames are taken only while a page or an RFB client looks (frame-demand.ts).
    const source = new SessionViewerSource(session, { framesOnDemand: true });
    // The viewer's access check (loopback Host, or its token) guards /rfb, so None may be offered there.
    const sessionRfb = createSessionRfbServer(session, source, { webSocketAllowsNone: true, log, viewOnly, ...(vnc.password !== undefined ? { password: vnc.password } : {}) });
    const rfb = sessionRfb.server;
    // One port per monitor (PORT + N - 1, or free ones with --vnc 0); monitors plugged in later get theirs as they arrive.
    const shownHost = host.includes(':') ? `[${host}]` : host;
    const auth = vnc.password !== undefined ? 'VNC Authentication' : 'no authentication: loopback only';
    const vncLines: string[] = [];
    let started = false;
    const vncLine = (id: number, port: number): void => {
      const line = `VNC at ${shownHost}:${port} (monitor ${id}, ${auth})`;
      if (started) log(line);
      else vncLines.push(line);
    };
    let server;
    try {
      if (vnc.port !== null) {
        await sessionRfb.listenTcp({ host, basePort: vnc.port, onPort: vncLine, onPortError: (id, err) => log(`monitor ${id} has no VNC port: ${err.message}; it is served over /rfb?target=${id}`) });
      }
      server = await startViewerServer({ source, port, host, rfb, viewOnly, ...(token !== undefined ? { token } : {}), onActivity: (a) => log(activityLine(a)) });
    } catch (e) {
      unlisten();
      await sessionRfb.close();
      await session.close();
      throw e;
    }
    log(`viewer at ${server.url} (Ctrl-C to stop)`);
    started = true;
    for (const line of vncLines) log(line);
    const pumping = source.pump();
    try {
      await stopped;
    } finally {
      await sessionRfb.close();
      await server.close();
      await session.close();
      await pumping.catch(() => undefined);
      await sessionRfb.pumping;
      unlisten();
    }
    const summary = session.stats();
    process.stdout.write(formatRunSummary(summary) + '\n');
    if (summary.recovery.criticalError) return EXIT_CRITICAL;
    if (session.error) return EXIT_FAILURE;
    return interrupts.exitCode(EXIT_OK);
  } finally {
    interrupts.release();
  }
}
