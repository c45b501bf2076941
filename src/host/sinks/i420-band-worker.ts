/**
 * A helper thread of i420-bands.ts: converts the band of rows a job names (i420-job.ts) from a
 * shared frame buffer into a shared picture buffer, with the same I420Converter the host uses, so
 * a picture converted in bands is byte for byte the one converted whole.
 *
 * It blocks in Atomics.wait between jobs (it has nothing else to do) and takes the buffers the
 * host sends straight off its port (receiveMessageOnPort), since a blocked thread runs no message
 * events.
 */
import { workerData, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { I420Converter } from './i420-convert.js';
import { ConvertOutcome } from './pixel-convert.js';
import { JobState, JobWord, MAX_HELPER_BUFFERS, type BufferMessage } from './i420-job.js';

const { control, port } = workerData as { control: SharedArrayBuffer; port: MessagePort };
const ctl = new Int32Array(control);
const buffers = new Map<number, SharedArrayBuffer>();
const converter = new I420Converter();
/** Views by (buffer id, offset, length), a few, reused: a ring's slots and the picture buffers repeat. */
interface CachedView {
  id: number;
  offset: number;
  length: number;
  view: Uint8Array;
}
const MAX_VIEWS = 32;
const views: CachedView[] = [];
let nextView = 0;

function buffer(id: number): SharedArrayBuffer | undefined {
  for (let b = buffers.get(id); b === undefined; b = buffers.get(id)) {
    const m = receiveMessageOnPort(port);
    if (m === undefined) return undefined;
    const msg = m.message as BufferMessage;
    if (msg.kind !== 'buffer') continue;
    buffers.delete(msg.id);
    buffers.set(msg.id, msg.buffer);
    // The host's rule (i420-job.ts): the oldest goes, with every view of it.
    if (buffers.size > MAX_HELPER_BUFFERS) {
      const oldest = buffers.keys().next().value as number;
      buffers.delete(oldest);
      for (let i = views.length - 1; i >= 0; i--) if (views[i]!.id === oldest) views.splice(i, 1);
    }
  }
  return buffers.get(id);
}

function view(id: number, offset: number, length: number): Uint8Array | null {
  for (let i = 0; i < views.length; i++) {
    const c = views[i]!;
    if (c.id === id && c.offset === offset && c.length === length) return c.view;
  }
  const b = buffer(id);
  if (b === undefined || offset < 0 || length < 0 || offset + length > b.byteLength) return null;
  const entry = { id, offset, length, view: new Uint8Array(b, offset, length) };
  if (views.length < MAX_VIEWS) views.push(entry);
  else views[(nextView = (nextView + 1) % MAX_VIEWS)] = entry;
  return entry.view;
}

function run(): number {
  const src = view(ctl[JobWord.SrcId]!, ctl[JobWord.SrcOffset]!, ctl[JobWord.SrcLength]!);
  const out = view(ctl[JobWord.OutId]!, ctl[JobWord.OutOffset]!, ctl[JobWord.OutLength]!);
  if (src === null || out === null) return ConvertOutcome.BadGeometry;
  const frame = { pixels: src, width: ctl[JobWord.Width]!, height: ctl[JobWord.Height]!, stride: ctl[JobWord.Stride]!, format: ctl[JobWord.Format]! };
  return converter.convert(frame, out, 0, ctl[JobWord.X0]!, ctl[JobWord.Y0]!, ctl[JobWord.X1]!, ctl[JobWord.Y1]!);
}

for (;;) {
  const state = Atomics.load(ctl, JobWord.State);
  if (state === JobState.Exit) break;
  if (state !== JobState.Job) {
    // Idle, or Done until the host takes the result: sleep until that changes.
    Atomics.wait(ctl, JobWord.State, state);
    continue;
  }
  let result: number;
  try {
    result = run();
  } catch {
    result = ConvertOutcome.BadGeometry;
  }
  Atomics.store(ctl, JobWord.Result, result);
  Atomics.store(ctl, JobWord.State, JobState.Done);
  Atomics.notify(ctl, JobWord.State);
}
port.close();
