import type { Profile } from '../types.js';
import { Bitset } from './bitset.js';
import { ValueIndex } from './value-index.js';

const INITIAL_WORDS = 4;

/**
 * What a runner's profiles hold: their slots by name, and how many of them allow each ingress
 * and egress mode (the runner's mode unions are the modes counted above zero). Shared with a
 * fork until either side writes (see `mutableOf`).
 */
interface RunnerProfiles {
  readonly owner: object;
  readonly names: Map<string, number>;
  /**
   * For a runner with many profiles (from {@link COUNT_MODES_FROM} on), for each mode how many
   * profiles allow it as ingress plus 2^26 times how many allow it as egress, so that a change
   * costs its own profile; a runner with a few profiles has its unions worked out from them.
   */
  modes: Map<string, number> | undefined;
}

/**
 * Profiles in dense slots with one bitset per GPU type, architecture, ingress and egress mode
 * and profile name over profile slots. `bound` holds the profiles whose name is listed in their
 * runner's `profileNames` (only those can admit a sandbox).
 *
 * Every operation on one runner's profiles costs in proportion to that profile, not to how
 * many profiles the runner has: ten thousand profiles on one runner load in linear time.
 */
export class ProfileTable {
  wordCount: number;
  profiles: Array<Profile | undefined>;
  /** runnerId → its profiles. */
  private byRunner: Map<string, RunnerProfiles>;
  /** Entries of `byRunner` carrying this token are this table's own; others are shared with a clone. */
  private owner: object = {};
  /** The runner slot of each profile slot. */
  runnerSlot: Int32Array;
  private freeSlots: number[];
  private highWater: number;

  readonly live: Bitset;
  readonly bound: Bitset;
  /** Profiles whose runner is not shared: `excludeShared` ANDs this. */
  readonly unshared: Bitset;
  readonly name: ValueIndex;
  readonly gpuType: ValueIndex;
  readonly architecture: ValueIndex;
  readonly ingress: ValueIndex;
  readonly egress: ValueIndex;

  constructor(from?: ProfileTable) {
    const words = from ? from.wordCount : INITIAL_WORDS;
    this.wordCount = words;
    this.profiles = from ? from.profiles.slice() : [];
    this.byRunner = new Map(from?.byRunner);
    this.runnerSlot = from ? from.runnerSlot.slice() : new Int32Array(words * 32);
    this.freeSlots = from ? from.freeSlots.slice() : [];
    this.highWater = from ? from.highWater : 0;
    this.live = from ? from.live.clone() : new Bitset(words);
    this.bound = from ? from.bound.clone() : new Bitset(words);
    this.unshared = from ? from.unshared.clone() : new Bitset(words);
    this.name = new ValueIndex(words, from?.name);
    this.gpuType = new ValueIndex(words, from?.gpuType);
    this.architecture = new ValueIndex(words, from?.architecture);
    this.ingress = new ValueIndex(words, from?.ingress);
    this.egress = new ValueIndex(words, from?.egress);
  }

  clone(): ProfileTable {
    // From now on both sides share every runner's entry: each copies one before writing it.
    this.owner = {};
    return new ProfileTable(this);
  }

  /** A runner's entry, this table's own to write. */
  private mutableOf(runnerId: string): RunnerProfiles {
    const shared = this.byRunner.get(runnerId);
    if (shared?.owner === this.owner) return shared;
    const own: RunnerProfiles = {
      owner: this.owner,
      names: new Map(shared?.names),
      modes: shared?.modes ? new Map(shared.modes) : undefined,
    };
    this.byRunner.set(runnerId, own);
    return own;
  }

  /** Words that can hold a live slot. */
  get activeWords(): number {
    return (this.highWater + 31) >>> 5;
  }

  profileAt(slot: number): Profile {
    return this.profiles[slot] as Profile;
  }

  find(profileName: string, runnerId: string): number | undefined {
    return this.byRunner.get(runnerId)?.names.get(profileName);
  }

  /** Profile slots of a runner, by runnerId. */
  slotsOfRunner(runnerId: string): Iterable<number> {
    return this.byRunner.get(runnerId)?.names.values() ?? [];
  }

  /** How many profiles a runner has. */
  countOfRunner(runnerId: string): number {
    return this.byRunner.get(runnerId)?.names.size ?? 0;
  }

