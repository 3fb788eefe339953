import { quote } from '../../quote.js';
import { throwIfViolations } from '../../errors.js';
import { parseCpu, parseMemory } from '../../units/parse.js';
import { STRATEGIES, type FieldViolation, type PlaceOptions, type SandboxRequest, type Strategy } from '../../types.js';
import { type ArgumentKind, checkArguments } from '../arguments.js';
import { DiscoveryValidationError } from '../../errors.js';

const REQUEST: Record<keyof SandboxRequest, ArgumentKind> = {
  cpuMillicores: 'count',
  memoryBytes: 'count',
  gpuCount: 'count',
  gpuType: 'string',
  architecture: 'string',
  profileName: 'string',
  ingressMode: 'string',
  egressMode: 'string',
  privileged: 'boolean',
  storageClass: 'string',
  runnerGroupId: 'string',
  runnerIds: 'strings',
  tags: 'strings',
};

/**
 * Requests this module validated and froze: handed back (a placement's `request`, a generated
 * or parsed trace's), they are taken as they are. Anything else is validated and copied.
 */
const ISSUED = new WeakSet<object>();

/** Validates a request at the edge: unknown keys, blank strings, negative or fractional quantities. */
export function checkRequest(operation: string, request: unknown): SandboxRequest {
  if (typeof request === 'object' && request !== null && ISSUED.has(request)) return request as SandboxRequest;
  const checked = checkArguments<SandboxRequest>(operation, request, REQUEST, ['cpuMillicores', 'memoryBytes', 'gpuCount']);
  ISSUED.add(checked);
  return checked;
}

/** Place options after defaults. */
export interface ResolvedOptions {
  readonly strategy: Strategy;
  readonly topK: number;
  readonly nearestMisses: number;
}

/** A {@link QuantityRequest}: quantities as strings, the rest as in a request. */
const { cpuMillicores: _cpu, memoryBytes: _memory, gpuCount: _gpu, ...REQUEST_CONDITIONS } = REQUEST;
const QUANTITY_REQUEST: Readonly<Record<string, ArgumentKind>> = { ...REQUEST_CONDITIONS, cpu: 'string', memory: 'string', gpu: 'count' };

export const PLACE_OPTIONS = { strategy: 'string', topK: 'count', nearestMisses: 'count' } as const;

export function checkPlaceOptions(operation: string, options: unknown): ResolvedOptions {
  const o = checkArguments<PlaceOptions>(operation, options, PLACE_OPTIONS);
  if (o.strategy !== undefined && !STRATEGIES.includes(o.strategy)) {
    throwIfViolations(operation, [{ field: 'strategy', description: `must be one of ${STRATEGIES.join(', ')}, got ${quote(o.strategy)}` }]);
  }
  return { strategy: o.strategy ?? 'spread', topK: o.topK ?? 0, nearestMisses: o.nearestMisses ?? 3 };
}

/** A request written with Kubernetes quantities; everything else as in {@link SandboxRequest}. */
export interface QuantityRequest extends Omit<SandboxRequest, 'cpuMillicores' | 'memoryBytes' | 'gpuCount'> {
  /** CPU quantity such as `"500m"` or `"2"`; default 0. */
  readonly cpu?: string | undefined;
  /** Memory quantity such as `"2Gi"`; default 0. */
  readonly memory?: string | undefined;
  /** GPU count; default 0. */
  readonly gpu?: number | undefined;
}

/**
 * Builds a {@link SandboxRequest} from quantity strings.
 *
 * @example request({ cpu: '500m', memory: '2Gi', gpu: 1, gpuType: 'H100' })
 *   // { cpuMillicores: 500, memoryBytes: 2147483648, gpuCount: 1, gpuType: 'H100' }
 */
export function request(spec: QuantityRequest): SandboxRequest {
  const { cpu, memory, gpu, ...rest } = checkArguments<QuantityRequest>('request', spec, QUANTITY_REQUEST);
  const violations: FieldViolation[] = [];
  const read = (field: string, f: () => number): number => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof DiscoveryValidationError)) throw e;
      violations.push(...e.fieldViolations.map((v) => ({ field, description: v.description })));
      return 0;
    }
  };
  const built = {
    ...rest,
    cpuMillicores: cpu === undefined ? 0 : read('cpu', () => parseCpu(cpu)),
    memoryBytes: memory === undefined ? 0 : read('memory', () => parseMemory(memory)),
    gpuCount: gpu ?? 0,
  };
  throwIfViolations('request', violations);
  return checkRequest('request', built);
}
