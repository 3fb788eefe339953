import { StalePlacementError, throwIfViolations } from '../errors.js';
import { compareIds } from '../order.js';
import { profileOrder, runnerSlots } from './load-order.js';
import { quote } from '../quote.js';
import { isRecord } from '../snapshot/fields.js';
import { isParsedSnapshot, readSnapshot } from '../snapshot/parse.js';
import type {
  Change,
  PlaceOptions,
  PlaceResult,
  Placement,
  Profile,
  ProfileFilter,
  Rejection,
  ReserveOptions,
  Reservation,
  LeaseOptions,
  ProfilePage,
  Runner,
  RunnerFilter,
  RunnerPage,
  SandboxRequest,
  Snapshot,
} from '../types.js';
import { type CatalogView, type ValidChange, validateChanges } from './changes.js';
import { AdmissionCache } from './placement/admission.js';
import { place } from './placement/place.js';
import { checkArguments, checkId } from './arguments.js';
import { checkPlaceOptions, checkRequest, PLACE_OPTIONS } from './placement/request.js';
import { ProfileTable } from './profile-table.js';
import * as queries from './queries.js';
import { RunnerTable } from './runner-table.js';

interface HeldReservation {
  reservation: Reservation;
  readonly slot: number;
}

/** What a catalog shares with its forks, so that reservation ids never collide among them. */
interface Family {
  nextReservationId: number;
}

const LEASE_OPTIONS = { sandboxId: 'string', expiresAt: 'number' } as const;
const RESERVE_OPTIONS = { ...PLACE_OPTIONS, ...LEASE_OPTIONS } as const;

/** Whether runners come in ascending runnerId order (as snapshots capmatch writes do). */
function inIdOrder(runners: readonly Runner[]): boolean {
  for (let i = 1; i < runners.length; i++) if (compareIds((runners[i - 1] as Runner).runnerId, (runners[i] as Runner).runnerId) >= 0) return false;
  return true;
}

/**
 * An in-memory fleet: discovery queries, placement and reservations over bitset indexes.
 *
 * @example
 * const catalog = Catalog.fromSnapshot(JSON.parse(text));
 * catalog.listRunners({ gpuType: 'H100', minAvailableCpuMillicores: 4000 });
 * const placement = catalog.place({ cpuMillicores: 2000, memoryBytes: 8 * 2 ** 30, gpuCount: 1 });
 */
export class Catalog {
  private readonly runners: RunnerTable;
  private readonly profiles: ProfileTable;
  private readonly admission: AdmissionCache;
  private readonly held: Map<number, HeldReservation>;
  /** Reservation ids by runner slot, so that removing a runner drops its reservations directly. */
  private readonly heldBySlot: Map<number, Set<number>>;
  /** Reservation ids by the caller's sandboxId. */
  private readonly bySandbox: Map<string, number>;
  /** The earliest `expiresAt` held (a lower bound; Infinity when none), so `expire` is free until then. */
  private earliestExpiry: number;
  /** Placements this catalog issued: `reserve` honours no other. They are frozen, so unaltered. */
  private readonly issued = new WeakSet<Placement>();
  private readonly family: Family;
  private batches: number;
  /** What batch validation reads of the catalog as it stands. */
  private readonly current: CatalogView = {
    runner: (runnerId) => {
      const slot = this.runners.slotOf.get(runnerId);
      return slot === undefined ? undefined : this.runners.runnerAt(slot);
    },
    hasProfile: (profileName, runnerId) => {
      const slot = this.runners.slotOf.get(runnerId);
      return slot !== undefined && this.profiles.find(profileName, slot) !== undefined;
    },
  };

  private constructor(from?: Catalog) {
    this.runners = from ? from.runners.clone() : new RunnerTable();
    this.profiles = from ? from.profiles.clone() : new ProfileTable();
    this.admission = new AdmissionCache(this.runners, this.profiles);
    this.held = new Map(from?.held);
    this.heldBySlot = new Map(Array.from(from?.heldBySlot ?? [], ([slot, ids]) => [slot, new Set(ids)]));
    this.bySandbox = new Map(from?.bySandbox);
    this.earliestExpiry = from ? from.earliestExpiry : Infinity;
    this.family = from ? from.family : { nextReservationId: 1 };
    this.batches = from ? from.batches : 0;
  }

