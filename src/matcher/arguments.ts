import { throwIfViolations } from '../errors.js';
import { plainCopy } from '../plain.js';
import { quote as describe } from '../quote.js';
import type { FieldViolation } from '../types.js';

/** The kind of each argument field: validated at the edge, trusted inside. */
export type ArgumentKind = 'string' | 'boolean' | 'count' | 'number' | 'strings' | 'object';

function checkValue(field: string, kind: ArgumentKind, value: unknown, out: FieldViolation[]): void {
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') out.push({ field, description: `must be a string, got ${describe(value)}` });
      else if (value.trim() === '') out.push({ field, description: `must not be blank, got ${describe(value)}` });
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push({ field, description: `must be a boolean, got ${describe(value)}` });
      return;
    case 'count':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        out.push({ field, description: `must be a non-negative integer, got ${describe(value)}` });
      }
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) out.push({ field, description: `must be a finite number, got ${describe(value)}` });
      return;
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) out.push({ field, description: `must be an object, got ${describe(value)}` });
      return;
    case 'strings':
      if (!Array.isArray(value)) out.push({ field, description: `must be a list of strings, got ${describe(value)}` });
      else value.forEach((item: unknown, i) => checkValue(`${field}[${i}]`, 'string', item, out));
      return;
  }
}

/**
 * Checks an argument object against its schema: unknown keys, wrong types, blank strings,
 * negative or fractional quantities. `required` fields must be present. Throws one
 * DiscoveryValidationError naming every offending field (under `prefix`, e.g. `request.`).
 *
 * Returns a frozen copy holding the defined fields only (lists copied and frozen too): what
 * the caller does to its own object afterwards reaches nothing of ours.
 */
export function checkArguments<T>(
  operation: string,
  value: unknown,
  schema: Readonly<Record<string, ArgumentKind>>,
  required: readonly string[] = [],
  prefix = '',
): T {
  const violations: FieldViolation[] = [];
  if (value === undefined) value = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throwIfViolations(operation, [{ field: prefix === '' ? 'arguments' : prefix.slice(0, -1), description: `must be an object, got ${describe(value)}` }]);
  }
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const kind = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (kind === undefined) {
      violations.push({ field: `${prefix}${key}`, description: 'is not a known field' });
      continue;
    }
    // Read once: a getter could answer differently on a second read.
    const read = record[key];
    if (read === undefined) continue;
    const v: unknown = Array.isArray(read) ? Object.freeze(plainCopy(read)) : read;
    checkValue(`${prefix}${key}`, kind, v, violations);
    copy[key] = v;
  }
  for (const key of required) {
    if (copy[key] === undefined && !violations.some((v) => v.field === `${prefix}${key}`)) violations.push({ field: `${prefix}${key}`, description: 'is required' });
  }
  throwIfViolations(operation, violations);
  return Object.freeze(copy) as T;
}

/** Checks one string identifier argument. */
export function checkId(operation: string, field: string, value: unknown): string {
  const violations: FieldViolation[] = [];
  checkValue(field, 'string', value, violations);
  throwIfViolations(operation, violations);
  return value as string;
}

/** The accepted range of one numeric option. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
  readonly required?: boolean;
}

/**
 * Checks an options object of numbers against their ranges (unknown keys refused, `other` keys
 * allowed unchecked). Throws one DiscoveryValidationError naming every offending option.
 */
export function checkRanges(operation: string, value: unknown, ranges: Readonly<Record<string, NumberRange>>, other: readonly string[] = []): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throwIfViolations(operation, [{ field: 'options', description: `must be an object, got ${describe(value)}` }]);
  }
  const record = value as Record<string, unknown>;
  const violations: FieldViolation[] = [];
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(ranges, key) && !other.includes(key)) violations.push({ field: key, description: 'is not a known option' });
  }
  for (const [key, range] of Object.entries(ranges)) {
    const v = record[key];
    if (v === undefined) {
      if (range.required) violations.push({ field: key, description: 'is required' });
      continue;
    }
    const kind = range.integer ? 'an integer' : 'a number';
    if (typeof v !== 'number' || !Number.isFinite(v) || (range.integer === true && !Number.isInteger(v)) || v < range.min || v > range.max) {
      violations.push({ field: key, description: `must be ${kind} from ${range.min} to ${range.max}, got ${describe(v)}` });
    }
  }
  throwIfViolations(operation, violations);
}
