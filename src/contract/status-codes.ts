/**
 * Codes the two sides write into the header for each other. Every code is defined here once;
 * 0 means "none/unknown" and a retired code is never reused.
 */

/** DRIVER_STATUS: what the display side last did with this ring (DRIVER_STATUS_DETAIL refines it). */
export const DriverStatus = {
  None: 0,
  /** Attached and publishing. Detail: the negotiated capabilities. */
  Opened: 1,
  /** The slot storage could not be used (seed: "textures failed"). */
  SlotsFailed: 2,
  /** The display could not bind its render device (seed: SetDevice never succeeded). */
  BindFailed: 3,
  /** The display refused to attach. Detail: an AttachRefusal code. */
  Refused: 4,
  /** The display composes a different size/format than the ring holds. Detail: the source format. */
  DescMismatch: 5,
  /** The display side let go of the ring (stop, swap-chain gone). */
  Detached: 6,
} as const;
export type DriverStatusCode = (typeof DriverStatus)[keyof typeof DriverStatus];

/** HEALTH_STATE: the display side's view of its own pipeline. */
export const HealthState = {
  Initializing: 0,
  Active: 1,
  Rebuilding: 2,
  Dead: 3,
} as const;
export type HealthStateCode = (typeof HealthState)[keyof typeof HealthState];
export type HealthName = 'initializing' | 'active' | 'rebuilding' | 'dead';

/** Fail-closed: a value this version does not know decodes as Dead, never as healthy. */
export function decodeHealth(raw: number): HealthName {
  switch (raw) {
    case HealthState.Initializing:
      return 'initializing';
    case HealthState.Active:
      return 'active';
    case HealthState.Rebuilding:
      return 'rebuilding';
    default:
      return 'dead';
  }
}

/** TERMINAL_ERROR_DOMAIN: how to read TERMINAL_ERROR_CODE. */
export const ErrorDomain = {
  None: 0,
  /** The code is an AttachRefusal. */
  Ring: 1,
  /** The code is a device HRESULT (u32). */
  Device: 2,
  /** The code is a critical error, (major << 16) | minor. */
  Critical: 3,
  /** The code is a backend failure (BackendFailure below). */
  Backend: 4,
} as const;
export type ErrorDomainCode = (typeof ErrorDomain)[keyof typeof ErrorDomain];

/**
 * Capability bits. Each side advertises what it supports; what both support is what is used.
 * The two slot arms are alternatives: if both sides support both, the slot-state arm is chosen
 * (it never waits on the producer side).
 */
export const Capability = {
  KeyedMutex: 1 << 0,
  SlotState: 1 << 1,
  DirtyRects: 1 << 2,
  Hdr: 1 << 3,
  Cursor: 1 << 4,
} as const;
export const ALL_CAPABILITIES =
  Capability.KeyedMutex | Capability.SlotState | Capability.DirtyRects | Capability.Hdr | Capability.Cursor;

export function negotiate(host: number, display: number): number {
  return (host & display) >>> 0;
}

export type SlotArm = 'slot-state' | 'keyed-mutex';

/** The arm both sides use for these negotiated capabilities, or null when they share none. */
export function selectArm(negotiated: number): SlotArm | null {
  if (negotiated & Capability.SlotState) return 'slot-state';
  if (negotiated & Capability.KeyedMutex) return 'keyed-mutex';
  return null;
}

/** The capability bit that selects an arm. */
export function armCapability(arm: SlotArm): number {
  return arm === 'slot-state' ? Capability.SlotState : Capability.KeyedMutex;
}

/** What `publish` did with one frame. Every outcome but Published is counted as a drop. */
export const PublishOutcome = {
  Published: 0,
  /** The frame's size or format differs from the ring's: never copied (format guard). */
  DescMismatch: 1,
  /** No slot could be taken without waiting. */
  AllSlotsBusy: 2,
  /** The host recreated the ring; re-attach. */
  Stale: 3,
  /** The host retired or abandoned the ring. */
  HostAbandoned: 4,
  /** The ring is corrupt (a value no honest host writes); detach. */
  Fatal: 5,
} as const;
export type PublishOutcomeCode = (typeof PublishOutcome)[keyof typeof PublishOutcome];
export const PUBLISH_OUTCOME_NAMES = ['published', 'descMismatch', 'allSlotsBusy', 'stale', 'hostAbandoned', 'fatal'] as const;
