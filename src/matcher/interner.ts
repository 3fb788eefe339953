/**
 * Turns strings into dense integer ids, once, at the boundary. Ids are never reused, so an id
 * seen by a query stays valid; `Map` keeps `__proto__` and friends ordinary keys.
 */
export class Interner {
  private readonly ids: Map<string, number>;
  private readonly values: string[];

  constructor(from?: Interner) {
    this.ids = new Map(from?.ids);
    this.values = from ? from.values.slice() : [];
  }

  /** The id of `value`, creating one if needed. */
  intern(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  /** The id of `value`, or -1 when it was never seen. */
  lookup(value: string): number {
    return this.ids.get(value) ?? -1;
  }

  valueOf(id: number): string {
    return this.values[id] as string;
  }

  get size(): number {
    return this.values.length;
  }
}
