/**
 * The recovery fault matrix (issue 4): one case per row of DESIGN.md's recovery table and per fault
 * kind of the simulated display's schedule, each on the real sim and the real ring, asserting the
 * exact sequence of recovery decisions and the state after: the render adapter, the critical error,
 * and whether frames flow again. After every run the invariants hold: every acquired frame finished
 * exactly once, no stall while the processor ran, no device live after stop, every consumed frame's
 * pixels verified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { E_OUTOFMEMORY } from '../../src/display/result-codes.js';
import { CriticalCodes } from '../../src/driver/critical-codes.js';
import { FORMAT_RGBA16F } from '../../src/contract/pixel-format.js';
import { flakyMonitor } from './fakes/flaky-swap-chain.js';
import { SimHarness, wrapMonitor, type HarnessOptions } from './sim-harness.js';

interface Case {
  name: string;
  faults: string;
  /** Each decision as failure:class:action:adapter. */
  actions: string[];
  adapter: 'hardware' | 'software';
  critical: { major: number; minor: number } | null;
  flowing: boolean;
  runMs?: number;
  options?: HarnessOptions;
  /** Extra checks on the finished run. */
  check?: (h: SimHarness) => void;
}

const rm = (kind: string, action: string, adapter = 'hardware', cls = 'directx'): string => `${kind}:${cls}:${action}:${adapter}`;
const times = <T>(n: number, x: T): T[] => new Array<T>(n).fill(x);
const code = (c: { major: number; minor: number }) => ({ major: c.major, minor: c.minor });

/** Out of memory on the first acquire after each of these times (a transient issue of our own). */
function oomAt(h: { clock: { now(): number } }, at: number[], until = -1): () => number | null {
  const pending = [...at];
  return () => {
    const now = h.clock.now();
    if (now < until) return E_OUTOFMEMORY;
    if (pending.length > 0 && now >= pending[0]!) {
      pending.shift();
      return E_OUTOFMEMORY;
    }
    return null;
  };
}

