import { idBefore } from '../../order.js';
import type { SandboxRequest } from '../../types.js';
import { Bitset } from '../bitset.js';
import { ChangeLog } from '../change-log.js';
import { type Conjunction, collectConjunction } from '../kernel.js';
import type { ProfileTable } from '../profile-table.js';
import type { RunnerTable } from '../runner-table.js';
import { addValueBitsets } from '../value-index.js';

/**
 * Which runners have a profile that admits a request. A profile admits when it is bound (its
 * name is in its runner's `profileNames`), equals the requested `profileName` if any, and
 * supports the requested GPU type, architecture, ingress and egress mode. A GPU request without
 * a type needs a type that both the profile and its runner support.
 *
 * The answer depends only on those few request fields, so it is cached per combination (the
 * class-cached feasibility of Nomad) and kept current runner by runner as profiles change. The
 * cache holds the {@link CLASSES} most recently used classes (least recently used go first), so
 * that keeping it current costs a bounded amount per change however many classes callers ask.
 */
export class AdmissionCache {
  /** By request class, each with the time it was last used. */
  private readonly cache = new Map<string, { readonly request: SandboxRequest; readonly runners: Bitset; used: number }>();
  private clock = 0;
  /** The changes to cached answers in place, each with its runner's slot (a class's set is a new one otherwise). */
  readonly changes = new ChangeLog();

  constructor(
    private readonly runners: RunnerTable,
    private readonly profiles: ProfileTable,
  ) {}

  /** Runner slots with an admitting profile. */
  runnersAdmitting(request: SandboxRequest): Bitset {
    const key = admissionKey(request);
    let entry = this.cache.get(key);
    if (entry) entry.used = ++this.clock;
    else {
      const runners = new Bitset(this.runners.wordCount);
      const plan = profileConjunction(this.profiles, request);
      if (plan) {
        const slots: number[] = [];
        collectConjunction(plan, this.profiles.activeWords, slots);
        for (const p of slots) {
          if (this.untypedGpuAdmits(request, p)) runners.add(this.profiles.runnerSlot[p] as number);
        }
      }
      entry = { request, runners, used: ++this.clock };
      this.cache.set(key, entry);
      if (this.cache.size > CLASSES) this.evictLeastRecent();
    }
    entry.runners.grow(this.runners.wordCount);
    return entry.runners;
  }

  /** Drops the class used least recently (a scan of {@link CLASSES} entries, on a miss only). */
  private evictLeastRecent(): void {
    let oldest: string | undefined;
    let at = Infinity;
    for (const [key, { used }] of this.cache) {
      if (used < at) {
        at = used;
        oldest = key;
      }
    }
    if (oldest !== undefined) this.cache.delete(oldest);
  }

  /**
   * Brings every cached answer up to date for one runner after its profiles, its
   * `profileNames` or its GPU types changed (or it was removed): that runner's profiles per
   * cached class, instead of recomputing every class over every profile.
   */
  refreshRunner(slot: number, removed: boolean): void {
    this.changes.record(slot);
    for (const { request, runners } of this.cache.values()) {
      runners.grow(this.runners.wordCount);
      runners.assign(slot, !removed && this.admittingProfile(request, slot) !== undefined);
    }
  }

  /** A new profile on a runner can only add admission: one test per cached class. */
  profileAdded(runnerSlot: number, profileSlot: number): void {
    this.changes.record(runnerSlot);
    for (const { request, runners } of this.cache.values()) {
      if (runners.has(runnerSlot) || !this.admits(request, profileSlot)) continue;
      runners.grow(this.runners.wordCount);
      runners.add(runnerSlot);
    }
  }

  /** The admitting profile of a runner with the smallest name, or undefined. */
  admittingProfile(request: SandboxRequest, runnerSlot: number): string | undefined {
    let best: string | undefined;
    for (const p of this.profiles.slotsOfRunner(runnerSlot)) {
      if (!this.admits(request, p)) continue;
      const name = this.profiles.profileAt(p).profileName;
      if (best === undefined || idBefore(name, best)) best = name;
    }
    return best;
  }

  /** Whether one profile admits a request: the conditions of the class comment, tested on the profile itself. */
  private admits(r: SandboxRequest, p: number): boolean {
    const profile = this.profiles.profileAt(p);
    return (
      this.profiles.bound.has(p) &&
      (r.profileName === undefined || profile.profileName === r.profileName) &&
      (r.gpuType === undefined || profile.supportedGpuTypes.includes(r.gpuType)) &&
      (r.architecture === undefined || profile.supportedArchitectures.includes(r.architecture)) &&
      (r.ingressMode === undefined || profile.ingressModes.includes(r.ingressMode)) &&
      (r.egressMode === undefined || profile.egressModes.includes(r.egressMode)) &&
      this.untypedGpuAdmits(r, p)
    );
  }

  private untypedGpuAdmits(request: SandboxRequest, profileSlot: number): boolean {
    if (request.gpuType !== undefined || request.gpuCount === 0) return true;
    const types = this.profiles.profileAt(profileSlot).supportedGpuTypes;
    const runnerTypes = this.runners.runnerAt(this.profiles.runnerSlot[profileSlot] as number).supportedGpuTypes;
    // A loop, not `some` with a closure: called per admitted profile when a class is worked out.
    for (let i = 0; i < types.length; i++) if (runnerTypes.includes(types[i] as string)) return true;
    return false;
  }
}

/** How many request classes the cache keeps. */
export const CLASSES = 1024;

/** The request class: the fields admission depends on, joined by NUL (JSON when a value holds one, then with no NUL). */
export function admissionKey(r: SandboxRequest): string {
  // Most requests name none of them: their two classes are worked out once.
  if (r.profileName === undefined && r.gpuType === undefined && r.architecture === undefined && r.ingressMode === undefined && r.egressMode === undefined) {
    return r.gpuCount > 0 ? ANY_GPU_CLASS : NO_GPU_CLASS;
  }
  return classKey(r);
}

function classKey(r: SandboxRequest): string {
  const fields = [r.profileName, r.gpuType, r.architecture, r.ingressMode, r.egressMode];
  let key = r.gpuType === undefined && r.gpuCount > 0 ? 'g' : '-';
  for (const f of fields) {
    if (f !== undefined && f.includes('\0')) return JSON.stringify([...fields, key]);
    key += f === undefined ? '\0-' : `\0=${f}`;
  }
  return key;
}

/** The profile-level conditions as a conjunction over profile slots; undefined when a value is unknown. */
function profileConjunction(p: ProfileTable, r: SandboxRequest): Conjunction | undefined {
  const must: Uint32Array[] = [p.live.words, p.bound.words];
  const known = addValueBitsets(must, [
    [r.profileName, p.name],
    [r.gpuType, p.gpuType],
    [r.architecture, p.architecture],
    [r.ingressMode, p.ingress],
    [r.egressMode, p.egress],
  ]);
  return known ? { must, bands: [] } : undefined;
}

const NO_GPU_CLASS = classKey({ cpuMillicores: 0, memoryBytes: 0, gpuCount: 0 });
const ANY_GPU_CLASS = classKey({ cpuMillicores: 0, memoryBytes: 0, gpuCount: 1 });
