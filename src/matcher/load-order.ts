import { idOrder } from '../order.js';
import { IdMap } from './id-map.js';
import type { Runner } from '../types.js';

/** Where a snapshot's runners go: slot `s` holds `bySlot[s]`, in runnerId order. */
export interface RunnerSlots {
  readonly bySlot: readonly Runner[];
  /** runnerId → slot. */
  readonly slotOf: IdMap;
  /** Input index → slot; absent when every runner keeps its index. */
  readonly slotOfInput: Int32Array | undefined;
}

/**
 * Slots for runners in runnerId order: first-fit searches and id-ordered listings then run over
 * the leading words of the bitsets. Runners that come in that order keep their index as their
 * slot; others are sorted by id (see `idOrder`). `indexOf`, validation's id → input index map,
 * is rewritten id → slot rather than a second map built.
 */
export function runnerSlots(runners: readonly Runner[], ordered: boolean, indexOf: IdMap | undefined): RunnerSlots | undefined {
  if (ordered) return undefined;
  const ids = new Array<string>(runners.length);
  for (let i = 0; i < runners.length; i++) ids[i] = (runners[i] as Runner).runnerId;
  const inputs = idOrder(ids);
  const bySlot = new Array<Runner>(runners.length);
  const slotOfInput = new Int32Array(runners.length);
  for (let slot = 0; slot < inputs.length; slot++) {
    const input = inputs[slot] as number;
    bySlot[slot] = runners[input] as Runner;
    slotOfInput[input] = slot;
  }
  let map = indexOf;
  if (map) map.remap(slotOfInput);
  else {
    map = new IdMap(runners.length);
    for (let slot = 0; slot < bySlot.length; slot++) map.set((bySlot[slot] as Runner).runnerId, slot);
  }
  return { bySlot, slotOf: map, slotOfInput };
}

/** Each profile's runner slot, and the order to add the profiles in. */
export interface ProfileOrder {
  readonly slotOf: Int32Array;
  /** Profile indices grouped by runner slot (stable); absent when each runner's come together. */
  readonly order: Int32Array | undefined;
}

/**
 * The profiles' runner slots (from their runners' input indices), and, unless each runner's
 * profiles come together already (in any order of runners), the order that groups them: a
 * counting sort by slot, so that each runner's profiles are added together (its entries
 * written once) rather than all over the table for profiles listed in random order.
 */
export function profileOrder(runnerOf: Int32Array, slotOfInput: Int32Array | undefined, profiles: number, runners: number): ProfileOrder {
  let slotOf = runnerOf;
  if (slotOfInput) {
    slotOf = new Int32Array(profiles);
    for (let i = 0; i < profiles; i++) slotOf[i] = slotOfInput[runnerOf[i] as number] as number;
  }
  if (together(slotOf, profiles, runners)) return { slotOf, order: undefined };
  const start = new Int32Array(runners + 1);
  for (let i = 0; i < profiles; i++) {
    const next = (slotOf[i] as number) + 1;
    start[next] = (start[next] as number) + 1;
  }
  for (let s = 0; s < runners; s++) start[s + 1] = (start[s + 1] as number) + (start[s] as number);
  const order = new Int32Array(profiles);
  for (let i = 0; i < profiles; i++) {
    const slot = slotOf[i] as number;
    const at = start[slot] as number;
    order[at] = i;
    start[slot] = at + 1;
  }
  return { slotOf, order };
}

/** Whether the first `n` slots come in runs, one per slot: no slot again after another. */
function together(slotOf: Int32Array, n: number, slots: number): boolean {
  let left: Uint8Array | undefined;
  for (let i = 1; i < n; i++) {
    const before = slotOf[i - 1] as number;
    const slot = slotOf[i] as number;
    if (slot === before) continue;
    left ??= new Uint8Array(slots);
    left[before] = 1;
    if (left[slot] === 1) return false;
  }
  return true;
}
