import type { Rejection, SandboxRequest } from '../types.js';
import type { Catalog } from './catalog.js';
import type { AdmissionCache } from './placement/admission.js';
import { nearestMisses, rejectionCode } from './placement/explain.js';
import { conditionsOf, rankFitting } from './placement/place.js';
import type { ResolvedOptions } from './placement/request.js';
import type { RunnerTable } from './runner-table.js';

/**
 * The simulation's lean path over a catalog it owns (a fork no one else sees): requests from a
 * checked trace — validated and frozen already — go straight to the placement pipeline, and a
 * placed sandbox is held as bare amounts on its runner, without a reservation record (the
 * simulation keeps its own books). Everything else (runners joining, leaving, changing health)
 * goes through the catalog's public `apply`. Internal: not exported from the package.
 */
export interface Replay {
  /** The runner table, read by slot (amounts, maxima, the runner records). */
  readonly table: RunnerTable;
  /**
   * The best runner's slot for a trusted request; when nothing fits, the rejection's code and
   * nearest misses (what a simulation records: the count of every reason is not worked out).
   */
  place(request: SandboxRequest, options: ResolvedOptions): number | Pick<Rejection, 'code' | 'nearestMisses'>;
  /** Takes a request's amounts off a runner (`sign` 1) or gives them back (-1). */
  hold(slot: number, request: SandboxRequest, sign: 1 | -1): void;
}

/** The lean path over `catalog` (see {@link Replay}). */
export function replayOf(catalog: Catalog): Replay {
  // The catalog's own tables: TypeScript's escape hatch to private members, kept to this file.
  const table = catalog['runners'] as RunnerTable;
  const admission = catalog['admission'] as AdmissionCache;
  return {
    table,
    place(request, options) {
      const best = rankFitting(table, admission, request, options)[0];
      if (best !== undefined) return best[0];
      return { code: rejectionCode(request), nearestMisses: nearestMisses(table, request, conditionsOf(table, admission, request), options.nearestMisses) };
    },
    hold(slot, request, sign) {
      table.reserve(slot, request.cpuMillicores, request.memoryBytes, request.gpuCount, sign);
    },
  };
}
