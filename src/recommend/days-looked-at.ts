import { counted } from '../engine/words.ts';

/** The days the trigger and seats advice looks back over: the history's last four weeks. */
export const DAYS_LOOKED_AT = 28;

/**
 * The days a figure of the advice covers, in words: "the last 28 days" of a longer history, but
 * "the 14 days of history" when the history is shorter than the days looked at. "The last 28
 * days" of a 14-day history claimed four weeks of evidence that are not there.
 * `days`: the days the figure covers (DAYS_LOOKED_AT, or a trigger's own series, which may start
 * after the history does); `historyDays`: the history's.
 */
export function lastDaysText(days: number, historyDays: number): string {
  return days >= historyDays && historyDays < DAYS_LOOKED_AT ? `the ${counted(historyDays, 'day')} of history` : `the last ${counted(days, 'day')}`;
}
