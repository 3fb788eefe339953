import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Catalog,
  DiscoveryValidationError,
  formatBytes,
  formatCpu,
  formatTrace,
  generateFleet,
  generateRequests,
  generateTrace,
  parseCpu,
  parseMemory,
  parseSnapshot,
  parseTrace,
  request,
  simulate,
} from '../src/index.js';
import { fleet, profile, runner } from './support/builders.js';

/**
 * Every public entry point answers bad arguments of any shape — wrong types, null, BigInt,
 * cycles, deep nesting, huge strings, getters — with a DiscoveryValidationError whose message
 * stays short, and changes nothing.
 */
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
let deep: unknown = {};
for (let i = 0; i < 10_000; i++) deep = { d: deep, runnerId: deep };
const NASTY: unknown[] = [
  null,
  undefined,
  42n,
  Symbol('s'),
  () => 1,
  cyclic,
  deep,
  'x'.repeat(2_000_000),
  '\u001b]0;owned\u0007',
  [cyclic, 1n],
  { ok: true },
  { ok: true, runnerId: 'r', generation: 1, request: { cpuMillicores: -5000, memoryBytes: NaN, gpuCount: 1.5 } },
  NaN,
  -1,
  1.5,
  Infinity,
  { runners: [cyclic], profiles: [42n] },
];
const anything = fc.oneof(fc.constantFrom(...NASTY), fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true }));

function make(): Catalog {
  return Catalog.fromSnapshot(fleet([runner('r', { resources: { availableCpuMillicores: 4000, availableMemoryBytes: 2 ** 33, availableGpuCount: 0, runningSandboxes: 0 } })], [profile('p', 'r')]));
}

function refuses(call: () => unknown): void {
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DiscoveryValidationError);
  expect((error as Error).message.length).toBeLessThan(2000);
}

const CALLS: Record<string, (c: Catalog, x: unknown) => unknown> = {
  fromSnapshot: (_c, x) => Catalog.fromSnapshot(x),
  parseSnapshot: (_c, x) => parseSnapshot(x),
  apply: (c, x) => c.apply(x as never),
  applyOne: (c, x) => c.apply([x as never]),
  applyUpsert: (c, x) => c.apply([{ type: 'upsertRunner', runner: x as never }]),
  listRunners: (c, x) => c.listRunners(x as never),
  countRunners: (c, x) => c.countRunners(x as never),
  listProfiles: (c, x) => c.listProfiles(x as never),
  countProfiles: (c, x) => c.countProfiles(x as never),
  getRunner: (c, x) => c.getRunner(x as never),
  getProfile: (c, x) => c.getProfile(x as never),
  getProfileOptions: (c, x) => c.getProfile('p', x as never),
  place: (c, x) => c.place(x as never),
  placeOptions: (c, x) => c.place({ cpuMillicores: 1, memoryBytes: 1, gpuCount: 0 }, x as never),
  reserve: (c, x) => c.reserve(x as never),
  reserveOptions: (c, x) => c.reserve({ cpuMillicores: 1, memoryBytes: 1, gpuCount: 0 }, x as never),
  release: (c, x) => c.release(x as never),
  renew: (c, x) => c.renew(x as never, 1),
  expire: (c, x) => c.expire(x as never),
  reservationFor: (c, x) => c.reservationFor(x as never),
  request: (_c, x) => request(x as never),
  parseCpu: (_c, x) => parseCpu(x as never),
  parseMemory: (_c, x) => parseMemory(x as never),
  formatBytes: (_c, x) => formatBytes(x as never),
  formatCpu: (_c, x) => formatCpu(x as never),
  generateFleet: (_c, x) => generateFleet(x as never),
  generateRequests: (_c, x) => generateRequests(x as never),
  generateTrace: (_c, x) => generateTrace(x as never),
  parseTrace: (_c, x) => parseTrace(x as never),
  formatTrace: (_c, x) => formatTrace(x as never),
  simulate: (c, x) => simulate({ catalog: c, trace: [x as never] }),
  simulateOptions: (_c, x) => simulate(x as never),
};

/** What a call may legitimately accept among the values above (a valid argument is not an error). */
function accepted(name: string, x: unknown): boolean {
  try {
    CALLS[name]?.(make(), x);
    return true;
  } catch (e) {
    if (e instanceof DiscoveryValidationError) return false;
    if ((e as { code?: string }).code === 'RUNNER_NOT_FOUND' || (e as { code?: string }).code === 'PROFILE_NOT_FOUND') return true;
    throw e;
  }
}

describe('every public entry point refuses bad arguments of any shape', () => {
  for (const name of Object.keys(CALLS)) {
    it(name, () => {
      for (const x of NASTY) {
        if (x === undefined && ['listRunners', 'countRunners', 'listProfiles', 'countProfiles', 'getProfileOptions', 'placeOptions', 'reserveOptions', 'renew'].includes(name)) continue;
        const c = make();
        const before = JSON.stringify(c.toSnapshot());
        if (!accepted(name, x)) refuses(() => CALLS[name]?.(c, x));
        expect(JSON.stringify(c.toSnapshot())).toBe(before);
      }
      fc.assert(
        fc.property(anything, (x) => {
          const c = make();
          const before = JSON.stringify(c.toSnapshot());
          accepted(name, x); // throws anything but a validation error
          if (!['apply', 'applyOne', 'applyUpsert', 'reserve', 'reserveOptions', 'expire'].includes(name)) expect(JSON.stringify(c.toSnapshot())).toBe(before);
        }),
        { numRuns: 60 },
      );
    });
  }
});