  /**
   * Builds a catalog from snapshot JSON (either spelling) or a parsed {@link Snapshot}.
   *
   * @throws DiscoveryValidationError listing every violation of the snapshot.
   */
  static fromSnapshot(json: unknown): Catalog {
    const read = isParsedSnapshot(json) ? undefined : readSnapshot(json);
    const snapshot = read ? read.snapshot : (json as Snapshot);
    const catalog = new Catalog();
    const runners = snapshot.runners;
    // Slots in runnerId order (see `runnerSlots`); validation's id → index map becomes the table's.
    const sorted = runnerSlots(runners, read ? read.ascending : inIdOrder(runners), read?.runnerIndex);
    const byId = sorted ? sorted.bySlot : runners;
    catalog.runners.makeRoom(byId.length);
    catalog.profiles.makeRoom(snapshot.profiles.length);
    catalog.runners.addInSlotOrder(byId, sorted ? sorted.slotOf : read?.runnerIndex);
    // (Indexed loops: for-of over a frozen array allocates per item.)
    /** Runner slots whose modes are worked out already. */
    const modesDone = new Uint8Array(byId.length);
    if (read) {
      // Validation found each profile's runner: its slot follows, and each runner's profiles go
      // in together, its modes worked out as soon as they are in (while they are at hand).
      const { slotOf, order } = profileOrder(read.profileRunner, sorted?.slotOfInput, snapshot.profiles.length, runners.length);
      let runnerSlot = -1;
      for (let k = 0; k < snapshot.profiles.length; k++) {
        const i = order ? (order[k] as number) : k;
        const slot = slotOf[i] as number;
        if (slot !== runnerSlot && runnerSlot >= 0) {
          catalog.refreshModes(runnerSlot);
          modesDone[runnerSlot] = 1;
        }
        runnerSlot = slot;
        catalog.upsertProfile(snapshot.profiles[i] as Profile, slot);
      }
    } else {
      let runnerId: string | undefined;
      let runnerSlot = -1;
      for (let i = 0; i < snapshot.profiles.length; i++) {
        const profile = snapshot.profiles[i] as Profile;
        if (profile.runnerId !== runnerId) {
          // Profiles usually come grouped by runner: its slot is looked up once per group.
          runnerId = profile.runnerId;
          runnerSlot = catalog.runners.slotOf.get(runnerId) as number;
        }
        catalog.upsertProfile(profile, runnerSlot);
      }
    }
    for (let slot = 0; slot < byId.length; slot++) if (modesDone[slot] === 0) catalog.refreshModes(slot);
    return catalog;
  }

  /**
   * An empty catalog, to fill with `apply`.
   *
   * @example Catalog.empty().apply([{ type: 'upsertRunner', runner }])
   */
  static empty(): Catalog {
    return new Catalog();
  }

  /** Increases with every applied batch; starts at 0. */
  get generation(): number {
    return this.batches;
  }

  /** Number of runners. */
  get size(): number {
    return this.runners.size;
  }

  // ---- discovery ---------------------------------------------------------------------------

  /**
   * Runners matching every given filter, by ascending runnerId. Without `includeResources`
   * (or a capacity filter, which implies it) runners come back with `resources: null`.
   * With `page`, at most `limit` runners after the runnerId `after` (keyset pagination: a
   * runner present throughout a listing is listed once, whatever changes between pages).
   *
   * @example catalog.listRunners({ gpuType: 'H100', healthyOnly: true, minAvailableGpuCount: 1 })
   */
  listRunners(filter?: RunnerFilter, page?: RunnerPage): Runner[] {
    const f = queries.checkRunnerFilter('listRunners', filter);
    return queries.listRunnersPage(this.runners, f, queries.checkRunnerPage('listRunners', page));
  }

  /**
   * How many runners `listRunners(filter)` would return, without building them.
   *
   * @example catalog.countRunners({ architecture: 'arm64', minAvailableMemoryBytes: 2 ** 36 })
   */
  countRunners(filter?: RunnerFilter): number {
    return queries.countRunners(this.runners, queries.checkRunnerFilter('countRunners', filter));
  }

  /**
   * The runner with that id, always with its resources.
   *
   * @throws RunnerNotFoundError carrying the id.
   * @example catalog.getRunner('runner-0042').resources?.availableGpuCount
   */
  getRunner(runnerId: string): Runner {
    return queries.getRunner(this.runners, runnerId);
  }

  /**
   * Profiles matching every given filter, by ascending runnerId then profileName. With `page`,
   * at most `limit` profiles after the pair `after` (keyset pagination).
   *
   * @example catalog.listProfiles({ ingressMode: 'public', egressMode: 'internet' })
   */
  listProfiles(filter?: ProfileFilter, page?: ProfilePage): Profile[] {
    const f = queries.checkProfileFilter('listProfiles', filter);
    return queries.listProfilesPage(this.runners, this.profiles, f, queries.checkProfilePage('listProfiles', page));
  }

