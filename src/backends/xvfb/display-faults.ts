/**
 * The Xvfb display's faults (xvfb-faults.ts) wired to the display's OS side: which swap-chain is
 * current, the orderly reassign, RandR modes, the host's listeners, and where a failed effect is
 * recorded. Built once per display.
 */
import type { Clock } from '../../display/clock.js';
import { DXGI_ERROR_ACCESS_LOST } from '../../display/result-codes.js';
import type { DisplayMode, HostFaultRequest } from '../../display/types.js';
import { parseFaultSchedule } from '../sim/fault-schedule.js';
import type { SwapChainAssigner } from './swap-chain-assigner.js';
import { XvfbFaults } from './xvfb-faults.js';

export interface DisplayFaultParts {
  clock: Clock;
  assigner: SwapChainAssigner;
  mode(): DisplayMode;
  requestMode(mode: { width: number; height: number; refreshHz: number }): Promise<void>;
  hostFaultListeners: ReadonlyArray<(req: HostFaultRequest) => void>;
  recordFailure(kind: string, message: string): void;
}

export function createDisplayFaults(p: DisplayFaultParts, schedule: string): XvfbFaults {
  const a = p.assigner;
  return new XvfbFaults(
    {
      clock: p.clock,
      currentSwapChain: () => a.current,
      reassign: () => {
        void a.enqueue(async () => {
          await a.takeBack(DXGI_ERROR_ACCESS_LOST, true);
          await a.assignNew();
        });
      },
      wake: () => a.current?.maybeCapture(),
      mode: () => p.mode(),
      requestMode: (m) => p.requestMode(m),
      hostFault: (req) => {
        for (const l of p.hostFaultListeners) l(req);
        return p.hostFaultListeners.length;
      },
      recordFailure: (kind, message) => p.recordFailure(kind, message),
    },
    parseFaultSchedule(schedule),
  );
}
