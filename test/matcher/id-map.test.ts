import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdMap } from '../../src/matcher/id-map.js';

/** Operations on a map and its clones, against a `Map` per copy. */
type Op =
  | { op: 'set'; id: string; value: number }
  | { op: 'delete'; id: string }
  | { op: 'clone' }
  | { op: 'switch'; to: number }
  | { op: 'remap'; shift: number };

// Few ids (so that they are set, removed and set again) of unlike lengths and code units,
// prototype names among them; small maps, so that runs wrap around the end and grow.
const ids = fc.oneof(fc.constantFrom('a', 'b', 'runner-1', 'runner-10', '__proto__', 'constructor', '', 'r-\u{1F600}', 'r-\uFF61'), fc.string({ maxLength: 3 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), id: ids, value: fc.oneof({ weight: 9, arbitrary: fc.nat(64) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x7fffffff }) }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), id: ids }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clone' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('switch' as const), to: fc.nat(8) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remap' as const), shift: fc.nat(1000) }) },
);

describe('IdMap', () => {
  it('answers as a Map would, through sets, deletes, growth and clones, under any seed', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), fc.integer(), fc.nat(40), (ops, seed, expected) => {
      const maps = [new IdMap(expected, seed)];
      const models = [new Map<string, number>()];
      let at = 0;
      for (const o of ops) {
        const map = maps[at] as IdMap;
        const model = models[at] as Map<string, number>;
        if (o.op === 'set') {
          map.set(o.id, o.value);
          model.set(o.id, o.value);
        } else if (o.op === 'delete') {
          expect(map.delete(o.id)).toBe(model.delete(o.id));
        } else if (o.op === 'remap') {
          // Every value becomes another (while they are small enough for a table of them).
          const values = [...model.values()];
          const top = Math.max(0, ...values);
          if (top <= 64) {
            const to = new Int32Array(top + 1).map((_, v) => v * 7 + o.shift);
            map.remap(to);
            for (const [id, v] of model) model.set(id, to[v] as number);
          }
        } else if (o.op === 'clone') {
          maps.push(map.clone());
          models.push(new Map(model));
        } else {
          at = o.to % maps.length;
        }
        // Every copy still answers as its model: a clone shares nothing with its original.
        maps.forEach((m, k) => {
          const reference = models[k] as Map<string, number>;
          expect(m.size).toBe(reference.size);
          for (const id of ['a', 'b', 'runner-1', 'runner-10', '__proto__', 'constructor', '', 'r-\u{1F600}', 'r-\uFF61', 'id' in o ? o.id : '']) {
            expect(m.get(id)).toBe(reference.get(id));
            expect(m.has(id)).toBe(reference.has(id));
          }
          for (const [id, value] of reference) expect(m.get(id)).toBe(value);
        });
      }
    }));
  });

  it('finds every id after any deletion from a full small map, runs wrapping around its end included', () => {
    // 8 ids in 16 positions under 300 seeds: runs that wrap are common, and each id is deleted
    // from each such state in turn.
    const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
    for (let seed = 0; seed < 300; seed++) {
      for (const gone of keys) {
        const map = new IdMap(0, seed);
        keys.forEach((k, i) => map.set(k, i));
        expect(map.delete(gone)).toBe(true);
        keys.forEach((k, i) => expect(map.get(k)).toBe(k === gone ? undefined : i));
      }
    }
  });

  it('holds 100,000 ids made to size, and more after growing; rejects what is not a slot', () => {
    const map = new IdMap(100_000, 7);
    for (let i = 0; i < 100_000; i++) map.set(`runner-${i}`, i);
    for (let i = 100_000; i < 150_000; i++) map.set(`runner-${i}`, i);
    for (let i = 0; i < 150_000; i += 2) expect(map.delete(`runner-${i}`)).toBe(true);
    expect(map.size).toBe(75_000);
    for (let i = 0; i < 150_000; i++) expect(map.get(`runner-${i}`)).toBe(i % 2 === 0 ? undefined : i);
    expect(() => map.set('x', -1)).toThrow(RangeError);
    expect(() => map.set('x', 1.5)).toThrow(RangeError);
    expect(() => map.set('x', 2 ** 31)).toThrow(RangeError);
    expect(map.has('x')).toBe(false);
    expect(() => map.remap(new Int32Array(10))).toThrow(RangeError);
    expect(map.get('runner-1')).toBe(1);
    expect(map.get('runner-149999')).toBe(149_999);
  });
});
