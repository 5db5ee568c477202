/**
 * Limits a history reached without the replay refusing anything there. The platform's exports
 * hold only what it admitted, so a key whose spend stops at its cap, a trigger at exactly its
 * runs per 24 h or a full allowance says the platform's own limits cut that history: "nothing hit
 * a limit" would be read as "the plan has room" when the demand beyond the limit is simply not in
 * the data. `headroom simulate` says so under its summary (and in `--json` as `heldAtLimit`). A
 * trigger whose only refusals by its limit come within the completion times' slack of the window
 * (forecast/completion-slack.ts) is held too: the export's times are not the platform's admissions.
 */
import type { EventColumns } from '../engine/events.ts';
import { counted } from '../engine/words.ts';
import { EventType } from '../engine/events.ts';
import type { Report } from '../engine/report.ts';
import { formatUsd } from '../engine/units.ts';
import { Outcome, Reason } from '../engine/result.ts';
import { beyondSlack, capBeyondSlack, COMPLETION_SLACK_MS, limitRefusalsWithinSlack } from '../forecast/completion-slack.ts';
import type { SimulationResult } from '../engine/result.ts';
import { DAY } from '../engine/units.ts';

/** A key's peak spend at or above this share of its cap reads as held at it (as the forecast's censoring reads it). */
export const NEAR_CAP_SHARE = 0.97;

export interface HeldLimit {
  kind: 'key' | 'trigger' | 'allowance' | 'pool';
  /** key or trigger id; null for the allowance and the pool */
  id: string | null;
  name: string;
  /** the limit (USD for a key's cap, runs or messages per 24 h otherwise) */
  limit: number;
  /** the highest the history reached against it */
  peak: number;
  text: string;
}

/** Most admitted entries in one sliding window of `windowMs` (an entry at `s` counts while `t < s + windowMs + edgeMs`). */
export function peakInWindow(times: Float64Array, windowMs: number, edgeMs: number): number {
  times.sort();
  let peak = 0;
  let lo = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i]! >= times[lo]! + windowMs + edgeMs) lo++;
    if (i - lo + 1 > peak) peak = i - lo + 1;
  }
  return peak;
}

function label(name: string, id: string): string {
  return name === id ? name : `${name} (${id})`;
}

/** Whether every run at `limited` (indices into `times`, in time order) is refused only by the completion times' slack. */
function onlyCompletionSlack(times: readonly number[], limited: readonly number[], limit: number): boolean {
  for (let k = 1; k < times.length; k++) if (times[k]! < times[k - 1]!) return false;
  const beyond = beyondSlack(times, limit);
  return limited.every((k) => beyond[k] === 0);
}

