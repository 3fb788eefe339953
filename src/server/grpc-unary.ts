import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { create, type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import type { BearerTokens } from './auth.js';
import type { Discovery } from './discovery.js';
import { toConnectError } from './errors.js';
import {
  ApplyChangesRequestSchema,
  ApplyChangesResponseSchema,
  ConfirmRequestSchema,
  ConfirmResponseSchema,
  PlaceRequestSchema,
  PlaceResponseSchema,
  PlacementService as PlacementServiceDesc,
  ReleaseRequestSchema,
  ReleaseResponseSchema,
  RenewRequestSchema,
  RenewResponseSchema,
  ReserveRequestSchema,
  ReserveResponseSchema,
} from './gen/capmatch/v1/placement_pb.js';
import type { PlacementHandlers } from './placement.js';
import {
  AvailableRunnerSchema,
  DiscoveryService,
  GetAvailableRunnerRequestSchema,
  GetProfileRequestSchema,
  ListAvailableRunnersRequestSchema,
  ListAvailableRunnersResponseSchema,
  ListProfilesRequestSchema,
  ListProfilesResponseSchema,
  ProfileSummarySchema,
} from './gen/coreweave/sandbox/v1beta2/discovery_pb.js';
import { StatusSchema } from './gen/google/rpc/status_pb.js';

/**
 * A direct path for unary calls over gRPC on HTTP/2 — the calls gRPC clients make most often: the request read whole, decoded, answered, and the response's
 * headers, message and trailers written in one go on the HTTP/2 stream.
 *
 * Measured on 2 cores (`npm run bench -- serve`): going through Connect's general handler costs
 * about 1.5 ms of latency per call, most of it waiting between the response's writes; this path
 * answers in a fraction of that. Everything else — other protocols (Connect, gRPC-Web),
 * compressed messages, streaming calls — goes to Connect; both paths share the handlers, the
 * credentials check and the error mapping, and the same tests run over both.
 */
/** One unary method: its messages and its handler (wire request in, wire message out). */
export interface UnaryMethod {
  readonly input: DescMessage;
  readonly output: DescMessage;
  call(req: MessageShape<DescMessage>): MessageShape<DescMessage>;
}

const method = <I extends DescMessage, O extends DescMessage>(input: I, output: O, call: (req: MessageShape<I>) => MessageShape<O>) =>
  ({ input, output, call }) as unknown as UnaryMethod;

/** The discovery service's unary methods, by request path. */
export function discoveryMethods(d: Discovery): Array<[string, UnaryMethod]> {
  const prefix = `/${DiscoveryService.typeName}/`;
  return [
    [`${prefix}ListAvailableRunners`, method(ListAvailableRunnersRequestSchema, ListAvailableRunnersResponseSchema, (r) => d.listAvailableRunners(r))],
    [`${prefix}GetAvailableRunner`, method(GetAvailableRunnerRequestSchema, AvailableRunnerSchema, (r) => d.getAvailableRunner(r))],
    [`${prefix}ListProfiles`, method(ListProfilesRequestSchema, ListProfilesResponseSchema, (r) => d.listProfiles(r))],
    [`${prefix}GetProfile`, method(GetProfileRequestSchema, ProfileSummarySchema, (r) => d.getProfile(r))],
  ];
}

/** The placement service's unary methods, by request path. */
export function placementMethods(p: PlacementHandlers): Array<[string, UnaryMethod]> {
  const prefix = `/${PlacementServiceDesc.typeName}/`;
  return [
    [`${prefix}Place`, method(PlaceRequestSchema, PlaceResponseSchema, (r) => p.place(r))],
    [`${prefix}Reserve`, method(ReserveRequestSchema, ReserveResponseSchema, (r) => p.reserve(r))],
    [`${prefix}Renew`, method(RenewRequestSchema, RenewResponseSchema, (r) => p.renew(r))],
    [`${prefix}Release`, method(ReleaseRequestSchema, ReleaseResponseSchema, (r) => p.release(r))],
    [`${prefix}Confirm`, method(ConfirmRequestSchema, ConfirmResponseSchema, (r) => p.confirm(r))],
    [`${prefix}ApplyChanges`, method(ApplyChangesRequestSchema, ApplyChangesResponseSchema, (r) => p.applyChanges(r))],
  ];
}

/** Messages larger than this are refused (the reference client's limit is 100 MiB). */
const MAX_MESSAGE_BYTES = 100 * 2 ** 20;

/** Whether this path answers the request; anything else goes to Connect. */
export function takesUnary(methods: ReadonlyMap<string, UnaryMethod>, headers: IncomingHttpHeaders, path: string): boolean {
  const type = headers['content-type'];
  const encoding = headers['grpc-encoding'];
  return (
    headers[':method'] === 'POST' &&
    methods.has(path) &&
    (type === 'application/grpc' || type === 'application/grpc+proto') &&
    (encoding === undefined || encoding === 'identity')
  );
}

export interface UnaryContext {
  readonly methods: ReadonlyMap<string, UnaryMethod>;
  readonly tokens: BearerTokens | undefined;
  readonly onError: (e: unknown) => void;
  /** Told of every call: its method (`Service/Method`), status code name and seconds. */
  readonly observe: (method: string, code: string, seconds: number) => void;
}

/** Answers one unary gRPC call (see {@link takesUnary}). */
export function answerUnary(ctx: UnaryContext, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, path: string): void {
  const started = performance.now();
  const m = ctx.methods.get(path) as UnaryMethod;
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_MESSAGE_BYTES + 5) chunks.push(chunk);
  });
  stream.once('end', () => {
    let status = 'OK';
    try {
      if (ctx.tokens && !ctx.tokens.accepts(headers.authorization)) {
        throw new ConnectError('missing or invalid credentials: send authorization: Bearer <token>', Code.Unauthenticated);
      }
      const input = decode(m.input, Buffer.concat(chunks), size);
      const output = toBinary(m.output, m.call(input));
      const frame = Buffer.allocUnsafe(5 + output.length);
      frame[0] = 0;
      frame.writeUInt32BE(output.length, 1);
      frame.set(output, 5);
      respond(stream, frame, { 'grpc-status': '0' });
    } catch (e) {
      const error = toConnectError(e, ctx.onError);
      status = codeName(error.code);
      respond(stream, undefined, errorTrailers(error));
    }
    ctx.observe(path.slice(1), status, (performance.now() - started) / 1000);
  });
}

