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

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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

/** The strategy scores, computed in the same order of operations as documented. */
export function refScore(strategy: Strategy, r: Runner, res: RunnerResources, q: SandboxRequest): number {
  const dims = [
    [res.availableCpuMillicores, r.maxCpuMillicores, q.cpuMillicores],
    [res.availableMemoryBytes, r.maxMemoryBytes, q.memoryBytes],
    [res.availableGpuCount, r.maxGpuCount, q.gpuCount],
  ] as const;
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

export interface RefPlacement {
  readonly fits: Array<{ runnerId: string; score: number }>;
  readonly best: { runnerId: string; score: number; profileName: string } | undefined;
  readonly reasons: Record<RejectionReason, number>;
  readonly failCounts: Map<string, number>;
}

export function refPlace(s: Snapshot, q: SandboxRequest, strategy: Strategy): RefPlacement {
  const reasons = {} as Record<RejectionReason, number>;
  const fits: Array<{ runnerId: string; score: number }> = [];
  const failCounts = new Map<string, number>();
  for (const r of s.runners) {
    const failed = refReasons(s, r, q);
    failCounts.set(r.runnerId, failed.length);
    for (const reason of failed) reasons[reason] = (reasons[reason] ?? 0) + 1;
    if (failed.length === 0) fits.push({ runnerId: r.runnerId, score: refScore(strategy, r, r.resources as RunnerResources, q) });
  }
  fits.sort((a, b) => b.score - a.score || byString(a.runnerId, b.runnerId));
  const top = fits[0];
  const runner = top && s.runners.find((r) => r.runnerId === top.runnerId);
  const best = top && runner ? { ...top, profileName: refAdmittingProfiles(s, runner, q)[0] as string } : undefined;
  return { fits, best, reasons, failCounts };
}
