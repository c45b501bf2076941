/** The shared-memory frame ring: HostRing (host side), FramePublisher (display side) and their parts. */
export { HostRing, CONSUMER_MUTEX_WAIT_MS } from './host-ring.js';
export type { ConsumedFrame, DirtyBounds } from './consumed-frame.js';
export type { RingHealth } from './ring-health.js';
export {
  DEFAULT_DISPLAY_CAPABILITIES,
  MAX_RING_BYTES,
  checkRingBytes,
  hostCapabilitiesFor,
  type ArmChoice,
  type HostRingOptions,
  type RingModeSpec,
} from './ring-options.js';
export { FramePublisher, type OpenResult, type PublishableFrame, type PublisherOptions } from './frame-publisher.js';
export { AutoResetEvent, type WaitResult } from './auto-reset-event.js';
export { sleepWhileEqual } from './async-wait.js';
export { KeyedMutex, type AcquireResult } from './keyed-mutex.js';
export { HeaderView } from './header-view.js';
export { SlotTable, type RingDesc } from './slot-table.js';
export { DamageTracker, MAX_DAMAGE_RECTS, FULL_COPY_FRACTION } from './damage-tracker.js';