  /**
   * How many profiles `listProfiles(filter)` would return.
   *
   * @example catalog.countProfiles({ gpuType: 'H100' })
   */
  countProfiles(filter?: ProfileFilter): number {
    return queries.countProfiles(this.runners, this.profiles, queries.checkProfileFilter('countProfiles', filter));
  }

  /**
   * The profile with that name on that runner; without `runnerId`, the one on the smallest runnerId.
   *
   * @throws ProfileNotFoundError carrying the name and the runnerId as passed.
   * @example catalog.getProfile('gpu-inference', { runnerId: 'runner-0042' }).egressModes
   */
  getProfile(profileName: string, options?: { readonly runnerId?: string | undefined }): Profile {
    return queries.getProfile(this.runners, this.profiles, profileName, options);
  }

  // ---- updates -----------------------------------------------------------------------------

  /**
   * Applies a batch of changes atomically: every change is validated first, against the state
   * the earlier changes of the batch leave; a batch with any violation changes nothing.
   *
   * @returns the new generation.
   * @throws DiscoveryValidationError naming each offending change by path (`changes[2].runnerId`).
   * @example catalog.apply([{ type: 'setResources', runnerId: 'r1', resources: null }])
   */
  apply(changes: readonly Change[]): number {
    const valid = validateChanges(changes, this.current);
    if (valid.length === 0) return this.batches;
    // Runners whose admission must be recomputed from all their profiles: once per batch,
    // however many of their profiles the batch changes.
    const recheck = new Set<number>();
    for (const change of valid) this.applyOne(change, recheck);
    for (const slot of recheck) this.admission.refreshRunner(slot, this.runners.runners[slot] === undefined);
    return ++this.batches;
  }

  private applyOne(change: ValidChange, recheck: Set<number>): void {
    switch (change.type) {
      case 'upsertRunner': {
        const slot = this.runners.upsert(change.runner);
        const names = new Set(change.runner.profileNames);
        for (const p of this.profiles.slotsOfRunner(slot)) {
          this.profiles.setRunnerState(p, names.has(this.profiles.profileAt(p).profileName), change.runner.isShared);
        }
        this.refreshModes(slot);
        recheck.add(slot);
        return;
      }
      case 'removeRunner': {
        const slot = this.runners.slotOf.get(change.runnerId) as number;
        // Newest first, so that each removal takes the last of the runner's slots.
        for (const p of [...this.profiles.slotsOfRunner(slot)].reverse()) this.profiles.remove(p);
        for (const id of this.heldBySlot.get(slot) ?? []) this.forget(id);
        this.heldBySlot.delete(slot);
        this.runners.remove(slot);
        recheck.add(slot);
        return;
      }
      case 'setResources':
        this.runners.setResources(this.runners.slotOf.get(change.runnerId) as number, change.resources);
        return;
      case 'setHealthy':
        this.runners.setHealthy(this.runners.slotOf.get(change.runnerId) as number, change.healthy);
        return;
      case 'upsertProfile': {
        const runnerSlot = this.runners.slotOf.get(change.profile.runnerId) as number;
        const replaced = this.profiles.find(change.profile.profileName, runnerSlot) !== undefined;
        const profileSlot = this.upsertProfile(change.profile, runnerSlot);
        this.refreshModes(runnerSlot);
        // A new profile can only add admission; a replaced one may also take it away.
        if (replaced) recheck.add(runnerSlot);
        else if (!recheck.has(runnerSlot)) this.admission.profileAdded(runnerSlot, profileSlot);
        return;
      }
      case 'removeProfile': {
        const slot = this.runners.slotOf.get(change.runnerId) as number;
        this.profiles.remove(this.profiles.find(change.profileName, slot) as number);
        this.refreshModes(slot);
        recheck.add(slot);
        return;
      }
    }
  }

  /** Adds or replaces a profile of the runner in `runnerSlot`; returns its slot. */
  private upsertProfile(profile: Profile, runnerSlot: number): number {
    const runner = this.runners.runnerAt(runnerSlot);
    return this.profiles.upsert(profile, runnerSlot, runner.profileNames.includes(profile.profileName), runner.isShared);
  }

