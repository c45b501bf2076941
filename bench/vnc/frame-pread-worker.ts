/**
 * cross-thread-scan.ts's writer: on each frame number the main thread asks for, one whole-frame
 * pread from the Xvfb framebuffer file into the shared frame (the capture's FramebufferReader),
 * then the number written is stored and notified. -1 ends it.
 */
import { workerData } from 'node:worker_threads';
import { FramebufferReader } from '../../src/backends/xvfb/framebuffer-reader.js';

const { path, width, height, frame, control: controlBuffer } = workerData as { path: string; width: number; height: number; frame: SharedArrayBuffer; control: SharedArrayBuffer };
const control = new Int32Array(controlBuffer);
const reader = FramebufferReader.open(path);
const dst = new Uint8Array(frame);
const whole = Int32Array.of(0, 0, width, height);
let seen = 0;
for (;;) {
  Atomics.wait(control, 0, seen, 5000);
  const asked = Atomics.load(control, 0);
  if (asked < 0) break;
  if (asked === seen) continue;
  seen = asked;
  reader.read(dst, width * 4, whole, 1);
  Atomics.store(control, 1, asked);
  Atomics.notify(control, 1);
}
reader.close();
