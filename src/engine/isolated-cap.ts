/**
 * One key's cap edited: the spend part's new result from a kept one and that key's requests
 * simulated alone (src/engine/parts.ts asks).
 *
 * A key's cap and per-key throttles count only the key's own requests, so a new cap can change
 * the rest of the spend part through one channel: the workspace spend limits, which every request
 * and programmatic run counts toward. When the kept result's spend limits never refused and, with
 * all the spend the key may newly get admitted added, still cannot, no other event is decided
 * differently (the first check to go another way would have to be a spend limit's, and none can
 * reach its amount). Then the key's requests are simulated alone (a few thousand instead of every
 * request and run), put in place of its old decisions, and what the spend limits show (their
 * charts, peaks and the bound their checks stayed within) is counted again from the admissions,
 * which are all known. Otherwise the caller simulates the part as before.
 */
import type { EventColumns } from './events.ts';
import { EventType } from './events.ts';
import { resolvePlan, type Plan, type ResolvedPlan } from './plan.ts';
import { SpendLimits } from './limits/spend-limit.ts';
import { Outcome, type SimulationResult, type Timeline } from './result.ts';
import { largestSpendCost, simulate } from './simulate.ts';
import { asMicros, DAY } from './units.ts';

/** What a kept spend result knows beyond its fields, found once and handed on to its patched successors. */
interface Index {
  /** the part's API requests by key (entity), each key's in processing order: CSR offsets and positions */
  offsets: Int32Array;
  positions: Uint32Array;
  /** every admission, by time: its time, cost and key (-1: a programmatic run) */
  admitted: { time: Float64Array; cost: Float64Array; key: Int32Array };
  /** the largest cost a spend limit could be asked (`largestSpendCost`) */
  maxCost: number;
}

const indexes = new WeakMap<SimulationResult, Index>();

export interface SpendPart {
  events: EventColumns;
  order: Uint32Array | null;
}

export interface CapRun {
  /** the part's plan as simulated (names left out), and the options its results were made with */
  plan: Plan;
  horizon: number;
  timelineBuckets: number | undefined;
  timelineStart: number;
}

export interface PatchedSpend {
  result: SimulationResult;
  /** the key's requests and the kept result's positions of them: the tallies are patched from these */
  key: number;
  positions: Uint32Array;
}

/**
 * The spend part's result for `run.plan`, which differs from `kept`'s only in the cap of key `k`;
 * null when the key cannot be simulated alone (a spend limit refused, or could now).
 */
export function patchKeyCap(part: SpendPart, kept: SimulationResult, run: CapRun, k: number): PatchedSpend | null {
  const index = indexOf(part, kept);
  const from = index.offsets[k];
  const to = index.offsets[k + 1];
  const positions = index.positions.subarray(from, to);
  const whole = resolvePlan(run.plan);
  const amounts = whole.spendLimits.map((l) => l.amountMicros);
  const plusCost = whole.capCheckPlusCost;
  const passes = (seen: number, limit: number): boolean => (plusCost ? seen <= limit : seen < limit);
  // the kept run's spend limits never refused: else other events could change with the key's spend
  for (let j = 0; j < amounts.length; j++) if (!passes(kept.checked.spendLimits[j], amounts[j])) return null;

  const alone = simulateKey(part.events, positions, run, run.plan.apiKeys[k]);
  let newlyAdmitted = 0;
  for (let i = 0; i < positions.length; i++) {
    if (alone.outcome[i] === Outcome.admitted && kept.outcome[positions[i]] !== Outcome.admitted) newlyAdmitted += part.events.cost[positions[i]];
  }
  // No check saw more than the kept bound; with the key's new spend no check can see more than
  // that plus all of it, which must still pass every amount.
  for (let j = 0; j < amounts.length; j++) if (!passes(kept.checked.spendLimits[j] + newlyAdmitted, amounts[j])) return null;

  const outcome = kept.outcome.slice();
  const admittedAt = kept.admittedAt.slice();
  const reason = kept.reason.slice();
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i];
    outcome[p] = alone.outcome[i];
    admittedAt[p] = alone.admittedAt[i];
    reason[p] = alone.reason[i];
  }
  const admitted = replaceAdmissions(index.admitted, k, positions, part.events, alone);
  const limits = replaySpendLimits(whole, admitted, kept.timeline, run.horizon);
  const keys = kept.plan.keys.slice();
  keys[k] = { ...keys[k], capMicros: whole.keys[k].capMicros };
  const keyStats = kept.keyStats.slice();
  keyStats[k] = alone.keyStats[0];
  const checkedKeys = kept.checked.keys.slice();
  checkedKeys[k] = alone.checked.keys[0];
  let timeline: Timeline | null = null;
  if (kept.timeline !== null && alone.timeline !== null && limits.used !== null) {
    const keySpend = kept.timeline.keySpend.slice();
    keySpend[k] = alone.timeline.keySpend[0];
    timeline = { ...kept.timeline, keySpend, spendLimitUsed: limits.used };
  }
  const result: SimulationResult = {
    ...kept,
    outcome,
    admittedAt,
    reason,
    plan: { ...kept.plan, keys },
    keyStats,
    checked: { ...kept.checked, keys: checkedKeys, spendLimits: limits.spendLimits.checkedBound(index.maxCost) },
    spendLimitPeakMicros: limits.spendLimits.peak.map(asMicros),
    timeline,
  };
  indexes.set(result, { ...index, admitted });
  return { result, key: k, positions };
}

