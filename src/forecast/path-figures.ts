import type { ResolvedPlan } from '../engine/plan.ts';
import { REASON_SPEND_LIMIT_BASE, Reason, reasonName } from '../engine/result.ts';
import type { PathSummary } from './montecarlo.ts';
import type { ScenarioSeries } from './scenario.ts';
import type { TriggerCause } from './trigger-causes.ts';

/**
 * A path's summary as one row of numbers: what a Monte Carlo worker sends back (moved, not
 * cloned: thousands of small objects per path cost more to clone, collect and read than the
 * paths' own bookkeeping) and what the report is aggregated from. The layout is fixed per
 * scenario, so every row of a run lines up column by column.
 */
export interface PathLayout {
  /** key ids in the order the summary holds them (the report's order) */
  keys: string[];
  triggers: string[];
  /** every cause a held-back run can have under this plan */
  causes: TriggerCause[];
  /** workspace spend limit ids, as in the resolved plan */
  spendLimits: string[];
  /** numbers per row */
  width: number;
}

/** Pool and allowance figures and the programmatic spend, at the start of a row. */
export const HEAD = {
  poolLimit: 0,
  poolPeak: 1,
  poolLimitedRuns: 2,
  allowanceLimit: 3,
  allowancePeak: 4,
  allowanceBlockedMessages: 5,
  allowanceLimitedRuns: 6,
  programmaticMicros: 7,
} as const;
const HEAD_WIDTH = 8;

/** Per key; a key never capped out holds NaN as its first capped time. */
export const KEY = { firstCappedAt: 0, daysCapped: 1, blocked: 2, blockedMicros: 3 } as const;
const KEY_WIDTH = 4;

export const TRIGGER = { arrivals: 0, delayed: 1, dropped: 2, skipped: 3, pending: 4, maxDelayMs: 5, p95DelayMs: 6 } as const;
const TRIGGER_WIDTH = 7;

export const SPEND = { blockedRequests: 0, blockedRuns: 1, blockedMicros: 2 } as const;
const SPEND_WIDTH = 3;

/**
 * The layout of a scenario's rows. Keys and triggers come in the order `runPath`'s summary
 * inserts them (the plan's, then the series'), read back through an object so the order is the
 * one `Object.keys` gives the summary, integer-like ids included.
 */
export function pathLayout(plan: ResolvedPlan, series: readonly ScenarioSeries[]): PathLayout {
  const keys: Record<string, true> = {};
  const triggers: Record<string, true> = {};
  for (const k of plan.keys) keys[k.id] = true;
  for (const t of plan.triggers) triggers[t.id] = true;
  for (const s of series) {
    if (s.kind === 'key_spend') keys[s.id] = true;
    else if (s.kind === 'trigger_runs') triggers[s.id] = true;
  }
  const causes: TriggerCause[] = [];
  for (const code of Object.values(Reason)) {
    const name = reasonName(plan, code);
    if (name !== null) causes.push(name);
  }
  plan.spendLimits.forEach((_, i) => causes.push(reasonName(plan, REASON_SPEND_LIMIT_BASE + i) ?? 'other'));
  causes.push('other');
  const layout = { keys: Object.keys(keys), triggers: Object.keys(triggers), causes, spendLimits: plan.spendLimits.map((l) => l.id), width: 0 };
  layout.width = spendAt(layout) + layout.spendLimits.length * SPEND_WIDTH;
  return layout;
}

/** Column of key i's figure `f` (a `KEY` value). */
export function keyAt(i: number, f: number): number {
  return HEAD_WIDTH + i * KEY_WIDTH + f;
}

export function triggerAt(layout: PathLayout, i: number, f: number): number {
  return HEAD_WIDTH + layout.keys.length * KEY_WIDTH + i * TRIGGER_WIDTH + f;
}

/** Column of trigger i's runs held back by cause c: delayed (or still waiting), or dropped/skipped. */
export function causeAt(layout: PathLayout, i: number, c: number, dropped: boolean): number {
  return HEAD_WIDTH + layout.keys.length * KEY_WIDTH + layout.triggers.length * TRIGGER_WIDTH + (i * layout.causes.length + c) * 2 + (dropped ? 1 : 0);
}

