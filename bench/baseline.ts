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
    this.runners = [...snapshot.runners].sort((a, b) => compareCodePoints(a.runnerId, b.runnerId));
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

  /**
   * Scans every runner, scores every fit with the documented formulas in one pass, keeps the
   * best; scores within 1e-9 are compared exactly (BigInt), ties go to the smaller runnerId.
   */
  place(q: SandboxRequest, strategy: Strategy): string | undefined {
    let best: string | undefined;
    let bestScore = -Infinity;
    let bestFractions: Fraction[] = [];
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
      if (strategy === 'firstFit') return r.runnerId;
      const fractions: Fraction[] = [];
      for (const [a, m, want] of [[free.cpu, r.maxCpuMillicores, q.cpuMillicores], [free.mem, r.maxMemoryBytes, q.memoryBytes], [free.gpu, r.maxGpuCount, q.gpuCount]] as const) {
        const capacity = m > 0 ? m : a;
        if (capacity > 0) fractions.push([a - want, capacity, want > 0]);
      }
      const score = scoreOf(strategy, fractions);
      const d = score - bestScore;
      // Runners come in runnerId order: a tie keeps the earlier one.
      if (d > 1e-9 || (d >= -1e-9 && exactlyGreater(strategy, fractions, bestFractions))) {
        bestScore = score;
        best = r.runnerId;
        bestFractions = fractions;
      }
    }
    return best;
  }
}

/** A free fraction after placing, (available − requested) / capacity, and whether it was requested. */
type Fraction = readonly [number, number, boolean];

function scoreOf(strategy: Strategy, fractions: readonly Fraction[]): number {
  if (strategy === 'balanced') {
    if (fractions.length === 0) return 100;
    const f = fractions.map(([n, d]) => n / d);
    return 100 * (1 - (Math.max(...f) - Math.min(...f)));
  }
  const requested = fractions.filter((f) => f[2]);
  const over = requested.length > 0 ? requested : fractions;
  let sum = 0;
  for (const [n, d] of over) sum += n / d;
  const spread = over.length === 0 ? 50 : (100 * sum) / over.length;
  return strategy === 'binpack' ? 100 - spread : spread;
}

/** Exact score as a BigInt fraction [num, den], den > 0. */
function exactOf(strategy: Strategy, fractions: readonly Fraction[]): [bigint, bigint] {
  const fs = fractions.map(([n, d]): [bigint, bigint] => [BigInt(n), BigInt(d)]);
  const less = (a: [bigint, bigint], b: [bigint, bigint]) => a[0] * b[1] < b[0] * a[1];
  if (strategy === 'balanced') {
    if (fs.length === 0) return [1n, 1n];
    const hi = fs.reduce((a, b) => (less(a, b) ? b : a));
    const lo = fs.reduce((a, b) => (less(b, a) ? b : a));
    const den = hi[1] * lo[1];
    return [den - (hi[0] * lo[1] - lo[0] * hi[1]), den];
  }
  const requested = fractions.filter((f) => f[2]).length > 0 ? fs.filter((_, i) => (fractions[i] as Fraction)[2]) : fs;
  if (requested.length === 0) return [1n, 2n];
  let num = 0n;
  let den = 1n;
  for (const [n, d] of requested) {
    num = num * d + n * den;
    den *= d;
  }
  den *= BigInt(requested.length);
  return strategy === 'binpack' ? [den - num, den] : [num, den];
}

function exactlyGreater(strategy: Strategy, a: readonly Fraction[], b: readonly Fraction[]): boolean {
  const [an, ad] = exactOf(strategy, a);
  const [bn, bd] = exactOf(strategy, b);
  return an * bd > bn * ad;
}

/** Code point order, the slow obvious way. */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}
