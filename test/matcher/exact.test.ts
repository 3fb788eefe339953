import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareProducts, sameProduct } from '../../src/matcher/placement/exact.js';

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
