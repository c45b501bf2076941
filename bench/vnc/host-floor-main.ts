/**
 * The host thread's plumbing of one RFB update, alone, in a process of its own (as serve's host
 * thread is): per frame of a 60 Hz display, a worker thread sets and notifies a shared word (the
 * ring's frame-ready event), this thread wakes in Atomics.waitAsync, writes a 60-byte update to a
 * loopback TCP socket (setNoDelay), and reads the 10-byte request that a client in another
 * process sends back for each update. Nothing is taken, compared or encoded: what is left of an
 * update's cost when every byte of work is gone (the wake-ups, the socket's syscalls, Node's event
 * loop and streams).
 *
 * It runs with serve's V8 setting (monitor-worker-tier-up.ts: the lower interrupt budget the
 * worker sets for the whole process).
 *
 * Prints one JSON line: { msPerFrame, runsPerFrame, frames } (this thread's CPU from its
 * schedstat, after a warm-up as long as the VNC bench gives each phase).
 *
 * Usage: node host-floor-main.js --fps 60 --warmup-s 1.5 --measure-s 4
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { tierUpSooner } from '../../src/host/monitor-worker-tier-up.js';

// The V8 setting serve's process runs with once its monitor's worker starts (the host thread's
// functions tier up sooner too), so this thread's code is as optimized as serve's host thread's.
tierUpSooner();

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const fps = arg('fps', 60);
const warmupS = arg('warmup-s', 1.5);
const measureS = arg('measure-s', 4);

const word = new Int32Array(new SharedArrayBuffer(4));
const publisher = new Worker(
  `const { workerData: w, parentPort } = require('node:worker_threads');
   const word = new Int32Array(w.buffer); const t0 = performance.now(); let n = 0; let stop = false;
   parentPort.on('message', () => { stop = true; parentPort.close(); });
   const tick = () => { if (stop) return; Atomics.store(word, 0, 1); Atomics.notify(word, 0); n++; setTimeout(tick, Math.max(0, t0 + (n * 1000) / w.fps - performance.now())); };
   tick();`,
  { eval: true, workerData: { buffer: word.buffer, fps } },
);

let socket: Socket | null = null;
const server = createServer((s) => {
  s.setNoDelay(true);
  s.on('data', () => undefined);
  s.on('error', () => undefined);
  socket = s;
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const address = server.address();
const port = typeof address === 'object' && address !== null ? address.port : 0;
const client = spawn(process.execPath, ['-e', `const s = require('node:net').connect(${port}, '127.0.0.1', () => s.setNoDelay(true)); s.on('data', () => s.write(Buffer.alloc(10))); s.on('error', () => process.exit(0)); s.on('close', () => process.exit(0));`], { stdio: 'ignore' });
while (socket === null) await new Promise((r) => setTimeout(r, 10));
const out: Socket = socket;

const update = Buffer.alloc(60);
let frames = 0;
let running = true;
const onFrame = (): void => {
  Atomics.store(word, 0, 0);
  frames++;
  out.write(Buffer.from(update)); // a fresh buffer per update, as an encoder's output is
  if (running) wait();
};
function wait(): void {
  const r = Atomics.waitAsync(word, 0, 0);
  if (r.async) void r.value.then(onFrame);
  else queueMicrotask(onFrame);
}
wait();

function thread(): { ns: number; runs: number } {
  const s = readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'latin1').split(' ');
  return { ns: Number(s[0]), runs: Number(s[2]) };
}

await new Promise((r) => setTimeout(r, warmupS * 1000));
const a = thread();
const f0 = frames;
await new Promise((r) => setTimeout(r, measureS * 1000));
const b = thread();
const n = frames - f0;
running = false;
process.stdout.write(JSON.stringify({ msPerFrame: n > 0 ? (b.ns - a.ns) / 1e6 / n : Number.NaN, runsPerFrame: n > 0 ? (b.runs - a.runs) / n : Number.NaN, frames: n }) + '\n');
publisher.postMessage('stop');
client.kill();
out.destroy();
server.close();
await publisher.terminate();
process.exit(0);
