/**
 * `vdpush bench page`: the browser viewer's frame rate. `vdpush serve` (its own process) shows a
 * 1920x1080@60 display whose whole screen changes every frame, once on the simulated display
 * (`--pattern full`) and once on Xvfb (the built-in animated workload, a full-screen checkerboard
 * per frame); the page (noVNC over `/rfb`) runs in Debian's headless Chromium on loopback.
 *
 * Per source, after a warm-up: the display's frames/s as the host consumed them and the frames/s
 * the page drew (both read from the page's own panel, once a second, averaged), their ratio, and
 * the CPU of `vdpush serve` (every thread) and of Chromium (every process of its tree) as % of
 * one core, and of the one thread on each side that can bound the rate alone (serve's main thread,
 * the page's renderer main thread), so the row says which side bounds it; and both CPUs per frame
 * drawn, beside what the cores have per frame at 60 Hz. Then, on the sim's frames alone
 * (codec-cost.ts), what the JPEG costs to encode and to decode: the part of that CPU per frame the
 * codec takes. Nothing is asserted.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BackendError, MissingDependencyError } from '../../src/contract/errors.js';
import { procCpuSeconds } from '../xvfb/proc-cpu.js';
import { measureCodecCost, type CodecCost } from './codec-cost.js';

/** Linux's USER_HZ (as bench/xvfb/proc-cpu.ts). */
const CLOCK_TICKS_PER_S = 100;

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MODE = '1920x1080@60';
const WIDTH = 1920;
const HEIGHT = 1080;
const WARMUP_S = 4;
const MEASURE_S = 8;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const SOURCES = ['sim', 'xvfb'] as const;
type Source = (typeof SOURCES)[number];

export interface PageNumbers {
  seconds: number;
  /** The display's frames/s as the host consumed them (the panel's "display"). */
  displayFps: number;
  /** The frames/s the page drew (noVNC's flips, the panel's per-monitor counter). */
  drawnFps: number;
  /** drawnFps / displayFps. */
  ratio: number;
  /** `vdpush serve`'s CPU, % of one core (every thread: drain, encoders, zlib, libjpeg). */
  serveCorePercent: number;
  /** Chromium's CPU, % of one core (every process: the page's decode and draw). */
  browserCorePercent: number;
  /**
   * The two single threads that can bound the rate on their own, % of one core: serve's main
   * thread (the ring's consumer, the frame check, the RFB server and its encoders' synchronous
   * part) and the renderer's main thread (noVNC's parsing, the canvas draws and flips).
   */
  serveMainCorePercent: number;
  browserMainCorePercent: number;
  /**
   * CPU ms per frame drawn: serve's and Chromium's (their CPU over the frames the page drew).
   * Against `codec.budgetMsPerFrame`: their sum above it means the cores cannot draw 60 frames/s.
   */
  serveCpuMsPerDrawnFrame: number;
  browserCpuMsPerDrawnFrame: number;
}

export interface PageBenchResult {
  mode: string;
  sources: Record<Source, PageNumbers | { error: string }>;
  /** One sim frame's JPEG encode and decode, measured alone in the same run (codec-cost.ts). */
  codec: CodecCost | { error: string };
  machine: { cpus: number; node: string };
}

interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Page {
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  setViewportSize(s: { width: number; height: number }): Promise<void>;
  goto(url: string): Promise<unknown>;
  locator(sel: string, o: { hasText: string }): { waitFor(o: { timeout: number }): Promise<void> };
  textContent(sel: string): Promise<string | null>;
  close(): Promise<void>;
}

async function launchChromium(): Promise<Browser> {
  let pw: { chromium: { launch(o: object): Promise<Browser> } };
  try {
    pw = (await import('playwright-core')) as never;
  } catch {
    throw new MissingDependencyError('playwright-core', 'playwright-core', 'a dev dependency of vdpush: run npm install');
  }
  try {
    readFileSync(CHROMIUM);
  } catch {
    throw new MissingDependencyError('Chromium', 'chromium', `expected at ${CHROMIUM}`);
  }
  return pw.chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Chromium's CPU seconds: every process below this one whose command is Chromium's (playwright starts it as a child). */
function chromiumCpuSeconds(): number {
  return treeCpuSeconds(process.pid, (pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0]!.includes('chromium');
    } catch {
      return false;
    }
  });
}

/** CPU seconds of a process's main thread alone (/proc/PID/task/PID), NaN when it is gone. */
function mainThreadCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'latin1');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

/** Main-thread CPU seconds of every Chromium renderer below this process, by pid. */
function rendererMainCpuSeconds(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'latin1');
      if (!cmd.includes('chromium') || !cmd.includes('--type=renderer')) continue;
    } catch {
      continue;
    }
    const c = mainThreadCpuSeconds(Number(d));
    if (!Number.isNaN(c)) out.set(Number(d), c);
  }
  return out;
}

/** The busiest renderer main thread's CPU seconds between two samples (the page's renderer). */
function busiestRenderer(before: Map<number, number>, after: Map<number, number>): number {
  let best = 0;
  for (const [pid, c] of after) best = Math.max(best, c - (before.get(pid) ?? c));
  return best;
}

/** CPU seconds of a process's descendants (from /proc) that `counts` picks, or of all. */
function treeCpuSeconds(root: number, counts: (pid: number) => boolean = () => true): number {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  let sum = 0;
  const stack = [root];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const c = p === root ? Number.NaN : counts(p) ? procCpuSeconds(p) : Number.NaN;
    if (!Number.isNaN(c)) sum += c;
    stack.push(...(children.get(p) ?? []));
  }
  return sum;
}

