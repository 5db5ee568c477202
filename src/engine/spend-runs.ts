/**
 * The spend part's new result when only its trigger runs can decide differently: a trigger's mode
 * changed (its runs moved into or out of the part) or a programmatic trigger's limit did, and
 * nothing of the keys did. src/engine/parts.ts asks; the result is the part's `simulate()` exactly.
 *
 * Within the spend part, the only limits that count more than one subject's events are the
 * workspace spend limits (SPEC section 4): a key's cap and throttles count its own requests, a
 * trigger's limit its own runs, and a waiting run waits for its own trigger's window (the instant
 * an entry leaves it is one of the pass's instants whatever else happens). So when no spend limit
 * check can refuse, in the kept result or in the new one, every request is decided as it was, and
 * the runs are decided by their triggers alone. Then only the runs (a few thousand among the
 * part's requests) are simulated again, the requests' decisions are copied over from the kept
 * result, and what the spend limits show is counted again from every admission
 * (src/engine/isolated-cap.ts does the same for one key's requests). The new result's spend limits
 * must stay within their amounts with every admission counted: otherwise, or when the kept result
 * saw one refuse, the caller simulates the part as before. A queue wait limit is no case here (the
 * parts simulator then simulates the whole).
 */
import type { EventColumns } from './events.ts';
import { EventType } from './events.ts';
import type { Plan } from './plan.ts';
import { resolvePlan } from './plan-rules.ts';
import { Outcome, REASON_SPEND_LIMIT_BASE, type SimulationResult, type Timeline } from './result.ts';
import { replaySpendLimits, type Admissions } from './isolated-cap.ts';
import { addTallies, tally, triggerTallies, type DayFrame, type ReportTallies } from './report-tallies.ts';
import { largestSpendCost, simulate } from './simulate.ts';
import { asMicros } from './units.ts';

export interface SpendEvents {
  events: EventColumns;
  /** processing order (`processingOrder`), null when it is the events' own */
  order: Uint32Array | null;
}

export interface RunsRun {
  /** the spend part's plan (parts.ts's `spendInput`) */
  plan: Plan;
  horizon: number;
  timelineBuckets: number | undefined;
  timelineStart: number;
}

export interface PatchedRuns {
  result: SimulationResult;
  /** the runs alone, as simulated: the new result's tallies are the kept one's requests' and theirs */
  runs: { events: EventColumns; result: SimulationResult };
}

/**
 * The spend part's result for `run.plan` over `part`, from `kept`, its result over `from` for a plan
 * that differs from it only in its triggers; null when a spend limit refused, or could now.
 * `from` and `part` hold the same requests in the same order (runs may differ): a new split of
 * the events moves only trigger runs between the parts.
 */
