import { BearerTokens } from '../server/auth.js';
import { serve } from '../server/server.js';
import type { Catalog } from '../matcher/catalog.js';
import { generateFleet } from '../fleet/generate.js';
import { Catalog as CatalogClass } from '../matcher/catalog.js';
import { EXAMPLE, type Command, EXIT, type Io } from './commands.js';
import { readFleet, UsageError } from './io.js';

/**
 * `capmatch serve`: the catalog on the network until SIGTERM or SIGINT, which stop accepting,
 * let calls in flight finish (up to 8 s) and exit 0. SIGHUP re-reads the token file.
 */
export const serveCommand: Command = {
  summary: 'serve the discovery API (gRPC, gRPC-Web, Connect and REST on one port)',
  usage: `capmatch serve (--fleet <file.json|-> | --example) [--host 127.0.0.1] [--port 8080] [--auth-token-file F] [--log]

  --host <address>          where to listen (default 127.0.0.1)
  --port <n>                0 to 65535; 0 picks a free port (default 8080)
  --auth-token-file <file>  accepted bearer tokens, one a line (# comments); re-read on SIGHUP.
                            Without it the server is open to anyone who can reach it.
  --log                     one JSON line per request on standard error

Prints "capmatch listening on http://HOST:PORT" when ready. gRPC clients use that URL as their
base URL (h2c); curl and browsers use the same address for /v1beta2/runners, /healthz.`,
  options: {
    fleet: { type: 'string' },
    example: { type: 'boolean' },
    host: { type: 'string' },
    port: { type: 'string' },
    'auth-token-file': { type: 'string' },
    log: { type: 'boolean' },
  },
  run(values, _positionals, io) {
    const portText = typeof values.port === 'string' ? values.port : '8080';
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(portText)}`);
    const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
    const fleetPath = typeof values.fleet === 'string' ? values.fleet : undefined;
    if ((fleetPath === undefined) === (values.example !== true)) throw new UsageError('give --fleet <file.json> or --example');
    const tokenPath = values['auth-token-file'];
    let tokens: BearerTokens | undefined;
    if (typeof tokenPath === 'string') {
      try {
        tokens = new BearerTokens(tokenPath);
      } catch (e) {
        throw new UsageError(`cannot read --auth-token-file '${tokenPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    const catalog: Catalog = fleetPath !== undefined ? CatalogClass.fromSnapshot(readFleet(fleetPath)) : CatalogClass.fromSnapshot(generateFleet({ runners: EXAMPLE.runners, seed: EXAMPLE.fleetSeed }));
    return run(io, { catalog, host, port: Number(portText), tokens, log: values.log === true });
  },
};

async function run(io: Io, o: { catalog: Catalog; host: string; port: number; tokens: BearerTokens | undefined; log: boolean }): Promise<number> {
  let server;
  try {
    server = await serve({
      catalog: () => o.catalog,
      host: o.host,
      port: o.port,
      tokens: o.tokens,
      log: o.log ? (entry) => io.err(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`) : undefined,
      onError: (e) => io.err(`capmatch serve: internal error: ${(e as Error).stack ?? String(e)}\n`),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${o.port} on ${o.host} is in use`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES') throw new UsageError(`cannot listen on ${o.host}:${o.port}: ${code}`);
    throw e;
  }
  if (!o.tokens) io.err('capmatch serve: no --auth-token-file: the server is open to anyone who can reach it\n');
  io.out(`capmatch listening on ${server.url} (${o.catalog.size.toLocaleString('en')} runners)\n`);
  const running = server;
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      io.err(`capmatch serve: ${signal}: finishing calls in flight, then stopping\n`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGHUP', onHup);
      void running.close(8000).then(() => resolve(EXIT.done));
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    const onHup = () => {
      if (!o.tokens) return;
      try {
        io.err(`capmatch serve: SIGHUP: ${o.tokens.reload()} tokens read from ${o.tokens.path}\n`);
      } catch (e) {
        io.err(`capmatch serve: SIGHUP: cannot re-read ${o.tokens.path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the tokens stay as they were\n`);
      }
    };
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('SIGHUP', onHup);
  });
}
