import { DAY } from '../engine/units.ts';

/**
 * The most entries in one sliding window of `windowMs` ending at an entry (an entry at `s` counts
 * while `t < s + windowMs + edgeMs`), and the UTC days from `from` on with an entry at which the
 * window held `full` entries or more (`allDays`, `lastDay`: such days over all the entries, and the
 * 00:00 UTC of the last, null when none): the days a limit held, as `headroom simulate` and the
 * Overview count them (views/held-limits.ts) and `recommend` too, so the two say the same figure.
 * A day the window was still full at 00:00 but that admitted nothing at the limit does not count:
 * nothing was held at it that day that the export shows. `times` is sorted in place when out of
 * order (runs admitted after waiting can be). `firstFull`, when given, gets each such day's first
 * entry at which the window was full, in order: the days themselves, for the forecast to read as
 * bounds (pool-hold.ts), counted exactly as these figures count them.
 */
export function windowPeakDays(
  times: Float64Array,
  windowMs: number,
  edgeMs: number,
  full: number,
  from = Number.NEGATIVE_INFINITY,
  firstFull?: number[],
): { peak: number; days: number; allDays: number; lastDay: number | null } {
  for (let k = 1; k < times.length; k++) {
    if (times[k - 1]! > times[k]!) {
      times.sort();
      break;
    }
  }
  let peak = 0;
  let lo = 0;
  let days = 0;
  let allDays = 0;
  let lastDay = Number.NaN;
  for (let i = 0; i < times.length; i++) {
    while (times[i]! >= times[lo]! + windowMs + edgeMs) lo++;
    const n = i - lo + 1;
    if (n > peak) peak = n;
    if (n >= full) {
      const day = Math.floor(times[i]! / DAY);
      if (day !== lastDay) {
        allDays++;
        if (times[i]! >= from) days++;
        firstFull?.push(times[i]!);
      }
      lastDay = day;
    }
  }
  return { peak, days, allDays, lastDay: Number.isNaN(lastDay) ? null : lastDay * DAY };
}
