import { plainCopy } from '../plain.js';
import { EMPTY, nonBlank } from './fields.js';

interface ListNode {
  next: Map<string, ListNode> | undefined;
  /** The frozen list whose items lead here. */
  list: readonly string[] | undefined;
}

/** How many lists each lane of {@link Lists.read} keeps. */
const RECENT = 4;

/** Whether the first `n` items of `items` are those of `list` (of length `n`). */
function sameItems(list: readonly string[], items: readonly unknown[], n: number): boolean {
  for (let i = 0; i < n; i++) if (items[i] !== list[i]) return false;
  return true;
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
  private readonly scratch: unknown[] = [];
  /** The last {@link RECENT} lists each lane of {@link read} returned: lane `l` at `l * RECENT`. */
  private readonly recent: Array<readonly string[] | undefined> = [];
  /** Per lane, where its next list goes (its oldest). */
  private readonly recentNext: number[] = [];

  /**
   * A frozen list of non-blank strings (absent or null: empty), or undefined when `value` is
   * not one. `value` itself is only read: a caller may reuse it.
   *
   * `lane` (a small number per field of the records read) keeps the last few lists read there:
   * a list equal to one of them (records list the same few architectures, GPU types or modes
   * again and again) is told by comparing items, without a lookup of each.
   */
  read(value: unknown, lane = 0): readonly string[] | undefined {
    if (value === undefined || value === null) return EMPTY;
    if (!Array.isArray(value)) return undefined;
    // Each item read once, into a scratch array that is compared, checked and shared: an item
    // behind a getter cannot answer one and the other differently.
    const n = value.length;
    if (n === 0) return EMPTY;
    const items = this.scratch;
    for (let i = 0; i < n; i++) items[i] = value[i];
    const first = lane * RECENT;
    for (let r = first; r < first + RECENT; r++) {
      const list = this.recent[r];
      // Items equal to a list's are strings and non-blank, as its are.
      if (list !== undefined && list.length === n && sameItems(list, items, n)) return list;
    }
    for (let i = 0; i < n; i++) if (!nonBlank(items[i])) return undefined;
    const list = this.share(items as string[], n);
    const next = this.recentNext[lane] ?? 0;
    this.recent[first + next] = list;
    this.recentNext[lane] = (next + 1) % RECENT;
    return list;
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
