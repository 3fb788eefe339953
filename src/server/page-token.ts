import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Page tokens: opaque to clients, issued and checked here. A token carries the last key of the
 * page it ends (keyset pagination) and a digest of the request's filters, signed with a secret
 * of this server process, so a token this server did not issue, or one sent with other
 * filters, is refused.
 */
export class PageTokens {
  private readonly secret: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    this.secret = secret;
  }

  issue(listing: string, filters: string, key: readonly string[]): string {
    const body = Buffer.from(JSON.stringify([1, listing, key])).toString('base64url');
    return `${body}.${this.sign(listing, filters, body)}`;
  }

  /** The key a token carries; undefined when it was not issued here for this listing and these filters. */
  read(listing: string, filters: string, token: string): readonly string[] | undefined {
    const dot = token.indexOf('.');
    if (dot < 0 || token.length > 4096) return undefined;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(listing, filters, body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const [version, kind, key] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [number, string, string[]];
      return version === 1 && kind === listing && Array.isArray(key) && key.every((k) => typeof k === 'string') ? key : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(listing: string, filters: string, body: string): string {
    return createHmac('sha256', this.secret).update(listing).update('\0').update(filters).update('\0').update(body).digest('base64url');
  }
}
