import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueIndex } from '../../src/matcher/value-index.js';

/** The slots of `words`, ascending. */
function slotsOf(words: Uint32Array | undefined): number[] {
  const out: number[] = [];
  if (!words) return out;
  for (let i = 0; i < words.length; i++) for (let b = 0; b < 32; b++) if (((words[i] as number) >>> b) & 1) out.push(i * 32 + b);
  return out;
}

const VALUES = ['a', 'b', 'c', '__proto__'] as const;
const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), slot: fc.nat(400), value: fc.constantFrom(...VALUES) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), slot: fc.nat(400), value: fc.constantFrom(...VALUES) }) },
  // Read a value's words: a sparse value's are built and kept until its members change.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('words' as const), value: fc.constantFrom(...VALUES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('grow' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clone' as const) }) },
);

describe('ValueIndex against a model of sets', () => {
  it('words, counts and membership stay exact through adds, deletes, reads, growth and clones, sparse or dense', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 300, size: 'max' }), (ops) => {
        let wordCount = 4;
        let index = new ValueIndex(wordCount);
        const model = new Map<string, Set<number>>(VALUES.map((v) => [v, new Set<number>()]));
        for (const o of ops) {
          if (o.kind === 'grow') {
            wordCount += 4;
            index.grow(wordCount);
          } else if (o.kind === 'clone') index = index.clone();
          else if (o.kind === 'words') {
            const expected = [...(model.get(o.value) as Set<number>)].sort((x, y) => x - y);
            const words = index.words(o.value);
            expect(slotsOf(words)).toEqual(expected);
            if (words) expect(words.length).toBe(wordCount);
          } else {
            // Slots beyond the table are not the index's to hold.
            if (o.slot >= wordCount * 32) continue;
            const set = model.get(o.value) as Set<number>;
            if (o.kind === 'add') {
              index.add(o.slot, o.value);
              set.add(o.slot);
            } else {
              index.delete(o.slot, o.value);
              set.delete(o.slot);
            }
          }
          for (const v of VALUES) expect(index.count(v)).toBe((model.get(v) as Set<number>).size);
        }
      }),
      { numRuns: 300 },
    );
  });
});
