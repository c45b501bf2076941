/**
 * `vdpush bench vnc`: vdpush's RFB server beside x11vnc, in one run, on the same Xvfb (1920x1080,
 * depth 24), with the same workloads and the same client (bench-rfb-client.ts: ZRLE, one
 * incremental request outstanding, re-sent the moment an update is complete).
 *
 * Workloads (stamped-workload-main.ts, its own process; each draw's time is recorded):
 *  - animation: the whole screen changes at the display's rate (60 Hz);
 *  - desktop:   a text-line strip, 1% of the screen, changes at 60 Hz;
 *  - idle:      nothing changes.
 * Per server and workload, after a warm-up: updates/s, bytes per update, the server's CPU seconds
 * per 1,000 updates (its /proc/<pid>/stat, every thread), the X server's beside it, and the latency
 * from a frame's draw to the client holding the update that shows it (decoded from the first pixel
 * of the update: every square of the checkerboard encodes the frame number), p50 and p99. Idle:
 * each server's CPU as % of one core. Before each busy workload's client connects, the server's CPU
 * with the workload drawing and no client ("no-client core %"): vdpush's drain of every frame,
 * which bounds how low its CPU per update can go (drain % / updates/s).
 *
 * Targets are reported, never asserted: on every workload at most 0.5x x11vnc's CPU per update and
 * a lower p99 latency; idle under 1% of a core.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startXvfb } from '../../src/backends/xvfb/xvfb-server.js';
import { WORKLOAD_TILE } from '../../src/backends/xvfb/workload.js';
import { procCpuSeconds } from '../xvfb/proc-cpu.js';
import { BenchRfbClient, type UpdateSample } from './bench-rfb-client.js';
import { requireX11vnc, startServer, type ServerName } from './vnc-servers.js';

const WIDTH = 1920;
const HEIGHT = 1080;
const REFRESH_HZ = 60;
const WARMUP_S = 1.5;
const MEASURE_S = 4;
const IDLE_S = 4;
const NO_CLIENT_WARMUP_S = 1;
const NO_CLIENT_S = 3;
const SEQ_MASK = 0xffffff;
const SERVERS: readonly ServerName[] = ['x11vnc', 'vdpush'];
const WORKLOADS = ['animation', 'desktop', 'idle'] as const;
type Workload = (typeof WORKLOADS)[number];

export interface VncNumbers {
  updates: number;
  seconds: number;
  updatesPerSec: number;
  bytesPerUpdate: number;
  /** The server's CPU seconds per 1,000 updates (idle: NaN). */
  cpuSecPer1000: number;
  /** The X server's CPU seconds per 1,000 updates (it serves the server's reads). */
  xvfbCpuSecPer1000: number;
  /** The server's CPU as % of one core over the phase. */
  corePercent: number;
  latencyMs: { p50: number; p99: number; samples: number };
  /** The workload's own draws per second in the phase. */
  drawsPerSec: number;
  /**
   * The server's CPU as % of one core with the same workload and no client connected (NaN on
   * idle): for vdpush the drain of every frame into the ring and the latest framebuffer, which it
   * pays whether or not anyone watches; for x11vnc its polling without a client.
   */
  noClientCorePercent: number;
}

export interface VncBenchResult {
  resolution: string;
  refreshHz: number;
  servers: Record<ServerName, Record<Workload, VncNumbers> | { error: string }>;
  /** vdpush / x11vnc per workload (CPU per update, p99 latency), when both ran. */
  ratios: Record<Workload, { cpuPerUpdate: number; p99Latency: number; updatesPerSec: number }> | null;
  targets: { met: { halfCpuPerUpdate: boolean; lowerP99: boolean; idleUnder1Percent: boolean } } | null;
  machine: { cpus: number; node: string };
}

class StampedWorkload {
  /** Draw time (epoch ms) by frame number mod 2^16. */
  readonly drawn = new Float64Array(1 << 16);
  readonly seqAt = new Uint32Array(1 << 16);
  draws = 0;
  private constructor(private readonly child: ChildProcess) {}

