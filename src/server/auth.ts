import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';

/**
 * Bearer tokens from a file: one per line; blank lines and `#` comments ignored. Compared in
 * constant time (digests of equal length), so a wrong token teaches nothing of a right one.
 */
export class BearerTokens {
  private digests: Buffer[] = [];

  constructor(readonly path: string) {
    this.reload();
  }

  /** Re-reads the file (on SIGHUP). A file that cannot be read keeps the tokens as they were and throws. */
  reload(): number {
    const lines = readFileSync(this.path, 'utf8').split(/\r?\n/);
    const tokens = lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    this.digests = tokens.map(digest);
    return tokens.length;
  }

  /** Whether an `authorization` header value carries one of the tokens. */
  accepts(header: string | null | undefined): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return false;
    const given = digest(m[1] as string);
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, given) || ok;
    return ok;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Services callable without credentials. */
export const OPEN_SERVICES: ReadonlySet<string> = new Set(['grpc.health.v1.Health']);

/** A Connect interceptor that refuses calls without a valid `authorization: Bearer …` (health excepted). */
export function bearerAuth(tokens: BearerTokens): Interceptor {
  return (next) => async (req) => {
    if (!OPEN_SERVICES.has(req.service.typeName) && !tokens.accepts(req.header.get('authorization'))) {
      throw new ConnectError('missing or invalid credentials: send authorization: Bearer <token>', Code.Unauthenticated);
    }
    return next(req);
  };
}
