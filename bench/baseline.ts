import type { Profile, ProfileFilter, Runner, RunnerFilter, SandboxRequest, Snapshot, Strategy } from 'capmatch';

/**
 * The brute-force baseline the benchmarks measure against: a linear scan over runner objects,
 * given the cheap preprocessing any scan would do (profiles grouped by runner, mode unions as
 * sets) so that the comparison is with a sensible scan, not a strawman.
 */
export class ScanFleet {
  private readonly runners: Runner[];
  private readonly profiles: readonly Profile[];
  private readonly byRunner = new Map<string, Profile[]>();
  private readonly ingress = new Map<string, Set<string>>();
  private readonly egress = new Map<string, Set<string>>();
  /** Live free capacity by runnerId, as placement scans see it. */
  readonly free = new Map<string, { cpu: number; mem: number; gpu: number }>();

  constructor(snapshot: Snapshot) {
    this.runners = [...snapshot.runners].sort((a, b) => (a.runnerId < b.runnerId ? -1 : a.runnerId > b.runnerId ? 1 : 0));
    this.profiles = snapshot.profiles;
    for (const p of snapshot.profiles) {
      (this.byRunner.get(p.runnerId) ?? this.byRunner.set(p.runnerId, []).get(p.runnerId))?.push(p);
      const i = this.ingress.get(p.runnerId) ?? this.ingress.set(p.runnerId, new Set()).get(p.runnerId);
      for (const m of p.ingressModes) i?.add(m);
      const e = this.egress.get(p.runnerId) ?? this.egress.set(p.runnerId, new Set()).get(p.runnerId);
      for (const m of p.egressModes) e?.add(m);
    }
    for (const r of this.runners) {
      if (r.resources) this.free.set(r.runnerId, { cpu: r.resources.availableCpuMillicores, mem: r.resources.availableMemoryBytes, gpu: r.resources.availableGpuCount });
    }
  }

  private matches(r: Runner, f: RunnerFilter): boolean {
    if (f.runnerGroupId !== undefined && r.runnerGroupId !== f.runnerGroupId) return false;
    if (f.profileName !== undefined && !r.profileNames.includes(f.profileName)) return false;
    if (f.gpuType !== undefined && !r.supportedGpuTypes.includes(f.gpuType)) return false;
    if (f.architecture !== undefined && !r.supportedArchitectures.includes(f.architecture)) return false;
    if (f.ingressMode !== undefined && !this.ingress.get(r.runnerId)?.has(f.ingressMode)) return false;
    if (f.egressMode !== undefined && !this.egress.get(r.runnerId)?.has(f.egressMode)) return false;
    if (f.healthyOnly === true && !r.healthy) return false;
    const res = r.resources;
    if (f.minAvailableCpuMillicores !== undefined && (!res || res.availableCpuMillicores < f.minAvailableCpuMillicores)) return false;
    if (f.minAvailableMemoryBytes !== undefined && (!res || res.availableMemoryBytes < f.minAvailableMemoryBytes)) return false;
    if (f.minAvailableGpuCount !== undefined && (!res || res.availableGpuCount < f.minAvailableGpuCount)) return false;
    return true;
  }

  countRunners(f: RunnerFilter): number {
    let n = 0;
    for (const r of this.runners) if (this.matches(r, f)) n++;
    return n;
  }

  listRunners(f: RunnerFilter): Runner[] {
    const out: Runner[] = [];
    for (const r of this.runners) if (this.matches(r, f)) out.push(f.includeResources ? r : { ...r, resources: null });
    return out;
  }

  countProfiles(f: ProfileFilter): number {
    let n = 0;
    for (const p of this.profiles) {
      if (f.gpuType !== undefined && !p.supportedGpuTypes.includes(f.gpuType)) continue;
      if (f.architecture !== undefined && !p.supportedArchitectures.includes(f.architecture)) continue;
      if (f.runnerId !== undefined && p.runnerId !== f.runnerId) continue;
      if (f.ingressMode !== undefined && !p.ingressModes.includes(f.ingressMode)) continue;
      if (f.egressMode !== undefined && !p.egressModes.includes(f.egressMode)) continue;
      n++;
    }
    return n;
  }

  private admits(r: Runner, q: SandboxRequest): boolean {
    for (const p of this.byRunner.get(r.runnerId) ?? []) {
      if (!r.profileNames.includes(p.profileName)) continue;
      if (q.profileName !== undefined && p.profileName !== q.profileName) continue;
      if (q.gpuType !== undefined ? !p.supportedGpuTypes.includes(q.gpuType) : q.gpuCount > 0 && !p.supportedGpuTypes.some((t) => r.supportedGpuTypes.includes(t))) continue;
      if (q.architecture !== undefined && !p.supportedArchitectures.includes(q.architecture)) continue;
      if (q.ingressMode !== undefined && !p.ingressModes.includes(q.ingressMode)) continue;
      if (q.egressMode !== undefined && !p.egressModes.includes(q.egressMode)) continue;
      return true;
    }
    return false;
  }

  /** Scans every runner, scores every fit with the same formulas, keeps the best. */
  place(q: SandboxRequest, strategy: Strategy): string | undefined {
    let best: string | undefined;
    let bestScore = -Infinity;
    for (const r of this.runners) {
      const free = this.free.get(r.runnerId);
      if (!r.healthy || !free) continue;
      if (free.cpu < q.cpuMillicores || free.mem < q.memoryBytes || free.gpu < q.gpuCount) continue;
      if (q.gpuType !== undefined ? !r.supportedGpuTypes.includes(q.gpuType) : q.gpuCount > 0 && r.supportedGpuTypes.length === 0) continue;
      if (q.architecture !== undefined && !r.supportedArchitectures.includes(q.architecture)) continue;
      if (q.privileged === true && !r.supportsPrivileged) continue;
      if (q.storageClass !== undefined && !r.availableStorageClasses.includes(q.storageClass)) continue;
      if (q.runnerGroupId !== undefined && r.runnerGroupId !== q.runnerGroupId) continue;
      if (q.runnerIds !== undefined && !q.runnerIds.includes(r.runnerId)) continue;
      if (q.tags !== undefined && !q.tags.every((t) => r.tags.includes(t))) continue;
      if (!this.admits(r, q)) continue;
      let score = 100;
      if (strategy !== 'firstFit') {
        let sum = 0;
        let n = 0;
        for (const [a, m, want] of [[free.cpu, r.maxCpuMillicores, q.cpuMillicores], [free.mem, r.maxMemoryBytes, q.memoryBytes], [free.gpu, r.maxGpuCount, q.gpuCount]] as const) {
          const capacity = m > 0 ? m : a;
          if (capacity > 0 && want > 0) {
            sum += (a - want) / capacity;
            n++;
          }
        }
        const spread = n > 0 ? (100 * sum) / n : 50;
        score = strategy === 'binpack' ? 100 - spread : spread;
      }
      if (score > bestScore) {
        bestScore = score;
        best = r.runnerId;
      }
      if (strategy === 'firstFit') break;
    }
    return best;
  }
}
