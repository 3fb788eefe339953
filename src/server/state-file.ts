import { readFileSync } from 'node:fs';
import { DiscoveryValidationError } from '../errors.js';
import { Catalog } from '../matcher/catalog.js';
import type { Reservation } from '../types.js';
import { writeFileAtomic } from './atomic-file.js';
import type { LeaseRecord, PlacementHandlers } from './placement.js';

/** The format of a state file, checked on load. */
const FORMAT = 'capmatch-state/1';

/**
 * What survives a restart: the catalog as last reported (resources before reservations), every
 * reservation with its lease, and the server's generation. Written atomically (temporary file,
 * fsync, rename), so a file is either the old state or the new one.
 */
interface SavedState {
  readonly format: typeof FORMAT;
  readonly savedAt: string;
  readonly generation: number;
  readonly snapshot: unknown;
  readonly leases: ReadonlyArray<{ readonly leaseId: string; readonly confirmed: boolean; readonly reservation: Omit<Reservation, 'ok' | 'reservationId'> }>;
}

/** A state file that cannot be loaded; nothing was loaded from it. */
export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

export function saveState(path: string, catalog: Catalog, placement: PlacementHandlers): void {
  const state: SavedState = {
    format: FORMAT,
    savedAt: new Date().toISOString(),
    generation: placement.generation,
    snapshot: catalog.toSnapshot({ resources: 'reported' }),
    leases: [...placement.leases.values()].map((l) => {
      const { ok: _ok, reservationId: _id, ...reservation } = l.reservation;
      return { leaseId: l.leaseId, confirmed: l.confirmed, reservation };
    }),
  };
  writeFileAtomic(path, `${JSON.stringify(state)}\n`);
}

/**
 * Reads a state file whole or not at all: a file cut short, of another format, or whose fleet or
 * leases do not validate is refused with a message naming the file and what is wrong.
 */
export function loadState(path: string): { catalog: Catalog; leases: LeaseRecord[]; generation: number } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new StateFileError(`cannot read state file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let state: SavedState;
  try {
    state = JSON.parse(text) as SavedState;
  } catch (e) {
    throw new StateFileError(`state file '${path}' is damaged (it is not complete JSON: ${(e as Error).message}); nothing was loaded`);
  }
  if (typeof state !== 'object' || state === null || state.format !== FORMAT || !Array.isArray(state.leases) || !Number.isSafeInteger(state.generation)) {
    throw new StateFileError(`state file '${path}' is not a ${FORMAT} file; nothing was loaded`);
  }
  try {
    const catalog = Catalog.fromSnapshot(state.snapshot);
    const leases = state.leases.map((l, i) => {
      if (typeof l.leaseId !== 'string' || typeof l.confirmed !== 'boolean') throw new StateFileError(`state file '${path}': leases[${i}] is malformed; nothing was loaded`);
      return { leaseId: l.leaseId, confirmed: l.confirmed, reservation: catalog.reinstate(l.reservation) };
    });
    return { catalog, leases, generation: state.generation };
  } catch (e) {
    if (e instanceof DiscoveryValidationError) throw new StateFileError(`state file '${path}' does not validate (${e.message}); nothing was loaded`);
    throw e;
  }
}
