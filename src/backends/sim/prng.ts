/**
 * The simulation's one source of randomness: a seeded mulberry32 generator. Everything random in
 * the simulated display (which frame a buggy device dies on, a chaos schedule) draws from a Prng
 * made from the run's seed, so one seed always replays one timeline.
 */
import { InvalidArgumentError } from '../../contract/errors.js';

export class Prng {
  private state: number;
  /** The seed this generator started from. */
  readonly seed: number;

  /** `seed` is an integer in 0..2^32-1. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new InvalidArgumentError(`seed ${seed} is not an integer in 0..4294967295`);
    }
    this.seed = seed >>> 0;
    this.state = this.seed;
  }

  /** The next 32-bit unsigned value (mulberry32). */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextU32() / 0x100000000;
  }

  /** An integer in [min, max] (both inclusive). */
  intBetween(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /**
   * An independent generator for one purpose (`label` 1, 2, ...), so adding a draw in one part of
   * the simulation does not shift the numbers another part sees. Depends on the seed only, never on
   * how many numbers this generator has drawn.
   */
  fork(label: number): Prng {
    let h = (this.seed ^ Math.imul(label + 1, 0x9e3779b1)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    return new Prng(h);
  }
}
