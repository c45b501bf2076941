/**
 * Ties the children a session starts (Xvfb, its workload) and its temp folder to this process's
 * life, whatever ends it: SIGKILL and the OOM killer give no handler a chance, so a watchdog
 * process (watchdog-main.ts) holds a pipe from us and cleans up when the pipe closes.
 *
 * Invariant: the watchdog always knows the latest set (update() on every change, in order over
 * one pipe); close() empties the set before it ends the pipe, so an orderly shutdown leaves the
 * watchdog nothing to do. Neither the child nor the pipe keeps this process alive (unref).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { FileId } from './display-resources.js';

export interface WatchedResources {
  pids: readonly number[];
  dirs: readonly string[];
  /** Removed only while each path still has the inode named (display-resources.ts). */
  files?: readonly FileId[];
}

export class ChildWatchdog {
  private last = '';
  private closed = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly pipe: Writable,
  ) {}

  /** Starts the watchdog process. Never throws: without one, the other cleanups still run. */
  static start(): ChildWatchdog | null {
    try {
      const child = spawn(process.execPath, [new URL('./watchdog-main.js', import.meta.url).pathname], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      if (child.stdin === null) return null;
      child.on('error', () => undefined);
      child.stdin.on('error', () => undefined);
      child.unref();
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      return new ChildWatchdog(child, child.stdin);
    } catch {
      return null;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Tells the watchdog what to clean up if this process dies now (sent only when it changed). */
  update(res: WatchedResources): void {
    if (this.closed) return;
    const line = JSON.stringify({ pids: res.pids, dirs: res.dirs, files: res.files ?? [] });
    if (line === this.last) return;
    this.last = line;
    this.pipe.write(line + '\n');
  }

  /** Ends the pipe keeping the last set: the watchdog cleans it up now. Idempotent. */
  handOver(): void {
    if (this.closed) return;
    this.closed = true;
    this.pipe.end();
  }

  /** The session cleaned up itself: empty the set, end the pipe; the watchdog exits. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.update({ pids: [], dirs: [], files: [] });
    this.closed = true;
    this.pipe.end();
  }
}
