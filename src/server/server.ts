import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createHttp2Server,
  Http2ServerRequest,
  Http2ServerResponse,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { ConnectRouter, Interceptor } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { Catalog } from '../matcher/catalog.js';
import { type BearerTokens, bearerAuth } from './auth.js';
import { type Discovery, discoveryService } from './discovery.js';
import { toConnectError } from './errors.js';
import { PlacementService as PlacementServiceDesc } from './gen/capmatch/v1/placement_pb.js';
import { DiscoveryService } from './gen/coreweave/sandbox/v1beta2/discovery_pb.js';
import { Health } from './gen/grpc/health/v1/health_pb.js';
import { answerUnary, codeName, discoveryMethods, placementMethods, takesUnary, type UnaryMethod } from './grpc-unary.js';
import { healthService } from './health.js';
import { Metrics } from './metrics.js';
import { PageTokens } from './page-token.js';
import { PlacementHandlers, type PlacementOptions } from './placement.js';
import { handleRest, isRestPath, send } from './rest.js';

export interface RoutesOptions {
  /** The catalog answering each call (read at every call). */
  readonly catalog: () => Catalog;
  /** Page-token signer: one per process by default; share one across routes of one server. */
  readonly pageTokens?: PageTokens | undefined;
  /** The placement service's state (leases, history); one is made when not given. */
  readonly placement?: PlacementHandlers | undefined;
  /** The discovery handlers; made from `catalog` and `pageTokens` when not given. */
  readonly discovery?: Discovery | undefined;
}

/**
 * capmatch's Connect routes — the discovery service, the placement service and gRPC health —
 * for a server of your own: `connectNodeAdapter({ routes: capmatchRoutes({ catalog: () => catalog }) })`
 * in Node's http or http2 server, or Connect's Fastify and Express adapters. Lease expiry needs
 * a timer calling `placement.expire()` (as `serve` runs one).
 */
export function capmatchRoutes(options: RoutesOptions): (router: ConnectRouter) => void {
  const discovery = options.discovery ?? discoveryService({ catalog: options.catalog, pageTokens: options.pageTokens });
  const placement = options.placement ?? new PlacementHandlers({ catalog: options.catalog });
  return (router) => {
    router.service(DiscoveryService, discovery);
    router.service(PlacementServiceDesc, {
      place: (r) => placement.place(r),
      reserve: (r) => placement.reserve(r),
      renew: (r) => placement.renew(r),
      release: (r) => placement.release(r),
      confirm: (r) => placement.confirm(r),
      applyChanges: (r) => placement.applyChanges(r),
      watchChanges: (r, ctx) => placement.watchChanges(r, ctx),
    });
    router.service(Health, healthService([DiscoveryService.typeName, PlacementServiceDesc.typeName]));
  };
}

export interface ServeOptions extends RoutesOptions, Omit<PlacementOptions, 'catalog' | 'metrics'> {
  readonly host?: string | undefined;
  /** 0 picks a free port. Default 8080. */
  readonly port?: number | undefined;
  /** Without tokens the server is open. */
  readonly tokens?: BearerTokens | undefined;
  /** One structured line per request (off by default). */
  readonly log?: ((entry: Record<string, unknown>) => void) | undefined;
  /** Unexpected errors (the client sees only "internal error"). */
  readonly onError?: ((error: unknown) => void) | undefined;
  /** How often leases are checked for expiry, in milliseconds. Default 1,000. */
  readonly expiryIntervalMs?: number | undefined;
}

