import { Code, ConnectError } from '@connectrpc/connect';
import { AuthenticationError, DiscoveryError, DiscoveryValidationError, ProfileNotFoundError, RunnerNotFoundError } from '../errors.js';
import { BadRequestSchema, ErrorInfoSchema } from './gen/google/rpc/error_details_pb.js';

/** The ErrorInfo domain of the reference service (AIP-193). */
export const ERROR_DOMAIN = 'cwsandbox.com';

/** What an unexpected error shows a client: never its message or stack. */
export const INTERNAL_MESSAGE = 'internal error';

/**
 * Every error that crosses the wire, mapped in one place (AIP-193): not found with an
 * ErrorInfo, bad arguments with a BadRequest listing every field violation, credentials as
 * UNAUTHENTICATED; anything unexpected is INTERNAL with a generic message (and `log` is told).
 */
export function toConnectError(e: unknown, log?: (error: unknown) => void): ConnectError {
  if (e instanceof ConnectError) return e;
  if (e instanceof RunnerNotFoundError) {
    return new ConnectError(e.message, Code.NotFound, undefined, [{ desc: ErrorInfoSchema, value: { domain: ERROR_DOMAIN, reason: 'CWSANDBOX_RUNNER_NOT_FOUND', metadata: { runner_id: e.runnerId } } }]);
  }
  if (e instanceof ProfileNotFoundError) {
    const metadata: Record<string, string> = { profile_name: e.profileName };
    if (e.runnerId !== undefined) metadata.runner_id = e.runnerId;
    return new ConnectError(e.message, Code.NotFound, undefined, [{ desc: ErrorInfoSchema, value: { domain: ERROR_DOMAIN, reason: 'CWSANDBOX_PROFILE_NOT_FOUND', metadata } }]);
  }
  if (e instanceof DiscoveryValidationError) return invalidArgument(e.message, e.fieldViolations);
  if (e instanceof AuthenticationError) return new ConnectError(e.message, Code.Unauthenticated);
  if (e instanceof DiscoveryError) return new ConnectError(e.message, Code.FailedPrecondition);
  log?.(e);
  return new ConnectError(INTERNAL_MESSAGE, Code.Internal);
}

export function invalidArgument(message: string, violations: ReadonlyArray<{ readonly field: string; readonly description: string }>): ConnectError {
  return new ConnectError(message, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: violations.map((v) => ({ field: v.field, description: v.description })) } },
  ]);
}

/** The HTTP status gRPC's mapping gives a code (for the REST paths). */
export function httpStatus(code: Code): number {
  switch (code) {
    case Code.InvalidArgument:
    case Code.OutOfRange:
    case Code.FailedPrecondition:
      return 400;
    case Code.Unauthenticated:
      return 401;
    case Code.PermissionDenied:
      return 403;
    case Code.NotFound:
      return 404;
    case Code.AlreadyExists:
    case Code.Aborted:
      return 409;
    case Code.ResourceExhausted:
      return 429;
    case Code.Unimplemented:
      return 501;
    case Code.Unavailable:
      return 503;
    case Code.DeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}
