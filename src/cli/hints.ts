import type { Catalog } from '../matcher/catalog.js';
import type { SandboxRequest } from '../types.js';

/**
 * Hints for a rejected request: each asked value that nothing in the fleet has, with the known
 * values that are close ("did you mean H100?") or, failing that, a few known ones.
 */
export function hints(catalog: Catalog, request: SandboxRequest): string[] {
  const runners = catalog.listRunners();
  const profiles = catalog.listProfiles();
  const checks: Array<[string, string | undefined, () => Iterable<string>]> = [
    ['GPU type', request.gpuType, () => runners.flatMap((r) => r.supportedGpuTypes)],
    ['architecture', request.architecture, () => runners.flatMap((r) => r.supportedArchitectures)],
    ['profile named', request.profileName, () => profiles.map((p) => p.profileName)],
    ['ingress mode', request.ingressMode, () => profiles.flatMap((p) => p.ingressModes)],
    ['egress mode', request.egressMode, () => profiles.flatMap((p) => p.egressModes)],
    ['storage class', request.storageClass, () => runners.flatMap((r) => r.availableStorageClasses)],
    ['runner group', request.runnerGroupId, () => runners.map((r) => r.runnerGroupId)],
    ...(request.tags ?? []).map((tag): [string, string, () => Iterable<string>] => ['tag', tag, () => runners.flatMap((r) => r.tags)]),
    ...(request.runnerIds ?? []).map((id): [string, string, () => Iterable<string>] => ['runner id', id, () => runners.map((r) => r.runnerId)]),
  ];
  const out: string[] = [];
  for (const [what, value, known] of checks) {
    if (value === undefined) continue;
    const values = new Set(known());
    if (values.has(value)) continue;
    out.push(`no runner has a ${what} '${value}'${suggest(value, values)}`);
  }
  return out;
}

/** `; did you mean 'H100'?` for the close known values, else `; known: a, b, c`, else nothing. */
export function suggest(value: string, known: Iterable<string>): string {
  const all = [...new Set(known)];
  if (all.length === 0) return '';
  const lower = value.toLowerCase();
  const limit = Math.max(1, Math.floor(value.length / 4));
  const close = all
    .map((k) => ({ k, d: k.toLowerCase() === lower ? 0 : distance(k.toLowerCase(), lower) }))
    .filter((c) => c.d <= limit)
    .sort((a, b) => a.d - b.d)
    .filter((c, _, sorted) => c.d === (sorted[0] as { d: number }).d || (sorted[0] as { d: number }).d > 0)
    .map((c) => c.k);
  if (close.length > 0) return `; did you mean ${close.slice(0, 3).map((k) => `'${k}'`).join(' or ')}?`;
  const shown = all.slice(0, 8).map((k) => `'${k}'`);
  return `; known: ${shown.join(', ')}${all.length > 8 ? `, … (${all.length} in all)` : ''}`;
}

/** Levenshtein distance, for short identifiers. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
