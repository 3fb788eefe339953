import { BearerTokens } from '../server/auth.js';
import { serve } from '../server/server.js';
import { loadState, saveState, StateFileError } from '../server/state-file.js';
import { existsSync } from 'node:fs';
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
  summary: 'serve discovery and placement (gRPC, gRPC-Web, Connect and REST on one port)',
  usage: `capmatch serve (--fleet <file.json|-> | --example | --state-file F) [options]

  --host <address>          where to listen (default 127.0.0.1)
  --port <n>                0 to 65535; 0 picks a free port (default 8080)
  --auth-token-file <file>  accepted bearer tokens, one a line (# comments); re-read on SIGHUP.
                            Without it the server is open to anyone who can reach it.
  --state-file <file>       leases and the reported fleet survive restarts: loaded on start when
                            the file exists (then --fleet is not needed), written atomically
                            every --state-interval seconds (default 5, 1 to 3600) and on SIGTERM
  --history <n>             change events kept for WatchChanges resumes (default 10,000)
  --watch-buffer <n>        events a slow watcher may lag before it is dropped (default 1,000)
  --log                     one JSON line per request on standard error

Prints "capmatch listening on http://HOST:PORT" when ready. gRPC clients use that URL as their
base URL (h2c); curl and browsers use the same address for /v1beta2/runners, /healthz.`,
  options: {
    fleet: { type: 'string' },
    example: { type: 'boolean' },
    host: { type: 'string' },
    port: { type: 'string' },
    'auth-token-file': { type: 'string' },
    'state-file': { type: 'string' },
    'state-interval': { type: 'string' },
    history: { type: 'string' },
    'watch-buffer': { type: 'string' },
    log: { type: 'boolean' },
  },
  run(values, _positionals, io) {
    const portText = typeof values.port === 'string' ? values.port : '8080';
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(portText)}`);
    const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
    const fleetPath = typeof values.fleet === 'string' ? values.fleet : undefined;
    const statePath = typeof values['state-file'] === 'string' ? values['state-file'] : undefined;
    const whole = (name: string, min: number, max: number, fallback: number) => {
      const v = values[name];
      if (typeof v !== 'string') return fallback;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max.toLocaleString('en')}, got ${JSON.stringify(v)}`);
      return Number(v);
    };
    const stateInterval = whole('state-interval', 1, 3600, 5);
    const history = whole('history', 1, 10_000_000, 10_000);
    const watchBuffer = whole('watch-buffer', 1, 1_000_000, 1000);
    if (fleetPath !== undefined && values.example === true) throw new UsageError('give --fleet <file.json> or --example, not both');
    const restored = statePath !== undefined && existsSync(statePath) ? restore(statePath) : undefined;
    if (!restored && fleetPath === undefined && values.example !== true) throw new UsageError('give --fleet <file.json>, --example, or an existing --state-file');
    const tokenPath = values['auth-token-file'];
    let tokens: BearerTokens | undefined;
    if (typeof tokenPath === 'string') {
      try {
        tokens = new BearerTokens(tokenPath);
      } catch (e) {
        throw new UsageError(`cannot read --auth-token-file '${tokenPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    const catalog: Catalog =
      restored?.catalog ?? (fleetPath !== undefined ? CatalogClass.fromSnapshot(readFleet(fleetPath)) : CatalogClass.fromSnapshot(generateFleet({ runners: EXAMPLE.runners, seed: EXAMPLE.fleetSeed })));
    if (restored) io.err(`capmatch serve: restored ${catalog.size.toLocaleString('en')} runners and ${restored.leases.length} leases from '${statePath}' (generation ${restored.generation})\n`);
    return run(io, { catalog, host, port: Number(portText), tokens, log: values.log === true, statePath, stateInterval, history, watchBuffer, restored });
  },
};

/** Loads a state file, or says in one line why it cannot be. */
function restore(path: string): ReturnType<typeof loadState> {
  try {
    return loadState(path);
  } catch (e) {
    if (e instanceof StateFileError) throw new UsageError(e.message);
    throw e;
  }
}

interface RunOptions {
  catalog: Catalog;
  host: string;
  port: number;
  tokens: BearerTokens | undefined;
  log: boolean;
  statePath: string | undefined;
  stateInterval: number;
  history: number;
  watchBuffer: number;
  restored: ReturnType<typeof loadState> | undefined;
}

async function run(io: Io, o: RunOptions): Promise<number> {
  let server;
  try {
    server = await serve({
      catalog: () => o.catalog,
      host: o.host,
      port: o.port,
      tokens: o.tokens,
      history: o.history,
      watchBuffer: o.watchBuffer,
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
  const running = server;
  if (o.restored) running.placement.restore(o.restored.leases, o.restored.generation);
  // The state is saved when it changed: every event advances the placement generation.
  let saved = -1;
  const save = () => {
    if (!o.statePath || running.placement.generation === saved) return;
    try {
      saveState(o.statePath, o.catalog, running.placement);
      saved = running.placement.generation;
    } catch (e) {
      io.err(`capmatch serve: cannot write state file '${o.statePath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    }
  };
  save();
  const saver = o.statePath ? setInterval(save, o.stateInterval * 1000) : undefined;
  io.out(`capmatch listening on ${server.url} (${o.catalog.size.toLocaleString('en')} runners)\n`);
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      io.err(`capmatch serve: ${signal}: finishing calls in flight, then stopping\n`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGHUP', onHup);
      void running.close(8000).then(() => {
        if (saver) clearInterval(saver);
        save();
        resolve(EXIT.done);
      });
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
