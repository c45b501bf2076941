/**
 * A swap-chain wrapper that makes acquire() fail with a given HRESULT when a test's predicate says
 * so, and otherwise delegates to the real (simulated) swap-chain: the way to inject a failure of
 * the driver's own kind (out of memory) into a run on the sim, which has no such fault.
 */
import type { AcquiredFrame, Adapter, Monitor, RenderDevice, SwapChain } from '../../../src/display/types.js';
import type { Signal } from '../../../src/display/signal.js';

export class FlakySwapChain implements SwapChain {
  constructor(
    private readonly inner: SwapChain,
    private readonly failWith: () => number | null,
  ) {}
  get id(): number {
    return this.inner.id;
  }
  get renderAdapter(): Adapter {
    return this.inner.renderAdapter;
  }
  get surfaceAvailable(): Signal {
    return this.inner.surfaceAvailable;
  }
  get frame(): AcquiredFrame {
    return this.inner.frame;
  }
  get deleted(): boolean {
    return this.inner.deleted;
  }
  setDevice(device: RenderDevice): number {
    return this.inner.setDevice(device);
  }
  acquire(): number {
    const hr = this.failWith();
    return hr === null ? this.inner.acquire() : hr;
  }
  finish(): number {
    return this.inner.finish();
  }
  delete(): void {
    this.inner.delete();
  }
}

/** A monitor that hands the driver every swap-chain wrapped in a FlakySwapChain. */
export function flakyMonitor(m: Monitor, failWith: () => number | null): Monitor {
  return {
    assignSwapChain: (sc) => m.assignSwapChain(new FlakySwapChain(sc, failWith)),
    unassignSwapChain: () => m.unassignSwapChain(),
  };
}
