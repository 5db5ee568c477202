/**
 * A key with under 30 days of history has no 30-day window to take percentiles of: recommend's
 * `rolling30` then holds its ordinary spend over those days scaled to 30 days (`extrapolated`), a
 * rate. Shown as the key's rolling 30-day spend, a key that spent $180 in 9 days read as $600,
 * and a cap below that read as one that would block it. Every output gives such a key what it
 * spent over its days instead, with their count: the report, keys.csv, the app's key advice.
 */
import { counted } from '../engine/words.ts';
import type { KeyEvidence } from '../forecast/key-evidence.ts';

export interface SpentOverHistory {
  /** what the key spent over its history, as recorded (USD, nothing scaled) */
  usd: number;
  /** its days of history, from its first request's UTC day */
  days: number;
}

/** What the key spent over its history when that is under 30 days (rolling30.extrapolated); null when it has 30-day windows. */
export function spentOverHistory(k: { rolling30: { extrapolated: boolean }; evidence: Pick<KeyEvidence, 'largest30dUsd' | 'days'> }): SpentOverHistory | null {
  // under 30 days, the largest 30 days' spend (key-evidence.ts, as recorded) is all the key has spent
  return k.rolling30.extrapolated ? { usd: k.evidence.largest30dUsd, days: k.evidence.days } : null;
}

/** "(9 days of history)": said after the spend wherever it stands for a rolling 30-day figure. */
export function historyDaysText(days: number): string {
  return `(${counted(days, 'day')} of history)`;
}