export function spendAt(layout: PathLayout, i = 0, f = 0): number {
  return HEAD_WIDTH + layout.keys.length * KEY_WIDTH + layout.triggers.length * (TRIGGER_WIDTH + 2 * layout.causes.length) + i * SPEND_WIDTH + f;
}

/** The summary as a row of `layout`. Throws when it names a key, trigger or cause the layout lacks. */
export function packSummary(layout: PathLayout, s: PathSummary): Float64Array {
  const row = new Float64Array(layout.width);
  row[HEAD.poolLimit] = s.pool.limit;
  row[HEAD.poolPeak] = s.pool.peak;
  row[HEAD.poolLimitedRuns] = s.pool.limitedRuns;
  row[HEAD.allowanceLimit] = s.allowance.limit;
  row[HEAD.allowancePeak] = s.allowance.peak;
  row[HEAD.allowanceBlockedMessages] = s.allowance.blockedMessages;
  row[HEAD.allowanceLimitedRuns] = s.allowance.limitedRuns;
  row[HEAD.programmaticMicros] = s.programmaticMicros;
  if (Object.keys(s.keys).length !== layout.keys.length || Object.keys(s.triggers).length !== layout.triggers.length) {
    throw new Error(`a Monte Carlo path summarised keys or triggers its scenario does not have (${Object.keys(s.keys).length} keys, ${Object.keys(s.triggers).length} triggers)`);
  }
  // row offsets computed once per block (this runs once per path over every key and trigger)
  for (let i = 0, at = keyAt(0, 0); i < layout.keys.length; i++, at += KEY_WIDTH) {
    const k = s.keys[layout.keys[i]];
    row[at + KEY.firstCappedAt] = k.firstCappedAt ?? NaN;
    row[at + KEY.daysCapped] = k.daysCapped;
    row[at + KEY.blocked] = k.blocked;
    row[at + KEY.blockedMicros] = k.blockedMicros;
  }
  const triggers0 = triggerAt(layout, 0, 0);
  for (let i = 0, at = triggers0; i < layout.triggers.length; i++, at += TRIGGER_WIDTH) {
    const id = layout.triggers[i];
    const t = s.triggers[id];
    row[at + TRIGGER.arrivals] = t.arrivals;
    row[at + TRIGGER.delayed] = t.delayed;
    row[at + TRIGGER.dropped] = t.dropped;
    row[at + TRIGGER.skipped] = t.skipped;
    row[at + TRIGGER.pending] = t.pending;
    row[at + TRIGGER.maxDelayMs] = t.maxDelayMs;
    row[at + TRIGGER.p95DelayMs] = t.p95DelayMs;
    if (!t.causes) continue;
    packCauses(layout, row, i, id, t.causes.delayed, false);
    packCauses(layout, row, i, id, t.causes.dropped, true);
  }
  layout.spendLimits.forEach((id, i) => {
    const l = s.spendLimits[id];
    if (!l) return;
    row[spendAt(layout, i, SPEND.blockedRequests)] = l.blockedRequests;
    row[spendAt(layout, i, SPEND.blockedRuns)] = l.blockedRuns;
    row[spendAt(layout, i, SPEND.blockedMicros)] = l.blockedMicros;
  });
  return row;
}

const causeIndexes = new WeakMap<PathLayout, Map<TriggerCause, number>>();

function packCauses(layout: PathLayout, row: Float64Array, i: number, id: string, table: Record<TriggerCause, number>, dropped: boolean): void {
  let index = causeIndexes.get(layout);
  if (!index) causeIndexes.set(layout, (index = new Map(layout.causes.map((c, k) => [c, k]))));
  for (const cause in table) {
    const c = index.get(cause);
    if (c === undefined) throw new Error(`a Monte Carlo path held back trigger ${id} by a cause its plan does not have: ${cause}`);
    row[causeAt(layout, i, c, dropped)] = table[cause];
  }
}
