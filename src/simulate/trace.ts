import { DiscoveryValidationError, throwIfViolations } from '../errors.js';
import { checkRequest } from '../matcher/placement/request.js';
import { isRecord } from '../snapshot/fields.js';
import { readProfile, readRunner } from '../snapshot/parse.js';
import type { FieldViolation, Profile, Runner, SandboxRequest } from '../types.js';

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
    out.push({ field: `${where} type`, description: `must be one of ${Object.keys(FIELDS).join(', ')}, got ${JSON.stringify(type) ?? String(type)}` });
    return undefined;
  }
  const before = out.length;
  for (const key of Object.keys(value)) {
    if (key !== 'type' && key !== 'time' && !(FIELDS[type as TraceEventType] as readonly string[]).includes(key)) out.push({ field: `${where} ${key}`, description: `is not a field of ${type}` });
  }
  const time = value.time;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) out.push({ field: `${where} time`, description: `must be a non-negative number, got ${JSON.stringify(time) ?? String(time)}` });
  else if (time < previousTime) out.push({ field: `${where} time`, description: `goes back in time (${time} after ${previousTime}): events must be in time order` });
  const id = (key: string): string => {
    const v = value[key];
    if (typeof v === 'string' && v.trim() !== '') return v;
    out.push({ field: `${where} ${key}`, description: `must be a non-blank string, got ${JSON.stringify(v) ?? String(v)}` });
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
        out.push({ field: `${where} lifetime`, description: `must be a non-negative number of seconds or absent, got ${JSON.stringify(lifetime)}` });
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
        if (profile && runner && profile.runnerId !== runner.runnerId) out.push({ field: `${where} profiles[${i}].runnerId`, description: `must be the joining runner ${JSON.stringify(runner.runnerId)}` });
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
 * Reads a JSONL trace. Checks each line (JSON, event type, fields, time order) and the
 * references between lines (a departure of a sandbox that never arrived, a duplicate
 * arrival); runner references are checked against the fleet by `simulate`.
 *
 * @param source names the file in messages (`trace.jsonl:12 sandboxId: …`).
 * @throws DiscoveryValidationError listing every bad line with its number.
 * @example parseTrace(readFileSync('trace.jsonl', 'utf8'), 'trace.jsonl')
 */
export function parseTrace(text: string, source = 'trace'): TraceEvent[] {
  const events: TraceEvent[] = [];
  const violations: FieldViolation[] = [];
  const arrived = new Set<string>();
  const departed = new Set<string>();
  let previousTime = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && violations.length < 100; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === '') continue;
    const where = at(source, i + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      violations.push({ field: where, description: `is not valid JSON (${(e as Error).message})` });
      continue;
    }
    const event = readEvent(value, where, previousTime, violations);
    if (!event) continue;
    previousTime = event.time;
    if (event.type === 'arrival') {
      if (arrived.has(event.sandboxId)) violations.push({ field: `${where} sandboxId`, description: `sandbox ${JSON.stringify(event.sandboxId)} arrived already` });
      arrived.add(event.sandboxId);
    } else if (event.type === 'departure') {
      if (!arrived.has(event.sandboxId)) violations.push({ field: `${where} sandboxId`, description: `departure of unknown sandbox ${JSON.stringify(event.sandboxId)}` });
      else if (departed.has(event.sandboxId)) violations.push({ field: `${where} sandboxId`, description: `sandbox ${JSON.stringify(event.sandboxId)} departed already` });
      departed.add(event.sandboxId);
    }
    events.push(event);
  }
  throwIfViolations('parseTrace', violations);
  return events;
}

/**
 * Writes events as JSONL, one per line; `parseTrace(formatTrace(events))` gives them back.
 *
 * @example writeFileSync('trace.jsonl', formatTrace(generateTrace({ fleet, seed: 1, events: 10_000 })))
 */
export function formatTrace(events: readonly TraceEvent[]): string {
  let out = '';
  for (const e of events) out += `${JSON.stringify(e)}\n`;
  return out;
}
