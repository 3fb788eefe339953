import type { FieldViolation } from './types.js';

/**
 * Every error carries the kinds of its class chain under a registry symbol, so that
 * `instanceof` holds even when an ESM and a CJS copy of capmatch are loaded side by side.
 */
const KINDS = Symbol.for('capmatch.errorKinds');

function kindsOf(value: unknown): readonly string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const kinds = (value as { [KINDS]?: unknown })[KINDS];
  return Array.isArray(kinds) ? (kinds as string[]) : undefined;
}

/** Base of capmatch's error family. `code` is stable; tests and callers should branch on it. */
export class DiscoveryError extends Error {
  static readonly kind: string = 'DiscoveryError';
  readonly code: string;

  constructor(message: string, code = 'DISCOVERY_ERROR') {
    super(message);
    this.code = code;
    const chain: string[] = [];
    for (let c = new.target as unknown as { kind?: string } | null; c && typeof c.kind === 'string'; c = Object.getPrototypeOf(c)) {
      if (!chain.includes(c.kind)) chain.push(c.kind);
    }
    Object.defineProperty(this, KINDS, { value: chain, enumerable: false });
    Object.defineProperty(this, 'name', { value: (new.target as unknown as { kind: string }).kind, enumerable: false, configurable: true, writable: true });
  }

  /**
   * Errors by their brand (so a copy of the class from another bundle matches), and anything
   * else — `Sub.prototype instanceof DiscoveryError` — by the ordinary prototype chain.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    const kinds = kindsOf(value);
    if (kinds !== undefined) return kinds.includes((this as unknown as { kind: string }).kind);
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** No runner has that id. */
export class RunnerNotFoundError extends DiscoveryError {
  static override readonly kind: string = 'RunnerNotFoundError';
  readonly runnerId: string;

  constructor(runnerId: string) {
    super(`Runner not found: '${runnerId}'`, 'RUNNER_NOT_FOUND');
    this.runnerId = runnerId;
  }
}

/** No profile has that name (on that runner, when one was given). */
export class ProfileNotFoundError extends DiscoveryError {
  static override readonly kind: string = 'ProfileNotFoundError';
  readonly profileName: string;
  readonly runnerId: string | undefined;

  constructor(profileName: string, runnerId?: string) {
    super(`Profile not found: '${profileName}'${runnerId === undefined ? '' : ` on runner '${runnerId}'`}`, 'PROFILE_NOT_FOUND');
    this.profileName = profileName;
    this.runnerId = runnerId;
  }
}

/**
 * Bad arguments or a bad snapshot: every violation found, each with the path of its field.
 *
 * @example
 * try { parseSnapshot(json) } catch (e) {
 *   if (e instanceof DiscoveryValidationError) for (const v of e.fieldViolations) console.log(v.field, v.description)
 * }
 */
export class DiscoveryValidationError extends DiscoveryError {
  static override readonly kind: string = 'DiscoveryValidationError';
  readonly fieldViolations: readonly FieldViolation[];

  /** @param operation what failed, e.g. `parseSnapshot`; starts the message. */
  constructor(operation: string, fieldViolations: readonly FieldViolation[]) {
    const shown = fieldViolations.slice(0, 5).map((v) => `${v.field}: ${v.description}`);
    const more = fieldViolations.length > 5 ? `; and ${fieldViolations.length - 5} more` : '';
    const count = fieldViolations.length === 1 ? '1 violation' : `${fieldViolations.length} violations`;
    super(`${operation}: ${count}: ${shown.join('; ')}${more}`, 'INVALID_ARGUMENT');
    this.fieldViolations = Object.freeze(fieldViolations.map((v) => Object.freeze({ ...v })));
  }
}

/** `reserve` refused a placement decided on a runner state that has changed since. Re-place and retry. */
export class StalePlacementError extends DiscoveryError {
  static override readonly kind: string = 'StalePlacementError';
  readonly runnerId: string;
  readonly placedGeneration: number;
  readonly currentGeneration: number | undefined;

  constructor(runnerId: string, placedGeneration: number, currentGeneration: number | undefined) {
    super(`reserve: runner '${runnerId}' changed since the placement was decided (generation ${placedGeneration}, now ${currentGeneration ?? 'removed'})`, 'STALE_PLACEMENT');
    this.runnerId = runnerId;
    this.placedGeneration = placedGeneration;
    this.currentGeneration = currentGeneration;
  }
}

/** For adapters that check credentials. */
export class AuthenticationError extends DiscoveryError {
  static override readonly kind: string = 'AuthenticationError';

  constructor(message = 'Authentication failed') {
    super(message, 'UNAUTHENTICATED');
  }
}

/** Throws one DiscoveryValidationError when `violations` is not empty. */
export function throwIfViolations(operation: string, violations: readonly FieldViolation[]): void {
  if (violations.length > 0) throw new DiscoveryValidationError(operation, violations);
}