const CASES: Case[] = [
  { name: 'a fault-free run records no decision', faults: '', actions: [], adapter: 'hardware', critical: null, flowing: true },
  // Row: DirectX error while processing → leave the loop, delete the swap-chain, destroy the device.
  ...(['device-removed', 'device-reset', 'device-hung'] as const).map(
    (kind): Case => ({
      name: `${kind} while processing recreates the device on the hardware adapter`,
      faults: `${kind}@200ms`,
      actions: [rm(kind, 'recreate-device')],
      adapter: 'hardware',
      critical: null,
      flowing: true,
      check: (h) => {
        const s = h.driver.stats();
        assert.equal(s.devices.created, 2, 'a new device after the broken one');
        assert.equal(s.epochs.device, 2);
      },
    }),
  ),
  // The OS took the swap-chain from a healthy device: give it back, keep the device, count nothing.
  ...(
    [
      ['access-lost', 'access-lost'],
      ['topology-lost', 'path-not-in-topology'],
    ] as const
  ).map(
    ([kind, failure]): Case => ({
      name: `${kind} while processing releases the swap-chain and keeps the healthy device`,
      faults: `${kind}@200ms`,
      actions: [rm(failure, 'release-swapchain', 'hardware', 'os')],
      adapter: 'hardware',
      critical: null,
      flowing: true,
      check: (h) => {
        const s = h.driver.stats();
        assert.equal(s.devices.created, 1, 'the healthy device was kept');
        assert.equal(s.swapChains.assigned, 2, 'a new swap-chain followed');
      },
    }),
  ),
  // Row: DirectX error in assignSwapChain → destroy the device, return ABANDON (the OS retries).
  {
    name: 'a directx failure creating the device in assign abandons the swap-chain and the os retries',
    faults: 'assign-fail@200ms:2',
    actions: times(2, rm('device-removed', 'abandon-swapchain')),
    adapter: 'hardware',
    critical: null,
    flowing: true,
    check: (h) => assert.equal(h.display.stats().swapChainsAbandoned, 2),
  },
  // Row: too many DirectX errors on the hardware adapter → software fallback (both criteria).
  {
    name: 'five consecutive directx failures in assign move rendering to the software adapter',
    faults: 'assign-fail@200ms:5',
    actions: [
      ...times(5, rm('device-removed', 'abandon-swapchain')),
      rm('device-removed', 'software-fallback'),
    ],
    adapter: 'software',
    critical: null,
    flowing: true,
  },
  {
    name: 'five directx failures while processing within 60 s move rendering to the software adapter',
    faults: 'device-removed@200ms*6/100ms',
    actions: [
      ...times(5, rm('device-removed', 'recreate-device')),
      rm('device-removed', 'software-fallback'),
      // The sixth removal hits the software device: one failure of a fresh stage, recovered.
      rm('device-removed', 'recreate-device', 'software'),
    ],
    adapter: 'software',
    critical: null,
    flowing: true,
  },
  {
    name: 'five directx failures spread wider than 60 s stay on the hardware adapter',
    faults: 'device-removed@200ms*5/16s',
    actions: times(5, rm('device-removed', 'recreate-device')),
    adapter: 'hardware',
    critical: null,
    flowing: true,
    runMs: 66_000,
    options: { mode: '32x18@30' },
  },
  // Row: the same on the software adapter → reportCriticalError.
  {
    name: 'a driver bug that follows the device to every adapter falls back then reports a critical error',
    faults: 'driver-bug@200ms',
    actions: [
      ...times(5, rm('device-hung', 'recreate-device')),
      rm('device-hung', 'software-fallback'),
      ...times(5, rm('device-hung', 'recreate-device', 'software')),
      rm('device-hung', 'critical-error', 'software'),
    ],
    adapter: 'software',
    critical: code(CriticalCodes.DirectXProcessingExhausted),
    flowing: false,
  },
  {
    name: 'five consecutive assign failures on the software adapter report a critical error',
    faults: 'assign-fail@200ms:10',
    actions: [
      ...times(5, rm('device-removed', 'abandon-swapchain')),
      rm('device-removed', 'software-fallback'),
      ...times(5, rm('device-removed', 'abandon-swapchain', 'software')),
      rm('device-removed', 'critical-error', 'software'),
    ],
    adapter: 'software',
    critical: code(CriticalCodes.DirectXAssignExhausted),
    flowing: false,
  },
  // Row: transient own issue → fixed within the frame; recurring regularly → permanent.
  {
    name: 'an occasional transient failure of our own is retried within the frame',
    faults: '',
    actions: times(3, rm('out-of-memory', 'retry', 'hardware', 'transient-own')),
    adapter: 'hardware',
    critical: null,
    flowing: true,
    options: { wrap: (d) => wrapMonitor(d, (m) => flakyMonitor(m, oomAt(d, [200, 400, 600]))) },
    check: (h) => assert.equal(h.driver.stats().swapChains.assigned, 1, 'no swap-chain was given up'),
  },
  {
    name: 'a transient failure whose episodes recur regularly is promoted to permanent and reported as critical',
    faults: '',
    actions: [...times(9, rm('out-of-memory', 'retry', 'hardware', 'transient-own')), rm('out-of-memory', 'critical-error', 'hardware', 'permanent-own')],
    adapter: 'hardware',
    critical: code(CriticalCodes.TransientRecurring),
    flowing: false,
    options: { wrap: (d) => wrapMonitor(d, (m) => flakyMonitor(m, oomAt(d, Array.from({ length: 10 }, (_, i) => 200 + i * 150)))) },
  },
  {
    name: 'a transient episode that lasts longer than a second is not transient and is reported as critical',
    faults: 'acquire-oom@200ms:10s',
    actions: [rm('out-of-memory', 'retry', 'hardware', 'transient-own'), rm('out-of-memory', 'critical-error', 'hardware', 'permanent-own')],
    adapter: 'hardware',
    critical: code(CriticalCodes.TransientPersistent),
    flowing: false,
  },
  // Issue 10's kinds.
  {
    name: 'acquire-oom for 10 ms is one transient episode: one retry decision, backed off, no critical error',
    faults: 'acquire-oom@200ms:10ms',
    actions: [rm('out-of-memory', 'retry', 'hardware', 'transient-own')],
    adapter: 'hardware',
    critical: null,
    flowing: true,
    check: (h) => {
      const s = h.driver.stats();
      assert.ok(s.processor.transientRetries >= 1 && s.processor.transientRetries <= 5, `${s.processor.transientRetries} retries (1, 2, 4, 8 ms)`);
      assert.equal(s.swapChains.assigned, 1, 'fixed within the frame');
    },
  },
  {
    name: 'create-oom in assign is retried there with a backoff: one transient episode, then the device comes up',
    faults: 'device-removed@200ms,create-oom@200ms:30ms',
    actions: [rm('device-removed', 'recreate-device'), rm('out-of-memory', 'retry', 'hardware', 'transient-own')],
    adapter: 'hardware',
    critical: null,
    flowing: true,
    check: (h) => assert.ok(h.display.stats().deviceCreateFailures <= 8, `${h.display.stats().deviceCreateFailures} creations failed: backed off, not a busy loop`),
  },
  {
    name: 'ignore-render-adapter with a driver bug still ends in a critical error, with a bounded number of devices',
    faults: 'ignore-render-adapter@0ms,driver-bug@200ms',
    actions: [
      ...times(5, rm('device-hung', 'recreate-device')),
      rm('device-hung', 'software-fallback'),
      ...times(5, rm('device-hung', 'recreate-device')),
      rm('device-hung', 'critical-error'),
    ],
    adapter: 'hardware',
    critical: code(CriticalCodes.DirectXProcessingExhausted),
    flowing: false,
    check: (h) => {
      assert.ok(h.driver.stats().devices.created <= 12, `${h.driver.stats().devices.created} devices`);
      assert.equal(h.display.stats().renderAdapterIgnored, 1);
    },
  },
  {
    name: 'mode-change needs no recovery decision: a new swap-chain at the new mode, and the host ring follows',
    faults: 'mode-change@200ms:200x120@60',
    actions: [],
    adapter: 'hardware',
    critical: null,
    flowing: true,
    check: (h) => {
      assert.deepEqual([h.ring!.width, h.ring!.height], [200, 120]);
      assert.ok(h.generations >= 2);
    },
  },
  {
    name: 'format-blip needs no recovery decision, and the odd frames reach the publisher in their own format',
    faults: 'format-blip@200ms:3',
    actions: [],
    adapter: 'hardware',
    critical: null,
    flowing: true,
    check: (h) => {
      assert.ok((h.publishedFormats.get(FORMAT_RGBA16F) ?? 0) >= 3, 'each odd frame was handed to publish()');
      assert.equal(h.driver.stats().swapChains.assigned, 1, 'on the same swap-chain');
    },
  },
  {
    name: 'static-reencode while idle needs no recovery decision and breaks no invariant',
    faults: 'idle@200ms:500ms,static-reencode@300ms:3',
    actions: [],
    adapter: 'hardware',
    critical: null,
    flowing: true,
  },
  {
    name: 'ignore-render-adapter alone needs no recovery decision',
    faults: 'ignore-render-adapter@200ms',
    actions: [],
    adapter: 'hardware',
    critical: null,
    flowing: true,
  },
  // Row: permanent own issue → reportCriticalError.
  {
    name: 'a permanent issue of our own reports a critical error at once',
    faults: '',
    actions: [rm('slot-storage-corrupt', 'critical-error', 'hardware', 'permanent-own')],
    adapter: 'hardware',
    critical: code(CriticalCodes.PermanentOwn),
    flowing: false,
  },
  // Fault kinds the processor absorbs without a recovery decision.
  ...(['flap', 'unassign', 'hdr-flip', 'idle', 'host-stall', 'host-recreate'] as const).map(
    (kind): Case => ({
      name: `${kind} needs no recovery decision and frames flow again`,
      faults: `${kind}@200ms`,
      actions: [],
      adapter: 'hardware',
      critical: null,
      flowing: true,
    }),
  ),
];

