import type { SpendLimitWindow } from '../engine/plan.ts';

/** A spend limit's window in an admin's words, not the plan file's ("utc-day"): Overview and Projection say it alike. */
export const WINDOW_WORDS: Record<SpendLimitWindow, string> = {
  'utc-day': 'per UTC day',
  'calendar-month': 'per calendar month',
  'rolling-30d': 'over a rolling 30 days',
};
