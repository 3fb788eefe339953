import { throwIfViolations } from '../errors.js';
import { isRecord, type Violations } from '../snapshot/fields.js';
import { quote } from '../quote.js';
import { readProfile, readResources, readRunner } from '../snapshot/parse.js';
import type { Profile, Runner, RunnerResources } from '../types.js';

/** A change after validation: values normalised to the camelCase model. */
export type ValidChange =
  | { readonly type: 'upsertRunner'; readonly runner: Runner }
  | { readonly type: 'removeRunner'; readonly runnerId: string }
  | { readonly type: 'setResources'; readonly runnerId: string; readonly resources: RunnerResources | null }
  | { readonly type: 'setHealthy'; readonly runnerId: string; readonly healthy: boolean }
  | { readonly type: 'upsertProfile'; readonly profile: Profile }
  | { readonly type: 'removeProfile'; readonly profileName: string; readonly runnerId: string };

/** What the batch validator needs to know of the catalog as it stands. */
export interface CatalogView {
  runner(runnerId: string): Runner | undefined;
  hasProfile(profileName: string, runnerId: string): boolean;
}

const ENVELOPE: Readonly<Record<string, readonly string[]>> = {
  upsertRunner: ['runner'],
  removeRunner: ['runnerId'],
  setResources: ['runnerId', 'resources'],
  setHealthy: ['runnerId', 'healthy'],
  upsertProfile: ['profile'],
  removeProfile: ['profileName', 'runnerId'],
};

/**
 * Validates a whole batch against the catalog as each change would find it (a runner upserted
 * earlier in the batch exists for the changes after it; one removed does not, nor do its
 * profiles). Throws one DiscoveryValidationError naming every violation, so that a failing
 * batch changes nothing.
 */
export function validateChanges(changes: unknown, current: CatalogView): ValidChange[] {
  if (!Array.isArray(changes)) throwIfViolations('apply', [{ field: 'changes', description: 'must be a list of changes' }]);
  return new BatchValidator(current).validate(changes as unknown[]);
}

/** Validates one batch; the overlay maps exist only once a change needs them. */
class BatchValidator {
  readonly violations: Violations = [];
  readonly out: ValidChange[] = [];
  /** Runners upserted (or removed: null) by earlier changes of the batch. */
  private runners: Map<string, Runner | null> | undefined;
  /** Profiles upserted (true) or removed (false) by earlier changes, by runnerId then profileName. */
  private profiles: Map<string, Map<string, boolean>> | undefined;
  /** Runners removed by the batch: their profiles went with them. */
  private removedRunners: Set<string> | undefined;

  constructor(private readonly current: CatalogView) {}

  validate(list: readonly unknown[]): ValidChange[] {
    for (let i = 0; i < list.length; i++) this.validateOne(list[i], i);
    throwIfViolations('apply', this.violations);
    return this.out;
  }

  private runnerOf(id: string): Runner | undefined {
    const overlay = this.runners?.get(id);
    return overlay === null ? undefined : (overlay ?? this.current.runner(id));
  }

  private profileExists(name: string, runnerId: string): boolean {
    const overlay = this.profiles?.get(runnerId)?.get(name);
    if (overlay !== undefined) return overlay;
    return this.removedRunners?.has(runnerId) ? false : this.current.hasProfile(name, runnerId);
  }

  private noteProfile(profileName: string, runnerId: string, exists: boolean): void {
    const profiles = (this.profiles ??= new Map());
    let names = profiles.get(runnerId);
    if (!names) {
      names = new Map();
      profiles.set(runnerId, names);
    }
    names.set(profileName, exists);
  }

  /** The runner a change's `runnerId` names, as the batch has left it; records a violation when there is none. */
  private existingRunner(change: Readonly<Record<string, unknown>>, path: string): Runner | undefined {
    const runnerId = this.idAt(change, 'runnerId', path);
    if (runnerId === undefined) return undefined;
    const runner = this.runnerOf(runnerId);
    if (!runner) this.violations.push({ field: `${path}.runnerId`, description: `names an unknown runner ${quote(runnerId)}` });
    return runner;
  }

