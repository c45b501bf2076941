/**
 * The slot-state arm's per-slot state machine. Every transition is a compare-and-swap on the slot's
 * state word, so exactly one side owns a slot while it is WRITING or READING.
 *
 *   FREE --producer--> WRITING --producer--> PUBLISHED --consumer--> READING --consumer--> FREE
 *                                              |  ^
 *                      producer (overwrite) ---+  +--- producer may take a PUBLISHED slot back to
 *                                                      WRITING when a newer PUBLISHED frame supersedes
 *                                                      it, or when no other slot is writable
 *   consumer: PUBLISHED --> FREE when it skips an older frame for a newer one.
 *   consumer: READING --> PUBLISHED when it returns the newest frame it delivered, so that frame
 *             stays available (repeatLast) until the producer needs the slot; the consumer never
 *             delivers it as new again (its sequence is not newer than the last delivered).
 *
 * Neither side ever touches a slot the other side holds (WRITING or READING).
 */
export const SlotState = {
  Free: 0,
  Writing: 1,
  Published: 2,
  Reading: 3,
} as const;
export type SlotStateCode = (typeof SlotState)[keyof typeof SlotState];

/** The transitions the contract allows, as [from, to, who]. Pure data; tests walk it. */
export const SLOT_TRANSITIONS: ReadonlyArray<readonly [SlotStateCode, SlotStateCode, 'producer' | 'consumer']> = [
  [SlotState.Free, SlotState.Writing, 'producer'],
  [SlotState.Writing, SlotState.Published, 'producer'],
  [SlotState.Published, SlotState.Writing, 'producer'],
  [SlotState.Published, SlotState.Reading, 'consumer'],
  [SlotState.Published, SlotState.Free, 'consumer'],
  [SlotState.Reading, SlotState.Free, 'consumer'],
  [SlotState.Reading, SlotState.Published, 'consumer'],
];

export function isAllowedTransition(from: number, to: number, who: 'producer' | 'consumer'): boolean {
  return SLOT_TRANSITIONS.some(([f, t, w]) => f === from && t === to && w === who);
}
