/**
 * A small seeded generator (mulberry32): same seed, same sequence, on every platform.
 * The core has no other source of randomness.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(values: readonly T[]): T;
  /** An element chosen with the given weights. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (values) => values[Math.floor(next() * values.length)] as never,
    weighted: (entries) => {
      const total = entries.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [value, weight] of entries) {
        x -= weight;
        if (x < 0) return value;
      }
      return (entries[entries.length - 1] as readonly [never, number])[0];
    },
    chance: (p) => next() < p,
    exponential: (mean) => -Math.log(1 - next()) * mean,
  };
  return random;
}
