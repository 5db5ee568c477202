/**
 * A trigger's days exactly at its limit. The platform's exports hold only the runs it admitted,
 * so a trigger its limit held shows as a run of days at exactly the limit (censored history),
 * never above it: those days say the demand was at least the limit, not that it fitted.
 */

import { DAY, HOUR, MINUTE } from '../engine/units.ts';
import { counted } from '../engine/words.ts';

/** Days exactly at a trigger's limit (of the days looked at) before they read as held by it rather than chance. */
export const HELD_DAYS_MIN = 3;

/** Why a day at the limit counts: what the exports cannot show. */
export function heldText(limit: number): string {
  return `the exports hold only the runs the platform admitted, so a day its limit held hides the runs it refused: demand was at least ${limit} in 24 h`;
}

/**
 * Per trigger, how many of its last `lookedAt` days a limit held down, read from the forecast's
 * censoring (the replay under the plan: the 24 h window at its ceiling, nothing beyond it in the
 * export). A sliding 24 h limit rarely leaves a UTC day at exactly the limit, so this is what
 * tells a held trigger from one within its limit.
 */
export function heldDaysByTrigger(censored: ReadonlyMap<string, readonly boolean[]>, lookedAt: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, mask] of censored) {
    if (!key.startsWith('trigger_runs:')) continue;
    out.set(key.slice('trigger_runs:'.length), mask.slice(-lookedAt).filter(Boolean).length);
  }
  return out;
}

/** What a held trigger's runs say about its demand while its limit let them through. */
export interface HeldPace {
  /** runs per 24 h at the pace they came while admitted */
  perDay: number;
  /** the held stretches read (limit runs, a pause, runs again as soon as the window freed) */
  stretches: number;
  /** the median hours those stretches took to reach the limit */
  hours: number;
}

/** Stretches before a pace is read: one could be a burst. */
const PACE_STRETCHES_MIN = 2;

/**
 * The demand of a trigger its limit held, from the pace of its runs while the limit let them
 * through. Each held stretch: `limit` runs within 24 h, then a pause (longer than an hour and than
 * 3 of its gaps), then runs again as soon as the window freed (within max(15 min, 2 gaps) of its
 * oldest run leaving the window, either edge): requests that kept coming through the pause, refused
 * and absent from the export. Read at the stretch's pace, `limit - 1` gaps in its span, over 24 h.
 * That is demand if the requests kept their pace through the pause; it cannot tell that from a
 * burst each day at the same hour (the export is the same), so the advice says it. Null when fewer
 * than PACE_STRETCHES_MIN stretches show it. `times`: the trigger's run times, sorted.
 */
export function heldPace(times: readonly number[], limit: number): HeldPace | null {
  if (limit < 2 || times.length <= limit) return null;
  const paces: number[] = [];
  const spans: number[] = [];
  const gaps: number[] = [];
  for (let i = limit - 1; i + 1 < times.length; i++) {
    const lo = i - limit + 1;
    const span = times[i]! - times[lo]!;
    if (span <= 0 || span > DAY) continue;
    gaps.length = 0;
    for (let k = lo + 1; k <= i; k++) gaps.push(times[k]! - times[k - 1]!);
    gaps.sort((a, b) => a - b);
    const typical = gaps[gaps.length >> 1]!;
    const pause = times[i + 1]! - times[i]!;
    if (pause <= Math.max(HOUR, 3 * typical)) continue;
    const freed = times[lo]! + DAY;
    if (Math.abs(times[i + 1]! - freed) > Math.max(15 * MINUTE, 2 * typical)) continue;
    paces.push(((limit - 1) / span) * DAY);
    spans.push(span);
  }
  if (paces.length < PACE_STRETCHES_MIN) return null;
  const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return { perDay: Math.round(mid(paces)), stretches: paces.length, hours: Math.round((mid(spans) / HOUR) * 10) / 10 };
}

/** The words for a held pace in the advice: what it reads and what it assumes. */
export function heldPaceText(p: HeldPace, limit: number): string {
  return (
    `while admitted its runs came at ${p.perDay.toLocaleString('en-US')} per 24 h (${counted(limit, 'run')} in ${p.hours} h, then a pause until its window freed, ${counted(p.stretches, 'time')}): ` +
    'if its requests kept that pace through the pauses, as runs resuming the moment the window frees suggest, that is its demand (a burst at the same hours every day would look the same: check with what sends it)'
  );
}

/**
 * The seats advice when people's messages were held at the allowance (`allowance` per 24 h) on
 * `days` of the last `lookedAt` days: the exports hold only the messages the platform admitted, so
 * the busiest 24 h show the allowance itself, and seats cannot be sized on them. With messages
 * assumed to grow with seats, as the seats advice assumes, more seats add as many messages as room.
 */
export function allowanceHeldText(allowance: number, perSeat: number, days: number, lookedAt: number): string {
  return (
    `people's messages (with fair-use runs) were held at the allowance of ${allowance.toLocaleString('en-US')} per 24 h on ${days} of the last ${counted(lookedAt, 'day')}: ` +
    `the exports hold only the messages the platform admitted (it refuses the rest with plan_message_limit_exceeded), so demand was at least ${counted(perSeat, 'message')} a seat a day and how much more is not in them; ` +
    'more seats add room only as fast as the people they add send messages: raise the messages per seat (a plan change), or move fair-use triggers to programmatic mode to free their units, and watch the refusals'
  );
}
