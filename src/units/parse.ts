import { quote } from '../quote.js';
import { DiscoveryValidationError } from '../errors.js';

/** Binary suffixes are powers of 1024; decimal ones powers of 10 (exponent of ten). */
const BINARY: ReadonlyMap<string, bigint> = new Map([
  ['Ki', 1n << 10n],
  ['Mi', 1n << 20n],
  ['Gi', 1n << 30n],
  ['Ti', 1n << 40n],
  ['Pi', 1n << 50n],
  ['Ei', 1n << 60n],
]);
const DECIMAL: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;
const MAX_EXPONENT = 64;

/** An exact non-negative rational `numerator / denominator`. */
interface Exact {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

function fail(operation: string, input: unknown, description: string): never {
  throw new DiscoveryValidationError(operation, [{ field: 'quantity', description: `${quote(input)} ${description}` }]);
}

/** Reads a Kubernetes quantity into an exact rational, or throws naming the input. */
function readQuantity(operation: string, input: unknown): Exact {
  if (typeof input !== 'string') fail(operation, input, 'is not a string');
  const text = input.trim();
  if (text === '') fail(operation, input, 'is empty');
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])$/.test(text)) {
    fail(operation, input, 'combines an exponent with a suffix');
  }
  const match = QUANTITY.exec(text);
  if (!match) fail(operation, input, 'is not a quantity (expected e.g. "500m", "2", "1.5", "16Gi", "1e3")');
  const [, sign = '', number = '', exponentPart, suffix = ''] = match;
  if (sign === '-' && /[1-9]/.test(number)) fail(operation, input, 'is negative');
  const [whole = '', fraction = ''] = number.split('.');
  let numerator = BigInt(`${whole}${fraction}` || '0');
  let denominator = 10n ** BigInt(fraction.length);
  let exponent = 0;
  if (exponentPart !== undefined) {
    exponent = Number(exponentPart.slice(1));
    if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_EXPONENT) fail(operation, input, 'has an exponent out of range');
  } else if (BINARY.has(suffix)) {
    numerator *= BINARY.get(suffix) ?? 1n;
  } else {
    exponent = DECIMAL.get(suffix) ?? 0;
  }
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  return { numerator, denominator };
}

function toSafeInteger(operation: string, input: string, value: Exact, unit: string): number {
  if (value.numerator % value.denominator !== 0n) fail(operation, input, `is not a whole number of ${unit}`);
  const result = value.numerator / value.denominator;
  if (result > BigInt(Number.MAX_SAFE_INTEGER)) fail(operation, input, `is too large (over ${Number.MAX_SAFE_INTEGER} ${unit})`);
  return Number(result);
}

/**
 * Reads a Kubernetes CPU quantity into integer millicores. A result that is not a whole
 * number of millicores (`"0.5m"`, `"0.0001"`) is an error, not rounded.
 *
 * @example parseCpu('500m') // 500
 * @example parseCpu('1.5') // 1500
 */
export function parseCpu(quantity: string): number {
  const exact = readQuantity('parseCpu', quantity);
  return toSafeInteger('parseCpu', quantity, { numerator: exact.numerator * 1000n, denominator: exact.denominator }, 'millicores');
}

/**
 * Reads a Kubernetes memory quantity into integer bytes. A result that is not a whole number
 * of bytes (`"1.5"`, `"500m"`) is an error, not rounded.
 *
 * @example parseMemory('256Mi') // 268435456
 * @example parseMemory('1k') // 1000
 */
export function parseMemory(quantity: string): number {
  return toSafeInteger('parseMemory', quantity, readQuantity('parseMemory', quantity), 'bytes');
}
