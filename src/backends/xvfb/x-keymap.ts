/**
 * Keysym → keycode, from the X server's own keyboard mapping (GetKeyboardMapping and
 * GetModifierMapping), as XTEST needs keycodes while RFB sends keysyms.
 *
 * Each keycode row lists keysyms by level: column 0 unshifted, column 1 shifted (group 1; later
 * columns are other groups, which core clients only reach through modifiers vdpush does not fake).
 * A keysym found in column 1 needs Shift held; one found in column 0 of a row whose column 1 holds
 * something else needs Shift released. A keysym the map does not hold at all is given a spare
 * keycode (a row with no keysyms), written into the server's map with ChangeKeyboardMapping, as
 * xdotool does; spares are reused oldest first, never while held down.
 *
 * Pure: no X connection here; the caller sends what `plan` returns.
 */

/** Where a keysym is: its keycode and the Shift state it needs (null: either works). */
export interface KeyLocation {
  keycode: number;
  shift: boolean | null;
}

const NO_SYMBOL = 0;
/** RFB clients may send a Unicode keysym (0x01000000 + code point); below U+0100 it is the Latin-1 keysym. */
const UNICODE_KEYSYM = 0x01000000;

/** The keysym X defines for a keysym RFB may send in another spelling. */
export function canonicalKeysym(keysym: number): number {
  if (keysym >= UNICODE_KEYSYM && keysym < UNICODE_KEYSYM + 0x100) {
    const cp = keysym - UNICODE_KEYSYM;
    if ((cp >= 0x20 && cp <= 0x7e) || cp >= 0xa0) return cp;
  }
  return keysym;
}

/** X's rule for a row with only column 0: a letter's column 1 is its upper case. */
function upperOf(keysym: number): number {
  if ((keysym >= 0x61 && keysym <= 0x7a) || (keysym >= 0xe0 && keysym <= 0xfe && keysym !== 0xf7)) return keysym - 0x20;
  return NO_SYMBOL;
}

export class Keymap {
  private readonly rows: number[][];
  private readonly located = new Map<number, KeyLocation>();
  private readonly shiftKeycodes: Set<number>;
  /** Spare keycodes, least recently assigned first. */
  private readonly spares: number[] = [];
  private readonly spareKeysym = new Map<number, number>();

  /**
   * @param minKeycode the server's min_keycode (the first row's keycode)
   * @param rows GetKeyboardMapping's reply: keysyms per keycode, from minKeycode on
   * @param shiftKeycodes the keycodes of the Shift modifier (GetModifierMapping's first row)
   */
  constructor(
    readonly minKeycode: number,
    rows: number[][],
    shiftKeycodes: readonly number[],
  ) {
    this.rows = rows.map((r) => r.slice());
    this.shiftKeycodes = new Set(shiftKeycodes.filter((k) => k !== 0));
    for (let i = 0; i < this.rows.length; i++) {
      const keycode = minKeycode + i;
      const row = this.rows[i]!;
      if (row.every((k) => k === NO_SYMBOL)) {
        // Keycodes the server cannot generate (below 8) never appear; the rest are fair game.
        if (keycode >= 8 && keycode <= 255) this.spares.push(keycode);
        continue;
      }
      this.index(keycode, row);
    }
  }

  private index(keycode: number, row: readonly number[]): void {
    const c0 = row[0] ?? NO_SYMBOL;
    let c1 = row[1] ?? NO_SYMBOL;
    if (c1 === NO_SYMBOL) c1 = upperOf(c0);
    // The first keycode found wins (the primary key for a keysym, as XKeysymToKeycode does).
    if (c0 !== NO_SYMBOL && !this.located.has(c0)) this.located.set(c0, { keycode, shift: c1 === NO_SYMBOL || c1 === c0 ? null : false });
    if (c1 !== NO_SYMBOL && c1 !== c0 && !this.located.has(c1)) this.located.set(c1, { keycode, shift: true });
  }

  /** The keysym's place in the map, or null when it has none (see assignSpare). */
  lookup(keysym: number): KeyLocation | null {
    const k = canonicalKeysym(keysym);
    const spare = this.spareKeysym.get(k);
    if (spare !== undefined) return { keycode: spare, shift: null };
    return this.located.get(k) ?? null;
  }

  /** True for a keycode of the Shift modifier. */
  isShift(keycode: number): boolean {
    return this.shiftKeycodes.has(keycode);
  }

  /** A keycode of the Shift modifier to fake Shift with, or null when the map has none. */
  shiftKeycode(): number | null {
    for (const k of this.shiftKeycodes) return k;
    return null;
  }

  /**
   * Picks a spare keycode for `keysym` (reusing the oldest assignment not in `held`) and records
   * it; the caller writes `{ keycode, row }` to the server with ChangeKeyboardMapping. Null when
   * the map has no spare keycode free.
   */
  assignSpare(keysym: number, held: ReadonlySet<number>, keysymsPerKeycode: number): { keycode: number; row: number[] } | null {
    const k = canonicalKeysym(keysym);
    const i = this.spares.findIndex((code) => !held.has(code));
    if (i < 0) return null;
    const keycode = this.spares.splice(i, 1)[0]!;
    this.spares.push(keycode);
    for (const [sym, code] of this.spareKeysym) if (code === keycode) this.spareKeysym.delete(sym);
    this.spareKeysym.set(k, keycode);
    // The same keysym on both levels, so the Shift state does not matter.
    const row = new Array<number>(Math.max(2, keysymsPerKeycode)).fill(NO_SYMBOL);
    row[0] = k;
    row[1] = k;
    return { keycode, row: row.slice(0, Math.max(2, keysymsPerKeycode)) };
  }

  /** How many keycodes can be given to keysyms the map lacks. */
  get spareCount(): number {
    return this.spares.length;
  }
}