  /** The union of the ingress and egress modes of a runner's profiles. */
  modesOf(runnerId: string): { readonly ingress: readonly string[]; readonly egress: readonly string[] } {
    const entry = this.byRunner.get(runnerId);
    if (!entry) return { ingress: [], egress: [] };
    if (!entry.modes) {
      const ingress = new Set<string>();
      const egress = new Set<string>();
      for (const slot of entry.names.values()) {
        const p = this.profileAt(slot);
        for (const m of p.ingressModes) ingress.add(m);
        for (const m of p.egressModes) egress.add(m);
      }
      return { ingress: [...ingress], egress: [...egress] };
    }
    const ingress: string[] = [];
    const egress: string[] = [];
    for (const [mode, n] of entry.modes) {
      if (n % EGRESS !== 0) ingress.push(mode);
      if (n >= EGRESS) egress.push(mode);
    }
    return { ingress, egress };
  }

  private allocate(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.highWater++;
    if (slot >= this.wordCount * 32) {
      const words = Math.max(this.wordCount * 2, (slot >>> 5) + 1);
      this.wordCount = words;
      for (const b of [this.live, this.bound, this.unshared]) b.grow(words);
      for (const v of [this.name, this.gpuType, this.architecture, this.ingress, this.egress]) v.grow(words);
      const runnerSlot = new Int32Array(words * 32);
      runnerSlot.set(this.runnerSlot);
      this.runnerSlot = runnerSlot;
    }
    return slot;
  }

  /** Adds or replaces the profile (profileName, runnerId). */
  upsert(profile: Profile, runnerSlot: number, bound: boolean, shared: boolean): number {
    const existing = this.find(profile.profileName, profile.runnerId);
    const slot = existing ?? this.allocate();
    const entry = this.mutableOf(profile.runnerId);
    if (existing !== undefined) this.unindex(slot, this.profileAt(slot), entry);
    else {
      entry.names.set(profile.profileName, slot);
      this.live.add(slot);
    }
    if (entry.modes) {
      countModes(entry.modes, 1, profile.ingressModes, 1);
      countModes(entry.modes, EGRESS, profile.egressModes, 1);
    } else if (entry.names.size >= COUNT_MODES_FROM) {
      // From now on this runner's mode unions are counted (this profile is in `names` already).
      this.profiles[slot] = profile;
      const modes = new Map<string, number>();
      for (const s of entry.names.values()) {
        const p = this.profileAt(s);
        countModes(modes, 1, p.ingressModes, 1);
        countModes(modes, EGRESS, p.egressModes, 1);
      }
      entry.modes = modes;
    }
    this.profiles[slot] = profile;
    this.runnerSlot[slot] = runnerSlot;
    this.bound.assign(slot, bound);
    this.unshared.assign(slot, !shared);
    this.name.add(slot, profile.profileName);
    this.gpuType.addAll(slot, profile.supportedGpuTypes);
    this.architecture.addAll(slot, profile.supportedArchitectures);
    this.ingress.addAll(slot, profile.ingressModes);
    this.egress.addAll(slot, profile.egressModes);
    return slot;
  }

  private unindex(slot: number, profile: Profile, entry: RunnerProfiles): void {
    if (entry.modes) {
      countModes(entry.modes, 1, profile.ingressModes, -1);
      countModes(entry.modes, EGRESS, profile.egressModes, -1);
    }
    this.name.delete(slot, profile.profileName);
    this.gpuType.deleteAll(slot, profile.supportedGpuTypes);
    this.architecture.deleteAll(slot, profile.supportedArchitectures);
    this.ingress.deleteAll(slot, profile.ingressModes);
    this.egress.deleteAll(slot, profile.egressModes);
  }

  remove(slot: number): void {
    const profile = this.profileAt(slot);
    const entry = this.mutableOf(profile.runnerId);
    this.unindex(slot, profile, entry);
    this.live.delete(slot);
    this.bound.delete(slot);
    this.unshared.delete(slot);
    entry.names.delete(profile.profileName);
    if (entry.names.size === 0) this.byRunner.delete(profile.runnerId);
    this.profiles[slot] = undefined;
    this.freeSlots.push(slot);
  }

  /** After the runner changed: whether the profile is bound, and whether its runner is shared. */
  setRunnerState(slot: number, bound: boolean, shared: boolean): void {
    this.unshared.assign(slot, !shared);
    this.bound.assign(slot, bound);
  }
}

/** From this many profiles on, a runner's mode unions are counted rather than worked out. */
const COUNT_MODES_FROM = 32;

/** The unit of egress counts in a runner's mode map (ingress counts stay below it). */
const EGRESS = 2 ** 26;

/** Adds (1) or takes away (-1) one profile's modes of one kind (`unit` 1: ingress; EGRESS: egress). */
function countModes(counts: Map<string, number>, unit: number, modes: readonly string[], sign: 1 | -1): void {
  for (const mode of modes) {
    const n = (counts.get(mode) ?? 0) + sign * unit;
    if (n === 0) counts.delete(mode);
    else counts.set(mode, n);
  }
}
