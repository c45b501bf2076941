/**
 * What a capture's unavoidable IPC costs on this machine, measured in the same run against the
 * same X server: the floor under a 1% desktop frame's CPU.
 *
 * A frame that follows idle time costs at least two wake-ups of this thread, whatever its size:
 * the DamageNotify that announces the draw, and the reply of the one round trip that orders that
 * damage before the grab (swap-chain.ts). Measured here, each after an idle gap as a 1% frame is:
 *  - `wakeMs`: a timer wake-up alone (the event loop leaving epoll, a callback, its promise);
 *  - `roundTripMs`: one X request whose reply the thread sleeps for (QueryPointer), beyond the wake
 *    that started it: the write that wakes the server, the reply's wake-up, the reply parsed.
 * `floorMs` = wakeMs + roundTripMs: what a 1% frame costs before it copies a byte or publishes.
 *
 * A capture that holds the grab also writes its UngrabServer once the copy is done: a second write,
 * which wakes the server again. `grabbedFloorMs` is the whole IPC of a grabbed capture, measured as
 * vdpush sends it (after the idle gap: GrabServer + the round trip in one write, the reply, then
 * UngrabServer flushed on its own), and `ungrabMs` what it adds to `floorMs`: the floor under a
 * grab-consistent 1% frame before its bytes. `grabbedServerMs` is the X server's side of that
 * same exchange: its CPU per grabbed sample (nothing else draws meanwhile), read from the server's
 * schedstat around the grabbed samples, so the X-server CPU a capture causes has a floor too.
 *
 * `grabbedFloorMs60Hz` is the same grabbed exchange after the idle gap a 60 Hz display leaves
 * between frames (16.7 ms): the floor under one frame of a served 60 Hz desktop (issue 13's
 * `bench vnc` workloads draw at 60 Hz), before a byte is read. The longer a thread sleeps, the
 * more its next wake-up costs on these VMs (caches and TLB cold, the vCPU halted), so this floor
 * is higher than the 5 ms one.
 */
import { connectXClient } from '../../src/backends/xvfb/x-connect.js';
import { procCpuSecondsPrecise, selfCpuSeconds } from './proc-cpu.js';

/** The idle gap before each sample: long enough for the thread to sleep, as between 1% frames. */
const GAP_MS = 5;
const SAMPLES = 200;
/** The gap between a 60 Hz display's frames, and how many grabbed samples are taken after it. */
const GAP_60HZ_MS = 1000 / 60;
const SAMPLES_60HZ = 60;

export interface WakeFloor {
  wakeMs: number;
  roundTripMs: number;
  floorMs: number;
  /** The grabbed capture's IPC: the wake-up, GrabServer + the round trip, the ungrab's own write. */
  grabbedFloorMs: number;
  /** grabbedFloorMs - floorMs: the grab and its ungrab write. */
  ungrabMs: number;
  /** The X server's CPU per grabbed sample (the grab, the round trip, the ungrab); NaN without its pid. */
  grabbedServerMs: number;
  /** grabbedFloorMs after a 60 Hz display's gap between frames (16.7 ms) instead of 5 ms. */
  grabbedFloorMs60Hz: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function cpuMsPer(samples: number, body: () => Promise<void>): Promise<number> {
  const c0 = selfCpuSeconds();
  for (let i = 0; i < samples; i++) await body();
  return ((selfCpuSeconds() - c0) / samples) * 1000;
}

export async function measureWakeFloor(display: string, serverPid = -1): Promise<WakeFloor> {
  const { client, xdisplay } = await connectXClient(display, { bufferRequests: true, purpose: 'for the wake-floor bench', onError: () => undefined });
  try {
    const root = xdisplay.screen[0]!.root;
    const roundTrip = (): Promise<void> => new Promise((r) => client.QueryPointer(root, () => r()));
    const grabbed = (): Promise<void> =>
      new Promise((r) => {
        client.GrabServer();
        client.QueryPointer(root, () => {
          client.UngrabServer();
          client.pack_stream.flush();
          r();
        });
      });
    for (let i = 0; i < 50; i++) await roundTrip(); // the JIT, the connection's buffers
    // Interleaved, so a change in the machine's load moves both alike.
    let wake = 0;
    let both = 0;
    let grab = 0;
    let serverSec = 0;
    let grab60 = 0;
    for (let round = 0; round < 4; round++) {
      wake += await cpuMsPer(SAMPLES / 4, () => sleep(GAP_MS));
      both += await cpuMsPer(SAMPLES / 4, async () => {
        await sleep(GAP_MS);
        await roundTrip();
      });
      const server0 = procCpuSecondsPrecise(serverPid);
      grab += await cpuMsPer(SAMPLES / 4, async () => {
        await sleep(GAP_MS);
        await grabbed();
      });
      serverSec += procCpuSecondsPrecise(serverPid) - server0;
      grab60 += await cpuMsPer(SAMPLES_60HZ / 4, async () => {
        await sleep(GAP_60HZ_MS);
        await grabbed();
      });
    }
    const wakeMs = wake / 4;
    const roundTripMs = Math.max(0, both / 4 - wakeMs);
    const floorMs = wakeMs + roundTripMs;
    const grabbedFloorMs = Math.max(floorMs, grab / 4);
    return { wakeMs, roundTripMs, floorMs, grabbedFloorMs, ungrabMs: grabbedFloorMs - floorMs, grabbedServerMs: (serverSec / SAMPLES) * 1000, grabbedFloorMs60Hz: grab60 / 4 };
  } finally {
    client.terminate();
  }
}
