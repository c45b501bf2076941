/**
 * A large I420 conversion split into bands of rows, one per helper thread (i420-band-worker.ts),
 * so a recording of a full-screen animation is not held to what one thread converts: a whole
 * 1080p bgra8 picture took one thread 13-21 ms on this project's machines, longer than a 60 Hz
 * period once the thread also consumes and writes, and `bench record` saw `record -` keep 212
 * distinct frames of 360 where ffmpeg x11grab, whose pipeline runs on several threads, kept 341.
 *
 * Invariant: a picture converted here is byte for byte I420Converter.convert of the same frame
 * and region. Each band is that very call over its rows, and bands are whole 2x2-block rows, so
 * they write disjoint luma and chroma rows. A region too small to be worth the hand-over
 * (BAND_MIN_PIXELS), buffers that are not shared, helpers not started yet or one that failed:
 * the calling thread converts, synchronously, as before. Nothing allocates per frame but the
 * waits' promises.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { sleepWhileEqual } from '../../ring/async-wait.js';
import { I420Converter, i420Size } from './i420-convert.js';
import { ConvertOutcome, type ConvertOutcomeCode, type PixelSource } from './pixel-convert.js';
import { JOB_WORDS, JobState, JobWord, MAX_HELPER_BUFFERS, type BufferMessage } from './i420-job.js';

/** Below this many pixels a region converts on the calling thread: its hand-over costs more. */
export const BAND_MIN_PIXELS = 256 * 1024;
/** How long one wait for a helper lasts before it checks that the helper still lives. */
const WAIT_SLICE_MS = 500;

interface Helper {
  worker: Worker;
  ctl: Int32Array;
  port: MessagePort;
  online: boolean;
  dead: boolean;
  /** Buffer ids this helper holds, oldest first (i420-job.ts: MAX_HELPER_BUFFERS). */
  sent: number[];
}

export function defaultBandHelpers(): number {
  return Math.max(2, Math.min(4, availableParallelism()));
}

export class I420Bands {
  private readonly inline = new I420Converter();
  private readonly helpers: Helper[] = [];
  private readonly ids = new WeakMap<SharedArrayBuffer, number>();
  private nextId = 1;
  private closed = false;
  /** A banded conversion is under way: the helpers' control words are taken. */
  private inFlight = false;
  /** The helpers ready for a job, and those a job went to (reused, never per frame). */
  private readonly ready: Helper[] = [];
  private readonly used: Helper[] = [];
  /** Conversions handed to helpers so far (for tests and the curious). */
  banded = 0;

  constructor(private readonly helperCount = defaultBandHelpers()) {}

  /**
   * Writes the frame's picture (or the region's blocks) into `out` at `offset`, like
   * I420Converter.convert: synchronously when this thread does it, else a promise that settles
   * once every band is written. The frame and `out` must not change until then.
   */
  convert(frame: PixelSource, out: Uint8Array, offset: number, x0 = 0, y0 = 0, x1 = frame.width, y1 = frame.height): ConvertOutcomeCode | Promise<ConvertOutcomeCode> {
    const w = frame.width;
    const h = frame.height;
    const ya = Math.max(0, y0) & ~1;
    const yb = Math.min(h, y1);
    const area = (Math.min(w, x1) - Math.max(0, x0)) * (yb - ya);
    const px = frame.pixels;
    // A second picture while one is in the helpers (a writer that does not wait): this thread.
    if (this.closed || this.inFlight || area < BAND_MIN_PIXELS || !(px.buffer instanceof SharedArrayBuffer) || !(out.buffer instanceof SharedArrayBuffer)) {
      return this.inline.convert(frame, out, offset, x0, y0, x1, y1);
    }
    if (this.helpers.length === 0) this.start();
    const ready = this.ready;
    ready.length = 0;
    for (const hp of this.helpers) if (hp.online && !hp.dead) ready.push(hp);
    if (ready.length < 2 || out.length - offset < i420Size(w, h)) return this.inline.convert(frame, out, offset, x0, y0, x1, y1);
    this.inFlight = true;
    return this.convertInBands(frame, out, offset, x0, ya, x1, yb, ready).finally(() => (this.inFlight = false));
  }

