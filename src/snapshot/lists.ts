import { plainCopy } from '../plain.js';
import { EMPTY, nonBlank } from './fields.js';

interface ListNode {
  next: Map<string, ListNode> | undefined;
  /** The frozen list whose items lead here. */
  list: readonly string[] | undefined;
}

/** How many distinct list prefixes one {@link Lists} remembers. */
const REMEMBERED_PREFIXES = 50_000;

/**
 * Lists of non-blank strings, each read as a frozen array that equal lists share (a trie over
 * their items, so a repeated list costs a few map lookups and no allocation). The lists are
 * frozen, so nobody can tell they are shared, except by the memory they no longer take.
 * Past {@link REMEMBERED_PREFIXES} prefixes, new lists are copied without being remembered.
 *
 * One per snapshot read (records' lists), and one per profile table (runners' mode unions).
 */
export class Lists {
  private readonly root: ListNode = { next: undefined, list: undefined };
  private remembered = 0;
  /** {@link read}'s copy of the items it checks (its first `n`). */
  private readonly scratch: string[] = [];

  /**
   * A frozen list of non-blank strings (absent or null: empty), or undefined when `value` is
   * not one. `value` itself is only read: a caller may reuse it.
   */
  read(value: unknown): readonly string[] | undefined {
    if (value === undefined || value === null) return EMPTY;
    if (!Array.isArray(value)) return undefined;
    // Each item read once, into a scratch array that is checked and shared: an item behind a
    // getter cannot answer the check and the copy differently.
    const n = value.length;
    const items = this.scratch;
    for (let i = 0; i < n; i++) {
      const item: unknown = value[i];
      if (!nonBlank(item)) return undefined;
      items[i] = item;
    }
    return this.share(items, n);
  }

  /**
   * The first `n` items of `items` (non-blank strings, as read before) as a frozen list shared
   * with every equal one. `items` is only read: a caller may reuse it.
   */
  share(items: readonly string[], n: number): readonly string[] {
    if (n === 0) return EMPTY;
    let node: ListNode | undefined = this.root;
    for (let i = 0; i < n && node; i++) node = this.child(node, items[i] as string);
    if (node?.list) return node.list;
    const list = Object.freeze(plainCopy(items, n));
    if (node) node.list = list;
    return list;
  }

  private child(node: ListNode, item: string): ListNode | undefined {
    let next = node.next?.get(item);
    if (next === undefined && this.remembered < REMEMBERED_PREFIXES) {
      next = { next: undefined, list: undefined };
      (node.next ??= new Map()).set(item, next);
      this.remembered++;
    }
    return next;
  }
}
