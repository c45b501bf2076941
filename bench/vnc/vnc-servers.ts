/**
 * The two RFB servers the VNC benchmark compares, each started against the same running Xvfb
 * and listening on loopback without a password:
 *
 *  - x11vnc with its defaults for polling and deferral (what a drop-in deployment runs), shared,
 *    never exiting when a client leaves, no cursor shape or pointer updates (the bench client
 *    asks for neither);
 *  - `vdpush serve --source xvfb --display :N --no-workload --vnc PORT` (its viewer HTTP port is
 *    picked freely and left alone).
 *
 * A server is ready when its port accepts a connection; both are stopped by their own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BackendError, MissingDependencyError } from '../../src/contract/errors.js';

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;

export type ServerName = 'x11vnc' | 'vdpush';

export interface RunningServer {
  name: ServerName;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** A free loopback TCP port (bound and released; the bench starts its server at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function requireX11vnc(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const p = spawn('x11vnc', ['-version'], { stdio: 'ignore' });
    p.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new MissingDependencyError('x11vnc', 'x11vnc', 'the baseline of `vdpush bench vnc`') : e),
    );
    p.once('exit', () => resolve());
  });
}

export async function startServer(name: ServerName, display: string, refreshHz: number): Promise<RunningServer> {
  const port = await freePort();
  let child: ChildProcess;
  if (name === 'x11vnc') {
    child = spawn('x11vnc', ['-display', display, '-rfbport', String(port), '-localhost', '-nopw', '-shared', '-forever', '-quiet', '-nocursorshape', '-nocursorpos', '-noxrecord'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } else {
    const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
    child = spawn(process.execPath, [cli, 'serve', '--source', 'xvfb', '--display', display, '--no-workload', '--mode', `1920x1080@${refreshHz}`, '--port', '0', '--vnc', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.once('error', () => undefined);
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exit;
    clearTimeout(t);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new BackendError(`${name} did not start listening on port ${port}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, pid: child.pid!, port, stop };
}