  /** Sets a runner's ingress / egress unions from the mode counts of its profiles, and whether one of them is bound. */
  private refreshModes(runnerSlot: number): void {
    const { ingress, egress } = this.profiles.modesOf(runnerSlot);
    this.runners.setModes(runnerSlot, ingress, egress);
    this.runners.setBound(runnerSlot, this.profiles.anyBound(runnerSlot));
  }

  /**
   * The fleet as a snapshot: runners by runnerId with the resources queries see (reservations
   * included), profiles by runnerId then profileName. `Catalog.fromSnapshot(c.toSnapshot())`
   * answers every query as `c` does. With `{ resources: 'reported' }`, runners carry the
   * resources last reported instead (reservations left out): with `reservations()` and
   * {@link reinstate}, that restores a catalog exactly.
   *
   * @example writeFileSync('fleet.json', JSON.stringify(catalog.toSnapshot()))
   */
  toSnapshot(options?: { readonly resources?: 'effective' | 'reported' }): Snapshot {
    const { resources } = checkArguments<{ resources?: string }>('toSnapshot', options, { resources: 'string' });
    if (resources !== undefined && resources !== 'effective' && resources !== 'reported') {
      throwIfViolations('toSnapshot', [{ field: 'resources', description: `must be 'effective' or 'reported', got ${quote(resources)}` }]);
    }
    const view = resources === 'reported' ? (slot: number) => this.runners.reportedViewAt(slot) : (slot: number) => this.runners.viewAt(slot);
    const runners = Array.from(this.runners.slotsInIdOrder(), view);
    return Object.freeze({ runners: Object.freeze(runners), profiles: Object.freeze(this.listProfiles()) });
  }

  /**
   * `JSON.stringify(catalog)` writes the fleet as {@link toSnapshot} gives it (never the
   * internal indexes); `Catalog.fromSnapshot(JSON.parse(text))` reads it back.
   */
  toJSON(): Snapshot {
    return this.toSnapshot();
  }

  /**
   * An independent copy: nothing done to it reaches this catalog, nor the reverse. Runner and
   * profile objects are immutable and shared; indexes are copied typed arrays.
   *
   * @example
   * const whatIf = catalog.fork();
   * whatIf.apply([{ type: 'removeRunner', runnerId: 'runner-0007' }]); // catalog still has it
   */
  fork(): Catalog {
    return new Catalog(this);
  }

  // ---- placement ---------------------------------------------------------------------------

  /**
   * Chooses a runner and profile for a sandbox, or explains why none will do.
   *
   * @param options `strategy` (default `'spread'`), `topK` alternatives (default none),
   *   `nearestMisses` on rejection (default 3).
   * @returns a {@link Placement} (`ok: true`) or a {@link Rejection} (`ok: false`) — never throws
   *   for a request that simply does not fit.
   * @throws DiscoveryValidationError for a malformed request or options.
   * @example
   * const r = catalog.place({ cpuMillicores: 2000, memoryBytes: 2 ** 33, gpuCount: 1, gpuType: 'H100' }, { strategy: 'binpack' });
   * if (!r.ok) console.log(r.message); // "0/1200 runners fit: 800 insufficient gpu, …"
   */
  place(request: SandboxRequest, options?: PlaceOptions): PlaceResult {
    const result = place(this.runners, this.admission, checkRequest('place', request), checkPlaceOptions('place', options));
    if (result.ok) this.issued.add(result);
    return result;
  }

