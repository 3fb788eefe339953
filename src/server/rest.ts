import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { create, type DescMessage, type MessageShape, ScalarType, toJson } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import type { Discovery } from './discovery.js';
import { discoveryMethods, type UnaryMethod } from './grpc-unary.js';
import { httpStatus, invalidArgument, toConnectError } from './errors.js';

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** A REST binding: its path, its path parameter's field, and the gRPC method it answers with. */
interface Route {
  readonly pattern: RegExp;
  /** The path parameter's field (`runner_id`), if the path has one. */
  readonly param?: string;
  /** The method's name in the discovery service; its messages and handler come from there. */
  readonly method: string;
}

/** The proto's HTTP bindings (google.api.http), in the proto3 JSON mapping. */
const ROUTES: readonly Route[] = [
  { pattern: /^\/v1beta2\/runners$/, method: 'ListAvailableRunners' },
  { pattern: /^\/v1beta2\/runners\/([^/]+)$/, param: 'runner_id', method: 'GetAvailableRunner' },
  { pattern: /^\/v1beta2\/profiles$/, method: 'ListProfiles' },
  { pattern: /^\/v1beta2\/profiles\/([^/]+)$/, param: 'profile_name', method: 'GetProfile' },
];

/** The discovery methods of a set of handlers by name, worked out once per set. */
const byHandlers = new WeakMap<Discovery, ReadonlyMap<string, UnaryMethod>>();
function methodsOf(impl: Discovery): ReadonlyMap<string, UnaryMethod> {
  let methods = byHandlers.get(impl);
  if (!methods) {
    methods = new Map(discoveryMethods(impl).map(([path, m]) => [path.slice(path.lastIndexOf('/') + 1), m]));
    byHandlers.set(impl, methods);
  }
  return methods;
}

/** Whether a path is one of the REST bindings. */
export function isRestPath(path: string): boolean {
  return ROUTES.some((r) => r.pattern.test(path));
}

/**
 * Answers a REST call: query parameters (either spelling: `gpu_type` or `gpuType`; unknown
 * ones ignored) and path
 * parameters become the request message, the handler is the gRPC one, the answer is proto3
 * JSON; errors are the HTTP status of their gRPC code with a JSON `google.rpc.Status` body.
 */
export function handleRest(impl: Discovery, req: Request, res: Response, onError: (e: unknown) => void): void {
  const methods = methodsOf(impl);
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (req.method !== 'GET') throw new ConnectError(`${req.method ?? ''} is not allowed here: the discovery API is read with GET`, Code.Unimplemented);
    const r = ROUTES.find((x) => x.pattern.test(url.pathname));
    if (!r) throw new ConnectError(`no such path: ${url.pathname}`, Code.NotFound);
    const m = methods.get(r.method) as UnaryMethod;
    const message = requestFrom(m.input, url, r.param === undefined ? undefined : [r.param, decodeURIComponent((r.pattern.exec(url.pathname) as RegExpExecArray)[1] as string)]);
    send(res, 200, toJson(m.output, m.call(message)));
  } catch (e) {
    const error = toConnectError(e, onError);
    send(res, httpStatus(error.code), statusJson(error));
  }
}

/** Builds a request message from query and path parameters, checking each against its field. */
function requestFrom(schema: DescMessage, url: URL, param: [string, string] | undefined): MessageShape<DescMessage> {
  const init: Record<string, unknown> = {};
  const violations: Array<{ field: string; description: string }> = [];
  const byName = new Map(schema.fields.flatMap((f) => [[f.name, f] as const, [f.jsonName, f] as const]));
  const entries = [...url.searchParams.entries()];
  if (param) entries.push(param);
  for (const [key, raw] of entries) {
    const field = byName.get(key);
    // Unknown parameters are ignored, as unknown JSON fields are (forward compatibility).
    if (!field) continue;
    if (field.fieldKind === 'enum') {
      const value = field.enum.values.find((v) => v.name === raw || String(v.number) === raw);
      if (value) init[field.localName] = value.number;
      else violations.push({ field: field.name, description: `must be one of ${field.enum.values.map((v) => v.name).join(', ')}, got ${JSON.stringify(raw)}` });
    } else if (field.fieldKind === 'scalar' && typeof field.scalar === 'number') {
      const kind = field.scalar;
      if (kind === ScalarType.BOOL) {
        if (raw === 'true' || raw === '1') init[field.localName] = true;
        else if (raw === 'false' || raw === '0' || raw === '') init[field.localName] = false;
        else violations.push({ field: field.name, description: `must be true or false, got ${JSON.stringify(raw)}` });
      } else if (kind === ScalarType.INT32) {
        if (/^-?\d+$/.test(raw) && Math.abs(Number(raw)) < 2 ** 31) init[field.localName] = Number(raw);
        else violations.push({ field: field.name, description: `must be a 32-bit integer, got ${JSON.stringify(raw)}` });
      } else init[field.localName] = raw;
    }
  }
  if (violations.length > 0) throw invalidArgument(`bad query: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`, violations);
  return create(schema, init as never);
}

/** A `google.rpc.Status` in JSON, details in the proto3 JSON mapping of `Any`. */
export function statusJson(error: ConnectError): unknown {
  return {
    code: error.code,
    message: error.rawMessage,
    details: error.details.map((d) => ('desc' in d ? { '@type': `type.googleapis.com/${d.desc.typeName}`, ...(toJson(d.desc, create(d.desc, d.value as never)) as object) } : { '@type': `type.googleapis.com/${d.type}` })),
  };
}

export function send(res: Response, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
