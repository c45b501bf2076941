/**
 * `vdpush serve --vnc 0` in a child process for the tests: waits for the viewer URL and the VNC
 * port it prints, and stops it with SIGINT (its orderly shutdown), bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../../cli/cli-helpers.js';

export interface ServeProcess {
  child: ChildProcess;
  viewerUrl: string;
  vncPort: number;
  /** Monitor N's VNC port once serve has printed `VNC at HOST:PORT (monitor N, ...)` (bounded wait). */
  vncPortOf(targetId: number, timeoutMs?: number): Promise<number>;
  stderr(): string;
  /** POSTs a fault to the viewer's API (simulated source). */
  fault(kind: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startServe(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--vnc', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.resume();
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise((r) => child.once('close', r));
    child.kill('SIGINT');
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await closed;
    clearTimeout(t);
  };
  try {
    const { viewerUrl, vncPort } = await new Promise<{ viewerUrl: string; vncPort: number }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`vdpush serve printed no addresses:\n${err}`)), 30_000);
      const check = (): void => {
        const v = /viewer at (http:\/\/\S+)/.exec(err);
        const p = /VNC at \S+:(\d+)/.exec(err);
        if (v && p) {
          clearTimeout(t);
          resolve({ viewerUrl: v[1]!, vncPort: Number(p[1]) });
        }
      };
      child.stderr!.on('data', check);
      child.once('close', (code) => {
        clearTimeout(t);
        reject(new Error(`vdpush serve exited (${code}):\n${err}`));
      });
    });
    return {
      child,
      viewerUrl,
      vncPort,
      stderr: () => err,
      vncPortOf: async (targetId, timeoutMs = 30_000) => {
        const re = new RegExp(`VNC at \\S+:(\\d+) \\(monitor ${targetId}\\b`);
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const m = re.exec(err);
          if (m) return Number(m[1]);
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no VNC port for monitor ${targetId}:\n${err}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      fault: async (kind) => {
        const u = new URL('/api/fault', viewerUrl);
        u.search = new URL(viewerUrl).search;
        const r = await fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind }) });
        if (!r.ok) throw new Error(`fault ${kind}: ${r.status} ${await r.text()}`);
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
