import { quote } from '../quote.js';
import { DiscoveryValidationError, throwIfViolations } from '../errors.js';
import { checkRequest } from '../matcher/placement/request.js';
import { isRecord } from '../snapshot/fields.js';
import { readProfile, readRunner } from '../snapshot/parse.js';
import type { FieldViolation, Profile, Runner, SandboxRequest } from '../types.js';
import { SandboxNumbering, type SandboxNumbers } from './running.js';

/**
 * A workload trace: events in time order (seconds from the start; equal times keep file order).
 *
 * JSONL, one event a line:
 * ```
 * {"type":"arrival","time":0.4,"sandboxId":"s1","request":{"cpuMillicores":500,"memoryBytes":1073741824,"gpuCount":0},"lifetime":120}
 * {"type":"arrival","time":0.9,"sandboxId":"s2","request":{…}}             // no lifetime: runs until its departure
 * {"type":"departure","time":30,"sandboxId":"s2"}
 * {"type":"runnerJoin","time":40,"runner":{…runner…},"profiles":[{…profile…}]}
 * {"type":"runnerUnhealthy","time":50,"runnerId":"runner-0007"}
 * {"type":"runnerHealthy","time":80,"runnerId":"runner-0007"}
 * {"type":"runnerLeave","time":90,"runnerId":"runner-0012"}
 * ```
 * A sandbox with a `lifetime` departs by itself at `time + lifetime`.
 */
export type TraceEvent =
  | { readonly type: 'arrival'; readonly time: number; readonly sandboxId: string; readonly request: SandboxRequest; readonly lifetime?: number | undefined }
  | { readonly type: 'departure'; readonly time: number; readonly sandboxId: string }
  | { readonly type: 'runnerJoin'; readonly time: number; readonly runner: Runner; readonly profiles: readonly Profile[] }
  | { readonly type: 'runnerLeave'; readonly time: number; readonly runnerId: string }
  | { readonly type: 'runnerUnhealthy'; readonly time: number; readonly runnerId: string }
  | { readonly type: 'runnerHealthy'; readonly time: number; readonly runnerId: string };

export type TraceEventType = TraceEvent['type'];

const FIELDS: Readonly<Record<TraceEventType, readonly string[]>> = {
  arrival: ['sandboxId', 'request', 'lifetime'],
  departure: ['sandboxId'],
  runnerJoin: ['runner', 'profiles'],
  runnerLeave: ['runnerId'],
  runnerUnhealthy: ['runnerId'],
  runnerHealthy: ['runnerId'],
};

/** Where a trace line came from, for messages: `trace.jsonl:12`. */
function at(source: string, line: number): string {
  return `${source}:${line}`;
}

function readEvent(value: unknown, where: string, previousTime: number, out: FieldViolation[]): TraceEvent | undefined {
  if (!isRecord(value)) {
    out.push({ field: where, description: 'must be a JSON object' });
    return undefined;
  }
  const type = value.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) {
    out.push({ field: `${where} type`, description: `must be one of ${Object.keys(FIELDS).join(', ')}, got ${quote(type)}` });
    return undefined;
  }
  const before = out.length;
  for (const key of Object.keys(value)) {
    if (key !== 'type' && key !== 'time' && !(FIELDS[type as TraceEventType] as readonly string[]).includes(key)) out.push({ field: `${where} ${key}`, description: `is not a field of ${type}` });
  }
  const time = value.time;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) out.push({ field: `${where} time`, description: `must be a non-negative number, got ${quote(time)}` });
  else if (time < previousTime) out.push({ field: `${where} time`, description: `goes back in time (${time} after ${previousTime}): events must be in time order` });
  const id = (key: string): string => {
    const v = value[key];
    if (typeof v === 'string' && v.trim() !== '') return v;
    out.push({ field: `${where} ${key}`, description: `must be a non-blank string, got ${quote(v)}` });
    return '';
  };
  let event: TraceEvent | undefined;
  switch (type as TraceEventType) {
    case 'arrival': {
      const sandboxId = id('sandboxId');
      let request: SandboxRequest | undefined;
      try {
        request = checkRequest('trace', value.request);
      } catch (e) {
        if (!(e instanceof DiscoveryValidationError)) throw e;
        for (const v of e.fieldViolations) out.push({ field: `${where} request.${v.field}`, description: v.description });
      }
      const lifetime = value.lifetime;
      if (lifetime !== undefined && lifetime !== null && (typeof lifetime !== 'number' || !Number.isFinite(lifetime) || lifetime < 0)) {
        out.push({ field: `${where} lifetime`, description: `must be a non-negative number of seconds or absent, got ${quote(lifetime)}` });
      }
      if (request) event = { type: 'arrival', time: time as number, sandboxId, request, ...(typeof lifetime === 'number' ? { lifetime } : {}) };
      break;
    }
    case 'departure':
      event = { type: 'departure', time: time as number, sandboxId: id('sandboxId') };
      break;
    case 'runnerJoin': {
      const runner = readRunner(value.runner, `${where} runner`, out);
      const profilesIn = value.profiles ?? [];
      const profiles: Profile[] = [];
      if (!Array.isArray(profilesIn)) out.push({ field: `${where} profiles`, description: 'must be a list of profiles' });
      else profilesIn.forEach((p: unknown, i) => {
        const profile = readProfile(p, `${where} profiles[${i}]`, out);
        if (profile && runner && profile.runnerId !== runner.runnerId) out.push({ field: `${where} profiles[${i}].runnerId`, description: `must be the joining runner ${quote(runner.runnerId)}` });
        else if (profile) profiles.push(profile);
      });
      if (runner) event = { type: 'runnerJoin', time: time as number, runner, profiles };
      break;
    }
    case 'runnerLeave':
    case 'runnerUnhealthy':
    case 'runnerHealthy':
      event = { type: type as 'runnerLeave', time: time as number, runnerId: id('runnerId') };
      break;
  }
  return out.length === before ? event : undefined;
}

