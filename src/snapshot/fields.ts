import { quote as describe } from '../quote.js';
import type { FieldViolation } from '../types.js';

/**
 * Field readers for untrusted JSON. Each reader records a violation at the field's path and
 * returns a placeholder, so that one pass finds every problem. Only own properties are read:
 * keys such as `__proto__` or `constructor` are ordinary data.
 */

export type Violations = FieldViolation[];

/** Whether `value` is a string with something besides white space: an id or a list item. */
export function nonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** The empty list every absent list reads as. */
export const EMPTY: readonly string[] = Object.freeze([]);

/** A field known by its camelCase name and its snake_case name (plus aliases). */
export interface FieldName {
  readonly camel: string;
  readonly snake: string;
  readonly aliases?: readonly string[];
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}


/**
 * A reader over one JSON object: picks the spelling present, remembers it for paths. A field
 * given in two spellings at once (`runnerId` and `runner_id`) is a violation: which one is
 * meant cannot be known.
 */
export class RecordReader {
  /** Whether the object is written in snake_case: decides how a missing field's path is spelled. */
  readonly snakeStyle: boolean;

  /** @param snakeHint the enclosing object's style, for an object with no field to tell by (`"resources": {}`). */
  constructor(
    readonly record: Readonly<Record<string, unknown>>,
    readonly path: string,
    readonly violations: Violations,
    names: readonly FieldName[],
    snakeHint = false,
  ) {
    let snake = false;
    let camel = false;
    for (const n of names) {
      const hasCamel = Object.hasOwn(record, n.camel);
      const hasSnake = n.snake !== n.camel && Object.hasOwn(record, n.snake);
      let count = (hasCamel ? 1 : 0) + (hasSnake ? 1 : 0);
      if (n.aliases) for (const a of n.aliases) if (Object.hasOwn(record, a)) count++;
      if (count > 1) {
        const spellings = [n.camel, ...(n.snake !== n.camel ? [n.snake] : []), ...(n.aliases ?? [])].filter((k) => Object.hasOwn(record, k));
        violations.push({ field: `${path}.${spellings[0]}`, description: `is given in ${spellings.length} spellings (${spellings.join(', ')}): use one` });
      }
      if (hasSnake) snake = true;
      if (hasCamel && n.snake !== n.camel) camel = true;
    }
    this.snakeStyle = snake && !camel ? true : camel ? false : snakeHint;
  }

  /** The key present in the record for this field, or undefined. */
  private present(name: FieldName): string | undefined {
    if (Object.hasOwn(this.record, name.camel)) return name.camel;
    if (Object.hasOwn(this.record, name.snake)) return name.snake;
    if (name.aliases) for (const alias of name.aliases) if (Object.hasOwn(this.record, alias)) return alias;
    return undefined;
  }

  /** The key present in the record for this field, or the object's own spelling when absent. */
  keyOf(name: FieldName): { key: string; present: boolean } {
    const key = this.present(name);
    return key === undefined ? { key: this.snakeStyle ? name.snake : name.camel, present: false } : { key, present: true };
  }

  fieldPath(key: string): string {
    return `${this.path}.${key}`;
  }

  violate(key: string, description: string): void {
    this.violations.push({ field: this.fieldPath(key), description });
  }

  private get(name: FieldName): { key: string; present: boolean; value: unknown } {
    const key = this.present(name);
    if (key === undefined) return { key: this.snakeStyle ? name.snake : name.camel, present: false, value: undefined };
    return { key, present: true, value: this.record[key] };
  }

  /** A non-blank string identifier; required. */
  id(name: FieldName): string {
    const { key, present, value } = this.get(name);
    if (!present) this.violate(key, 'is required');
    else if (typeof value !== 'string') this.violate(key, `must be a string, got ${describe(value)}`);
    else if (value.trim() === '') this.violate(key, `must not be blank, got ${describe(value)}`);
    else return value;
    return '';
  }

