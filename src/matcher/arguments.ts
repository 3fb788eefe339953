import { throwIfViolations } from '../errors.js';
import type { FieldViolation } from '../types.js';

/** The kind of each argument field: validated at the edge, trusted inside. */
export type ArgumentKind = 'string' | 'boolean' | 'count' | 'strings';

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}

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
    case 'strings':
      if (!Array.isArray(value)) out.push({ field, description: `must be a list of strings, got ${describe(value)}` });
      else value.forEach((item: unknown, i) => checkValue(`${field}[${i}]`, 'string', item, out));
      return;
  }
}

/**
 * Checks an argument object against its schema: unknown keys, wrong types, blank strings,
 * negative or fractional quantities. `required` fields must be present. Throws one
 * DiscoveryValidationError naming every offending field; returns the object otherwise.
 */
export function checkArguments<T>(
  operation: string,
  value: unknown,
  schema: Readonly<Record<string, ArgumentKind>>,
  required: readonly string[] = [],
): T {
  const violations: FieldViolation[] = [];
  if (value === undefined) value = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throwIfViolations(operation, [{ field: 'arguments', description: `must be an object, got ${describe(value)}` }]);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const kind = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (kind === undefined) {
      violations.push({ field: key, description: 'is not a known field' });
      continue;
    }
    const v = record[key];
    if (v !== undefined) checkValue(key, kind, v, violations);
  }
  for (const key of required) {
    if (record[key] === undefined) violations.push({ field: key, description: 'is required' });
  }
  throwIfViolations(operation, violations);
  return value as T;
}

/** Checks one string identifier argument. */
export function checkId(operation: string, field: string, value: unknown): string {
  const violations: FieldViolation[] = [];
  checkValue(field, 'string', value, violations);
  throwIfViolations(operation, violations);
  return value as string;
}
