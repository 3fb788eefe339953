import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Catalog,
  DiscoveryValidationError,
  formatTrace,
  generateFleet,
  generateTrace,
  parseTrace,
  simulate,
  type Reservation,
  type Strategy,
  type StrategyResult,
  type TraceEvent,
} from '../../src/index.js';
import { measure } from '../../src/simulate/simulate.js';
import { checkTrace, sandboxNumbers } from '../../src/simulate/trace.js';
import { jsonCopy } from '../support/arbitraries.js';

const small = (seed: number) => {
  const fleet = generateFleet({ runners: 60, seed });
  const trace = generateTrace({ fleet, seed: seed + 1, events: 1500, meanLifetime: 300, runnerEventShare: 0.02 });
  return { fleet, trace };
};

describe('simulate', () => {
  it('keeps the books: placed + rejected = arrivals, utilisation in [0, 1], final sample = recount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const { fleet, trace } = small(seed);
        const arrivals = trace.filter((e) => e.type === 'arrival').length;
        const result = simulate({ snapshot: fleet, trace, samples: 20 });
        expect(result.strategies.map((s) => s.strategy)).toEqual(['spread', 'binpack', 'balanced', 'firstFit']);
        for (const s of result.strategies) {
          expect(s.placed + s.rejected).toBe(arrivals);
          expect(s.arrivals).toBe(arrivals);
          expect(s.rejectionsByCode.NO_SUITABLE_RUNNER + s.rejectionsByCode.PROFILE_MISMATCH).toBe(s.rejected);
          for (const sample of s.series) {
            for (const u of [sample.cpu, sample.memory, sample.gpu]) {
              expect(u).toBeGreaterThanOrEqual(0);
              expect(u).toBeLessThanOrEqual(1);
            }
            expect(sample.strandedGpus).toBeLessThanOrEqual(sample.freeGpus);
          }
          const times = s.series.map((x) => x.time);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          expect(times.at(-1)).toBe(result.duration);
        }
      }),
      { numRuns: 12 },
    );
  });

  it('equals a replay by hand through the public API: decisions, rejections by code and reason, evictions, final sample', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom<Strategy>('spread', 'binpack', 'balanced', 'firstFit'), fc.constantFrom('standard', 'heterogeneous' as const), (seed, strategy, shapes) => {
        const fleet = generateFleet({ runners: 60, seed, shapes });
        const trace = generateTrace({ fleet, seed: seed + 1, events: 1500, meanLifetime: 300, runnerEventShare: 0.02 });
        const result = simulate({ snapshot: fleet, trace, strategies: [strategy] });
        // Replay by hand on a fresh catalog: same decisions, then measure the end state independently.
        const catalog = Catalog.fromSnapshot(fleet);
        const running = new Map<string, Reservation>();
        const ends: Array<[number, string]> = [];
        let placed = 0;
        let evicted = 0;
        const byCode: Record<string, number> = { NO_SUITABLE_RUNNER: 0, PROFILE_MISMATCH: 0 };
        const byReason: Record<string, number> = {};
        // Time-weighted means, integrated plainly: the recounted level times the time it held.
        const area = { cpu: 0, memory: 0, gpu: 0 };
        let last = 0;
        const advance = (time: number) => {
          const level = measure(catalog, time, 0, result.commonGpuShapes);
          for (const d of ['cpu', 'memory', 'gpu'] as const) area[d] += level[d] * (time - last);
          last = time;
        };
        const due = (time: number) => {
          ends.sort((x, y) => x[0] - y[0]);
          while (ends.length > 0 && (ends[0] as [number, string])[0] <= time) {
            advance((ends[0] as [number, string])[0]);
            const [, id] = ends.shift() as [number, string];
            const r = running.get(id);
            if (r) {
              running.delete(id);
              catalog.release(r);
            }
          }
        };
        for (const e of trace) {
          due(e.time);
          advance(e.time);
          if (e.type === 'arrival') {
            const p = catalog.place(e.request, { strategy, nearestMisses: 1 });
            if (p.ok) {
              placed++;
              running.set(e.sandboxId, catalog.reserve(p));
              if (e.lifetime !== undefined) ends.push([e.time + e.lifetime, e.sandboxId]);
            } else {
              byCode[p.code] = (byCode[p.code] ?? 0) + 1;
              for (const reason of p.nearestMisses[0]?.reasons ?? []) byReason[reason] = (byReason[reason] ?? 0) + 1;
            }
          } else if (e.type === 'departure') {
            const r = running.get(e.sandboxId);
            if (r) {
              running.delete(e.sandboxId);
              catalog.release(r);
            }
          } else if (e.type === 'runnerLeave') {
            for (const [id, r] of running) {
              if (r.runnerId !== e.runnerId) continue;
              running.delete(id);
              evicted++;
            }
            catalog.apply([{ type: 'removeRunner', runnerId: e.runnerId }]);
          } else if (e.type === 'runnerJoin') {
            catalog.apply([{ type: 'upsertRunner', runner: e.runner }, ...e.profiles.map((profile) => ({ type: 'upsertProfile' as const, profile }))]);
          } else {
            catalog.apply([{ type: 'setHealthy', runnerId: e.runnerId, healthy: e.type === 'runnerHealthy' }]);
          }
        }
        due(result.duration);
        advance(result.duration);
        const got = result.strategies[0] as StrategyResult;
        for (const d of ['cpu', 'memory', 'gpu'] as const) expect(got.meanUtilisation[d]).toBeCloseTo(result.duration > 0 ? area[d] / result.duration : (got.final[d] as number), 9);
        expect({ placed: got.placed, evicted: got.evicted, byCode: got.rejectionsByCode }).toEqual({ placed, evicted, byCode });
        expect(Object.fromEntries(Object.entries(got.rejectionsByReason).filter(([, n]) => n > 0))).toEqual(byReason);
        const final = got.series.at(-1);
        expect(final).toEqual(measure(catalog, result.duration, running.size, result.commonGpuShapes));
        // And utilisation recounted plainly from the final snapshot.
        const runners = catalog.toSnapshot().runners.filter((r) => r.resources);
        const total = runners.reduce((sum, r) => sum + (r.maxCpuMillicores || (r.resources?.availableCpuMillicores ?? 0)), 0);
        const free = runners.reduce((sum, r) => sum + (r.resources?.availableCpuMillicores ?? 0), 0);
        expect(final?.cpu).toBeCloseTo(total === 0 ? 0 : (total - free) / total, 12);
      }),
      { numRuns: 16 },
    );
  });

  it('never changes its input catalog; a fork and a fresh catalog give the same result, byte for byte', () => {
    const { fleet, trace } = small(7);
    const catalog = Catalog.fromSnapshot(fleet);
    const before = JSON.stringify(catalog.toSnapshot());
    const a = simulate({ catalog, trace });
    expect(JSON.stringify(catalog.toSnapshot())).toBe(before);
    const b = simulate({ catalog: catalog.fork(), trace });
    const c = simulate({ snapshot: jsonCopy(fleet), trace: parseTrace(formatTrace(trace)) });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).toBe(JSON.stringify(a));
  });

  it('the generated trace creates contention: capacity rejections and stranded GPUs', () => {
    const fleet = generateFleet({ runners: 200, seed: 1 });
    const result = simulate({ snapshot: fleet, trace: generateTrace({ fleet, seed: 2, events: 6000 }), strategies: ['spread'] });
    const s = result.strategies[0];
    expect(s?.rejected).toBeGreaterThan((s?.arrivals ?? 0) * 0.05);
    expect(s?.rejectionsByReason.insufficientGpu).toBeGreaterThan(0);
    expect(Math.max(...(s?.series.map((x) => x.strandedGpus) ?? []))).toBeGreaterThan(0);
    expect(Math.max(...(s?.series.map((x) => x.gpu) ?? []))).toBeGreaterThan(0.6);
  });

  it('refuses a runner event for a runner the fleet does not have, naming the event', () => {
    const { fleet } = small(1);
    const trace: TraceEvent[] = [{ type: 'runnerLeave', time: 1, runnerId: 'ghost' }];
    try {
      simulate({ snapshot: fleet, trace });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiscoveryValidationError);
      expect((e as DiscoveryValidationError).fieldViolations[0]?.field).toBe('trace[0].runnerId');
    }
  });

  it('a generated trace cannot be altered once made: every event, request, joining runner and profile frozen', () => {
    const fleet = generateFleet({ runners: 40, seed: 3 });
    const trace = generateTrace({ fleet, seed: 4, events: 3000, meanLifetime: 60, runnerEventShare: 0.05 });
    expect(new Set(trace.map((e) => e.type))).toEqual(new Set(['arrival', 'departure', 'runnerJoin', 'runnerLeave', 'runnerUnhealthy', 'runnerHealthy']));
    const unfrozen: string[] = [];
    const visit = (value: unknown, path: string) => {
      if (typeof value !== 'object' || value === null) return;
      if (!Object.isFrozen(value)) unfrozen.push(path);
      for (const [k, v] of Object.entries(value)) visit(v, `${path}.${k}`);
    };
    visit(trace, 'trace');
    expect(unfrozen).toEqual([]);
    // The trace is trusted as generated: an event changed afterwards would skip validation.
    expect(() => {
      (trace[0] as { type: string }).type = 'departure';
    }).toThrow(TypeError);
  });

  it('is deterministic: the same seed gives the same trace', () => {
    const fleet = generateFleet({ runners: 30, seed: 4 });
    expect(generateTrace({ fleet, seed: 9, events: 500 })).toEqual(generateTrace({ fleet, seed: 9, events: 500 }));
  });
});