export interface RunningServer {
  /** `http://HOST:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly placement: PlacementHandlers;
  readonly metrics: Metrics;
  /** Stops accepting, lets calls in flight finish (at most `graceMs`), then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

/** The first bytes of every HTTP/2 connection (RFC 9113 §3.4): how one port tells h2c from HTTP/1.1. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * Serves a catalog on one port: gRPC (and gRPC-Web, Connect) over HTTP/2 cleartext for gRPC
 * clients, and HTTP/1.1 for curl and browsers — the REST paths of the proto's HTTP bindings,
 * `GET /healthz`, `GET /metrics`, and Connect JSON. Each connection is recognised by its first
 * bytes.
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const onError = options.onError ?? (() => undefined);
  const placementHolder: { service?: PlacementHandlers } = {};
  const metrics = new Metrics(options.catalog, () => placementHolder.service?.generation ?? 0);
  const placement =
    options.placement ??
    new PlacementHandlers({ catalog: options.catalog, now: options.now, history: options.history, watchBuffer: options.watchBuffer, metrics });
  placementHolder.service = placement;
  const observe = (method: string, code: string, seconds: number) => {
    metrics.rpc(method, code, seconds);
    options.log?.({ method, code, ms: Math.round(seconds * 1e5) / 100 });
  };
  const interceptors: Interceptor[] = [observeInterceptor(observe), errorsInterceptor(onError)];
  if (options.tokens) interceptors.splice(1, 0, bearerAuth(options.tokens));
  const pageTokens = options.pageTokens ?? new PageTokens();
  // One set of discovery handlers for Connect, REST and the direct unary path.
  const discovery = discoveryService({ catalog: options.catalog, pageTokens });
  const routes = capmatchRoutes({ catalog: options.catalog, placement, discovery });
  const connect = connectNodeAdapter({ routes, interceptors });
  const tokens = options.tokens;
  const methods = new Map<string, UnaryMethod>([...discoveryMethods(discovery), ...placementMethods(placement)]);
  const unary = { methods, tokens, onError, observe };

  const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      send(res, 200, { status: 'SERVING' });
      return;
    }
    if (path === '/metrics' && req.method === 'GET') {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
      return;
    }
    if (isRestPath(path)) {
      const started = performance.now();
      if (tokens && !tokens.accepts(req.headers.authorization)) {
        send(res, 401, { code: 16, message: 'missing or invalid credentials: send authorization: Bearer <token>', details: [] });
      } else {
        handleRest(discovery, req, res, onError);
      }
      observe(`REST ${path.replace(/^(\/v1beta2\/(runners|profiles))\/.+$/, '$1/{id}')}`, String(res.statusCode), (performance.now() - started) / 1000);
      return;
    }
    connect(req as never, res as never);
  };

  const http1 = createHttp1Server(handle);
  // HTTP/2 streams are taken as they come: unary gRPC calls are answered on the stream
  // directly (see grpc-unary.ts); every other stream gets Node's request/response pair, as a
  // request listener would.
  const http2 = createHttp2Server({ maxSessionMemory: 64 });
  http2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    const path = (headers[':path'] ?? '/').split('?', 1)[0] as string;
    if (takesUnary(methods, headers, path)) {
      answerUnary(unary, stream, headers, path);
      return;
    }
    handle(new Http2ServerRequest(stream, headers, {}, rawHeaders), new Http2ServerResponse(stream));
  });
  const sessions = new Set<Http2Session>();
  http2.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const sockets = new Set<Socket>();
  const front: NetServer = createNetServer((socket) => {
    // Nagle off, as Node's own HTTP servers do: small frames go out at once.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('readable', () => {
      const head = socket.read(Math.min(PREFACE.length, socket.readableLength)) as Buffer | null;
      if (head) socket.unshift(head);
      if (head && PREFACE.subarray(0, head.length).equals(head)) http2.emit('connection', socket);
      else http1.emit('connection', socket);
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port ?? 8080, host, () => {
      front.off('error', reject);
      resolve();
    });
  });
  const expiry = setInterval(() => {
    try {
      placement.expire();
    } catch (e) {
      onError(e);
    }
  }, options.expiryIntervalMs ?? 1000);
  expiry.unref();
  const address = front.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    placement,
    metrics,
    close: (graceMs = 8000) =>
      new Promise<void>((resolve) => {
        clearInterval(expiry);
        front.close();
        http1.close();
        for (const s of sessions) s.close();
        http2.close();
        const force = setTimeout(() => {
          for (const s of sessions) s.destroy();
          for (const socket of sockets) socket.destroy();
        }, graceMs);
        force.unref();
        const wait = setInterval(() => {
          if (sockets.size === 0 || [...sockets].every((s) => s.destroyed)) {
            clearInterval(wait);
            clearTimeout(force);
            resolve();
          }
        }, 20);
        http1.closeIdleConnections();
      }),
  };
}

/** Maps every error leaving a handler (AIP-193 details, never a stack to the client). */
function errorsInterceptor(onError: (e: unknown) => void): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (e) {
      throw toConnectError(e, onError);
    }
  };
}

/** Tells `observe` of every call through Connect (method, status code, seconds). */
function observeInterceptor(observe: (method: string, code: string, seconds: number) => void): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const method = `${req.service.typeName}/${req.method.name}`;
    try {
      const res = await next(req);
      observe(method, 'OK', (performance.now() - started) / 1000);
      return res;
    } catch (e) {
      observe(method, codeName(toConnectError(e).code), (performance.now() - started) / 1000);
      throw e;
    }
  };
}