/**
 * Checks events one after another: each event's fields, time order, and the references between
 * events (a departure of a sandbox that never arrived, a duplicate arrival). Runner references
 * are checked against the fleet by `simulate`.
 */
class TraceChecker {
  readonly events: TraceEvent[] = [];
  readonly violations: FieldViolation[] = [];
  /** Sandboxes that arrived, each with its number. */
  private readonly arrived = new Map<string, number>();
  private readonly departed = new Set<string>();
  private readonly numbering = new SandboxNumbering();
  private previousTime = 0;

  add(value: unknown, where: string): void {
    const violations = this.violations;
    const event = readEvent(value, where, this.previousTime, violations);
    if (!event) return;
    this.previousTime = event.time;
    if (event.type === 'arrival') {
      if (this.arrived.has(event.sandboxId)) violations.push({ field: `${where} sandboxId`, description: `sandbox ${quote(event.sandboxId)} arrived already` });
      this.arrived.set(event.sandboxId, this.numbering.arrive());
    } else if (event.type === 'departure') {
      const k = this.arrived.get(event.sandboxId);
      if (k === undefined) violations.push({ field: `${where} sandboxId`, description: `departure of unknown sandbox ${quote(event.sandboxId)}` });
      else if (this.departed.has(event.sandboxId)) violations.push({ field: `${where} sandboxId`, description: `sandbox ${quote(event.sandboxId)} departed already` });
      this.departed.add(event.sandboxId);
      this.numbering.depart(k ?? -1);
    } else this.numbering.skip();
    this.events.push(Object.freeze(event));
  }

  /** The validated events, frozen and marked so that `simulate` does not check them again. */
  finish(operation: string): readonly TraceEvent[] {
    throwIfViolations(operation, this.violations);
    return trustTrace(this.events, this.numbering.finish());
  }
}

/** Traces validated here (or built by capmatch), each with its sandboxes numbered: `simulate` takes them as they are. */
const validated = new WeakMap<object, SandboxNumbers>();

/**
 * Freezes a trace capmatch built or checked and marks it validated, with its sandboxes
 * numbered as it was built. Not exported from the package.
 */
export function trustTrace(events: TraceEvent[], numbers: SandboxNumbers): readonly TraceEvent[] {
  const frozen = Object.freeze(events);
  validated.set(frozen, numbers);
  return frozen;
}

/** The sandbox numbers of a trace from {@link checkTrace}, {@link parseTrace} or `generateTrace`. */
export function sandboxNumbers(trace: readonly TraceEvent[]): SandboxNumbers {
  const numbers = validated.get(trace);
  if (numbers === undefined) throw new Error('sandboxNumbers: the trace was not validated (checkTrace first)');
  return numbers;
}

/**
 * A trace built in code, validated exactly as `parseTrace` validates a file (paths read
 * `trace[12] sandboxId`). A trace from `parseTrace` or `generateTrace` is returned as it is.
 *
 * @throws DiscoveryValidationError listing every bad event (the first 100).
 */
export function checkTrace(trace: unknown, operation = 'simulate'): readonly TraceEvent[] {
  if (typeof trace === 'object' && trace !== null && validated.has(trace)) return trace as readonly TraceEvent[];
  if (!Array.isArray(trace)) throwIfViolations(operation, [{ field: 'trace', description: `must be a list of events, got ${quote(trace)}` }]);
  const checker = new TraceChecker();
  const list = trace as readonly unknown[];
  for (let i = 0; i < list.length && checker.violations.length < 100; i++) checker.add(list[i], `trace[${i}]`);
  return checker.finish(operation);
}

/**
 * Reads a JSONL trace. Checks each line (JSON, event type, fields, time order) and the
 * references between lines (a departure of a sandbox that never arrived, a duplicate
 * arrival); runner references are checked against the fleet by `simulate`.
 *
 * @param source names the file in messages (`trace.jsonl:12 sandboxId: …`).
 * @throws DiscoveryValidationError listing every bad line with its number (the first 100).
 * @example parseTrace(readFileSync('trace.jsonl', 'utf8'), 'trace.jsonl')
 */
export function parseTrace(text: string, source = 'trace'): readonly TraceEvent[] {
  if (typeof text !== 'string') throwIfViolations('parseTrace', [{ field: 'text', description: `must be a string, got ${quote(text)}` }]);
  if (typeof source !== 'string') throwIfViolations('parseTrace', [{ field: 'source', description: `must be a string, got ${quote(source)}` }]);
  const checker = new TraceChecker();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && checker.violations.length < 100; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === '') continue;
    const where = at(source, i + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      checker.violations.push({ field: where, description: `is not valid JSON (${quote((e as Error).message)})` });
      continue;
    }
    checker.add(value, where);
  }
  return checker.finish('parseTrace');
}

/**
 * Writes events as JSONL, one per line; `parseTrace(formatTrace(events))` gives them back.
 *
 * @example writeFileSync('trace.jsonl', formatTrace(generateTrace({ fleet, seed: 1, events: 10_000 })))
 */
export function formatTrace(events: readonly TraceEvent[]): string {
  let out = '';
  for (const e of checkTrace(events, 'formatTrace')) out += `${JSON.stringify(e)}\n`;
  return out;
}
