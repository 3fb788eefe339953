import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus, HealthCheckResponseSchema } from './gen/grpc/health/v1/health_pb.js';

/**
 * The standard `grpc.health.v1.Health`: SERVING for the server as a whole ("") and for each
 * service it serves, once the catalog is loaded (the routes exist only then); other names are
 * NOT_FOUND, as the protocol asks.
 */
export function healthService(services: readonly string[]): ServiceImpl<typeof Health> {
  const known = new Set(['', ...services]);
  const status = (service: string) => {
    if (!known.has(service)) throw new ConnectError(`unknown service ${JSON.stringify(service)}`, Code.NotFound);
    return create(HealthCheckResponseSchema, { status: HealthCheckResponse_ServingStatus.SERVING });
  };
  return {
    check: (req) => status(req.service),
    async *watch(req, ctx) {
      yield status(req.service);
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
}
