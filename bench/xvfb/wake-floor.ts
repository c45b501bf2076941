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
 */
import { connectXClient } from '../../src/backends/xvfb/x-connect.js';
import { selfCpuSeconds } from './proc-cpu.js';

/** The idle gap before each sample: long enough for the thread to sleep, as between 1% frames. */
const GAP_MS = 5;
const SAMPLES = 200;

export interface WakeFloor {
  wakeMs: number;
  roundTripMs: number;
  floorMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function cpuMsPer(samples: number, body: () => Promise<void>): Promise<number> {
  const c0 = selfCpuSeconds();
  for (let i = 0; i < samples; i++) await body();
  return ((selfCpuSeconds() - c0) / samples) * 1000;
}

export async function measureWakeFloor(display: string): Promise<WakeFloor> {
  const { client, xdisplay } = await connectXClient(display, { purpose: 'for the wake-floor bench', onError: () => undefined });
  try {
    const root = xdisplay.screen[0]!.root;
    const roundTrip = (): Promise<void> => new Promise((r) => client.QueryPointer(root, () => r()));
    for (let i = 0; i < 50; i++) await roundTrip(); // the JIT, the connection's buffers
    // Interleaved, so a change in the machine's load moves both alike.
    let wake = 0;
    let both = 0;
    for (let round = 0; round < 4; round++) {
      wake += await cpuMsPer(SAMPLES / 4, () => sleep(GAP_MS));
      both += await cpuMsPer(SAMPLES / 4, async () => {
        await sleep(GAP_MS);
        await roundTrip();
      });
    }
    const wakeMs = wake / 4;
    const roundTripMs = Math.max(0, both / 4 - wakeMs);
    return { wakeMs, roundTripMs, floorMs: wakeMs + roundTripMs };
  } finally {
    client.terminate();
  }
}