/** Key `k`'s requests alone, under a plan of that key and the part's enforcement (its profile, window and throttles). */
function simulateKey(events: EventColumns, positions: Uint32Array, run: CapRun, key: Plan['apiKeys'][number]): SimulationResult {
  const n = positions.length;
  const time = new Float64Array(n);
  const subject = new Uint32Array(n);
  const cost = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = positions[i];
    time[i] = events.time[p];
    subject[i] = events.subject[p];
    cost[i] = events.cost[p];
  }
  const alone: EventColumns = { count: n, time, type: new Uint8Array(n).fill(EventType.api), subject, subjects: events.subjects, cost, ids: null };
  const plan: Plan = {
    version: 1,
    workspace: { name: '', seats: 0, messagesPerSeatPerDay: null, fairUseShare: 0, spendLimits: [] },
    apiKeys: [{ id: key.id, capUsd: key.capUsd }],
    triggers: [],
    enforcement: run.plan.enforcement,
  };
  // in processing order already, so the order is the events'
  return simulate(plan, alone, { until: run.horizon, timelineBuckets: run.timelineBuckets, timelineStart: run.timelineStart, order: null });
}

/** The part's requests by key, its admissions by time and its largest spend cost, from any result with its keys. */
function indexOf(part: SpendPart, result: SimulationResult): Index {
  const found = indexes.get(result);
  if (found !== undefined) return found;
  const { events, order } = part;
  const { count, type, cost } = events;
  const { entity, outcome, admittedAt } = result;
  const nKeys = result.plan.keys.length;
  const offsets = new Int32Array(nKeys + 1);
  let requests = 0;
  for (let i = 0; i < count; i++) {
    if (type[i] === EventType.api && entity[i] >= 0) {
      offsets[entity[i] + 1]++;
      requests++;
    }
  }
  for (let k = 0; k < nKeys; k++) offsets[k + 1] += offsets[k];
  const positions = new Uint32Array(requests);
  const fill = offsets.slice(0, nKeys);
  // requests in processing order, and admissions: requests' at their arrival (in that order), runs' by time
  const apiAdmitted: number[] = [];
  const runAdmitted: number[] = [];
  for (let j = 0; j < count; j++) {
    const i = order === null ? j : order[j];
    const ty = type[i];
    if (ty === EventType.api && entity[i] >= 0) positions[fill[entity[i]]++] = i;
    if (outcome[i] !== Outcome.admitted) continue;
    if (ty === EventType.api) apiAdmitted.push(i);
    else if (ty === EventType.trigger) runAdmitted.push(i);
  }
  runAdmitted.sort((a, b) => admittedAt[a] - admittedAt[b]);
  const total = apiAdmitted.length + runAdmitted.length;
  const admitted = { time: new Float64Array(total), cost: new Float64Array(total), key: new Int32Array(total) };
  let a = 0;
  let r = 0;
  for (let o = 0; o < total; o++) {
    const takeApi = r >= runAdmitted.length || (a < apiAdmitted.length && admittedAt[apiAdmitted[a]] <= admittedAt[runAdmitted[r]]);
    const i = takeApi ? apiAdmitted[a++] : runAdmitted[r++];
    admitted.time[o] = admittedAt[i];
    admitted.cost[o] = cost[i];
    admitted.key[o] = takeApi ? entity[i] : -1;
  }
  const fairUse = result.plan.triggers.map((t) => t.mode === 'fair_use');
  const index: Index = { offsets, positions, admitted, maxCost: largestSpendCost(events, entity, fairUse) };
  indexes.set(result, index);
  return index;
}

