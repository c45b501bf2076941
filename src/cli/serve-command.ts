import { openSession } from '../host/session.js';
import { SessionViewerSource } from '../host/session-viewer-source.js';
import { startViewerServer } from '../host/viewer/index.js';
import type { ParsedCommand } from './argv.js';
import { parseIntegerFlag } from './parse-values.js';
import { sessionOptionsFromFlags } from './source-flags.js';
import { EXIT_CRITICAL, EXIT_OK } from './exit-codes.js';
import { onInterrupt } from './interrupt.js';

export async function serveCommand(cmd: ParsedCommand): Promise<number> {
  const v = cmd.values;
  const portText = typeof v.port === 'string' ? v.port : '8080';
  const port = parseIntegerFlag(portText, '--port', 0, 65535);
  const host = typeof v.host === 'string' ? v.host : '127.0.0.1';
  const token = typeof v.token === 'string' ? v.token : undefined;
  const opts = sessionOptionsFromFlags(v);
  opts.durationMs = 0; // until Ctrl-C
  const session = await openSession(opts);
  const source = new SessionViewerSource(session);
  let server;
  try {
    server = await startViewerServer({ source, port, host, ...(token !== undefined ? { token } : {}) });
  } catch (e) {
    await session.close();
    throw e;
  }
  process.stderr.write(`vdpush: viewer at ${server.url} (Ctrl-C to stop)\n`);
  // The page stays up after the display ends (a critical error, say), so its final state can be
  // read; only Ctrl-C (or SIGTERM) ends the command.
  let interrupted!: () => void;
  const stopped = new Promise<void>((resolve) => (interrupted = resolve));
  const release = onInterrupt(() => interrupted());
  const pumping = source.pump();
  try {
    await stopped;
  } finally {
    await session.close();
    await pumping.catch(() => undefined);
    await server.close();
    release();
  }
  return session.stats().recovery.criticalError ? EXIT_CRITICAL : EXIT_OK;
}
