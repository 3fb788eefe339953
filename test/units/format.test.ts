import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiscoveryValidationError, formatBytes, formatCpu } from '../../src/index.js';

/**
 * Exact reference, written apart from the implementation: it turns the double into
 * `integer / 2^k` by repeated doubling (exact in binary floating point), then rounds
 * `10 * integer / 2^k` half-to-even with BigInt, as Python's format(x, ".1f") does.
 */
function referenceOneDecimal(x: number): string {
  const negative = x < 0 || Object.is(x, -0);
  let y = Math.abs(x);
  let k = 0n;
  while (!Number.isInteger(y)) {
    y *= 2;
    k += 1n;
  }
  const numerator = BigInt(y) * 10n;
  const denominator = 1n << k;
  let tenths = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && tenths % 2n === 1n)) tenths += 1n;
  const s = tenths.toString().padStart(2, '0');
  return `${negative ? '-' : ''}${s.slice(0, -1)}.${s.slice(-1)}`;
}

function referenceFormatBytes(n: number): string {
  if (n === 0) return '0 B';
  const units: Array<[string, number]> = [['TiB', 40], ['GiB', 30], ['MiB', 20], ['KiB', 10]];
  for (const [unit, bits] of units) {
    if (BigInt(n) >= 1n << BigInt(bits)) {
      // n / 2^bits is exact for every safe integer n: round 10n / 2^bits directly.
      const numerator = BigInt(n) * 10n;
      const denominator = 1n << BigInt(bits);
      let tenths = numerator / denominator;
      const twice = 2n * (numerator % denominator);
      if (twice > denominator || (twice === denominator && tenths % 2n === 1n)) tenths += 1n;
      const s = tenths.toString().padStart(2, '0');
      return `${s.slice(0, -1)}.${s.slice(-1)} ${unit}`;
    }
  }
  return `${n} B`;
}

describe('formatBytes', () => {
  // Expected strings were produced by the Python client's formula (f"{n / size:.1f} {unit}").
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1048575, '1024.0 KiB'], // unit chosen before rounding
    [1048576, '1.0 MiB'],
    [1073741824, '1.0 GiB'],
    [17179869184, '16.0 GiB'],
    [1099511627776, '1.0 TiB'],
    [1280, '1.2 KiB'], // 1.25 exactly: tie to even (toFixed would say 1.3)
    [1792, '1.8 KiB'], // 1.75 exactly: tie to even
    [1152, '1.1 KiB'], // 1.125
    [1126, '1.1 KiB'],
    [-5, '-5 B'],
    [-2048, '-2048 B'], // negative values are never scaled
    [Number.MAX_SAFE_INTEGER, '8192.0 TiB'], // no PiB
    [1125899906842625, '1024.0 TiB'],
  ])('formatBytes(%d) = %s', (n, expected) => {
    expect(formatBytes(n)).toBe(expected);
  });

  it('matches the exact reference on every safe integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -5000, max: 5_000_000 })), (n) => {
        expect(formatBytes(n)).toBe(referenceFormatBytes(n));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches the reference on exact ties of every unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 20 }), fc.constantFrom(10, 20, 30, 40), (half, bits) => {
        // 10·n / 2^bits sits exactly halfway between two tenths when n is an odd multiple of 2^(bits-2)
        // (values x.25 and x.75 of the unit): the cases where half-to-even and toFixed disagree.
        const n = Math.min(Number.MAX_SAFE_INTEGER, (2 * half + 1) * 2 ** (bits - 2));
        expect(formatBytes(n)).toBe(referenceFormatBytes(n));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses non-integers with a typed error naming the value', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = (() => {
        try {
          formatBytes(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(DiscoveryValidationError);
      expect((error as DiscoveryValidationError).fieldViolations[0]?.field).toBe('bytes');
    }
  });
});

describe('formatCpu', () => {
  it.each([
    [0, '0.0 vCPU'],
    [100, '0.1 vCPU'],
    [500, '0.5 vCPU'],
    [1000, '1.0 vCPU'],
    [4000, '4.0 vCPU'],
    [1250, '1.2 vCPU'], // 1.25 is exact in binary: tie to even
    [1350, '1.4 vCPU'], // 1.35 is stored as 1.35000000000000008882
    [1450, '1.4 vCPU'], // 1.45 is stored as 1.44999999999999995559
    [50, '0.1 vCPU'],
    [150, '0.1 vCPU'],
    [250, '0.2 vCPU'],
    [-500, '-0.5 vCPU'],
    [-1, '-0.0 vCPU'], // Python keeps the sign of a negative value rounded to zero
    [999950, '1000.0 vCPU'],
    [9007199254740950, '9007199254740.9 vCPU'],
    [Number.MAX_SAFE_INTEGER, '9007199254741.0 vCPU'],
    [-Number.MAX_SAFE_INTEGER, '-9007199254741.0 vCPU'],
  ])('formatCpu(%d) = %s', (m, expected) => {
    expect(formatCpu(m)).toBe(expected);
  });

  it('matches the exact reference over the whole safe-integer range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -100_000, max: 10_000_000 }), fc.integer({ min: 0, max: 90_071_992_547 }).map((k) => k * 100 + 50)), (m) => {
        expect(formatCpu(m)).toBe(`${referenceOneDecimal(m / 1000)} vCPU`);
      }),
      { numRuns: 3000 },
    );
  });
});
