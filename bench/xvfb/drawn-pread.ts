/**
 * What the capture's copy costs at best, measured in the same run in the capture's conditions:
 * the whole framebuffer file read (one pread, FramebufferReader, into a SharedArrayBuffer) right
 * after the workload drew it, with the server grabbed as vdpush's capture grabs it.
 *
 * Why not the ceiling's pread (ceilings.ts): that one reads the file over and over before the
 * workload starts, so its 8 MB source and 8 MB destination stay in the 32 MB L3 cache. In a
 * capture the X server has just rewritten every page on the other core (at 1080p the animation
 * writes ~10 GB/s), so the pread pulls the frame from the other core's cache or from DRAM: on
 * this machine ~1.7x slower than the warm ceiling. This is that cost alone: between samples the
 * workload draws freely for GAP_MS; then GrabServer + a round trip (the server stops drawing),
 * the timed pread, UngrabServer. Only the pread is timed, in this process's CPU time (the kernel's
 * copy is system time; wall time would count other processes' turns on a shared machine), so
 * `ms` is the CPU a capture's copy of those bytes costs at least. The preads alternate between two
 * destinations, as a ring's producer does (it never writes the slot that holds the newest frame,
 * which a consumer may be taking, so a run of frames alternates between two slots): one
 * destination reused every time stays in the cache in a way no ring slot does.
 */
import { connectXClient } from '../../src/backends/xvfb/x-connect.js';
import { FramebufferReader } from '../../src/backends/xvfb/framebuffer-reader.js';
import { selfCpuSeconds } from './proc-cpu.js';

const GAP_MS = 4;
const SAMPLES = 60;

export interface DrawnPread {
  /** Mean CPU ms of one whole-frame pread of a just-drawn frame under the grab. */
  ms: number;
  GBps: number;
  /** When bracketed (bracketDrawnPread): the two measurements, before and after the capture phases. */
  bracketMs?: [number, number];
}

/** The mean of a measurement just before vdpush's phases and one just after (the bound the reads meet). */
export function bracketDrawnPread(before: DrawnPread, after: DrawnPread): DrawnPread {
  const ms = (before.ms + after.ms) / 2;
  return { ms, GBps: (before.GBps * before.ms) / ms, bracketMs: [before.ms, after.ms] };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function measureDrawnPread(display: string, framebufferPath: string, width: number, height: number): Promise<DrawnPread> {
  const { client, xdisplay } = await connectXClient(display, { bufferRequests: true, purpose: 'for the drawn-frame pread bench', onError: () => undefined });
  const fb = FramebufferReader.open(framebufferPath);
  const dsts = [0, 1].map(() => new Uint8Array(new SharedArrayBuffer(width * height * 4)));
  const whole = Int32Array.of(0, 0, width, height);
  try {
    const root = xdisplay.screen[0]!.root;
    for (const d of dsts) fb.read(d, width * 4, whole, 1); // the destinations' pages mapped, as ring slots' are
    const once = (dst: Uint8Array): Promise<number> =>
      new Promise((resolve) => {
        client.GrabServer();
        client.QueryPointer(root, () => {
          const c0 = selfCpuSeconds();
          fb.read(dst, width * 4, whole, 1);
          const ms = (selfCpuSeconds() - c0) * 1000;
          client.UngrabServer();
          client.pack_stream.flush();
          resolve(ms);
        });
      });
    let total = 0;
    for (let i = 0; i < SAMPLES; i++) {
      await sleep(GAP_MS);
      total += await once(dsts[i & 1]!);
    }
    const ms = total / SAMPLES;
    return { ms, GBps: (width * height * 4) / (ms / 1000) / 1e9 };
  } finally {
    fb.close();
    client.terminate();
  }
}