/** A status code's name as gRPC spells it: `NOT_FOUND`, `OK`. */
export function codeName(code: Code): string {
  return (Code[code] ?? 'Unknown').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The one message of a unary request: a 5-byte prefix (uncompressed, length) and the message. */
function decode(schema: DescMessage, body: Buffer, size: number): MessageShape<DescMessage> {
  if (size > MAX_MESSAGE_BYTES + 5) throw new ConnectError(`message larger than ${MAX_MESSAGE_BYTES} bytes`, Code.ResourceExhausted);
  if (body.length < 5 || body[0] !== 0) throw new ConnectError('request is not one uncompressed gRPC message', Code.InvalidArgument);
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) throw new ConnectError('request is not exactly one gRPC message', Code.InvalidArgument);
  try {
    return fromBinary(schema, body.subarray(5));
  } catch {
    throw new ConnectError(`request is not a valid ${schema.typeName}`, Code.InvalidArgument);
  }
}

/** Headers, the message and the trailers, written in one go (no wait between them). */
function respond(stream: ServerHttp2Stream, frame: Buffer | undefined, trailers: Record<string, string>): void {
  if (stream.destroyed) return;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers(trailers));
  stream.end(frame);
}

/** gRPC error trailers, with the AIP-193 details as a binary `google.rpc.Status`. */
function errorTrailers(error: ConnectError): Record<string, string> {
  const details = error.details.flatMap((d) => ('desc' in d ? [anyPack(d.desc, create(d.desc, d.value as never))] : []));
  const status = toBinary(StatusSchema, create(StatusSchema, { code: error.code, message: error.rawMessage, details }));
  return {
    'grpc-status': String(error.code),
    'grpc-message': encodeURIComponent(error.rawMessage),
    'grpc-status-details-bin': Buffer.from(status).toString('base64').replace(/=+$/, ''),
  };
}