/** Sandbox numbers by the definition: each arrival the next number, each departure its arrival's, looked up by id. */
function numbersByDefinition(trace: readonly TraceEvent[]): { ofEvent: number[]; arrival: number[] } {
  const byId = new Map<string, number>();
  const arrival: number[] = [];
  const ofEvent = trace.map((e, i) => {
    if (e.type === 'arrival') {
      byId.set(e.sandboxId, arrival.length);
      arrival.push(i);
      return arrival.length - 1;
    }
    return e.type === 'departure' ? (byId.get(e.sandboxId) ?? -1) : -1;
  });
  return { ofEvent, arrival };
}

describe('sandbox numbers', () => {
  it('are the same whether the trace was generated, parsed or checked, and as defined', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 2_000 }), (seed, events) => {
        const fleet = generateFleet({ runners: 20, seed });
        const trace = generateTrace({ fleet, seed: seed + 1, events, meanLifetime: 60, runnerEventShare: 0.05 });
        const expected = numbersByDefinition(trace);
        expect(expected.ofEvent.filter((k, i) => k >= 0 && trace[i]?.type === 'departure').length).toBe(trace.filter((e) => e.type === 'departure').length);
        for (const t of [trace, parseTrace(formatTrace(trace)), checkTrace(jsonCopy(trace))]) {
          const numbers = sandboxNumbers(t);
          expect([...numbers.ofEvent]).toEqual(expected.ofEvent);
          expect([...numbers.arrival]).toEqual(expected.arrival);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('are only handed out for a validated trace', () => {
    expect(() => sandboxNumbers([])).toThrow(/not validated/);
  });
});

describe('parseTrace', () => {
  it('round-trips formatTrace', () => {
    const { trace } = small(2);
    expect(parseTrace(formatTrace(trace))).toEqual(jsonCopy(trace));
  });

  it('reports every bad line with its number', () => {
    const text = [
      '{"type":"arrival","time":1,"sandboxId":"a","request":{"cpuMillicores":1,"memoryBytes":0,"gpuCount":0}}',
      'not json',
      '{"type":"arrival","time":0.5,"sandboxId":"b","request":{"cpuMillicores":-1,"memoryBytes":0,"gpuCount":0}}',
      '{"type":"departure","time":2,"sandboxId":"nobody"}',
      '{"type":"teleport","time":3}',
      '',
      '{"type":"arrival","time":4,"sandboxId":"a","request":{"cpuMillicores":1,"memoryBytes":0,"gpuCount":0}}',
    ].join('\n');
    try {
      parseTrace(text, 't.jsonl');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiscoveryValidationError);
      expect((e as DiscoveryValidationError).fieldViolations.map((v) => v.field)).toEqual([
        't.jsonl:2',
        't.jsonl:3 time',
        't.jsonl:3 request.cpuMillicores',
        't.jsonl:4 sandboxId',
        't.jsonl:5 type',
        't.jsonl:7 sandboxId',
      ]);
    }
  });
});
