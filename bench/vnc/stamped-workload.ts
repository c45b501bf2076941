/**
 * The VNC benchmark's stamped workload (stamped-workload-main.ts) as the bench drives it: its own
 * process, drawing at a fixed rate, each draw's time kept by frame number so an update's latency
 * can be read from the frame it shows (stampOf: every square of the checkerboard encodes it).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WORKLOAD_TILE } from '../../src/backends/xvfb/workload.js';
import type { UpdateSample } from './bench-rfb-client.js';

const SEQ_MASK = 0xffffff;

export class StampedWorkload {
  /** Draw time (epoch ms) by frame number mod 2^16. */
  readonly drawn = new Float64Array(1 << 16);
  readonly seqAt = new Uint32Array(1 << 16);
  draws = 0;
  private constructor(private readonly child: ChildProcess) {}

  static async start(display: string, kind: 'animation' | 'desktop' | 'luma', fps: number): Promise<StampedWorkload> {
    const main = fileURLToPath(new URL('./stamped-workload-main.js', import.meta.url));
    const child = fork(main, ['--display', display, '--kind', kind, '--fps', String(fps)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: [] });
    const w = new StampedWorkload(child);
    let rest = '';
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the ${kind} workload exited (${code})`)));
      child.stdout!.setEncoding('latin1');
      child.stdout!.on('data', (s: string) => {
        const lines = (rest + s).split('\n');
        rest = lines.pop()!;
        for (const line of lines) {
          if (line === 'ready') resolve();
          const sp = line.indexOf(' ');
          if (sp < 0) continue;
          const seq = Number(line.slice(0, sp)) & SEQ_MASK;
          w.drawn[seq & 0xffff] = Number(line.slice(sp + 1));
          w.seqAt[seq & 0xffff] = seq;
          w.draws++;
        }
      });
    });
    return w;
  }

  drawTime(seq: number): number | null {
    const i = seq & 0xffff;
    return this.seqAt[i] === seq ? this.drawn[i]! : null;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** The frame number an update shows, from its first pixel (odd squares hold the complement). */
export function stampOf(first: NonNullable<UpdateSample['first']>): number {
  const odd = (Math.floor(first.x / WORKLOAD_TILE) + Math.floor(first.y / WORKLOAD_TILE)) & 1;
  return odd ? ~first.pixel & SEQ_MASK : first.pixel & SEQ_MASK;
}