  /**
   * Holds a placement's resources on its runner until released or expired. Given a request
   * instead, places it first (with `options`) and returns the rejection when nothing fits.
   *
   * Only placements this very catalog issued, unaltered, are honoured: a placement from a fork
   * or another catalog, a copy with anything changed, a forged object — all are refused with a
   * DiscoveryValidationError, and nothing changes.
   *
   * Leases: with `sandboxId`, a second `reserve` for the same sandbox returns the reservation
   * already held (a retry never books twice); with `expiresAt`, `expire(now)` releases it once
   * `now >= expiresAt`.
   *
   * @throws StalePlacementError when the runner changed since the placement was decided.
   * @throws DiscoveryValidationError for a placement this catalog did not issue, or bad options.
   * @example
   * const r = catalog.reserve(request, { sandboxId: 'sbx-1', expiresAt: Date.now() + 30_000 });
   * if (!r.ok) console.log(r.message); else held.set('sbx-1', r);
   */
  reserve(placement: Placement, options?: LeaseOptions): Reservation;
  reserve(request: SandboxRequest, options?: ReserveOptions): Reservation | Rejection;
  reserve(target: Placement | SandboxRequest, options?: ReserveOptions): Reservation | Rejection {
    if (!isRecord(target)) {
      throwIfViolations('reserve', [{ field: 'placement', description: `must be a placement or a request, got ${target === null ? 'null' : typeof target}` }]);
    }
    const isPlacement = (target as { ok?: unknown }).ok !== undefined;
    const o = checkArguments<ReserveOptions>('reserve', options, isPlacement ? LEASE_OPTIONS : RESERVE_OPTIONS);
    let placement: Placement;
    if (isPlacement) {
      if (!this.issued.has(target as Placement)) {
        throwIfViolations('reserve', [{ field: 'placement', description: 'was not issued by this catalog (a copy, an altered or forged placement, or one from another catalog or fork)' }]);
      }
      placement = target as Placement;
    }
    // A request is checked before anything else, even when its sandbox is held already.
    const request = isPlacement ? undefined : checkRequest('reserve', target);
    const again = o.sandboxId === undefined ? undefined : this.bySandbox.get(o.sandboxId);
    if (again !== undefined) return (this.held.get(again) as HeldReservation).reservation;
    if (request) {
      const result = this.place(request, { strategy: o.strategy, topK: o.topK, nearestMisses: o.nearestMisses });
      if (!result.ok) return result;
      placement = result;
    }
    return this.book(placement!, o);
  }

  private book(placement: Placement, lease: LeaseOptions): Reservation {
    const slot = this.runners.slotOf.get(placement.runnerId);
    const current = slot === undefined ? undefined : (this.runners.generation[slot] as number);
    if (slot === undefined || current !== placement.generation) {
      throw new StalePlacementError(placement.runnerId, placement.generation, current);
    }
    return this.hold(slot, placement, lease);
  }

  /** Takes the amounts off the runner and records the reservation. */
  private hold(slot: number, placement: Pick<Placement, 'runnerId' | 'profileName'> & { readonly request: Pick<SandboxRequest, 'cpuMillicores' | 'memoryBytes' | 'gpuCount'> }, lease: LeaseOptions): Reservation {
    const { cpuMillicores, memoryBytes, gpuCount } = placement.request;
    this.runners.reserve(slot, cpuMillicores, memoryBytes, gpuCount, 1);
    const reservation: Reservation = Object.freeze({
      ok: true as const,
      reservationId: this.family.nextReservationId++,
      runnerId: placement.runnerId,
      profileName: placement.profileName,
      cpuMillicores,
      memoryBytes,
      gpuCount,
      ...(lease.sandboxId !== undefined ? { sandboxId: lease.sandboxId } : {}),
      ...(lease.expiresAt !== undefined ? { expiresAt: lease.expiresAt } : {}),
    });
    this.held.set(reservation.reservationId, { reservation, slot });
    let ids = this.heldBySlot.get(slot);
    if (!ids) {
      ids = new Set();
      this.heldBySlot.set(slot, ids);
    }
    ids.add(reservation.reservationId);
    if (reservation.sandboxId !== undefined) this.bySandbox.set(reservation.sandboxId, reservation.reservationId);
    if (reservation.expiresAt !== undefined && reservation.expiresAt < this.earliestExpiry) this.earliestExpiry = reservation.expiresAt;
    return reservation;
  }

  /** The held entry of a reservation this catalog made and still holds; a violation otherwise. */
  private heldEntry(operation: string, reservation: unknown): HeldReservation {
    const id = isRecord(reservation) ? reservation.reservationId : undefined;
    const held = typeof id === 'number' ? this.held.get(id) : undefined;
    if (!held || !sameBooking(held.reservation, reservation as Reservation)) {
      throwIfViolations(operation, [{ field: 'reservation', description: `is not held by this catalog (released already, expired, unknown, altered, or its runner was removed): reservationId ${quote(id)}` }]);
    }
    return held as HeldReservation;
  }

  /**
   * Gives a reservation's resources back.
   *
   * @throws DiscoveryValidationError for a reservation released already, unknown here, altered,
   *   or whose runner has been removed.
   * @example catalog.release(held.get(sandboxId))
   */
  release(reservation: Reservation): void {
    const held = this.heldEntry('release', reservation);
    const r = held.reservation;
    this.runners.reserve(held.slot, r.cpuMillicores, r.memoryBytes, r.gpuCount, -1);
    this.forget(r.reservationId);
  }

