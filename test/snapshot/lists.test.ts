import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Lists } from '../../src/snapshot/lists.js';

describe('Lists', () => {
  it('gives equal lists one frozen array, and never confuses lists that differ', () => {
    const item = fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor');
    // Each read in one of three lanes: a lane's last list, given again, is the same array.
    fc.assert(fc.property(fc.array(fc.tuple(fc.array(item, { maxLength: 4 }), fc.nat(2)), { maxLength: 40 }), (reads) => {
      const lists = new Lists();
      const inputs = reads.map(([input]) => input);
      const read = reads.map(([input, lane]) => lists.read([...input], lane) as readonly string[]);
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
    // Not remembered, but among the lane's last few lists: the same array; after a few others, a new copy.
    const last = lists.read(['shared', 'unique-59999']);
    expect(lists.read(['shared', 'unique-59999'])).toBe(last);
    for (let i = 0; i < 10; i++) lists.read([`other-${i}`]);
    expect(lists.read(['shared', 'unique-59999'])).not.toBe(last);
    expect(lists.read(['shared', 'unique-59999'])).toEqual(['shared', 'unique-59999']);
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
    // A list equal to one of the lane's last up to an item that is not a non-blank string is refused.
    expect(lists.read(['x', 'y'], 3)).toEqual(['x', 'y']);
    expect(lists.read(['x', ' '], 3)).toBeUndefined();
    expect(lists.read(['x', 'z'], 3)).toEqual(['x', 'z']);
  });
});