  private idAt(record: Readonly<Record<string, unknown>>, key: string, path: string): string | undefined {
    const v = record[key];
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.violations.push({ field: `${path}.${key}`, description: v === undefined ? 'is required' : `must be a non-blank string, got ${quote(v)}` });
    return undefined;
  }

  private validateOne(change: unknown, i: number): void {
    const { violations, out } = this;
    const runnerOf = (id: string) => this.runnerOf(id);
    const idAt = (record: Readonly<Record<string, unknown>>, key: string, path: string) => this.idAt(record, key, path);
    const path = `changes[${i}]`;
    if (!isRecord(change)) {
      violations.push({ field: path, description: 'must be an object' });
      return;
    }
    const type = change.type;
    const fields = typeof type === 'string' && Object.hasOwn(ENVELOPE, type) ? ENVELOPE[type] : undefined;
    if (fields === undefined) {
      violations.push({ field: `${path}.type`, description: `must be one of ${Object.keys(ENVELOPE).join(', ')}, got ${quote(type)}` });
      return;
    }
    for (const key of Object.keys(change)) {
      if (key !== 'type' && !fields.includes(key)) violations.push({ field: `${path}.${key}`, description: `is not a field of ${String(type)}` });
    }
    switch (type) {
      case 'upsertRunner': {
        const runner = readRunner(change.runner, `${path}.runner`, violations);
        if (!runner) return;
        (this.runners ??= new Map()).set(runner.runnerId, runner);
        out.push({ type, runner });
        return;
      }
      case 'removeRunner': {
        const runner = this.existingRunner(change, path);
        if (runner) {
          const runnerId = runner.runnerId;
          (this.runners ??= new Map()).set(runnerId, null);
          (this.removedRunners ??= new Set()).add(runnerId);
          this.profiles?.delete(runnerId);
          out.push({ type, runnerId });
        }
        return;
      }
      case 'setResources': {
        const runner = this.existingRunner(change, path);
        if (!runner) return;
        const runnerId = runner.runnerId;
        if (!Object.hasOwn(change, 'resources')) {
          violations.push({ field: `${path}.resources`, description: 'is required (null for unknown)' });
          return;
        }
        const before = violations.length;
        const resources = readResources(change.resources, `${path}.resources`, violations, {
          cpu: runner.maxCpuMillicores,
          memory: runner.maxMemoryBytes,
          gpu: runner.maxGpuCount,
        });
        if (violations.length === before) out.push({ type, runnerId, resources });
        return;
      }
      case 'setHealthy': {
        const runner = this.existingRunner(change, path);
        if (!runner) return;
        const runnerId = runner.runnerId;
        if (typeof change.healthy !== 'boolean') {
          violations.push({ field: `${path}.healthy`, description: `must be a boolean, got ${quote(change.healthy)}` });
          return;
        }
        out.push({ type, runnerId, healthy: change.healthy });
        return;
      }
      case 'upsertProfile': {
        const profile = readProfile(change.profile, `${path}.profile`, violations);
        if (!profile) return;
        if (!runnerOf(profile.runnerId)) {
          violations.push({ field: `${path}.profile.runnerId`, description: `names an unknown runner ${quote(profile.runnerId)}` });
          return;
        }
        this.noteProfile(profile.profileName, profile.runnerId, true);
        out.push({ type, profile });
        return;
      }
      case 'removeProfile': {
        const profileName = idAt(change, 'profileName', path);
        const runnerId = idAt(change, 'runnerId', path);
        if (profileName === undefined || runnerId === undefined) return;
        if (!runnerOf(runnerId) || !this.profileExists(profileName, runnerId)) {
          violations.push({ field: `${path}.profileName`, description: `names an unknown profile ${quote(profileName)} on runner ${quote(runnerId)}` });
          return;
        }
        this.noteProfile(profileName, runnerId, false);
        out.push({ type, profileName, runnerId });
        return;
      }
    }
  }
}
