import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIsoTimestamp } from '../../src/snapshot/fields.js';
import { readProfile, readRunner } from '../../src/snapshot/parse.js';
import { Lists } from '../../src/snapshot/lists.js';
import { quickProfile, quickRunner } from '../../src/snapshot/quick.js';
import type { FieldViolation } from '../../src/types.js';
import { jsonCopy, profileArb, runnerArb, toSnakeCase } from '../support/arbitraries.js';

/** The timestamp check as it was first written (allocating, obviously right): the reference. */
function referenceIsIso(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second = 0, offH = 0, offM = 0] = m.slice(1).map((p) => (p === undefined ? 0 : Number(p)));
  if (month === undefined || month < 1 || month > 12 || day === undefined || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year ?? 0, month, 0)).getUTCDate();
  return day <= daysInMonth && (hour ?? 0) < 24 && (minute ?? 0) < 60 && second < 60 && offH < 24 && offM < 60;
}

// Two digits, often at the edge of a range (months, days, hours, minutes).
const two = fc
  .oneof(fc.constantFrom(0, 1, 12, 13, 23, 24, 28, 29, 30, 31, 59, 60), fc.integer({ min: 0, max: 99 }))
  .map((n) => String(n).padStart(2, '0'));
/** A part mostly in range (0 to `max`, its first value out of range), sometimes any two digits. */
const part = (max: number) => fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0')) }, { weight: 1, arbitrary: two });
const timestampArb = fc
  .tuple(
    fc.constantFrom('2026', '2024', '1900', '2000', '0000', '0004', '0100', '9999'),
    part(13), part(32), part(24), part(60),
    fc.option(fc.tuple(part(60), fc.option(fc.stringMatching(/^\.\d{1,10}$/))), { nil: undefined }),
    fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), part(24), fc.constantFrom(':', ''), part(60)).map((p) => p.join('')), fc.constantFrom('z', '', '+1:00', '+0100Z')),
  )
  .map(([y, mo, d, h, mi, s, zone]) => `${y}-${mo}-${d}T${h}:${mi}${s ? `:${s[0]}${s[1] ?? ''}` : ''}${zone}`);

/** A well-formed record (either spelling) with at most one field set to something odd. */
function oddValues(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(undefined, null, -1, -0, 0.5, 2 ** 53, Number.NaN, Infinity, '', ' ', 'x', true, 0, [], [''], ['a', ' '], ['a', 1], {}, '2026-02-29T00:00:00Z', '2026-01-01T00:00:00Z'),
    fc.jsonValue({ maxDepth: 1 }),
  );
}

function corrupted(record: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(record);
  const resourceKeys = record.resources ? Object.keys(record.resources as object) : [];
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(record) },
    // one field set to an odd value, or removed
    fc.tuple(fc.constantFrom(...keys), oddValues(), fc.boolean()).map(([k, v, drop]) => {
      const copy = { ...record };
      if (drop) delete copy[k];
      else copy[k] = v;
      return copy;
    }),
    // a field of the resources set to an odd value
    ...(resourceKeys.length > 0
      ? [fc.tuple(fc.constantFrom(...resourceKeys), oddValues()).map(([k, v]) => ({ ...record, resources: { ...(record.resources as object), [k]: v } }))]
      : []),
    // a second spelling of a field, an alias, an unknown field
    fc.constantFrom('runner_id', 'runnerId', 'profileName', 'profile_name', 'service_exposure_modes', 'serviceExposureModes', 'maxGpuCount', 'max_gpu_count', 'isShared', 'unknownField').map((k) => ({ ...record, [k]: record[k] ?? 'r0' })),
    // the same, as a key that is not enumerable (own all the same: the full reader sees it)
    fc.constantFrom('runner_id', 'runnerId', 'profile_name', 'service_exposure_modes', 'max_gpu_count', 'tags', 'unknownField').map((k) =>
      Object.defineProperty({ ...record }, k, { value: record[k] ?? 'r0', enumerable: false }),
    ),
    // explicitly undefined fields, and objects without Object.prototype
    fc.constantFrom('runner_id', 'runnerId', 'egressModes', 'is_shared').map((k) => ({ ...record, [k]: undefined })),
    fc.constant(Object.assign(Object.create(null) as Record<string, unknown>, record)),
  );
}

function agrees<T>(quick: (v: unknown) => T | undefined, full: (v: unknown, path: string, out: FieldViolation[]) => T | undefined, value: unknown): void {
  const fast = quick(value);
  const violations: FieldViolation[] = [];
  const slow = full(value, 'x', violations);
  if (fast === undefined) return;
  expect(violations).toEqual([]);
  expect(fast).toEqual(slow);
  expect(Object.keys(fast as object)).toEqual(Object.keys(slow as object));
  expect(Object.isFrozen(fast)).toBe(true);
}

describe('snapshot fast path', () => {
  it('reads timestamps as the reference does', () => {
    fc.assert(fc.property(fc.oneof(timestampArb, fc.string()), (text) => {
      expect(isIsoTimestamp(text)).toBe(referenceIsIso(text));
    }), { numRuns: 3000 });
  });

  it('accepts only what the full runner reader accepts, and reads it the same', () => {
    const arb = fc
      .tuple(runnerArb('r0'), fc.boolean())
      .chain(([r, snake]) => corrupted((snake ? toSnakeCase(jsonCopy(r)) : jsonCopy(r)) as Record<string, unknown>));
    fc.assert(fc.property(arb, (value) => agrees((v) => quickRunner(v, new Lists()), readRunner, value)), { numRuns: 2000 });
  });

  it('accepts only what the full profile reader accepts, and reads it the same', () => {
    const arb = fc
      .tuple(profileArb('default', 'r0'), fc.boolean())
      .chain(([p, snake]) => corrupted((snake ? toSnakeCase(jsonCopy(p)) : jsonCopy(p)) as Record<string, unknown>));
    fc.assert(fc.property(arb, (value) => agrees((v) => quickProfile(v, new Lists()), readProfile, value)), { numRuns: 2000 });
  });

  it('takes every well-formed record spelled in one style (so it is the path snapshots take)', () => {
    fc.assert(fc.property(runnerArb('r0'), profileArb('p', 'r0'), fc.boolean(), (r, p, snake) => {
      const spell = (v: unknown) => (snake ? toSnakeCase(jsonCopy(v)) : jsonCopy(v));
      expect(quickRunner(spell(r), new Lists())).toEqual(r);
      expect(quickProfile(spell(p), new Lists())).toEqual(p);
    }));
  });
});
