import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareProducts, compareRatios, compareSameShape, sameProduct } from '../../src/matcher/placement/exact.js';
import { exactSpread } from '../../src/matcher/placement/spread.js';
import type { RunnerTable } from '../../src/matcher/runner-table.js';

const big = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const half = fc.integer({ min: 0, max: 2 ** 26 });

describe('sameProduct: exact equality of products of integers below 2^53, in doubles', () => {
  it('agrees with BigInt on any integers', () => {
    fc.assert(
      fc.property(big, big, big, big, (x, y, z, w) => {
        expect(sameProduct(x, y, z, w)).toBe(BigInt(x) * BigInt(y) === BigInt(z) * BigInt(w));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds products equal by construction, and rejects those one apart, where doubles round alike', () => {
    fc.assert(
      fc.property(half, half, half, half, (a, b, c, d) => {
        // (a·b)·(c·d) = (a·c)·(b·d), products up to 2^104: far beyond the doubles' 2^53.
        expect(sameProduct(a * b, c * d, a * c, b * d)).toBe(true);
        const e = BigInt(a * b) * BigInt(c * d + 1) === BigInt(a * c) * BigInt(b * d);
        expect(sameProduct(a * b, c * d + 1, a * c, b * d)).toBe(e);
      }),
      { numRuns: 2000 },
    );
  });

  it('a case where the rounded products are equal but the exact ones differ', () => {
    const x = 2 ** 40 + 1;
    const y = 2 ** 40 - 1;
    // x·y = 2^80 − 1 rounds to 2^80, as does 2^40 · 2^40.
    expect(x * y).toBe(2 ** 40 * 2 ** 40);
    expect(sameProduct(x, y, 2 ** 40, 2 ** 40)).toBe(false);
    expect(sameProduct(x, y, y, x)).toBe(true);
  });
});

describe('compareProducts: the exact order of products of integers below 2^53, in doubles', () => {
  const sign = (d: bigint) => (d > 0n ? 1 : d < 0n ? -1 : 0);
  it('agrees with BigInt on any integers, and on products equal or one apart by construction', () => {
    fc.assert(
      fc.property(big, big, big, big, (x, y, z, w) => {
        expect(compareProducts(x, y, z, w)).toBe(sign(BigInt(x) * BigInt(y) - BigInt(z) * BigInt(w)));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(half, half, half, half, fc.integer({ min: -1, max: 1 }), (a, b, c, d, e) => {
        const y = Math.max(0, c * d + e);
        expect(compareProducts(a * b, y, a * c, b * d)).toBe(sign(BigInt(a * b) * BigInt(y) - BigInt(a * c) * BigInt(b * d)));
      }),
      { numRuns: 2000 },
    );
  });

  it('orders products whose rounded values are equal', () => {
    const x = 2 ** 40 + 1;
    const y = 2 ** 40 - 1;
    expect(compareProducts(x, y, 2 ** 40, 2 ** 40)).toBe(-1);
    expect(compareProducts(2 ** 40, 2 ** 40, x, y)).toBe(1);
    expect(compareProducts(x, y, y, x)).toBe(0);
  });
});

// spread's quick exact comparison of two runners of one shape, against the rationals: in runs of
// pairs whose shapes share some maxima and not others (it keeps the least common multiple of the
// last maxima it saw), with exact ties made on purpose.
describe('compareSameShape: the sign of the rationals, pair after pair', () => {
  const GiB = 2 ** 30;
  const pair = fc.record({
    maxima: fc.tuple(fc.constantFrom(4000, 6000, 64000, 96000), fc.constantFrom(8 * GiB, 24 * GiB, 384 * GiB), fc.constantFrom(0, 4, 6, 8)),
    base: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })),
    // The second runner's amounts: the first's with CPU up and memory down by the same share of
    // their maxima (a tie), or moved by arbitrary amounts.
    tie: fc.boolean(),
    steps: fc.tuple(fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 })),
    q: fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: GiB }), fc.integer({ min: 0, max: 1 })),
  });
  it('whenever it answers', () => {
    let ties = 0;
    fc.assert(
      fc.property(fc.array(pair, { minLength: 1, maxLength: 20 }), (pairs) => {
        for (const { maxima, base, tie, steps, q } of pairs) {
          const [m0, m1, m2] = maxima;
          const a: readonly [number, number, number] = [(m0 * base[0]) / 4, (m1 * base[1]) / 4, Math.floor((m2 * base[2]) / 4)];
          // A tie: CPU up by s/8 of its maximum, memory down by as much of its own.
          const b: readonly [number, number, number] = tie ? [a[0] + (m0 * steps[0]) / 8, a[1] - (m1 * steps[0]) / 8, a[2]] : [a[0] + 250 * steps[0], a[1] + GiB * steps[1], a[2]];
          const free = (v: number, m: number) => Math.min(m, Math.max(0, v));
          const t = {
            availCpu: Float64Array.of(a[0], free(b[0], m0)),
            availMem: Float64Array.of(a[1], free(b[1], m1)),
            availGpu: Float64Array.of(a[2], b[2]),
            maxCpu: Float64Array.of(m0, m0),
            maxMem: Float64Array.of(m1, m1),
            maxGpu: Float64Array.of(m2, m2),
          } as unknown as RunnerTable;
          const [cpu, mem, gpu] = q;
          const quick = compareSameShape(t, 0, 1, cpu, mem, gpu);
          const exact = compareRatios(exactSpread(t, 0, cpu, mem, gpu), exactSpread(t, 1, cpu, mem, gpu));
          if (quick === undefined) continue;
          if (exact === 0) ties++;
          expect(Math.sign(quick)).toBe(exact);
        }
      }),
      { numRuns: 1000 },
    );
    expect(ties).toBeGreaterThan(100);
  });
});
