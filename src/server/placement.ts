import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { type Duration, durationMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import type { Catalog } from '../matcher/catalog.js';
import type { Change as CoreChange, Reservation, SandboxRequest, Strategy } from '../types.js';
import { STRATEGIES } from '../types.js';
import {
  type ApplyChangesRequest,
  type ApplyChangesResponse,
  ApplyChangesResponseSchema,
  type Change,
  ChangesAppliedSchema,
  type ConfirmRequest,
  type ConfirmResponse,
  ConfirmResponseSchema,
  type Lease,
  LeaseEvent_Kind,
  LeaseEventSchema,
  LeaseSchema,
  type PlaceRequest,
  type PlaceResponse,
  PlaceResponseSchema,
  type ReleaseRequest,
  type ReleaseResponse,
  ReleaseResponseSchema,
  type RenewRequest,
  type RenewResponse,
  RenewResponseSchema,
  type ReserveRequest,
  type ReserveResponse,
  ReserveResponseSchema,
  type WatchChangesRequest,
  type WatchChangesResponse,
  WatchChangesResponseSchema,
} from './gen/capmatch/v1/placement_pb.js';
import { invalidArgument } from './errors.js';
import type { Metrics } from './metrics.js';
import { placementMessage, profileFromWire, rejectionMessage, requestFromWire, resourcesFromWire, runnerFromWire, timestampOfMs } from './wire.js';

/** A lease as the server keeps it: the core's reservation, and whether its sandbox runs. */
export interface LeaseRecord {
  readonly leaseId: string;
  reservation: Reservation;
  confirmed: boolean;
}

export interface PlacementOptions {
  /** The catalog (read at every call). */
  readonly catalog: () => Catalog;
  /** The server's clock in milliseconds; leases expire on it. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** Events retained for WatchChanges resumes; older generations are OUT_OF_RANGE. Default 10,000. */
  readonly history?: number | undefined;
  /** Events a slow WatchChanges consumer may have waiting before it is dropped. Default 1,000. */
  readonly watchBuffer?: number | undefined;
  readonly metrics?: Metrics | undefined;
}

/** A lease holds this long unless renewed or confirmed, when the request names no TTL. */
export const DEFAULT_TTL_MS = 30_000;
/** The longest TTL a lease may ask for. */
export const MAX_TTL_MS = 24 * 3600_000;
/** Ended lease ids remembered, so that a second release is FAILED_PRECONDITION rather than NOT_FOUND. */
const ENDED_REMEMBERED = 100_000;

type Event = WatchChangesResponse;

interface Subscriber {
  readonly queue: Event[];
  wake: (() => void) | undefined;
  dropped: boolean;
}

/**
 * `capmatch.v1.PlacementService` over a catalog: placements, leases (the core's reservations
 * with a server-issued id), atomic batches, and the change stream. Each call runs to its end
 * before the next starts (Node's one thread), so every call is atomic with respect to the
 * others. Expiry runs on the server's clock: `expire()` is called by the server's timer and at
 * the start of every lease call, so an expired lease is never renewed, confirmed or released.
 */
export class PlacementHandlers {
  readonly leases = new Map<string, LeaseRecord>();
  private readonly byReservation = new Map<number, string>();
  /** Lease ids that ended (released or absorbed), oldest first, to tell a second release. */
  private readonly ended = new Map<string, 'released' | 'absorbed'>();
  private readonly events: Event[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private readonly now: () => number;
  private readonly history: number;
  private readonly watchBuffer: number;
  /** Every applied batch and lease event advances this by one. */
  generation = 0;

  constructor(private readonly options: PlacementOptions) {
    this.now = options.now ?? Date.now;
    this.history = options.history ?? 10_000;
    this.watchBuffer = options.watchBuffer ?? 1000;
  }

  private get catalog(): Catalog {
    return this.options.catalog();
  }

  // ---- the RPCs ------------------------------------------------------------------------------

  place(req: PlaceRequest): PlaceResponse {
    const result = this.catalog.place(requestFromWire(req.request) as unknown as SandboxRequest, { strategy: strategyOf(req.strategy), topK: topKOf(req.topK) });
    if (result.ok) {
      this.options.metrics?.placed(result.strategy);
      return create(PlaceResponseSchema, { result: { case: 'placement', value: placementMessage(result) } });
    }
    this.options.metrics?.rejected(result);
    return create(PlaceResponseSchema, { result: { case: 'rejection', value: rejectionMessage(result) } });
  }

  reserve(req: ReserveRequest): ReserveResponse {
    this.expire();
    if (req.sandboxId.trim() === '') throw invalidArgument('Reserve: sandbox_id is required', [{ field: 'sandbox_id', description: 'is required' }]);
    const ttl = ttlOf(req.ttl, 'ttl');
    const strategy = strategyOf(req.strategy);
    const result = this.catalog.reserve(requestFromWire(req.request) as unknown as SandboxRequest, { strategy, sandboxId: req.sandboxId, expiresAt: this.now() + ttl });
    if (!result.ok) {
      this.options.metrics?.rejected(result);
      return create(ReserveResponseSchema, { result: { case: 'rejection', value: rejectionMessage(result) } });
    }
    // The sandbox holds a lease already: the catalog returned its reservation; so is the lease.
    const existing = this.byReservation.get(result.reservationId);
    const held = existing === undefined ? undefined : this.leases.get(existing);
    if (held) return create(ReserveResponseSchema, { result: { case: 'lease', value: this.leaseMessage(held) } });
    this.options.metrics?.placed(strategy);
    const record: LeaseRecord = { leaseId: randomBytes(16).toString('hex'), reservation: result, confirmed: false };
    this.track(record);
    this.emitLease(LeaseEvent_Kind.RESERVED, record);
    return create(ReserveResponseSchema, { result: { case: 'lease', value: this.leaseMessage(record) } });
  }

  renew(req: RenewRequest): RenewResponse {
    this.expire();
    const record = this.leaseOf(req.leaseId, 'Renew');
    if (record.confirmed) throw new ConnectError('Renew: the lease is confirmed: it no longer expires', Code.FailedPrecondition);
    record.reservation = this.catalog.renew(record.reservation, this.now() + ttlOf(req.ttl, 'ttl'));
    this.emitLease(LeaseEvent_Kind.RENEWED, record);
    return create(RenewResponseSchema, { lease: this.leaseMessage(record) });
  }

  release(req: ReleaseRequest): ReleaseResponse {
    this.expire();
    const record = this.leaseOf(req.leaseId, 'Release');
    this.catalog.release(record.reservation);
    this.untrack(record, 'released');
    this.emitLease(LeaseEvent_Kind.RELEASED, record);
    return create(ReleaseResponseSchema, { lease: this.leaseMessage(record) });
  }

  confirm(req: ConfirmRequest): ConfirmResponse {
    this.expire();
    const record = this.leaseOf(req.leaseId, 'Confirm');
    if (!record.confirmed) {
      record.reservation = this.catalog.renew(record.reservation, undefined);
      record.confirmed = true;
      this.options.metrics?.leasesConfirmed.inc();
      this.emitLease(LeaseEvent_Kind.CONFIRMED, record);
    }
    return create(ConfirmResponseSchema, { lease: this.leaseMessage(record) });
  }

  /**
   * Applies a batch atomically. A confirmed lease is absorbed by the first report of its
   * runner's resources applied after the confirmation (a `setResources` with resources, or an
   * `upsertRunner` with them): the report is taken to include the sandbox, so the lease's hold
   * is dropped in the same call and never counted twice. Leases on a removed runner end with it.
   */
  applyChanges(req: ApplyChangesRequest): ApplyChangesResponse {
    const changes = req.changes.map((c, i) => changeFromWire(c, i));
    const before = this.catalog.generation;
    this.catalog.apply(changes);
    if (this.catalog.generation === before) return create(ApplyChangesResponseSchema, { generation: BigInt(this.generation) });
    this.emit({ case: 'changes', value: create(ChangesAppliedSchema, { changes: req.changes }) });
    const reported = new Set<string>();
    const removed = new Set<string>();
    for (const c of changes) {
      if (c.type === 'setResources' && c.resources !== null) reported.add(c.runnerId);
      if (c.type === 'upsertRunner' && (c.runner as { resources?: unknown }).resources) reported.add((c.runner as { runnerId: string }).runnerId);
      if (c.type === 'removeRunner') removed.add(c.runnerId);
    }
    if (reported.size === 0 && removed.size === 0) return create(ApplyChangesResponseSchema, { generation: BigInt(this.generation) });
    for (const record of [...this.leases.values()]) {
      const runnerId = record.reservation.runnerId;
      // The core drops the reservations of a removed runner.
      if (removed.has(runnerId) && this.catalog.reservationFor(record.reservation.sandboxId as string)?.reservationId !== record.reservation.reservationId) {
        this.untrack(record, 'released');
        this.emitLease(LeaseEvent_Kind.RELEASED, record);
      } else if (record.confirmed && reported.has(runnerId)) {
        this.catalog.release(record.reservation);
        this.untrack(record, 'absorbed');
        this.emitLease(LeaseEvent_Kind.ABSORBED, record);
      }
    }
    return create(ApplyChangesResponseSchema, { generation: BigInt(this.generation) });
  }

  /**
   * Every event after `from_generation` (0: from the oldest retained), then new ones as they
   * happen. Older than the history: OUT_OF_RANGE — re-list, then watch from the generation
   * the listing saw. A consumer that falls more than `watchBuffer` events behind is dropped
   * with RESOURCE_EXHAUSTED, so a slow one cannot grow the server's memory.
   */
  async *watchChanges(req: WatchChangesRequest, ctx: HandlerContext): AsyncGenerator<WatchChangesResponse> {
    const from = Number(req.fromGeneration);
    const oldest = this.events[0] ? Number(this.events[0].generation) : this.generation + 1;
    if (from > this.generation) throw new ConnectError(`from_generation ${from} is ahead of the server (${this.generation})`, Code.OutOfRange);
    if (from !== 0 && from < oldest - 1) throw new ConnectError(`from_generation ${from} is older than the history kept (from ${oldest - 1}): list again, then watch`, Code.OutOfRange);
    const subscriber: Subscriber = { queue: this.events.filter((e) => Number(e.generation) > from), wake: undefined, dropped: false };
    this.subscribers.add(subscriber);
    this.options.metrics?.watchers(1);
    const onAbort = () => subscriber.wake?.();
    ctx.signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        while (subscriber.queue.length > 0) yield subscriber.queue.shift() as Event;
        if (subscriber.dropped) throw new ConnectError(`the watcher fell more than ${this.watchBuffer} events behind`, Code.ResourceExhausted);
        if (ctx.signal.aborted) return;
        await new Promise<void>((resolve) => (subscriber.wake = resolve));
        subscriber.wake = undefined;
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      this.subscribers.delete(subscriber);
      this.options.metrics?.watchers(-1);
    }
  }

  // ---- leases and events ---------------------------------------------------------------------

  /** Releases the leases whose time has come (the catalog's `expire`), as EXPIRED events. */
  expire(): void {
    for (const reservation of this.catalog.expire(this.now())) {
      const leaseId = this.byReservation.get(reservation.reservationId);
      const record = leaseId === undefined ? undefined : this.leases.get(leaseId);
      if (!record) continue;
      this.byReservation.delete(reservation.reservationId);
      this.leases.delete(record.leaseId);
      this.options.metrics?.leasesExpired.inc();
      this.options.metrics?.setLeasesHeld(this.leases.size);
      this.emitLease(LeaseEvent_Kind.EXPIRED, record);
    }
  }

  /** Takes leases back from saved state (their reservations reinstated in the catalog already). */
  restore(records: readonly LeaseRecord[], generation: number): void {
    for (const r of records) this.track(r);
    this.generation = generation;
  }

  private leaseOf(leaseId: string, operation: string): LeaseRecord {
    if (leaseId === '') throw invalidArgument(`${operation}: lease_id is required`, [{ field: 'lease_id', description: 'is required' }]);
    const record = this.leases.get(leaseId);
    if (record) return record;
    const ended = this.ended.get(leaseId);
    if (ended !== undefined) throw new ConnectError(`${operation}: the lease was ${ended} already`, Code.FailedPrecondition);
    throw new ConnectError(`${operation}: no lease ${JSON.stringify(leaseId.slice(0, 64))} (unknown, or expired)`, Code.NotFound);
  }

  private track(record: LeaseRecord): void {
    this.leases.set(record.leaseId, record);
    this.byReservation.set(record.reservation.reservationId, record.leaseId);
    this.options.metrics?.setLeasesHeld(this.leases.size);
  }

  private untrack(record: LeaseRecord, how: 'released' | 'absorbed'): void {
    this.leases.delete(record.leaseId);
    this.byReservation.delete(record.reservation.reservationId);
    this.ended.set(record.leaseId, how);
    if (this.ended.size > ENDED_REMEMBERED) this.ended.delete(this.ended.keys().next().value as string);
    this.options.metrics?.setLeasesHeld(this.leases.size);
  }

  leaseMessage(record: LeaseRecord): Lease {
    const r = record.reservation;
    return create(LeaseSchema, {
      leaseId: record.leaseId,
      sandboxId: r.sandboxId ?? '',
      runnerId: r.runnerId,
      profileName: r.profileName,
      ...(r.expiresAt !== undefined ? { expiresAt: timestampOfMs(r.expiresAt) } : {}),
      confirmed: record.confirmed,
      cpuMillicores: BigInt(r.cpuMillicores),
      memoryBytes: BigInt(r.memoryBytes),
      gpuCount: BigInt(r.gpuCount),
    });
  }

  private emitLease(kind: LeaseEvent_Kind, record: LeaseRecord): void {
    this.emit({ case: 'lease', value: create(LeaseEventSchema, { kind, lease: this.leaseMessage(record) }) });
  }

  private emit(event: WatchChangesResponse['event']): void {
    const e = create(WatchChangesResponseSchema, { generation: BigInt(++this.generation), event });
    this.events.push(e);
    if (this.events.length > this.history) this.events.splice(0, this.events.length - this.history);
    for (const s of this.subscribers) {
      if (s.dropped) continue;
      if (s.queue.length >= this.watchBuffer) {
        s.dropped = true;
        s.queue.length = 0;
      } else s.queue.push(e);
      s.wake?.();
    }
  }
}

function strategyOf(text: string): Strategy {
  if (text === '') return 'spread';
  if (!STRATEGIES.includes(text as Strategy)) throw invalidArgument(`unknown strategy ${JSON.stringify(text.slice(0, 40))}`, [{ field: 'strategy', description: `must be one of ${STRATEGIES.join(', ')}` }]);
  return text as Strategy;
}

function topKOf(k: number): number {
  if (k < 0 || k > 1000) throw invalidArgument(`top_k must be from 0 to 1000, got ${k}`, [{ field: 'top_k', description: `must be from 0 to 1000, got ${k}` }]);
  return k;
}

function ttlOf(ttl: Duration | undefined, field: string): number {
  if (!ttl) return DEFAULT_TTL_MS;
  const ms = durationMs(ttl);
  if (!(ms > 0) || ms > MAX_TTL_MS) throw invalidArgument(`${field} must be above 0 and at most 24 h`, [{ field, description: `must be above 0 and at most 24 h, got ${ms} ms` }]);
  return ms;
}

/** A wire change as the core's; an unset change is a violation. */
function changeFromWire(c: Change, i: number): CoreChange {
  const v = c.change;
  switch (v.case) {
    case 'upsertRunner':
      if (!v.value.runner) throw invalidArgument(`changes[${i}].upsert_runner.runner is required`, [{ field: `changes[${i}].upsert_runner.runner`, description: 'is required' }]);
      return { type: 'upsertRunner', runner: runnerFromWire(v.value.runner) };
    case 'removeRunner':
      return { type: 'removeRunner', runnerId: v.value.runnerId };
    case 'setResources':
      return { type: 'setResources', runnerId: v.value.runnerId, resources: v.value.resources ? resourcesFromWire(v.value.resources) : null };
    case 'setHealthy':
      return { type: 'setHealthy', runnerId: v.value.runnerId, healthy: v.value.healthy };
    case 'upsertProfile':
      if (!v.value.profile) throw invalidArgument(`changes[${i}].upsert_profile.profile is required`, [{ field: `changes[${i}].upsert_profile.profile`, description: 'is required' }]);
      return { type: 'upsertProfile', profile: profileFromWire(v.value.profile) };
    case 'removeProfile':
      return { type: 'removeProfile', profileName: v.value.profileName, runnerId: v.value.runnerId };
    default:
      throw invalidArgument(`changes[${i}] sets no change`, [{ field: `changes[${i}]`, description: 'sets no change (one of upsert_runner, remove_runner, set_resources, set_healthy, upsert_profile, remove_profile)' }]);
  }
}
