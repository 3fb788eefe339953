const view = new DataView(new ArrayBuffer(8));

/**
 * Formats a double with one decimal exactly as Python's `format(x, ".1f")`: from the exact
 * binary value of `x`, exact ties to the even digit, the sign kept on negative zero results.
 * (`Number.prototype.toFixed` breaks exact ties upward, so it is not used.)
 */
export function formatOneDecimal(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const negative = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  // |x| = mantissa * 2^exponent, so |x| * 10 = 10 * mantissa * 2^exponent.
  const scaled = mantissa * 10n;
  let tenths: bigint;
  if (exponent >= 0) {
    tenths = scaled << BigInt(exponent);
  } else {
    const shift = BigInt(-exponent);
    const quotient = scaled >> shift;
    const remainder = scaled - (quotient << shift);
    const half = 1n << (shift - 1n);
    const roundUp = remainder > half || (remainder === half && (quotient & 1n) === 1n);
    tenths = roundUp ? quotient + 1n : quotient;
  }
  const digits = tenths.toString().padStart(2, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -1)}.${digits.slice(-1)}`;
}
