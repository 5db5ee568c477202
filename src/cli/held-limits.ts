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
import { withId } from '../engine/report.ts';
import type { Report } from '../engine/report.ts';
import { formatUsd } from '../engine/units.ts';
import { Outcome } from '../engine/result.ts';
import { COMPLETION_SLACK_MS, completionSlack, onlySlack } from '../forecast/completion-slack.ts';
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

/** The limits the history reached with nothing refused by them, keys first. */
export function heldLimits(events: EventColumns, result: SimulationResult, report: Report): HeldLimit[] {
  const out: HeldLimit[] = [];
  const plan = result.plan;
  // the refusals of each key's cap, trigger's limit and the allowance the completion times' slack explains (forecast/completion-slack.ts)
  const slack = completionSlack(events, result);
  report.keys.forEach((k, j) => {
    if (k.capUsd === null || k.capUsd <= 0) return;
    const blocked = k.blockedBy.key_cap ?? 0;
    const refused = slack.keys[j]!;
    // requests in flight when the cap was reached do not show demand beyond it
    const inFlight = blocked > 0 && refused.at.length === blocked && onlySlack(refused);
    if (blocked > 0 && !inFlight) return;
    if (k.peakRollingUsd >= NEAR_CAP_SHARE * k.capUsd) {
      const why = inFlight
        ? ` (the replay blocks ${counted(blocked, 'request')} by it, each within ${COMPLETION_SLACK_MS / 60_000} min of requests that reached it: in flight when the platform checked the cap, which adds a request's cost when it completes)`
        : '';
      out.push({
        kind: 'key',
        id: k.id,
        name: k.name,
        limit: k.capUsd,
        peak: k.peakRollingUsd,
        text: `${withId(k.name, k.id)}: spend reached ${formatUsd(Math.round(k.peakRollingUsd * 1e6))} of its ${formatUsd(Math.round(k.capUsd * 1e6))} cap${why}`,
      });
    }
  });
  const admitted = plan.triggers.map(() => [] as number[]);
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] === EventType.trigger && result.outcome[i] === Outcome.admitted) admitted[result.entity[i]!]!.push(result.admittedAt[i]!);
  }
  report.triggers.forEach((t, j) => {
    if (t.limit === null || t.limit <= 0) return;
    const limited = slack.triggers[j]!.at.length;
    // refusals its completion times explain do not show demand beyond the limit
    if (limited > 0 && !onlySlack(slack.triggers[j]!)) return;
    const peak = peakInWindow(Float64Array.from(admitted[j] ?? []), DAY, plan.edgeMs);
    if (peak >= t.limit) {
      const why =
        limited > 0
          ? ` (the replay ${t.dropped + t.skipped > 0 ? 'refuses' : 'delays'} ${counted(limited, 'run')} of it by its limit, each within ${COMPLETION_SLACK_MS / 60_000} min of a run's 24 h ending: the export times runs when they completed, after the platform admitted them)`
          : '';
      out.push({ kind: 'trigger', id: t.id, name: t.name, limit: t.limit, peak, text: `${withId(t.name, t.id)}: ${counted(peak, 'run')} in 24 h, its limit${why}` });
    }
  });
  const limitedBy = (reason: string) => report.triggers.reduce((a, t) => a + (t.limitedBy[reason] ?? 0), 0);
  const a = report.allowance;
  // messages it refused only by the completion times' slack do not show demand beyond it
  const byAllowance = slack.allowance.at.length;
  const allowanceSlack = a.limit !== null && byAllowance === a.blockedMessages && onlySlack(slack.allowance);
  if (a.limit !== null && a.limit > 0 && a.peak >= a.limit && (a.blockedMessages === 0 || allowanceSlack) && limitedBy('allowance') === 0) {
    const lim = a.limit.toLocaleString('en-US');
    const why = allowanceSlack
      ? ` (the replay blocks ${counted(byAllowance, 'message')} by it, each within ${COMPLETION_SLACK_MS / 60_000} min of an entry's 24 h ending: the export times messages when they completed, after the platform admitted them)`
      : '';
    out.push({ kind: 'allowance', id: null, name: 'allowance', limit: a.limit, peak: a.peak, text: `the message allowance: ${lim} of ${counted(a.limit, 'message')} and fair-use runs in 24 h${why}` });
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
