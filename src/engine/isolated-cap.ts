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
import type { Plan } from './plan.ts';
import { resolvePlan, type ResolvedPlan } from './plan-rules.ts';
import { SpendLimits } from './limits/spend-limit.ts';
import { Outcome, type SimulationResult, type Timeline } from './result.ts';
import { largestSpendCost, simulate } from './simulate.ts';
import { asMicros, DAY } from './units.ts';

/** What a kept spend result knows beyond its fields, found once and handed on to its patched successors. */
interface Index {
  /** the part's API requests by key (entity), each key's in processing order: CSR offsets and positions */
  offsets: Int32Array;
  positions: Uint32Array;
  /**
   * The admissions of every event but key `without`'s requests, by time: its time, cost and key
   * (-1: a programmatic run). Edits of one key's cap in a row find it ready.
   */
  others: Admissions;
  /** the largest cost a spend limit could be asked (`largestSpendCost`) */
  maxCost: number;
}

export interface Admissions {
  /** the key whose requests' admissions are left out (-1: none) */
  without: number;
  time: Float64Array;
  cost: Float64Array;
  key: Int32Array;
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
  // the kept run's spend limits never refused, else other events could change with the key's spend
  // (implied by the check below; made first, it spares simulating the key when it fails)
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
  const others = index.others.without === k ? index.others : withoutKey(index, k, kept, part.events);
  const limits = replaySpendLimits(whole, others, alone, positions, part.events, kept.timeline, run.horizon);
  const keys = kept.plan.keys.slice();
  keys[k] = { ...keys[k], capMicros: whole.keys[k].capMicros };
  const keyStats = kept.keyStats.slice();
  keyStats[k] = alone.keyStats[0];
  const checkedKeys = kept.checked.keys.slice();
  checkedKeys[k] = alone.checked.keys[0];
  let timeline: Timeline | null = null;
  if (kept.timeline !== null && limits.used !== null) {
    const keySpend = kept.timeline.keySpend.slice();
    // (a key without requests has no chart of its own run: its kept one, all zeros, stays)
    keySpend[k] = alone.timeline?.keySpend[0] ?? keySpend[k];
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
  indexes.set(result, { ...index, others });
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
  const apiAdmitted = new Uint32Array(requests);
  const runAdmitted = new Uint32Array(count - requests);
  let nApi = 0;
  let nRuns = 0;
  let runsInOrder = true;
  for (let j = 0; j < count; j++) {
    const i = order === null ? j : order[j];
    const ty = type[i];
    if (ty === EventType.api && entity[i] >= 0) positions[fill[entity[i]]++] = i;
    if (outcome[i] !== Outcome.admitted) continue;
    if (ty === EventType.api) {
      apiAdmitted[nApi++] = i;
    } else if (ty === EventType.trigger) {
      // most runs are admitted as they arrive: sorted already unless one waited
      if (nRuns > 0 && admittedAt[i] < admittedAt[runAdmitted[nRuns - 1]]) runsInOrder = false;
      runAdmitted[nRuns++] = i;
    }
  }
  const runs = runAdmitted.subarray(0, nRuns);
  if (!runsInOrder) runs.sort((a, b) => admittedAt[a] - admittedAt[b]);
  const total = nApi + nRuns;
  const others: Admissions = { without: -1, time: new Float64Array(total), cost: new Float64Array(total), key: new Int32Array(total) };
  let a = 0;
  let r = 0;
  for (let o = 0; o < total; o++) {
    const takeApi = r >= nRuns || (a < nApi && admittedAt[apiAdmitted[a]] <= admittedAt[runs[r]]);
    const i = takeApi ? apiAdmitted[a++] : runs[r++];
    others.time[o] = admittedAt[i];
    others.cost[o] = cost[i];
    others.key[o] = takeApi ? entity[i] : -1;
  }
  const fairUse = result.plan.triggers.map((t) => t.mode === 'fair_use');
  const index: Index = { offsets, positions, others, maxCost: largestSpendCost(events, entity, fairUse) };
  indexes.set(result, index);
  return index;
}

/**
 * `index.others` (every admission but key `others.without`'s) with that key's admissions in `result`
 * put back and key `k`'s left out, by time.
 */
function withoutKey(index: Index, k: number, result: SimulationResult, events: EventColumns): Admissions {
  const { others } = index;
  // the key put back: its admitted requests in `result`, in processing order, which is by time
  const back: number[] = [];
  if (others.without >= 0) {
    const own = index.positions.subarray(index.offsets[others.without], index.offsets[others.without + 1]);
    for (let i = 0; i < own.length; i++) if (result.outcome[own[i]] === Outcome.admitted) back.push(own[i]);
  }
  let dropped = 0;
  for (let o = 0; o < others.key.length; o++) if (others.key[o] === k) dropped++;
  const total = others.key.length - dropped + back.length;
  const out: Admissions = { without: k, time: new Float64Array(total), cost: new Float64Array(total), key: new Int32Array(total) };
  let o = 0;
  let b = 0;
  for (let w = 0; w < total; w++) {
    while (o < others.key.length && others.key[o] === k) o++;
    if (b < back.length && (o >= others.key.length || result.admittedAt[back[b]] <= others.time[o])) {
      out.time[w] = result.admittedAt[back[b]];
      out.cost[w] = events.cost[back[b]];
      out.key[w] = others.without;
      b++;
    } else {
      out.time[w] = others.time[o];
      out.cost[w] = others.cost[o];
      out.key[w] = others.key[o];
      o++;
    }
  }
  return out;
}

/**
 * The spend limits over the admissions (`others` and key `others.without`'s in `alone`), as the
 * pass counts them: each chart bucket from the spend at its start, raised to the highest after an
 * admission inside it; each limit's peak. Costs are whole micro-USD, so the sums, and within one
 * instant their highest (the last), do not depend on the order of the admissions at that instant.
 */
export function replaySpendLimits(
  plan: ResolvedPlan,
  others: Admissions,
  alone: Pick<SimulationResult, 'count' | 'outcome' | 'admittedAt'>,
  positions: Uint32Array,
  events: EventColumns,
  grid: Timeline | null,
  horizon: number,
): { spendLimits: SpendLimits; used: Float64Array[] | null } {
  const spendLimits = new SpendLimits(plan, plan.edgeMs, DAY);
  const count = spendLimits.count;
  const used = grid === null ? null : Array.from({ length: count }, () => new Float64Array(grid.buckets));
  let bucket = -1;
  let nextBucketAt = grid === null ? Number.POSITIVE_INFINITY : grid.start;
  const advance = (t: number): void => {
    if (grid === null || used === null) return;
    const target = Math.min(Math.floor((t - grid.start) / grid.bucketMs), grid.buckets - 1);
    while (bucket < target) {
      bucket++;
      const b0 = grid.start + bucket * grid.bucketMs;
      for (let j = 0; j < count; j++) used[j][bucket] = spendLimits.spentAt(j, b0);
    }
    nextBucketAt = bucket + 1 < grid.buckets ? grid.start + (bucket + 1) * grid.bucketMs : Number.POSITIVE_INFINITY;
  };
  const { time, cost } = others;
  const n = time.length;
  const { outcome, admittedAt } = alone;
  const m = alone.count;
  let o = 0;
  let i = 0;
  while (i < m && outcome[i] !== Outcome.admitted) i++;
  while (o < n || i < m) {
    let t: number;
    let c: number;
    if (i < m && (o >= n || admittedAt[i] <= time[o])) {
      t = admittedAt[i];
      c = events.cost[positions[i]];
      i++;
      while (i < m && outcome[i] !== Outcome.admitted) i++;
    } else {
      t = time[o];
      c = cost[o];
      o++;
    }
    if (t >= nextBucketAt) advance(t);
    spendLimits.admit(t, c);
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
