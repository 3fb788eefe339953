import type { Profile } from '../types.js';
import { Bitset } from './bitset.js';
import { ValueIndex } from './value-index.js';

const INITIAL_WORDS = 4;

/**
 * Profiles in dense slots with one bitset per GPU type, architecture, ingress and egress mode
 * and profile name over profile slots. `bound` holds the profiles whose name is listed in their
 * runner's `profileNames` (only those can admit a sandbox).
 */
export class ProfileTable {
  wordCount: number;
  profiles: Array<Profile | undefined>;
  /** runnerId → profileName → slot. */
  slotOf: Map<string, ReadonlyMap<string, number>>;
  /** The runner slot of each profile slot. */
  runnerSlot: Int32Array;
  private freeSlots: number[];
  private highWater: number;

  readonly live: Bitset;
  readonly bound: Bitset;
  readonly name: ValueIndex;
  readonly gpuType: ValueIndex;
  readonly architecture: ValueIndex;
  readonly ingress: ValueIndex;
  readonly egress: ValueIndex;

  constructor(from?: ProfileTable) {
    const words = from ? from.wordCount : INITIAL_WORDS;
    this.wordCount = words;
    this.profiles = from ? from.profiles.slice() : [];
    this.slotOf = new Map(from?.slotOf);
    this.runnerSlot = from ? from.runnerSlot.slice() : new Int32Array(words * 32);
    this.freeSlots = from ? from.freeSlots.slice() : [];
    this.highWater = from ? from.highWater : 0;
    this.live = from ? from.live.clone() : new Bitset(words);
    this.bound = from ? from.bound.clone() : new Bitset(words);
    this.name = new ValueIndex(words, from?.name);
    this.gpuType = new ValueIndex(words, from?.gpuType);
    this.architecture = new ValueIndex(words, from?.architecture);
    this.ingress = new ValueIndex(words, from?.ingress);
    this.egress = new ValueIndex(words, from?.egress);
  }

  clone(): ProfileTable {
    return new ProfileTable(this);
  }

  /** Words that can hold a live slot. */
  get activeWords(): number {
    return (this.highWater + 31) >>> 5;
  }

  profileAt(slot: number): Profile {
    return this.profiles[slot] as Profile;
  }

  find(profileName: string, runnerId: string): number | undefined {
    return this.slotOf.get(runnerId)?.get(profileName);
  }

  /** Profile slots of a runner, by runnerId. */
  slotsOfRunner(runnerId: string): Iterable<number> {
    return this.slotOf.get(runnerId)?.values() ?? [];
  }

  private allocate(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.highWater++;
    if (slot >= this.wordCount * 32) {
      const words = Math.max(this.wordCount * 2, (slot >>> 5) + 1);
      this.wordCount = words;
      for (const b of [this.live, this.bound]) b.grow(words);
      for (const v of [this.name, this.gpuType, this.architecture, this.ingress, this.egress]) v.grow(words);
      const runnerSlot = new Int32Array(words * 32);
      runnerSlot.set(this.runnerSlot);
      this.runnerSlot = runnerSlot;
    }
    return slot;
  }

  /** Adds or replaces the profile (profileName, runnerId). */
  upsert(profile: Profile, runnerSlot: number, bound: boolean): number {
    const existing = this.find(profile.profileName, profile.runnerId);
    const slot = existing ?? this.allocate();
    if (existing !== undefined) this.unindex(slot, this.profileAt(slot));
    else {
      // Maps per runner are replaced, never mutated, so a fork can share them.
      const names = new Map(this.slotOf.get(profile.runnerId));
      names.set(profile.profileName, slot);
      this.slotOf.set(profile.runnerId, names);
      this.live.add(slot);
    }
    this.profiles[slot] = profile;
    this.runnerSlot[slot] = runnerSlot;
    this.bound.assign(slot, bound);
    this.name.add(slot, profile.profileName);
    this.gpuType.addAll(slot, profile.supportedGpuTypes);
    this.architecture.addAll(slot, profile.supportedArchitectures);
    this.ingress.addAll(slot, profile.ingressModes);
    this.egress.addAll(slot, profile.egressModes);
    return slot;
  }

  private unindex(slot: number, profile: Profile): void {
    this.name.delete(slot, profile.profileName);
    this.gpuType.deleteAll(slot, profile.supportedGpuTypes);
    this.architecture.deleteAll(slot, profile.supportedArchitectures);
    this.ingress.deleteAll(slot, profile.ingressModes);
    this.egress.deleteAll(slot, profile.egressModes);
  }

  remove(slot: number): void {
    const profile = this.profileAt(slot);
    this.unindex(slot, profile);
    this.live.delete(slot);
    this.bound.delete(slot);
    const names = new Map(this.slotOf.get(profile.runnerId));
    names.delete(profile.profileName);
    if (names.size === 0) this.slotOf.delete(profile.runnerId);
    else this.slotOf.set(profile.runnerId, names);
    this.profiles[slot] = undefined;
    this.freeSlots.push(slot);
  }

  setBound(slot: number, bound: boolean): void {
    this.bound.assign(slot, bound);
  }
}