/** The admissions by time with key `k`'s replaced by those of its run alone (in time order too). */
function replaceAdmissions(old: Index['admitted'], k: number, positions: Uint32Array, events: EventColumns, alone: SimulationResult): Index['admitted'] {
  let mine = 0;
  for (let i = 0; i < alone.count; i++) if (alone.outcome[i] === Outcome.admitted) mine++;
  let theirs = 0;
  for (let o = 0; o < old.key.length; o++) if (old.key[o] !== k) theirs++;
  const total = theirs + mine;
  const out = { time: new Float64Array(total), cost: new Float64Array(total), key: new Int32Array(total) };
  let o = 0;
  let i = 0;
  const nextMine = (): void => {
    while (i < alone.count && alone.outcome[i] !== Outcome.admitted) i++;
  };
  nextMine();
  for (let w = 0; w < total; w++) {
    while (o < old.key.length && old.key[o] === k) o++;
    if (i < alone.count && (o >= old.key.length || alone.admittedAt[i] <= old.time[o])) {
      out.time[w] = alone.admittedAt[i];
      out.cost[w] = events.cost[positions[i]];
      out.key[w] = k;
      i++;
      nextMine();
    } else {
      out.time[w] = old.time[o];
      out.cost[w] = old.cost[o];
      out.key[w] = old.key[o];
      o++;
    }
  }
  return out;
}

/**
 * The spend limits over the admissions, as the pass counts them: each chart bucket from the spend
 * at its start, raised to the highest after an admission inside it; each limit's peak. Costs are
 * whole micro-USD, so the sums, and within one instant their highest (the last), do not depend
 * on the order of the admissions at that instant.
 */
function replaySpendLimits(
  plan: ResolvedPlan,
  admitted: Index['admitted'],
  grid: Timeline | null,
  horizon: number,
): { spendLimits: SpendLimits; used: Float64Array[] | null } {
  const spendLimits = new SpendLimits(plan, plan.edgeMs, DAY);
  const count = spendLimits.count;
  const used = grid === null ? null : Array.from({ length: count }, () => new Float64Array(grid.buckets));
  let bucket = -1;
  const advance = (t: number): void => {
    if (grid === null || used === null) return;
    const target = Math.min(Math.floor((t - grid.start) / grid.bucketMs), grid.buckets - 1);
    while (bucket < target) {
      bucket++;
      const b0 = grid.start + bucket * grid.bucketMs;
      for (let j = 0; j < count; j++) used[j][bucket] = spendLimits.spentAt(j, b0);
    }
  };
  const { time, cost } = admitted;
  for (let o = 0; o < time.length; o++) {
    const t = time[o];
    advance(t);
    spendLimits.admit(t, cost[o]);
    if (used !== null && bucket >= 0) {
      for (let j = 0; j < count; j++) {
        const sum = spendLimits.sum(j);
        if (used[j][bucket] < sum) used[j][bucket] = sum;
      }
    }
  }
  advance(horizon);
  return { spendLimits, used };
}
