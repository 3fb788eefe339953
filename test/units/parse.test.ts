import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiscoveryValidationError, formatBytes, formatCpu, parseCpu, parseMemory } from '../../src/index.js';

function violationOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DiscoveryValidationError);
    expect((e as DiscoveryValidationError).code).toBe('INVALID_ARGUMENT');
    return (e as DiscoveryValidationError).fieldViolations[0]?.description ?? '';
  }
  throw new Error('expected a DiscoveryValidationError');
}

describe('parseCpu', () => {
  it.each([
    ['500m', 500],
    ['2', 2000],
    ['1.5', 1500],
    ['0.1', 100],
    ['1k', 1_000_000],
    ['1e3', 1_000_000],
    ['1E-3', 1],
    [' 250m ', 250],
    ['+3', 3000],
    ['.5', 500],
    ['5.', 5000],
    ['1000000n', 1],
    ['1Ki', 1024_000],
    ['-0', 0],
    ['0', 0],
  ])('parseCpu(%j) = %d', (text, expected) => {
    expect(parseCpu(text)).toBe(expected);
  });

  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['-1', 'is negative'],
    ['0.5m', 'whole number of millicores'],
    ['0.0001', 'whole number of millicores'],
    ['abc', 'is not a quantity'],
    ['1e3Ki', 'combines an exponent with a suffix'],
    ['1 Gi', 'is not a quantity'],
    ['1gi', 'is not a quantity'],
    ['1e99999', 'exponent out of range'],
    ['99999999999999999', 'too large'],
  ])('parseCpu(%j) is refused: %s', (text, fragment) => {
    const description = violationOf(() => parseCpu(text));
    expect(description).toContain(fragment);
    expect(description).toContain(JSON.stringify(text));
  });

  it('refuses a non-string', () => {
    expect(violationOf(() => parseCpu(2 as unknown as string))).toContain('is not a string');
  });

  it('reads whole millicores exactly', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (m) => {
      expect(parseCpu(`${m}m`)).toBe(m);
    }));
  });

  it('agrees with formatCpu within the displayed precision', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (m) => {
      const shown = formatCpu(m).replace(' vCPU', '');
      expect(Math.abs(parseCpu(shown) - m)).toBeLessThanOrEqual(50);
    }));
  });
});

describe('parseMemory', () => {
  it.each([
    ['256Mi', 256 * 2 ** 20],
    ['16Gi', 16 * 2 ** 30],
    ['1k', 1000],
    ['1e3', 1000],
    ['1.5Ki', 1536],
    ['2', 2],
    ['1000m', 1],
    ['1Ti', 2 ** 40],
    ['1Pi', 2 ** 50],
    ['4M', 4_000_000],
    ['\t8Gi\n', 8 * 2 ** 30],
  ])('parseMemory(%j) = %d', (text, expected) => {
    expect(parseMemory(text)).toBe(expected);
  });

  it.each([
    ['1.5', 'whole number of bytes'],
    ['500m', 'whole number of bytes'],
    ['-1Gi', 'is negative'],
    ['8Ei', 'too large'],
    ['1e3Mi', 'combines an exponent with a suffix'],
    ['Gi', 'is not a quantity'],
    ['1..2', 'is not a quantity'],
  ])('parseMemory(%j) is refused: %s', (text, fragment) => {
    expect(violationOf(() => parseMemory(text))).toContain(fragment);
  });

  it('parseMemory(n + "Ki") === n * 1024, likewise every binary suffix', () => {
    const suffixes: Array<[string, number]> = [['Ki', 2 ** 10], ['Mi', 2 ** 20], ['Gi', 2 ** 30], ['Ti', 2 ** 40]];
    fc.assert(fc.property(fc.integer({ min: 0, max: 8000 }), fc.constantFrom(...suffixes), (n, [suffix, size]) => {
      expect(parseMemory(`${n}${suffix}`)).toBe(n * size);
    }));
  });

  it('decimal suffixes and exponents agree', () => {
    const pairs: Array<[string, string]> = [['k', 'e3'], ['M', 'e6'], ['G', 'e9'], ['T', 'e12']];
    fc.assert(fc.property(fc.integer({ min: 0, max: 9000 }), fc.constantFrom(...pairs), (n, [suffix, exponent]) => {
      expect(parseMemory(`${n}${suffix}`)).toBe(parseMemory(`${n}${exponent}`));
    }));
  });

  it('agrees with formatBytes within the displayed precision', () => {
    fc.assert(fc.property(fc.integer({ min: 1024, max: 2 ** 45 }), (n) => {
      const [value = '', unit = ''] = formatBytes(n).split(' ');
      const size = { KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 }[unit] ?? 1;
      // One decimal of the unit: 0.05 unit either way.
      const tenths = parseMemory(`${value.replace('.', '')}`);
      expect(Math.abs(tenths * size - n * 10)).toBeLessThanOrEqual(size / 2);
    }));
  });
});
