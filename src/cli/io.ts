import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../server/atomic-file.js';
import { DiscoveryValidationError } from '../errors.js';
import { parseSnapshot } from '../snapshot/parse.js';
import { parseTrace, type TraceEvent } from '../simulate/trace.js';
import type { Snapshot } from '../types.js';

/** A problem with what the user gave the CLI: printed as one clear message, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Escapes every control character but newline and tab (C0, DEL, C1) as `\u001b`, so that
 * ids and file bytes printed to a terminal cannot move the cursor, recolour or retitle it.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Where `-` reads from: standard input, read once (a test may replace it). */
export const stdin = { read: (): string => readFileSync(0, 'utf8') };

function readText(path: string, what: string): string {
  try {
    return path === '-' ? stdin.read() : readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  }
}

/** Lists the violations of a validation error, at most `limit` of them. */
export function describeViolations(error: DiscoveryValidationError, limit = 12): string {
  const lines = error.fieldViolations.slice(0, limit).map((v) => `  ${v.field}: ${v.description}`);
  if (error.fieldViolations.length > limit) lines.push(`  … and ${error.fieldViolations.length - limit} more`);
  return lines.join('\n');
}

/** Reads and validates a fleet snapshot file (camelCase or snake_case JSON). */
export function readFleet(path: string): Snapshot {
  const text = readText(path, 'fleet file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`fleet file '${path}' is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseSnapshot(json);
  } catch (e) {
    if (e instanceof DiscoveryValidationError) {
      const n = e.fieldViolations.length;
      throw new UsageError(`fleet file '${path}' has ${n === 1 ? '1 problem' : `${n} problems`}:\n${describeViolations(e)}`);
    }
    throw e;
  }
}

/** A trace read from a file, with the line each event came from. */
export interface TraceFile {
  readonly path: string;
  readonly events: readonly TraceEvent[];
  /** `lines[i]` is the 1-based line of `events[i]`. */
  readonly lines: readonly number[];
}

/** Reads and validates a JSONL trace file; problems are reported with line numbers. */
export function readTrace(path: string): TraceFile {
  const text = readText(path, 'trace file');
  try {
    const events = parseTrace(text, path);
    const lines: number[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() !== '') lines.push(i + 1);
    });
    return { path, events, lines };
  } catch (e) {
    if (e instanceof DiscoveryValidationError) {
      const n = e.fieldViolations.length;
      throw new UsageError(`trace file '${path}' has ${n === 1 ? '1 problem' : `${n} problems`}:\n${describeViolations(e)}`);
    }
    throw e;
  }
}

/**
 * Rewrites `trace[i]…` fields of a validation error (as `simulate` reports them) into
 * `file:line …`, so that a bad runner reference names its line.
 */
export function withTraceLines(error: DiscoveryValidationError, trace: TraceFile): UsageError {
  const located = error.fieldViolations.map((v) => {
    const m = /^trace\[(\d+)\]\.?(.*)$/.exec(v.field);
    const line = m ? trace.lines[Number(m[1])] : undefined;
    return { field: m && line !== undefined ? `${trace.path}:${line} ${m[2]}`.trimEnd() : v.field, description: v.description };
  });
  const n = located.length;
  return new UsageError(`trace file '${trace.path}' has ${n === 1 ? '1 problem' : `${n} problems`}:\n${describeViolations(new DiscoveryValidationError('simulate', located))}`);
}

/**
 * Checks, before any work is done, that `path` can be written: its folder exists and is a
 * folder, the path is not a folder, and it is none of the files being read (`inputs`).
 */
export function checkWritable(path: string, what: string, inputs: readonly (string | undefined)[] = []): void {
  const folder = dirname(resolve(path));
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    throw new UsageError(`cannot write ${what} '${path}': folder '${folder}' does not exist`);
  }
  if (!isFolder) throw new UsageError(`cannot write ${what} '${path}': '${folder}' is not a folder`);
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`cannot write ${what} '${path}': it is a folder`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
  const target = canonical(path);
  for (const input of inputs) {
    if (input !== undefined && input !== '-' && canonical(input) === target) throw new UsageError(`${what} '${path}' would overwrite the input file '${input}'`);
  }
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Writes a file atomically (see {@link writeFileAtomic}); a failure is one clear message. */
export function writeText(path: string, text: string, what: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (e) {
    throw new UsageError(`cannot write ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