export function patchSpendRuns(from: EventColumns, kept: SimulationResult, part: SpendEvents, run: RunsRun): PatchedRuns | null {
  const whole = resolvePlan(run.plan);
  const amounts = whole.spendLimits.map((l) => l.amountMicros);
  const passes = (seen: number, limit: number): boolean => (whole.capCheckPlusCost ? seen <= limit : seen < limit);
  // a spend limit that refused in the kept run: its requests could now be decided otherwise
  for (let j = 0; j < amounts.length; j++) if (!passes(kept.checked.spendLimits[j], amounts[j])) return null;

  const { events, order } = part;
  const n = events.count;
  const { type, time, subject, cost } = events;
  // the part's runs, in processing order
  let runs = 0;
  for (let i = 0; i < n; i++) if (type[i] === EventType.trigger) runs++;
  // none left: the part is its requests alone, and nothing is saved by patching it
  if (runs === 0) return null;
  const at = new Uint32Array(runs);
  const rTime = new Float64Array(runs);
  const rSubject = new Uint32Array(runs);
  const rCost = new Float64Array(runs);
  for (let j = 0, r = 0; j < n; j++) {
    const i = order === null ? j : order[j];
    if (type[i] !== EventType.trigger) continue;
    at[r] = i;
    rTime[r] = time[i];
    rSubject[r] = subject[i];
    rCost[r] = cost[i];
    r++;
  }
  const runEvents: EventColumns = { count: runs, time: rTime, type: new Uint8Array(runs).fill(EventType.trigger), subject: rSubject, subjects: events.subjects, cost: rCost, ids: null };
  // the part's plan, spend limits included: with fewer admissions than the part's they refuse
  // nothing when the part's do not (checked below). Its keys left out: they have no runs, and a
  // chart of each key's spend (hundreds of them) would be made for nothing.
  const alone = simulate({ ...run.plan, apiKeys: [] }, runEvents, { until: run.horizon, timelineBuckets: run.timelineBuckets, timelineStart: run.timelineStart, logQueue: true, order: null });
  for (let r = 0; r < runs; r++) if (alone.reason[r] >= REASON_SPEND_LIMIT_BASE) return null;

  // the requests' decisions from the kept result: the k-th request of `from` is the k-th of `part`
  const outcome = new Uint8Array(n);
  const admittedAt = new Float64Array(n);
  const reason = new Uint8Array(n);
  const entity = new Int32Array(n);
  const fromType = from.type;
  let f = 0;
  for (let i = 0; i < n; i++) {
    if (type[i] !== EventType.api) continue;
    while (fromType[f] !== EventType.api) f++;
    outcome[i] = kept.outcome[f];
    admittedAt[i] = kept.admittedAt[f];
    reason[i] = kept.reason[f];
    entity[i] = kept.entity[f];
    f++;
  }
  for (let r = 0; r < runs; r++) {
    const i = at[r];
    outcome[i] = alone.outcome[r];
    admittedAt[i] = alone.admittedAt[r];
    reason[i] = alone.reason[r];
    entity[i] = alone.entity[r];
  }

  // every admission by time: the requests' at their arrival (processing order), the runs' sorted
  let admittedRequests = 0;
  for (let i = 0; i < n; i++) if (type[i] === EventType.api && outcome[i] === Outcome.admitted) admittedRequests++;
  const runAdmitted = admittedByTime(alone, rTime);
  const total = admittedRequests + runAdmitted.length;
  const admissions: Admissions = { without: -1, time: new Float64Array(total), cost: new Float64Array(total), key: new Int32Array(total) };
  let w = 0;
  let q = 0;
  for (let j = 0; j < n; j++) {
    const i = order === null ? j : order[j];
    if (type[i] !== EventType.api || outcome[i] !== Outcome.admitted) continue;
    // runs admitted at or before this request go first: at one instant the sums do not depend on the order
    while (q < runAdmitted.length && alone.admittedAt[runAdmitted[q]] <= time[i]) w = putRun(admissions, w, alone, rCost, runAdmitted[q++]);
    admissions.time[w] = time[i];
    admissions.cost[w] = cost[i];
    admissions.key[w] = entity[i];
    w++;
  }
  while (q < runAdmitted.length) w = putRun(admissions, w, alone, rCost, runAdmitted[q++]);

  const noneAlone = { count: 0, outcome: new Uint8Array(0), admittedAt: new Float64Array(0) };
  const limits = replaySpendLimits(whole, admissions, noneAlone, new Uint32Array(0), events, kept.timeline, run.horizon);
  const fairUse = alone.plan.triggers.map((t) => t.mode === 'fair_use');
  const bound = limits.spendLimits.checkedBound(amounts.length === 0 ? Number.NEGATIVE_INFINITY : largestSpendCost(events, entity, fairUse));
  // every check saw at most this: within every amount, no spend limit refused in the new run either
  for (let j = 0; j < amounts.length; j++) if (!passes(bound[j], amounts[j])) return null;

  let timeline: Timeline | null = null;
  // (the runs' chart is on the kept one's buckets: both from `run`'s start to its horizon)
  if (kept.timeline !== null && alone.timeline !== null && limits.used !== null) {
    timeline = { ...kept.timeline, queued: alone.timeline.queued, maxDelay: alone.timeline.maxDelay, spendLimitUsed: limits.used };
  }
  const result: SimulationResult = {
    ...kept,
    count: n,
    outcome,
    admittedAt,
    reason,
    entity,
    // the runs' plan (its triggers as now), with the keys of the kept run (those it inferred from the requests too)
    plan: { ...alone.plan, keys: kept.plan.keys },
    triggerStats: alone.triggerStats,
    spendLimitPeakMicros: limits.spendLimits.peak.map(asMicros),
    checked: { ...kept.checked, spendLimits: bound },
    peakQueue: alone.peakQueue,
    timeline,
    ...(alone.queueLog === undefined ? {} : { queueLog: alone.queueLog }),
  };
  return { result, runs: { events: runEvents, result: alone } };
}

/**
 * The patched result's tallies from the kept one's (`before`, on `frame`): its requests' rows and
 * totals as they were (their decisions are), its runs' counted from the runs alone. No spend limit
 * refused in either, so no request or run counts toward a limit's refusals. Counts and whole
 * micro-USD: the sums come out as a fresh tally's.
 */
export function patchedTallies(before: ReportTallies, patched: PatchedRuns, frame: DayFrame, span: { first: number; last: number }): ReportTallies {
  const runs = tally(patched.runs.events, patched.runs.result, frame, span);
  const t = before.triggers;
  // the kept runs out of the totals (a part's runs all name a trigger of its plan)
  const outcomes = before.outcomes.slice();
  for (let g = 0; g < t.count; g++) for (let o = 0; o < 5; o++) outcomes[o] -= t.outcomes[g * 5 + o];
  const byType = before.byType.slice();
  byType[EventType.trigger] = 0;
  const requests: ReportTallies = { ...before, outcomes, byType, delayedTotal: 0, triggers: triggerTallies(0, before.reasons, frame.days) };
  return addTallies(requests, runs);
}

/**
 * The admitted runs by admission time. Most are admitted as they arrive, in processing order
 * already: only those that waited are sorted, then merged in.
 */
function admittedByTime(alone: SimulationResult, arrival: Float64Array): Uint32Array {
  const { outcome, admittedAt } = alone;
  const n = alone.count;
  const onTime = new Uint32Array(n);
  const waited: number[] = [];
  let k = 0;
  for (let r = 0; r < n; r++) {
    if (outcome[r] !== Outcome.admitted) continue;
    if (admittedAt[r] === arrival[r]) onTime[k++] = r;
    else waited.push(r);
  }
  if (waited.length === 0) return onTime.subarray(0, k);
  waited.sort((a, b) => admittedAt[a] - admittedAt[b]);
  const out = new Uint32Array(k + waited.length);
  let a = 0;
  let b = 0;
  for (let w = 0; w < out.length; w++) out[w] = b >= waited.length || (a < k && admittedAt[onTime[a]] <= admittedAt[waited[b]]) ? onTime[a++] : waited[b++];
  return out;
}

function putRun(admissions: Admissions, w: number, alone: SimulationResult, cost: Float64Array, r: number): number {
  admissions.time[w] = alone.admittedAt[r];
  admissions.cost[w] = cost[r];
  admissions.key[w] = -1;
  return w + 1;
}
