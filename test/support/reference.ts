import type {
  Profile,
  ProfileFilter,
  RejectionReason,
  Runner,
  RunnerFilter,
  RunnerResources,
  SandboxRequest,
  Snapshot,
  Strategy,
} from '../../src/index.js';

/**
 * The brute-force reference: SPEC §2 and §4 written as plainly as possible, one runner at a
 * time, with no index. Every fast path of capmatch is compared against this.
 */

/** Code point order, written the slow, obvious way: compare arrays of code points. */
export function byString(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

export function refListRunners(s: Snapshot, f: RunnerFilter): Runner[] {
  const capacity = f.minAvailableCpuMillicores !== undefined || f.minAvailableMemoryBytes !== undefined || f.minAvailableGpuCount !== undefined;
  const out: Runner[] = [];
  for (const r of s.runners) {
    const profiles = s.profiles.filter((p) => p.runnerId === r.runnerId);
    if (f.runnerGroupId !== undefined && r.runnerGroupId !== f.runnerGroupId) continue;
    if (f.profileName !== undefined && !r.profileNames.includes(f.profileName)) continue;
    if (f.gpuType !== undefined && !r.supportedGpuTypes.includes(f.gpuType)) continue;
    if (f.architecture !== undefined && !r.supportedArchitectures.includes(f.architecture)) continue;
    if (f.ingressMode !== undefined && !profiles.some((p) => p.ingressModes.includes(f.ingressMode as string))) continue;
    if (f.egressMode !== undefined && !profiles.some((p) => p.egressModes.includes(f.egressMode as string))) continue;
    if (f.healthyOnly === true && !r.healthy) continue;
    if (f.excludeShared === true && r.isShared) continue;
    const res = r.resources;
    if (f.minAvailableCpuMillicores !== undefined && (!res || res.availableCpuMillicores < f.minAvailableCpuMillicores)) continue;
    if (f.minAvailableMemoryBytes !== undefined && (!res || res.availableMemoryBytes < f.minAvailableMemoryBytes)) continue;
    if (f.minAvailableGpuCount !== undefined && (!res || res.availableGpuCount < f.minAvailableGpuCount)) continue;
    out.push(f.includeResources === true || capacity ? r : { ...r, resources: null });
  }
  return out.sort((a, b) => byString(a.runnerId, b.runnerId));
}

export function refListProfiles(s: Snapshot, f: ProfileFilter): Profile[] {
  return s.profiles
    .filter(
      (p) =>
        (f.gpuType === undefined || p.supportedGpuTypes.includes(f.gpuType)) &&
        (f.architecture === undefined || p.supportedArchitectures.includes(f.architecture)) &&
        (f.runnerId === undefined || p.runnerId === f.runnerId) &&
        (f.excludeShared !== true || !s.runners.find((r) => r.runnerId === p.runnerId)?.isShared) &&
        (f.ingressMode === undefined || p.ingressModes.includes(f.ingressMode)) &&
        (f.egressMode === undefined || p.egressModes.includes(f.egressMode)),
    )
    .sort((a, b) => byString(a.runnerId, b.runnerId) || byString(a.profileName, b.profileName));
}

export function refGetProfile(s: Snapshot, name: string, runnerId?: string): Profile | undefined {
  return refListProfiles(s, runnerId === undefined ? {} : { runnerId }).find((p) => p.profileName === name);
}

/** Every reason a runner fails a request (SPEC §4), in a fixed order. */
export function refReasons(s: Snapshot, r: Runner, q: SandboxRequest): RejectionReason[] {
  const reasons: RejectionReason[] = [];
  const res = r.resources;
  if (!r.healthy) reasons.push('unhealthy');
  if (!res) reasons.push('unknownResources');
  else {
    const over = (requested: number, available: number, max: number) => available < requested || (max !== 0 && requested > max);
    if (over(q.cpuMillicores, res.availableCpuMillicores, r.maxCpuMillicores)) reasons.push('insufficientCpu');
    if (over(q.memoryBytes, res.availableMemoryBytes, r.maxMemoryBytes)) reasons.push('insufficientMemory');
    if (over(q.gpuCount, res.availableGpuCount, r.maxGpuCount)) reasons.push('insufficientGpu');
  }
  if (q.gpuType !== undefined ? !r.supportedGpuTypes.includes(q.gpuType) : q.gpuCount > 0 && r.supportedGpuTypes.length === 0) reasons.push('gpuType');
  if (q.architecture !== undefined && !r.supportedArchitectures.includes(q.architecture)) reasons.push('architecture');
  if (q.privileged === true && !r.supportsPrivileged) reasons.push('privileged');
  if (q.storageClass !== undefined && !r.availableStorageClasses.includes(q.storageClass)) reasons.push('storageClass');
  if (refAdmittingProfiles(s, r, q).length === 0) reasons.push('noAdmittingProfile');
  if (q.runnerGroupId !== undefined && r.runnerGroupId !== q.runnerGroupId) reasons.push('runnerGroup');
  if (q.runnerIds !== undefined && !q.runnerIds.includes(r.runnerId)) reasons.push('allowList');
  if (q.tags !== undefined && !q.tags.every((t) => r.tags.includes(t))) reasons.push('tags');
  return reasons;
}

/** Names of the profiles on `r` that admit `q`, ascending. */
export function refAdmittingProfiles(s: Snapshot, r: Runner, q: SandboxRequest): string[] {
  return s.profiles
    .filter(
      (p) =>
        p.runnerId === r.runnerId &&
        r.profileNames.includes(p.profileName) &&
        (q.profileName === undefined || p.profileName === q.profileName) &&
        (q.gpuType !== undefined
          ? p.supportedGpuTypes.includes(q.gpuType)
          : q.gpuCount === 0 || p.supportedGpuTypes.some((t) => r.supportedGpuTypes.includes(t))) &&
        (q.architecture === undefined || p.supportedArchitectures.includes(q.architecture)) &&
        (q.ingressMode === undefined || p.ingressModes.includes(q.ingressMode)) &&
        (q.egressMode === undefined || p.egressModes.includes(q.egressMode)),
    )
    .map((p) => p.profileName)
    .sort(byString);
}

/** (available, maximum, requested) per dimension: CPU, memory, GPU. */
function dimensionsOf(r: Runner, res: RunnerResources, q: SandboxRequest): ReadonlyArray<readonly [number, number, number]> {
  return [
    [res.availableCpuMillicores, r.maxCpuMillicores, q.cpuMillicores],
    [res.availableMemoryBytes, r.maxMemoryBytes, q.memoryBytes],
    [res.availableGpuCount, r.maxGpuCount, q.gpuCount],
  ];
}

/** The strategy scores, computed in the same order of operations as documented. */
export function refScore(strategy: Strategy, r: Runner, res: RunnerResources, q: SandboxRequest): number {
  const dims = dimensionsOf(r, res, q);
  if (strategy === 'firstFit') return 100;
  if (strategy === 'balanced') {
    const used = dims.filter(([a, m]) => (m > 0 ? m : a) > 0).map(([a, m, want]) => 1 - (a - want) / (m > 0 ? m : a));
    return used.length === 0 ? 100 : 100 * (1 - (Math.max(...used) - Math.min(...used)));
  }
  const withCapacity = dims.filter(([a, m]) => (m > 0 ? m : a) > 0);
  const requested = withCapacity.filter(([, , want]) => want > 0);
  const over = requested.length > 0 ? requested : withCapacity;
  let sum = 0;
  for (const [a, m, want] of over) sum += (a - want) / (m > 0 ? m : a);
  const spread = over.length === 0 ? 50 : (100 * sum) / over.length;
  return strategy === 'spread' ? spread : 100 - spread;
}

/** An exact rational score, `num / den` with den > 0, on the 0–100 scale. */
export interface Exact {
  readonly num: bigint;
  readonly den: bigint;
}

/** The strategy scores in exact rational arithmetic (BigInt), the definition ties are decided by. */
export function refExactScore(strategy: Strategy, r: Runner, res: RunnerResources, q: SandboxRequest): Exact {
  const dims = dimensionsOf(r, res, q);
  const norm = (num: bigint, den: bigint): Exact => (den < 0n ? { num: -num, den: -den } : { num, den });
  const free = ([a, m, want]: readonly [number, number, number]): Exact => norm(BigInt(a - want), BigInt(m > 0 ? m : a));
  const less = (x: Exact, y: Exact) => x.num * y.den < y.num * x.den;
  if (strategy === 'firstFit') return { num: 100n, den: 1n };
  const withCapacity = dims.filter(([a, m]) => (m > 0 ? m : a) > 0);
  if (strategy === 'balanced') {
    if (withCapacity.length === 0) return { num: 100n, den: 1n };
    const fs = withCapacity.map(free);
    const hi = fs.reduce((x, y) => (less(x, y) ? y : x));
    const lo = fs.reduce((x, y) => (less(y, x) ? y : x));
    // 100 × (1 − (hi − lo))
    const den = hi.den * lo.den;
    return norm(100n * (den - (hi.num * lo.den - lo.num * hi.den)), den);
  }
  const requested = withCapacity.filter(([, , want]) => want > 0);
  const over = requested.length > 0 ? requested : withCapacity;
  let sum: Exact = { num: 0n, den: 1n };
  for (const d of over) {
    const f = free(d);
    sum = norm(sum.num * f.den + f.num * sum.den, sum.den * f.den);
  }
  const spread = over.length === 0 ? { num: 50n, den: 1n } : norm(100n * sum.num, sum.den * BigInt(over.length));
  return strategy === 'spread' ? spread : norm(100n * spread.den - spread.num, spread.den);
}

const compareExact = (a: Exact, b: Exact) => {
  const d = a.num * b.den - b.num * a.den;
  return d > 0n ? 1 : d < 0n ? -1 : 0;
};

export interface RefPlacement {
  readonly fits: Array<{ runnerId: string; score: number }>;
  readonly best: { runnerId: string; score: number; profileName: string } | undefined;
  readonly reasons: Record<RejectionReason, number>;
  readonly failCounts: Map<string, number>;
}

export function refPlace(s: Snapshot, q: SandboxRequest, strategy: Strategy): RefPlacement {
  const reasons = {} as Record<RejectionReason, number>;
  const fits: Array<{ runnerId: string; score: number; exact: Exact }> = [];
  const failCounts = new Map<string, number>();
  for (const r of s.runners) {
    const failed = refReasons(s, r, q);
    failCounts.set(r.runnerId, failed.length);
    for (const reason of failed) reasons[reason] = (reasons[reason] ?? 0) + 1;
    if (failed.length === 0) {
      const res = r.resources as RunnerResources;
      fits.push({ runnerId: r.runnerId, score: refScore(strategy, r, res, q), exact: refExactScore(strategy, r, res, q) });
    }
  }
  // Exact scores decide the order; equal rationals are ties, broken by runnerId.
  fits.sort((a, b) => compareExact(b.exact, a.exact) || byString(a.runnerId, b.runnerId));
  const top = fits[0];
  const runner = top && s.runners.find((r) => r.runnerId === top.runnerId);
  const best = top && runner ? { runnerId: top.runnerId, score: top.score, profileName: refAdmittingProfiles(s, runner, q)[0] as string } : undefined;
  return { fits, best, reasons, failCounts };
}

export interface RefRejection {
  readonly code: 'NO_SUITABLE_RUNNER' | 'PROFILE_MISMATCH';
  readonly considered: number;
  readonly reasons: Record<RejectionReason, number>;
  readonly nearestMisses: Array<{ runnerId: string; reasons: RejectionReason[]; shortfall: { cpuMillicores: number; memoryBytes: number; gpuCount: number } | null }>;
}

/** The rejection SPEC §4 describes: code, every reason counted, the `n` nearest misses with shortfalls. */
export function refRejection(s: Snapshot, q: SandboxRequest, n: number): RefRejection {
  const all: RejectionReason[] = ['unhealthy', 'unknownResources', 'insufficientCpu', 'insufficientMemory', 'insufficientGpu', 'gpuType', 'architecture', 'privileged', 'storageClass', 'noAdmittingProfile', 'runnerGroup', 'allowList', 'tags'];
  const reasons = Object.fromEntries(all.map((r) => [r, 0])) as Record<RejectionReason, number>;
  const misses = s.runners.map((r) => {
    const failed = refReasons(s, r, q);
    for (const reason of failed) reasons[reason]++;
    const res = r.resources;
    const shortfall = res
      ? {
          cpuMillicores: Math.max(0, q.cpuMillicores - res.availableCpuMillicores),
          memoryBytes: Math.max(0, q.memoryBytes - res.availableMemoryBytes),
          gpuCount: Math.max(0, q.gpuCount - res.availableGpuCount),
        }
      : null;
    return { runnerId: r.runnerId, reasons: failed, shortfall };
  });
  misses.sort((a, b) => a.reasons.length - b.reasons.length || byString(a.runnerId, b.runnerId));
  return {
    code: q.profileName !== undefined ? 'PROFILE_MISMATCH' : 'NO_SUITABLE_RUNNER',
    considered: s.runners.length,
    reasons,
    nearestMisses: misses.slice(0, n),
  };
}
