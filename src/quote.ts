/**
 * A short, printable description of any value for a violation message: whatever the value —
 * a BigInt, a cycle, a nesting a million deep, a megabyte string, control characters — the
 * result is at most about 60 characters and never throws.
 *
 * @example quote('a\u001b[31mb') // '"a\\u001b[31mb"'
 */
export function quote(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${shorten(value.toString(), 40)}n (a BigInt)`;
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return `a list of ${value.length}`;
      return 'an object';
  }
}

const MAX_CHARS = 40;

/** A JSON-style quoted string, control and non-ASCII-format characters escaped, cut to 40 characters. */
function quoteString(s: string): string {
  const cut = s.length > MAX_CHARS;
  let out = '"';
  let n = Math.min(s.length, MAX_CHARS);
  // Never cut a surrogate pair in half.
  if (cut && isHigh(s.charCodeAt(n - 1)) && isLow(s.charCodeAt(n))) n--;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || (c >= 0xd800 && c <= 0xdfff && !pairedAt(s, i))) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += s[i];
  }
  out += '"';
  return cut ? `${out}… (${s.length} characters)` : out;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Whether the surrogate at `i` is half of a well-formed pair. */
function pairedAt(s: string, i: number): boolean {
  return isHigh(s.charCodeAt(i)) ? isLow(s.charCodeAt(i + 1)) : isHigh(s.charCodeAt(i - 1));
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
