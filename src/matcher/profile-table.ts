import { grown } from '../grown.js';
import type { Profile } from '../types.js';
import { Bitset } from './bitset.js';
import { Lists } from '../snapshot/lists.js';
import { ValueIndex } from './value-index.js';

const INITIAL_WORDS = 4;

/**
 * What a runner's profiles hold: their slots, by name once there are many, and how many of
 * them allow each ingress and egress mode (the runner's mode unions are the modes counted
 * above zero). Shared with a fork until either side writes (see `mutableOf`).
 */
interface RunnerProfiles {
  readonly owner: object;
  /** The runner's profile slots, in the order they were added. */
  readonly slots: number[];
  /** Name → slot, from {@link NAMES_FROM} profiles on (below, `slots` is searched). */
  names: Map<string, number> | undefined;
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
  /** Runner slot → its profiles (a runner's slot outlives its profiles: they go first). */
  private byRunner: Array<RunnerProfiles | undefined>;
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
  /** Runners' mode unions, shared between equal ones (see {@link unionOf}). */
  private readonly unions = new Lists();
  private readonly unionScratch: string[] = [];

  constructor(from?: ProfileTable) {
    const words = from ? from.wordCount : INITIAL_WORDS;
    this.wordCount = words;
    this.profiles = from ? from.profiles.slice() : [];
    this.byRunner = from ? from.byRunner.slice() : [];
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
  private mutableOf(runnerSlot: number): RunnerProfiles {
    const shared = this.byRunner[runnerSlot];
    if (shared?.owner === this.owner) return shared;
    const own: RunnerProfiles = {
      owner: this.owner,
      slots: shared ? shared.slots.slice() : [],
      names: shared?.names ? new Map(shared.names) : undefined,
      modes: shared?.modes ? new Map(shared.modes) : undefined,
    };
    // Filled up to the slot first: an index far past the end would turn the array into a dictionary.
    while (this.byRunner.length < runnerSlot) this.byRunner.push(undefined);
    this.byRunner[runnerSlot] = own;
    return own;
  }

  /** Words that can hold a live slot. */
  get activeWords(): number {
    return (this.highWater + 31) >>> 5;
  }

  profileAt(slot: number): Profile {
    return this.profiles[slot] as Profile;
  }

  /** The slot of the profile (profileName, the runner in `runnerSlot`), or undefined. */
  find(profileName: string, runnerSlot: number): number | undefined {
    const entry = this.byRunner[runnerSlot];
    return entry && this.slotNamed(entry, profileName);
  }

  private slotNamed(entry: RunnerProfiles, profileName: string): number | undefined {
    if (entry.names) return entry.names.get(profileName);
    for (const slot of entry.slots) if (this.profileAt(slot).profileName === profileName) return slot;
    return undefined;
  }

  /** Profile slots of a runner, by its slot, in the order they were added. */
  slotsOfRunner(runnerSlot: number): readonly number[] {
    return this.byRunner[runnerSlot]?.slots ?? EMPTY_SLOTS;
  }

  /** Whether one of a runner's profiles is bound (listed in its `profileNames`): else no request can be admitted there. */
  anyBound(runnerSlot: number): boolean {
    const slots = this.slotsOfRunner(runnerSlot);
    for (let i = 0; i < slots.length; i++) if (this.bound.has(slots[i] as number)) return true;
    return false;
  }

  /** The union of the ingress and egress modes of a runner's profiles. */
  modesOf(runnerSlot: number): { readonly ingress: readonly string[]; readonly egress: readonly string[] } {
    const entry = this.byRunner[runnerSlot];
    if (!entry) return NO_MODES;
    if (!entry.modes) return { ingress: this.unionOf(entry.slots, false), egress: this.unionOf(entry.slots, true) };
    const ingress: string[] = [];
    const egress: string[] = [];
    for (const [mode, n] of entry.modes) {
      if (n % EGRESS !== 0) ingress.push(mode);
      if (n >= EGRESS) egress.push(mode);
    }
    return { ingress, egress };
  }

  /**
   * The union of the ingress (or egress) modes of some profiles, in order of first appearance,
   * as a frozen list shared with every equal union: worked out in a scratch array, so a union
   * seen before allocates nothing.
   */
  private unionOf(slots: readonly number[], egress: boolean): readonly string[] {
    // The scratch is written over by index, its first `n` items the union (setting an array's
    // length is a runtime call).
    const union = this.unionScratch;
    let n = 0;
    for (let i = 0; i < slots.length; i++) {
      const p = this.profileAt(slots[i] as number);
      const modes = egress ? p.egressModes : p.ingressModes;
      for (let j = 0; j < modes.length; j++) {
        const mode = modes[j] as string;
        let k = 0;
        while (k < n && union[k] !== mode) k++;
        if (k === n) union[n++] = mode;
      }
    }
    return this.unions.share(union, n);
  }

  private allocate(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.highWater++;
    if (slot >= this.wordCount * 32) this.grow(Math.max(this.wordCount * 2, (slot >>> 5) + 1));
    return slot;
  }

  /** Makes room for `slots` slots at once (a bulk load then never grows a structure twice). */
  makeRoom(slots: number): void {
    const words = (slots + 31) >>> 5;
    if (words > this.wordCount) this.grow(words);
    if (this.profiles.length < slots) this.profiles.length = slots;
  }

  private grow(words: number): void {
    this.wordCount = words;
    for (const b of [this.live, this.bound, this.unshared]) b.grow(words);
    for (const v of [this.name, this.gpuType, this.architecture, this.ingress, this.egress]) v.grow(words);
    this.runnerSlot = grown(this.runnerSlot, words * 32);
  }

  /** Adds or replaces the profile (profileName, runnerId); returns its slot. */
  upsert(profile: Profile, runnerSlot: number, bound: boolean, shared: boolean): number {
    const entry = this.mutableOf(runnerSlot);
    const existing = this.slotNamed(entry, profile.profileName);
    const slot = existing ?? this.allocate();
    if (existing !== undefined) this.unindex(slot, this.profileAt(slot), entry);
    else {
      entry.slots.push(slot);
      this.live.add(slot);
    }
    this.profiles[slot] = profile;
    if (entry.names) entry.names.set(profile.profileName, slot);
    else if (entry.slots.length >= NAMES_FROM) entry.names = new Map(entry.slots.map((s) => [this.profileAt(s).profileName, s]));
    if (entry.modes) {
      countModes(entry.modes, 1, profile.ingressModes, 1);
      countModes(entry.modes, EGRESS, profile.egressModes, 1);
    } else if (entry.slots.length >= COUNT_MODES_FROM) {
      // From now on this runner's mode unions are counted (this profile is in `slots` already).
      const modes = new Map<string, number>();
      for (const s of entry.slots) {
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
    const entry = this.mutableOf(this.runnerSlot[slot] as number);
    this.unindex(slot, profile, entry);
    this.live.delete(slot);
    this.bound.delete(slot);
    this.unshared.delete(slot);
    entry.names?.delete(profile.profileName);
    // From the end: a runner's profiles are removed newest first (see Catalog), at no cost.
    entry.slots.splice(entry.slots.lastIndexOf(slot), 1);
    if (entry.slots.length === 0) this.byRunner[this.runnerSlot[slot] as number] = undefined;
    this.profiles[slot] = undefined;
    this.freeSlots.push(slot);
  }

  /** After the runner changed: whether the profile is bound, and whether its runner is shared. */
  setRunnerState(slot: number, bound: boolean, shared: boolean): void {
    this.unshared.assign(slot, !shared);
    this.bound.assign(slot, bound);
  }
}

/** From this many profiles on, a runner's profiles are found by name in a map. */
const NAMES_FROM = 16;

const EMPTY_SLOTS: readonly number[] = Object.freeze([]);
const NO_MODES = Object.freeze({ ingress: Object.freeze([]) as readonly string[], egress: Object.freeze([]) as readonly string[] });

/** From this many profiles on, a runner's mode unions are counted rather than worked out. */
const COUNT_MODES_FROM = 32;

/** The unit of egress counts in a runner's mode map (ingress counts stay below it). */
const EGRESS = 2 ** 26;

/** Adds (1) or takes away (-1) one profile's modes of one kind (`unit` 1: ingress; EGRESS: egress). */
function countModes(counts: Map<string, number>, unit: number, modes: readonly string[], sign: 1 | -1): void {
  for (let i = 0; i < modes.length; i++) {
    const mode = modes[i] as string;
    const n = (counts.get(mode) ?? 0) + sign * unit;
    if (n === 0) counts.delete(mode);
    else counts.set(mode, n);
  }
}