  private async convertInBands(frame: PixelSource, out: Uint8Array, offset: number, x0: number, ya: number, x1: number, yb: number, ready: Helper[]): Promise<ConvertOutcomeCode> {
    const src = this.idOf(frame.pixels.buffer as SharedArrayBuffer);
    const dst = this.idOf(out.buffer as SharedArrayBuffer);
    const rows = yb - ya;
    // Bands of whole block rows (even heights), the last one taking what is left.
    const band = Math.max(2, Math.ceil(rows / ready.length / 2) * 2);
    const used = this.used;
    used.length = 0;
    for (let i = 0, y = ya; i < ready.length && y < yb; i++, y += band) {
      const hp = ready[i]!;
      this.send(hp, src, frame.pixels.buffer as SharedArrayBuffer);
      this.send(hp, dst, out.buffer as SharedArrayBuffer);
      const c = hp.ctl;
      c[JobWord.SrcId] = src;
      c[JobWord.SrcOffset] = frame.pixels.byteOffset;
      c[JobWord.SrcLength] = frame.pixels.byteLength;
      c[JobWord.Width] = frame.width;
      c[JobWord.Height] = frame.height;
      c[JobWord.Stride] = frame.stride;
      c[JobWord.Format] = frame.format;
      c[JobWord.OutId] = dst;
      c[JobWord.OutOffset] = out.byteOffset + offset;
      c[JobWord.OutLength] = i420Size(frame.width, frame.height);
      c[JobWord.X0] = x0;
      c[JobWord.Y0] = y;
      c[JobWord.X1] = x1;
      c[JobWord.Y1] = Math.min(yb, y + band);
      Atomics.store(c, JobWord.State, JobState.Job);
      Atomics.notify(c, JobWord.State);
      used.push(hp);
    }
    this.banded++;
    let result: ConvertOutcomeCode = ConvertOutcome.Ok;
    let lost = false;
    for (const hp of used) {
      while (Atomics.load(hp.ctl, JobWord.State) === JobState.Job && !hp.dead) await sleepWhileEqual(hp.ctl, JobWord.State, JobState.Job, WAIT_SLICE_MS);
      if (hp.dead) {
        lost = true;
        continue;
      }
      const r = Atomics.load(hp.ctl, JobWord.Result) as ConvertOutcomeCode;
      if (r !== ConvertOutcome.Ok && result === ConvertOutcome.Ok) result = r;
      Atomics.store(hp.ctl, JobWord.State, JobState.Idle);
    }
    // A helper died under its band (never seen, but a thread can fail): the whole region here.
    if (lost) return this.inline.convert(frame, out, offset, x0, ya, x1, yb);
    return result;
  }

  /** Ends the helpers (idempotent); later conversions run on the calling thread. */
  async close(): Promise<void> {
    this.closed = true;
    const exits = this.helpers.map(
      (hp) =>
        new Promise<void>((resolve) => {
          if (hp.dead) return resolve();
          hp.worker.once('exit', () => resolve());
          // Joined: the wait for its exit keeps the process alive until it is gone.
          hp.worker.ref();
          Atomics.store(hp.ctl, JobWord.State, JobState.Exit);
          Atomics.notify(hp.ctl, JobWord.State);
        }),
    );
    await Promise.all(exits);
    for (const hp of this.helpers) hp.port.close();
    this.helpers.length = 0;
  }

  private start(): void {
    for (let i = 0; i < this.helperCount; i++) {
      const ctl = new Int32Array(new SharedArrayBuffer(JOB_WORDS * 4));
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(new URL('./i420-band-worker.js', import.meta.url), { workerData: { control: ctl.buffer, port: port2 }, transferList: [port2] });
      // A helper never keeps the process alive: an encoder left without end() still lets it exit.
      worker.unref();
      port1.unref();
      const hp: Helper = { worker, ctl, port: port1, online: false, dead: false, sent: [] };
      worker.once('online', () => (hp.online = true));
      const gone = (): void => {
        hp.dead = true;
      };
      worker.once('error', gone);
      worker.once('exit', gone);
      this.helpers.push(hp);
    }
  }

  private idOf(b: SharedArrayBuffer): number {
    let id = this.ids.get(b);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(b, id);
    }
    return id;
  }

  private send(hp: Helper, id: number, buffer: SharedArrayBuffer): void {
    if (hp.sent.includes(id)) return;
    const msg: BufferMessage = { kind: 'buffer', id, buffer };
    hp.port.postMessage(msg);
    hp.sent.push(id);
    if (hp.sent.length > MAX_HELPER_BUFFERS) hp.sent.shift();
  }
}