for (const c of CASES) {
  test(c.name.replace(/[^a-z0-9]+/gi, '_'), async () => {
    const h = new SimHarness({ faults: c.faults, ...c.options });
    await h.start();
    const runMs = c.runMs ?? 2000;
    if (c.name.startsWith('a permanent issue')) {
      await h.runFor(300);
      h.driver.reportPermanentFailure('slot-storage-corrupt');
      await h.runFor(runMs - 300);
    } else {
      await h.runFor(runMs);
    }
    const endMs = h.clock.now();
    const broken = await h.stop();
    const s = h.driver.stats();
    const ds = h.display.stats();
    assert.deepEqual(
      s.recovery.events.map((e) => `${e.failure}:${e.class}:${e.action}:${e.adapter}`),
      c.actions,
    );
    assert.deepEqual(broken, [], 'run invariants');
    assert.equal(ds.renderAdapter.kind, c.adapter);
    assert.deepEqual(s.recovery.criticalError, c.critical);
    assert.deepEqual(ds.criticalError, c.critical, 'the OS saw the same code');
    const lastDecision = s.recovery.events.at(-1)?.atMs ?? 0;
    const framesAfter = h.consumedAt.filter((t) => t > lastDecision + 50).length;
    const framesAtEnd = h.consumedAt.filter((t) => t > endMs - 300).length;
    if (c.flowing) {
      assert.ok(framesAtEnd > 0, 'frames flow at the end of the run');
      for (const e of s.recovery.events) assert.ok(e.recoveryMs !== null && e.recoveryMs >= 0, `${e.action} at ${e.atMs} recovered`);
    } else {
      assert.equal(framesAfter, 0, 'no frame after the critical error');
      assert.equal(s.recovery.events.at(-1)!.recoveryMs, null);
    }
    c.check?.(h);
  });
}