  /** A boolean; required unless a default is given. */
  bool(name: FieldName, fallback?: boolean): boolean {
    const { key, present, value } = this.get(name);
    if (!present || value === undefined) {
      if (fallback === undefined) this.violate(key, 'is required');
      return fallback ?? false;
    }
    if (typeof value !== 'boolean') {
      this.violate(key, `must be a boolean, got ${describe(value)}`);
      return false;
    }
    return value;
  }

  /** A non-negative safe integer; 0 when absent and `required` is false. */
  count(name: FieldName, required = false): number {
    const { key, present, value } = this.get(name);
    if (!present || value === undefined) {
      if (required) this.violate(key, 'is required');
      return 0;
    }
    if (typeof value !== 'number') this.violate(key, `must be a number, got ${describe(value)}`);
    else if (!Number.isFinite(value)) this.violate(key, `must be finite, got ${describe(value)}`);
    else if (!Number.isInteger(value)) this.violate(key, `must be an integer, got ${describe(value)}`);
    else if (value < 0) this.violate(key, `must not be negative, got ${describe(value)}`);
    else if (!Number.isSafeInteger(value)) this.violate(key, `must be at most ${Number.MAX_SAFE_INTEGER}, got ${describe(value)}`);
    else return value;
    return 0;
  }

  /** A list of non-blank strings; empty when absent. */
  list(name: FieldName): readonly string[] {
    const key = this.present(name);
    const value = key === undefined ? undefined : this.record[key];
    if (key === undefined || value === undefined || value === null) return EMPTY;
    if (!Array.isArray(value)) {
      this.violate(key, `must be a list of strings, got ${describe(value)}`);
      return EMPTY;
    }
    const out: string[] = new Array<string>(value.length);
    let ok = true;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (nonBlank(item)) {
        out[i] = item;
        continue;
      }
      ok = false;
      const description = typeof item !== 'string' ? `must be a string, got ${describe(item)}` : `must not be blank, got ${describe(item)}`;
      this.violations.push({ field: `${this.fieldPath(key)}[${i}]`, description });
    }
    return ok ? Object.freeze(out) : EMPTY;
  }

  /** An ISO 8601 date-time with a time zone (`2026-01-02T03:04:05Z`); required. */
  timestamp(name: FieldName): string {
    const { key, present, value } = this.get(name);
    if (!present) this.violate(key, 'is required');
    else if (typeof value !== 'string') this.violate(key, `must be an ISO 8601 string, got ${describe(value)}`);
    else if (!isIsoTimestamp(value)) this.violate(key, `must be an ISO 8601 date-time with a time zone, got ${describe(value)}`);
    else return value;
    return '';
  }

  /** The raw value of a nested field, with its path. */
  nested(name: FieldName): { path: string; key: string; present: boolean; value: unknown } {
    const { key, present, value } = this.get(name);
    return { path: this.fieldPath(key), key, present, value };
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** The two-digit number at `at` (the pattern has checked both are digits). */
function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
}

/**
 * Whether `text` is an ISO 8601 date-time with a time zone and every part in range. The
 * pattern fixes where each part is: the date and time at the start, the seconds after a colon
 * at 16, the zone offset (`Z`, or `±hh[:]mm`) at the end.
 */
export function isIsoTimestamp(text: string): boolean {
  if (!ISO.test(text)) return false;
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const second = text.charCodeAt(16) === 58 ? twoDigits(text, 17) : 0;
  const end = text.length;
  const zoned = text.charCodeAt(end - 1) !== 90; // not 'Z'
  const offH = zoned ? twoDigits(text, text.charCodeAt(end - 3) === 58 ? end - 5 : end - 4) : 0;
  const offM = zoned ? twoDigits(text, end - 2) : 0;
  if (month < 1 || month > 12 || day < 1) return false;
  // Past the 28th, the month's length (leap years included) as Date.UTC reckons it.
  if (day > 28 && day > new Date(Date.UTC(Number(text.slice(0, 4)), month, 0)).getUTCDate()) return false;
  return twoDigits(text, 11) < 24 && twoDigits(text, 14) < 60 && second < 60 && offH < 24 && offM < 60;
}
