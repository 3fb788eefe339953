import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Lists } from '../../src/snapshot/lists.js';

describe('Lists', () => {
  it('gives equal lists one frozen array, and never confuses lists that differ', () => {
    const item = fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor');
    fc.assert(fc.property(fc.array(fc.array(item, { maxLength: 4 }), { maxLength: 40 }), (inputs) => {
      const lists = new Lists();
      const read = inputs.map((input) => lists.read([...input]) as readonly string[]);
      inputs.forEach((input, i) => {
        expect(read[i]).toEqual(input);
        expect(Object.isFrozen(read[i])).toBe(true);
        inputs.forEach((other, j) => expect(read[i] === read[j]).toBe(JSON.stringify(input) === JSON.stringify(other)));
      });
    }));
  });

  it('keeps reading lists right once it stops remembering new ones', () => {
    const lists = new Lists();
    for (let i = 0; i < 60_000; i++) expect(lists.read(['shared', `unique-${i}`])).toEqual(['shared', `unique-${i}`]);
    expect(lists.read(['shared', 'unique-1'])).toBe(lists.read(['shared', 'unique-1']));
    expect(lists.read(['shared', 'unique-59999'])).toEqual(['shared', 'unique-59999']);
    expect(lists.read(['shared', 'unique-59999'])).not.toBe(lists.read(['shared', 'unique-59999']));
  });

  it('refuses what is not a list of non-blank strings, and reads a reused array afresh', () => {
    const lists = new Lists();
    for (const bad of ['a', 1, {}, [''], [' '], ['a', 2], ['a', null]]) expect(lists.read(bad)).toBeUndefined();
    expect(lists.read(null)).toEqual([]);
    expect(lists.read(undefined)).toEqual([]);
    const scratch = ['x', 'y'];
    const first = lists.read(scratch);
    scratch.length = 0;
    scratch.push('x');
    expect(first).toEqual(['x', 'y']);
    expect(lists.read(scratch)).toEqual(['x']);
  });
});
