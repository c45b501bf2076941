/**
 * The keyed-mutex arm's per-slot word, modelled on DXGI's IDXGIKeyedMutex: a holder acquires with
 * the key the mutex currently carries and releases with the key the next holder must present.
 * The producer acquires key 0 and releases to key 1; the consumer acquires key 1 and releases to 0.
 *
 *   bits 15..0  key
 *   bit  16     held
 *   bits 18..17 owner (1 = display side, 2 = host side) while held
 *   bit  19     abandoned: the owner died while holding; the next acquirer gets the slot and is told
 */
export const MUTEX_KEY_MASK = 0xffff;
export const MUTEX_HELD = 1 << 16;
export const MUTEX_OWNER_SHIFT = 17;
export const MUTEX_OWNER_MASK = 0b11 << MUTEX_OWNER_SHIFT;
export const MUTEX_ABANDONED = 1 << 19;

export const MutexOwner = { Display: 1, Host: 2 } as const;
export type MutexOwnerCode = (typeof MutexOwner)[keyof typeof MutexOwner];

/** The key a slot carries when the producer may write it / the consumer may read it. */
export const KEY_PRODUCER = 0;
export const KEY_CONSUMER = 1;

export function mutexWord(key: number, held: boolean, owner: number, abandoned = false): number {
  return (
    (key & MUTEX_KEY_MASK) |
    (held ? MUTEX_HELD : 0) |
    ((owner << MUTEX_OWNER_SHIFT) & MUTEX_OWNER_MASK) |
    (abandoned ? MUTEX_ABANDONED : 0)
  );
}

export function mutexKey(word: number): number {
  return word & MUTEX_KEY_MASK;
}

export function mutexHeld(word: number): boolean {
  return (word & MUTEX_HELD) !== 0;
}

export function mutexOwner(word: number): number {
  return (word & MUTEX_OWNER_MASK) >>> MUTEX_OWNER_SHIFT;
}

export function mutexAbandoned(word: number): boolean {
  return (word & MUTEX_ABANDONED) !== 0;
}
