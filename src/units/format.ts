import { quote } from '../quote.js';
import { DiscoveryValidationError } from '../errors.js';
import { formatOneDecimal } from './decimal.js';

const BYTE_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
];

function requireInteger(operation: string, field: string, value: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new DiscoveryValidationError(operation, [{ field, description: `must be an integer, got ${quote(value)}` }]);
  }
}

/**
 * Formats a byte count as the discovery client does: the largest binary unit up to TiB that
 * the value reaches, one decimal; below 1 KiB (and for negative values) an integer with `B`.
 *
 * @example formatBytes(1536) // '1.5 KiB'
 * @example formatBytes(17179869184) // '16.0 GiB'
 */
export function formatBytes(bytes: number): string {
  requireInteger('formatBytes', 'bytes', bytes);
  if (bytes === 0) return '0 B';
  for (const [unit, size] of BYTE_UNITS) {
    if (bytes >= size) return `${formatOneDecimal(bytes / size)} ${unit}`;
  }
  return `${bytes} B`;
}

/**
 * Formats millicores as vCPU with one decimal, as the discovery client does.
 *
 * @example formatCpu(500) // '0.5 vCPU'
 */
export function formatCpu(millicores: number): string {
  requireInteger('formatCpu', 'millicores', millicores);
  return `${formatOneDecimal(millicores / 1000)} vCPU`;
}
