/**
 * The host's view of the display side's health tail (DESIGN.md "Health"), read from the header.
 * Unknown health values decode as Dead (fail-closed); a terminal error with domain None is null.
 */
import {
  ErrorDomain,
  OFF_ASSIGNMENT_EPOCH,
  OFF_CAPABILITIES,
  OFF_DEVICE_EPOCH,
  OFF_DRIVER_STATUS,
  OFF_DRIVER_STATUS_DETAIL,
  OFF_DROPPED_ALL_SLOTS_BUSY,
  OFF_DROPPED_DESC_MISMATCH,
  OFF_DROPPED_STALE,
  OFF_DROPPED_TOTAL,
  OFF_HEALTH_STATE,
  OFF_HOST_HEARTBEAT,
  OFF_LAST_PUBLISH_TIME,
  OFF_PRESENT_TIME,
  OFF_PUBLISHED_TOTAL,
  OFF_RENDER_ADAPTER_LUID,
  OFF_SOURCE_FORMAT,
  OFF_SOURCE_HEIGHT,
  OFF_SOURCE_SEQUENCE,
  OFF_SOURCE_WIDTH,
  OFF_TERMINAL_ERROR_CODE,
  OFF_TERMINAL_ERROR_DOMAIN,
  decodeHealth,
  negotiate,
  selectArm,
  type HealthName,
  type SlotArm,
} from '../contract/index.js';
import type { HeaderView } from './header-view.js';
import type { RingDesc } from './slot-table.js';

export interface RingCounters {
  publishedTotal: number;
  droppedTotal: number;
  descMismatch: number;
  allSlotsBusy: number;
  stale: number;
}

export interface RingHealth {
  state: HealthName;
  /** The raw HEALTH_STATE value (decode with decodeHealth). */
  healthState: number;
  driverStatus: number;
  driverStatusDetail: number;
  generation: number;
  /** The display side's advertised capabilities (0 before it attached). */
  capabilities: number;
  hostCapabilities: number;
  negotiated: number;
  arm: SlotArm | null;
  renderAdapterLuid: number;
  /** Totals over every generation of this HostRing. */
  publishedTotal: number;
  droppedTotal: number;
  dropped: { descMismatch: number; allSlotsBusy: number; stale: number };
  lastPublishTimeMs: number;
  presentTimeMs: number;
  sourceSequence: number;
  /** What the display composes now (0s until it reported a mismatch). */
  source: { width: number; height: number; format: number };
  /** The ring's own mode. */
  width: number;
  height: number;
  format: number;
  ringLen: number;
  assignmentEpoch: number;
  deviceEpoch: number;
  terminalError: { domain: number; code: number } | null;
  /** Frames the host consumed from the current buffer (the heartbeat word). */
  hostHeartbeat: number;
  /** Tokens the consumer refused (foreign generation, bad slot, unverifiable slot token). */
  rejectedTokens: number;
  closed: boolean;
}

export function readCounters(view: HeaderView): RingCounters {
  return {
    publishedTotal: view.loadCount(OFF_PUBLISHED_TOTAL),
    droppedTotal: view.loadCount(OFF_DROPPED_TOTAL),
    descMismatch: view.load32(OFF_DROPPED_DESC_MISMATCH),
    allSlotsBusy: view.load32(OFF_DROPPED_ALL_SLOTS_BUSY),
    stale: view.load32(OFF_DROPPED_STALE),
  };
}

export function addCounters(a: RingCounters, b: RingCounters): RingCounters {
  return {
    publishedTotal: a.publishedTotal + b.publishedTotal,
    droppedTotal: a.droppedTotal + b.droppedTotal,
    descMismatch: a.descMismatch + b.descMismatch,
    allSlotsBusy: a.allSlotsBusy + b.allSlotsBusy,
    stale: a.stale + b.stale,
  };
}

export const ZERO_COUNTERS: RingCounters = { publishedTotal: 0, droppedTotal: 0, descMismatch: 0, allSlotsBusy: 0, stale: 0 };

export function readHealth(
  view: HeaderView,
  desc: RingDesc,
  hostCapabilities: number,
  counters: RingCounters,
  extra: { rejectedTokens: number; closed: boolean },
): RingHealth {
  const healthState = view.load32(OFF_HEALTH_STATE);
  const capabilities = view.load32(OFF_CAPABILITIES);
  const negotiated = capabilities === 0 ? 0 : negotiate(hostCapabilities, capabilities);
  const domain = view.load32(OFF_TERMINAL_ERROR_DOMAIN);
  return {
    state: decodeHealth(healthState),
    healthState,
    driverStatus: view.load32(OFF_DRIVER_STATUS),
    driverStatusDetail: view.load32(OFF_DRIVER_STATUS_DETAIL),
    generation: desc.generation,
    capabilities,
    hostCapabilities,
    negotiated,
    arm: selectArm(negotiated),
    renderAdapterLuid: Number(BigInt.asUintN(64, view.load64(OFF_RENDER_ADAPTER_LUID))),
    publishedTotal: counters.publishedTotal,
    droppedTotal: counters.droppedTotal,
    dropped: { descMismatch: counters.descMismatch, allSlotsBusy: counters.allSlotsBusy, stale: counters.stale },
    lastPublishTimeMs: view.loadTime(OFF_LAST_PUBLISH_TIME),
    presentTimeMs: view.loadTime(OFF_PRESENT_TIME),
    sourceSequence: view.loadCount(OFF_SOURCE_SEQUENCE),
    source: { width: view.load32(OFF_SOURCE_WIDTH), height: view.load32(OFF_SOURCE_HEIGHT), format: view.load32(OFF_SOURCE_FORMAT) },
    width: desc.width,
    height: desc.height,
    format: desc.format,
    ringLen: desc.ringLen,
    assignmentEpoch: view.load32(OFF_ASSIGNMENT_EPOCH),
    deviceEpoch: view.load32(OFF_DEVICE_EPOCH),
    terminalError: domain === ErrorDomain.None ? null : { domain, code: view.load32(OFF_TERMINAL_ERROR_CODE) },
    hostHeartbeat: view.load32(OFF_HOST_HEARTBEAT),
    rejectedTokens: extra.rejectedTokens,
    closed: extra.closed,
  };
}
