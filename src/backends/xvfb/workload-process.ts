/**
 * Runs what draws on the display, in its own process so its CPU is not vdpush's: the built-in
 * 'animated' / 'desktop' client (workload-main.js), any X program (`{ exec: CMD }`, run by /bin/sh
 * with DISPLAY set, in its own process group), or nothing ('none').
 *
 * Every process started here is stopped by its own pid (the exec'd one by its process group, which
 * it leads) on stop(), and by the exit guard if vdpush dies first. The built-in client also holds an
 * IPC channel to this process and exits when it closes.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BackendError, InvalidArgumentError } from '../../contract/errors.js';
import { guardExit } from './exit-guard.js';

export type WorkloadSpec = 'animated' | 'desktop' | 'none' | { exec: string };

const READY_TIMEOUT_MS = 10_000;
/**
 * How long an --exec program gets to fail at once (not found, a bad flag) before the display
 * counts it as running: such failures exit within a few ms; a real client keeps running (or, like
 * xsetroot, exits 0 after drawing).
 */
const EXEC_SETTLE_MS = 400;
const STOP_GRACE_MS = 1_000;

export function validateWorkload(spec: unknown): WorkloadSpec {
  if (spec === undefined) return 'animated';
  if (spec === 'animated' || spec === 'desktop' || spec === 'none') return spec;
  if (typeof spec === 'object' && spec !== null && typeof (spec as { exec?: unknown }).exec === 'string') {
    const cmd = (spec as { exec: string }).exec.trim();
    if (cmd.length === 0) throw new InvalidArgumentError('workload { exec }: the command is empty');
    return { exec: cmd };
  }
  throw new InvalidArgumentError(`workload ${JSON.stringify(spec)}: expected 'animated', 'desktop', 'none' or { exec: "CMD" }`);
}

export interface WorkloadExit {
  code: number | null;
  signal: string | null;
  /** The end of what it wrote to stderr. */
  stderr: string;
}

export class WorkloadProcess {
  private exited = false;
  private exitInfo: WorkloadExit | null = null;
  private stopping = false;
  private readonly exitListeners: Array<(e: WorkloadExit) => void> = [];
  stderrTail = '';
  private readonly exit: Promise<void>;
  private readonly release: () => void;

  private constructor(
    child: ChildProcess,
    readonly pid: number,
    private readonly group: boolean,
  ) {
    this.exit = new Promise((resolve) => {
      const done = (code: number | null, signal: string | null): void => {
        this.exited = true;
        this.exitInfo = { code, signal, stderr: this.stderrTail.trim() };
        resolve();
        if (!this.stopping) for (const l of this.exitListeners) l(this.exitInfo);
      };
      if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode, child.signalCode);
      else child.once('exit', (code, signal) => done(code, signal));
    });
    this.release = guardExit(() => this.kill('SIGTERM'));
  }

  get running(): boolean {
    return !this.exited;
  }

  /** How it ended, once it has. */
  get exitStatus(): WorkloadExit | null {
    return this.exitInfo;
  }

  /** Calls `fn` if the process exits without stop() having been called. */
  onUnexpectedExit(fn: (e: WorkloadExit) => void): void {
    this.exitListeners.push(fn);
    if (this.exitInfo !== null && !this.stopping) fn(this.exitInfo);
  }

  private kill(signal: NodeJS.Signals): void {
    if (this.exited) return;
    try {
      process.kill(this.group ? -this.pid : this.pid, signal);
    } catch {
      /* already gone */
    }
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once the process exited. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.kill('SIGTERM');
    const t = setTimeout(() => this.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exit;
    clearTimeout(t);
    this.release();
  }

  /**
   * Starts the workload on `display` (":N.S": that screen; an --exec program gets it as $DISPLAY,
   * so X programs open their windows there), stamping `targetId`; for the built-in client, waits until it drew its first
   * frame. Returns null for 'none'.
   */
  static async start(spec: WorkloadSpec, display: string, fps: number | 'max', targetId = 1): Promise<WorkloadProcess | null> {
    if (spec === 'none') return null;
    if (typeof spec === 'object') {
      const child = spawn('/bin/sh', ['-c', spec.exec], {
        env: { ...process.env, DISPLAY: display },
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', () => resolve());
        child.once('error', (e) => reject(new BackendError(`cannot run workload "${spec.exec}": ${e.message}`, { cause: e })));
      });
      const wp = new WorkloadProcess(child, child.pid!, true);
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (d: string) => (wp.stderrTail = (wp.stderrTail + d).slice(-2000)));
      // A program that cannot run (not found, a bad flag) fails at once: say so, never run on
      // with a display nothing draws on.
      await Promise.race([wp.exit, new Promise((r) => setTimeout(r, EXEC_SETTLE_MS))]);
      const st = wp.exitStatus;
      if (st !== null && st.code !== 0) {
        // Give the last stderr bytes a moment to arrive after the exit.
        await new Promise((r) => setImmediate(r));
        await wp.stop();
        const why = st.signal !== null ? `was killed by ${st.signal}` : st.code === 127 ? 'was not found (exit code 127)' : `exited with code ${st.code}`;
        throw new BackendError(`--exec "${spec.exec}" ${why}${wp.stderrTail.trim() ? `: ${wp.stderrTail.trim().split('\n').slice(-3).join(' / ').slice(0, 300)}` : ''}`);
      }
      child.unref();
      (child.stderr as unknown as { unref?: () => void }).unref?.();
      return wp;
    }
    const main = fileURLToPath(new URL('./workload-main.js', import.meta.url));
    const child = fork(main, ['--display', display, '--kind', spec, '--fps', String(fps), '--target', String(targetId)], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
      // Out of vdpush's process group, as Xvfb is (xvfb-server.ts): a Ctrl-C reaches only vdpush.
      detached: true,
    });
    const wp = new WorkloadProcess(child, child.pid!, false);
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
        child.stdout!.setEncoding('utf8');
        child.stdout!.on('data', (s: string) => {
          if (s.includes('ready')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`exited with code ${code}`));
        });
      });
    } catch (e) {
      await wp.stop();
      throw new BackendError(`the ${spec} workload did not start on ${display}: ${(e as Error).message}${stderr ? ` (${stderr.trim()})` : ''}`);
    }
    child.stdout!.resume();
    child.unref();
    child.channel?.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    return wp;
  }
}