  /** Drops a reservation from the books (its capacity already given back, or its runner gone). */
  private forget(reservationId: number): void {
    const held = this.held.get(reservationId);
    if (!held) return;
    this.held.delete(reservationId);
    this.heldBySlot.get(held.slot)?.delete(reservationId);
    const sandboxId = held.reservation.sandboxId;
    if (sandboxId !== undefined) this.bySandbox.delete(sandboxId);
  }

  /**
   * Moves a held reservation's expiry (`undefined`: never expires). Returns the renewed
   * reservation, which replaces the one given (both release it).
   *
   * @example lease = catalog.renew(lease, now + 30_000)
   */
  renew(reservation: Reservation, expiresAt: number | undefined): Reservation {
    const held = this.heldEntry('renew', reservation);
    const { expiresAt: next } = checkArguments<LeaseOptions>('renew', { expiresAt }, { expiresAt: 'number' });
    const { expiresAt: _old, ...rest } = held.reservation;
    held.reservation = Object.freeze(next === undefined ? rest : { ...rest, expiresAt: next });
    if (next !== undefined && next < this.earliestExpiry) this.earliestExpiry = next;
    return held.reservation;
  }

  /**
   * Releases every reservation whose `expiresAt` is at or before `now` and returns them, by
   * expiry then reservationId. The catalog keeps no clock: `now` is the caller's.
   *
   * @example setInterval(() => catalog.expire(Date.now()), 1000)
   */
  expire(now: number): Reservation[] {
    checkArguments('expire', { now }, { now: 'number' }, ['now']);
    if (now < this.earliestExpiry) return [];
    const due: Reservation[] = [];
    let earliest = Infinity;
    for (const { reservation } of this.held.values()) {
      const at = reservation.expiresAt;
      if (at === undefined) continue;
      if (at <= now) due.push(reservation);
      else if (at < earliest) earliest = at;
    }
    due.sort((a, b) => (a.expiresAt as number) - (b.expiresAt as number) || a.reservationId - b.reservationId);
    for (const r of due) this.release(r);
    this.earliestExpiry = earliest;
    return due;
  }

  /**
   * Holds a reservation again on its runner, as it was (a restart from saved state): the
   * amounts, profile, sandboxId and expiry of a reservation that `reservations()` listed. No
   * placement is decided; the runner must exist and the sandboxId must not be held already.
   *
   * @example for (const r of saved.reservations) catalog.reinstate(r)
   */
  reinstate(reservation: Omit<Reservation, 'ok' | 'reservationId'>): Reservation {
    const r = checkArguments<Omit<Reservation, 'ok' | 'reservationId'>>(
      'reinstate',
      reservation,
      { runnerId: 'string', profileName: 'string', cpuMillicores: 'count', memoryBytes: 'count', gpuCount: 'count', sandboxId: 'string', expiresAt: 'number', ok: 'boolean', reservationId: 'count' },
      ['runnerId', 'profileName', 'cpuMillicores', 'memoryBytes', 'gpuCount'],
    );
    const slot = this.runners.slotOf.get(r.runnerId);
    if (slot === undefined) throwIfViolations('reinstate', [{ field: 'runnerId', description: `names an unknown runner ${quote(r.runnerId)}` }]);
    if (r.sandboxId !== undefined && this.bySandbox.has(r.sandboxId)) throwIfViolations('reinstate', [{ field: 'sandboxId', description: `is held already: ${quote(r.sandboxId)}` }]);
    const placement = { runnerId: r.runnerId, profileName: r.profileName, request: { cpuMillicores: r.cpuMillicores, memoryBytes: r.memoryBytes, gpuCount: r.gpuCount } };
    return this.hold(slot as number, placement, { sandboxId: r.sandboxId, expiresAt: r.expiresAt });
  }

  /** The reservation held for a sandbox, or undefined. */
  reservationFor(sandboxId: string): Reservation | undefined {
    const id = this.bySandbox.get(checkId('reservationFor', 'sandboxId', sandboxId));
    return id === undefined ? undefined : this.held.get(id)?.reservation;
  }

  /** Reservations currently held, in the order they were made. */
  reservations(): Reservation[] {
    return [...this.held.values()].map((h) => h.reservation);
  }
}

/** Whether `given` books what `held` books (expiry aside: a renewal leaves older copies valid). */
function sameBooking(held: Reservation, given: Reservation): boolean {
  return (
    given.ok === true &&
    given.runnerId === held.runnerId &&
    given.profileName === held.profileName &&
    given.cpuMillicores === held.cpuMillicores &&
    given.memoryBytes === held.memoryBytes &&
    given.gpuCount === held.gpuCount &&
    given.sandboxId === held.sandboxId
  );
}