  static async start(display: string, kind: 'animation' | 'desktop'): Promise<StampedWorkload> {
    const main = fileURLToPath(new URL('./stamped-workload-main.js', import.meta.url));
    const child = fork(main, ['--display', display, '--kind', kind, '--fps', String(REFRESH_HZ)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: [] });
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
function stampOf(first: NonNullable<UpdateSample['first']>): number {
  const odd = (Math.floor(first.x / WORKLOAD_TILE) + Math.floor(first.y / WORKLOAD_TILE)) & 1;
  return odd ? ~first.pixel & SEQ_MASK : first.pixel & SEQ_MASK;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The server's CPU (% of a core) while the workload draws and no client is connected. */
async function measureNoClient(display: string, serverPid: number, workload: 'animation' | 'desktop'): Promise<number> {
  const stamps = await StampedWorkload.start(display, workload);
  try {
    await new Promise((r) => setTimeout(r, NO_CLIENT_WARMUP_S * 1000));
    const cpu0 = procCpuSeconds(serverPid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, NO_CLIENT_S * 1000));
    return ((procCpuSeconds(serverPid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
  } finally {
    await stamps.stop();
  }
}

async function measure(display: string, serverPid: number, xvfbPid: number, port: number, workload: Workload): Promise<VncNumbers> {
  const noClientCorePercent = workload === 'idle' ? Number.NaN : await measureNoClient(display, serverPid, workload);
  const stamps = workload === 'idle' ? null : await StampedWorkload.start(display, workload);
  let measuring = false;
  let updates = 0;
  let bytes = 0;
  const latencies: number[] = [];
  const client = await BenchRfbClient.connect({
    host: '127.0.0.1',
    port,
    onUpdate: (u) => {
      if (!measuring) return;
      updates++;
      bytes += u.bytes;
      if (stamps && u.first) {
        const t = stamps.drawTime(stampOf(u.first));
        if (t !== null && u.atMs >= t) latencies.push(u.atMs - t);
      }
    },
  });
  try {
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    const cpu0 = procCpuSeconds(serverPid);
    const x0 = procCpuSeconds(xvfbPid);
    const draws0 = stamps?.draws ?? 0;
    const t0 = performance.now();
    measuring = true;
    await new Promise((r) => setTimeout(r, (workload === 'idle' ? IDLE_S : MEASURE_S) * 1000));
    measuring = false;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = procCpuSeconds(serverPid) - cpu0;
    const xcpu = procCpuSeconds(xvfbPid) - x0;
    latencies.sort((a, b) => a - b);
    return {
      updates,
      seconds,
      updatesPerSec: updates / seconds,
      bytesPerUpdate: updates > 0 ? bytes / updates : 0,
      cpuSecPer1000: updates > 0 ? (cpu * 1000) / updates : Number.NaN,
      xvfbCpuSecPer1000: updates > 0 ? (xcpu * 1000) / updates : Number.NaN,
      corePercent: (cpu / seconds) * 100,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length },
      drawsPerSec: ((stamps?.draws ?? 0) - draws0) / seconds,
      noClientCorePercent,
    };
  } finally {
    client.close();
    await stamps?.stop();
  }
}

export async function runVncBench(_opts: { json: boolean }): Promise<VncBenchResult> {
  await requireX11vnc();
  const xvfb = await startXvfb({ width: WIDTH, height: HEIGHT, depth: 24 });
  const servers = {} as VncBenchResult['servers'];
  try {
    for (const name of SERVERS) {
      let server;
      try {
        server = await startServer(name, xvfb.display, REFRESH_HZ);
      } catch (e) {
        servers[name] = { error: (e as Error).message };
        continue;
      }
      try {
        const rows = {} as Record<Workload, VncNumbers>;
        for (const w of WORKLOADS) rows[w] = await measure(xvfb.display, server.pid, xvfb.pid, server.port, w);
        servers[name] = rows;
      } catch (e) {
        servers[name] = { error: (e as Error).message };
      } finally {
        await server.stop();
      }
    }
  } finally {
    await xvfb.stop();
  }
  const x = servers.x11vnc;
  const v = servers.vdpush;
  let ratios: VncBenchResult['ratios'] = null;
  let targets: VncBenchResult['targets'] = null;
  if (x && v && !('error' in x) && !('error' in v)) {
    const rx = x as Record<Workload, VncNumbers>;
    const rv = v as Record<Workload, VncNumbers>;
    const r = {} as NonNullable<VncBenchResult['ratios']>;
    for (const w of WORKLOADS) {
      r[w] = {
        cpuPerUpdate: rv[w].cpuSecPer1000 / rx[w].cpuSecPer1000,
        p99Latency: rv[w].latencyMs.p99 / rx[w].latencyMs.p99,
        updatesPerSec: rv[w].updatesPerSec / rx[w].updatesPerSec,
      };
    }
    ratios = r;
    const busy = WORKLOADS.filter((w) => w !== 'idle');
    targets = {
      met: {
        halfCpuPerUpdate: busy.every((w) => r[w].cpuPerUpdate <= 0.5),
        lowerP99: busy.every((w) => r[w].p99Latency < 1),
        idleUnder1Percent: rv.idle.corePercent < 1,
      },
    };
  }
  return { resolution: `${WIDTH}x${HEIGHT}`, refreshHz: REFRESH_HZ, servers, ratios, targets, machine: { cpus: cpus().length, node: process.version } };
}

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '—');
const f3 = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : '—');

export function formatVncBench(r: VncBenchResult): string {
  const lines: string[] = [];
  lines.push(`vdpush bench vnc — ${r.resolution}@${r.refreshHz} Xvfb, one ZRLE client per server, ${r.machine.cpus} CPUs, Node ${r.machine.node}`);
  for (const w of WORKLOADS) {
    lines.push('');
    lines.push(w === 'animation' ? 'animation (the whole screen changes every frame)' : w === 'desktop' ? 'desktop (a 1% strip changes every frame)' : 'idle (nothing changes)');
    lines.push(`  ${'server'.padEnd(9)}${'updates/s'.padStart(10)}${'KB/update'.padStart(11)}${'CPU s/1k'.padStart(10)}${'Xvfb s/1k'.padStart(11)}${'core %'.padStart(8)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'no-client core %'.padStart(18)}`);
    for (const s of SERVERS) {
      const row = r.servers[s];
      if (!row) continue;
      if ('error' in row) {
        lines.push(`  ${s.padEnd(9)}failed: ${(row as { error: string }).error}`);
        continue;
      }
      const n = (row as Record<Workload, VncNumbers>)[w];
      lines.push(
        `  ${s.padEnd(9)}${f1(n.updatesPerSec).padStart(10)}${f1(n.bytesPerUpdate / 1024).padStart(11)}${f3(n.cpuSecPer1000).padStart(10)}${f3(n.xvfbCpuSecPer1000).padStart(11)}` +
          `${f2(n.corePercent).padStart(8)}${f1(n.latencyMs.p50).padStart(8)}${f1(n.latencyMs.p99).padStart(8)}${f2(n.noClientCorePercent).padStart(18)}`,
      );
    }
    if (r.ratios) {
      const q = r.ratios[w];
      lines.push(`  vdpush/x11vnc: ${f2(q.cpuPerUpdate)}x CPU per update, ${f2(q.p99Latency)}x p99 latency, ${f2(q.updatesPerSec)}x updates/s`);
    }
  }
  if (r.targets) {
    const m = r.targets.met;
    const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    lines.push('');
    lines.push('targets (aims, not asserted):');
    lines.push(`  <= 0.5x x11vnc's CPU per update on animation and desktop: ${mark(m.halfCpuPerUpdate)}`);
    lines.push(`  lower p99 latency than x11vnc on animation and desktop: ${mark(m.lowerP99)}`);
    lines.push(`  idle under 1% of a core: ${mark(m.idleUnder1Percent)}`);
  }
  return lines.join('\n');
}