/** The limits the history reached with nothing refused by them, keys first. */
export function heldLimits(events: EventColumns, result: SimulationResult, report: Report): HeldLimit[] {
  const out: HeldLimit[] = [];
  const plan = result.plan;
  // every request of each key (time, cost), and the ones its cap refused (index among them)
  const keyArr = plan.keys.map(() => [] as number[]);
  const keyCost = plan.keys.map(() => [] as number[]);
  const keyByCap = plan.keys.map(() => [] as number[]);
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] !== EventType.api) continue;
    const e = result.entity[i]!;
    keyArr[e]!.push(events.time[i]!);
    keyCost[e]!.push(events.cost[i]!);
    if (result.outcome[i] !== Outcome.admitted && result.reason[i] === Reason.key_cap) keyByCap[e]!.push(keyArr[e]!.length - 1);
  }
  report.keys.forEach((k, j) => {
    if (k.capUsd === null || k.capUsd <= 0) return;
    const blocked = k.blockedBy.key_cap ?? 0;
    const times = keyArr[j] ?? [];
    const refused = keyByCap[j] ?? [];
    // requests in flight when the cap was reached (completion-slack.ts) do not show demand beyond it
    const inFlight = blocked > 0 && refused.length === blocked && times.every((v, n) => n === 0 || times[n - 1]! <= v) && capBeyondSlack(times, keyCost[j]!, Math.round(k.capUsd * 1e6), plan.keyCapWindowMs, refused).every((b) => b === 0);
    if (blocked > 0 && !inFlight) return;
    if (k.peakRollingUsd >= NEAR_CAP_SHARE * k.capUsd) {
      const slack = inFlight
        ? ` (the replay blocks ${counted(blocked, 'request')} by it, each within ${COMPLETION_SLACK_MS / 60_000} min of requests that reached it: in flight when the platform checked the cap, which adds a request's cost when it completes)`
        : '';
      out.push({
        kind: 'key',
        id: k.id,
        name: k.name,
        limit: k.capUsd,
        peak: k.peakRollingUsd,
        text: `${label(k.name, k.id)}: spend reached ${formatUsd(Math.round(k.peakRollingUsd * 1e6))} of its ${formatUsd(Math.round(k.capUsd * 1e6))} cap${slack}`,
      });
    }
  });
  // every arrival that takes an allowance unit when admitted (people's messages, fair-use runs), and the messages the allowance refused
  const allowArr: number[] = [];
  const msgByAllowance: number[] = [];
  const admitted = plan.triggers.map(() => [] as number[]);
  // how many runs of each trigger its own limit refused or delayed
  const byLimit = plan.triggers.map(() => 0);
  const slackOnly = limitRefusalsWithinSlack(events, result);
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] === EventType.message) {
      allowArr.push(events.time[i]!);
      if (result.outcome[i] !== Outcome.admitted && result.reason[i] === Reason.allowance) msgByAllowance.push(allowArr.length - 1);
    }
    if (events.type[i] !== EventType.trigger) continue;
    const e = result.entity[i]!;
    if (plan.triggers[e]!.mode === 'fair_use') allowArr.push(events.time[i]!);
    if (result.outcome[i] === Outcome.admitted) admitted[e]!.push(result.admittedAt[i]!);
    const refused = result.outcome[i] !== Outcome.admitted || result.admittedAt[i]! > events.time[i]!;
    if (refused && result.reason[i] === Reason.trigger_limit) byLimit[e]!++;
  }
  report.triggers.forEach((t, j) => {
    if (t.limit === null || t.limit <= 0) return;
    const limited = byLimit[j] ?? 0;
    // refusals its completion times explain (forecast/completion-slack.ts) do not show demand beyond the limit
    if (limited > 0 && !slackOnly.has(t.id)) return;
    const peak = peakInWindow(Float64Array.from(admitted[j] ?? []), DAY, plan.edgeMs);
    if (peak >= t.limit) {
      const slack =
        limited > 0
          ? ` (the replay ${t.dropped + t.skipped > 0 ? 'refuses' : 'delays'} ${counted(limited, 'run')} of it by its limit, each within ${COMPLETION_SLACK_MS / 60_000} min of a run's 24 h ending: the export times runs when they completed, after the platform admitted them)`
          : '';
      out.push({ kind: 'trigger', id: t.id, name: t.name, limit: t.limit, peak, text: `${label(t.name, t.id)}: ${counted(peak, 'run')} in 24 h, its limit${slack}` });
    }
  });
  const limitedBy = (reason: string) => report.triggers.reduce((a, t) => a + (t.limitedBy[reason] ?? 0), 0);
  const a = report.allowance;
  // messages it refused only by the completion times' slack do not show demand beyond it
  const allowanceSlack = msgByAllowance.length > 0 && a.limit !== null && msgByAllowance.length === a.blockedMessages && onlyCompletionSlack(allowArr, msgByAllowance, a.limit);
  if (a.limit !== null && a.limit > 0 && a.peak >= a.limit && (a.blockedMessages === 0 || allowanceSlack) && limitedBy('allowance') === 0) {
    const lim = a.limit.toLocaleString('en-US');
    const slack = allowanceSlack
      ? ` (the replay blocks ${counted(msgByAllowance.length, 'message')} by it, each within ${COMPLETION_SLACK_MS / 60_000} min of an entry's 24 h ending: the export times messages when they completed, after the platform admitted them)`
      : '';
    out.push({ kind: 'allowance', id: null, name: 'allowance', limit: a.limit, peak: a.peak, text: `the message allowance: ${lim} of ${counted(a.limit, 'message')} and fair-use runs in 24 h${slack}` });
  }
  const p = report.pool;
  if (p.limit !== null && p.limit > 0 && p.peak >= p.limit && limitedBy('pool') === 0) {
    const lim = p.limit.toLocaleString('en-US');
    out.push({ kind: 'pool', id: null, name: 'pool', limit: p.limit, peak: p.peak, text: `the fair-use pool: ${lim} of ${counted(p.limit, 'run')} in 24 h` });
  }
  return out;
}

/** The lines under the summary; '' when no limit was held. */
export function formatHeldLimits(held: readonly HeldLimit[]): string {
  if (held.length === 0) return '';
  const out = [
    '',
    'Held at a limit? These limits were full although the replay refused nothing there. An export holds only what',
    "the platform admitted, so if these events come from one, its own limits cut them: demand beyond them is not in it.",
  ];
  for (const h of held) out.push(`  - ${h.text}.`);
  return `${out.join('\n')}\n`;
}
