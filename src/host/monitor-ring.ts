/**
 * One monitor's ring as the host owns it: the HostRing (on the host thread), the MessagePort that
 * carries each new ring buffer to the monitor's worker, and how many generations it had.
 *
 *   host (here)                                   monitor worker
 *   sourceDescChanged → recreate → port ───────> read at the next attach (receiveMessageOnPort)
 *
 * The display reports a new mode in the ring's header (SOURCE_WIDTH/HEIGHT/FORMAT); housekeeping()
 * recreates the ring at it and hands the new buffer over. A format change that fits the slots (an
 * HDR flip, a one-frame blip) never gets here: formats travel per frame.
 */
import type { MessagePort } from 'node:worker_threads';
import { BackendError } from '../contract/errors.js';
import { formatName } from '../contract/pixel-format.js';
import { HostRing } from '../ring/index.js';
import { frameFormatsFor } from './session-options.js';
import type { MonitorConfig } from './worker-messages.js';

export type RingDesc = { width: number; height: number; format: number };

/** The ring a monitor starts with: at its mode, its slots sized for every format its display may send. */
export function createMonitorHostRing(config: MonitorConfig, opts: { ringLen?: number; arm?: 'auto' | 'slot-state' | 'keyed-mutex' }): HostRing {
  return HostRing.create({
    targetId: config.targetId,
    width: config.width,
    height: config.height,
    format: config.format,
    frameFormats: frameFormatsFor(config),
    ...(opts.ringLen !== undefined ? { ringLen: opts.ringLen } : {}),
    ...(opts.arm !== undefined ? { arm: opts.arm } : {}),
  });
}

export class MonitorRing {
  generations = 1;

  constructor(
    readonly ring: HostRing,
    private readonly port: MessagePort,
    /** Called with each desc the ring was recreated at (the link's mode follows it). */
    private readonly onRecreated: (desc: RingDesc) => void,
  ) {}

  /**
   * Recreates the ring if the display changed its size (RandR, a mode change, a host-requested
   * mode) or sends a format the slots cannot hold. Returns the refusal when the host will not
   * allocate that ring (16384x16384 rgba16f is 12.9 GB): the run must end; else null.
   */
  housekeeping(): BackendError | null {
    const desc = this.ring.sourceDescChanged();
    if (desc === null) return null;
    try {
      this.recreate(desc);
      return null;
    } catch (e) {
      return new BackendError(`the display switched to ${desc.width}x${desc.height} ${formatName(desc.format)}, which vdpush refuses: ${(e as Error).message}`, { cause: e });
    }
  }

  recreate(desc: RingDesc): void {
    this.ring.recreate(desc);
    this.generations++;
    this.onRecreated(desc);
    this.deliver(this.ring.buffer);
  }

  /** Hands the worker the buffer to use from now on (read synchronously at its next attach). */
  private deliver(buffer: SharedArrayBuffer): void {
    try {
      this.port.postMessage(buffer);
    } catch {
      // The worker is gone; the link's finish() has run or will.
    }
  }

  /**
   * Test seam (the hostile test): retires the ring, as a recreate does, but hands the worker
   * `buffer` (another monitor's) instead of the new one. The worker must refuse to attach.
   */
  deliverForeign(buffer: SharedArrayBuffer): void {
    const h = this.ring.health();
    this.ring.recreate({ width: h.width, height: h.height, format: h.format });
    this.generations++;
    this.deliver(buffer);
  }

  /** Re-delivers the monitor's own ring (after deliverForeign). */
  redeliver(): void {
    this.deliver(this.ring.buffer);
  }

  close(): void {
    this.port.close();
    this.ring.close();
  }
}