interface Serve {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

async function startServe(source: Source): Promise<Serve> {
  const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  const args = ['serve', '--source', source, '--mode', MODE, '--port', '0', ...(source === 'sim' ? ['--pattern', 'full'] : [])];
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.once('error', () => undefined);
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGINT');
    const t = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exit;
    clearTimeout(t);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BackendError(`vdpush serve printed no URL in ${READY_TIMEOUT_MS} ms: ${stderr.slice(-500)}`)), READY_TIMEOUT_MS);
    child.stderr!.on('data', (s: string) => {
      stderr = (stderr + s).slice(-4000);
      const m = /viewer at (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new BackendError(`vdpush serve exited: ${stderr.slice(-500)}`));
    });
  }).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { pid: child.pid!, url, stop };
}

async function measure(browser: Browser, source: Source): Promise<PageNumbers> {
  const serve = await startServe(source);
  const page = await browser.newPage();
  try {
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(serve.url);
    await page.locator('.monitor .rfb-state', { hasText: 'live' }).waitFor({ timeout: READY_TIMEOUT_MS });
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    const s0 = procCpuSeconds(serve.pid);
    const b0 = chromiumCpuSeconds();
    const sm0 = mainThreadCpuSeconds(serve.pid);
    const bm0 = rendererMainCpuSeconds();
    const t0 = performance.now();
    const display: number[] = [];
    const drawn: number[] = [];
    for (let i = 0; i < MEASURE_S; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      display.push(Number(await page.textContent('#source-fps')));
      drawn.push(Number(await page.textContent('.monitor .drawn-fps')));
    }
    const seconds = (performance.now() - t0) / 1000;
    const serveCpu = procCpuSeconds(serve.pid) - s0;
    const browserCpu = chromiumCpuSeconds() - b0;
    const serveMainCpu = mainThreadCpuSeconds(serve.pid) - sm0;
    const browserMainCpu = busiestRenderer(bm0, rendererMainCpuSeconds());
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    const displayFps = mean(display);
    const drawnFps = mean(drawn);
    const perDrawn = (cpuS: number): number => (drawnFps > 0 ? (cpuS * 1000) / (drawnFps * seconds) : Number.NaN);
    return {
      seconds,
      displayFps,
      drawnFps,
      ratio: displayFps > 0 ? drawnFps / displayFps : Number.NaN,
      serveCorePercent: (serveCpu / seconds) * 100,
      browserCorePercent: (browserCpu / seconds) * 100,
      serveMainCorePercent: (serveMainCpu / seconds) * 100,
      browserMainCorePercent: (browserMainCpu / seconds) * 100,
      serveCpuMsPerDrawnFrame: perDrawn(serveCpu),
      browserCpuMsPerDrawnFrame: perDrawn(browserCpu),
    };
  } finally {
    await page.close().catch(() => undefined);
    await serve.stop();
  }
}

export async function runPageBench(_opts: { json: boolean }): Promise<PageBenchResult> {
  const browser = await launchChromium();
  const sources = {} as PageBenchResult['sources'];
  let codec: PageBenchResult['codec'];
  try {
    for (const s of SOURCES) {
      try {
        sources[s] = await measure(browser, s);
      } catch (e) {
        sources[s] = { error: (e as Error).message };
      }
    }
    // After the pages: serve has stopped, so each side of the codec runs alone.
    const page = await browser.newPage();
    try {
      codec = await measureCodecCost(page, chromiumCpuSeconds, WIDTH, HEIGHT, cpus().length);
    } catch (e) {
      codec = { error: (e as Error).message };
    } finally {
      await page.close().catch(() => undefined);
    }
  } finally {
    await browser.close();
  }
  return { mode: MODE, sources, codec, machine: { cpus: cpus().length, node: process.version } };
}

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '—');

export function formatPageBench(r: PageBenchResult): string {
  const lines = [`vdpush bench page — the viewer page (noVNC over /rfb) in headless Chromium on loopback, ${r.mode}, the whole screen changing every frame, ${r.machine.cpus} CPUs, Node ${r.machine.node}`];
  lines.push(`  ${'source'.padEnd(8)}${'display fps'.padStart(12)}${'drawn fps'.padStart(11)}${'drawn/display'.padStart(15)}${'serve core % (main)'.padStart(21)}${'Chromium core % (page main)'.padStart(29)}${'CPU ms/drawn frame: serve + Chromium'.padStart(38)}`);
  for (const s of SOURCES) {
    const n = r.sources[s];
    if (!n) continue;
    if ('error' in n) {
      lines.push(`  ${s.padEnd(8)}failed: ${n.error}`);
      continue;
    }
    lines.push(
      `  ${s.padEnd(8)}${f1(n.displayFps).padStart(12)}${f1(n.drawnFps).padStart(11)}${(f2(n.ratio) + 'x').padStart(15)}${`${f1(n.serveCorePercent)} (${f1(n.serveMainCorePercent)})`.padStart(21)}${`${f1(n.browserCorePercent)} (${f1(n.browserMainCorePercent)})`.padStart(29)}${`${f1(n.serveCpuMsPerDrawnFrame)} + ${f1(n.browserCpuMsPerDrawnFrame)}`.padStart(38)}`,
    );
  }
  const c = r.codec;
  if ('error' in c) lines.push(`  codec: failed: ${c.error}`);
  else {
    lines.push(
      `  one sim frame alone (${(c.jpegBytes / 1024).toFixed(0)} KiB JPEG): encode ${f2(c.encodeMsPerFrame)} ms + decode and draw ${f2(c.decodeMsPerFrame)} ms of CPU = ${f2(c.encodeMsPerFrame + c.decodeMsPerFrame)} ms, of the ${f1(c.budgetMsPerFrame)} ms ${r.machine.cpus} cores have per frame at 60 Hz`,
    );
  }
  return lines.join('\n');
}
