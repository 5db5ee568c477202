/**
 * The last sustained level shift of a deseasonalised daily series (null = unknown day). A trend
 * fitted across a step (a key whose use doubled) averages it away and forecasts half-way between
 * the old and new level; fitting only the days after it follows the new level.
 *
 * A split at day k is a shift when one level before and one after explain the days far better
 * than a straight line (half the squared error or less), the two levels differ by 25 % or more,
 * and the difference is large against the day-to-day noise (t ≥ 3.5, with the noise's own
 * autocorrelation counted). A late split (under 7 days after it, at least 4) may explain less of
 * the error (85 %) when its t is 5 or more. The search repeats after the split, so the last shift
 * wins.
 */
import { leastSquares } from './least-squares.ts';

export const MIN_AFTER_SHIFT = 4;
const MIN_BEFORE_SHIFT = 14;
/** a split with fewer days after it than this is late: it may explain less of the error (LATE_RATIO) if its t is at least LATE_T */
export const LATE_AFTER = 7;
const LATE_RATIO = 0.85;
const LATE_T = 5;

export function detectShift(d: readonly (number | null)[], censored: readonly boolean[], from: number): number | null {
  let found: number | null = null;
  let lo = from;
  for (let round = 0; round < 4; round++) {
    const k = bestSplit(d, censored, lo);
    if (k === null) break;
    found = k;
    lo = k;
  }
  return found;
}

function bestSplit(d: readonly (number | null)[], censored: readonly boolean[], from: number): number | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let t = from; t < d.length; t++) {
    const v = d[t];
    // a day held down by a limit is not a level
    if (v === null || censored[t]) continue;
    xs.push(t);
    ys.push(v);
  }
  const N = ys.length;
  if (N < MIN_BEFORE_SHIFT + MIN_AFTER_SHIFT) return null;
  // straight line
  const sseLine = leastSquares(xs, ys).sse;
  // two levels, every split with enough days on each side (prefix sums)
  const pre = new Float64Array(N + 1);
  const pre2 = new Float64Array(N + 1);
  for (let i = 0; i < N; i++) {
    pre[i + 1] = pre[i] + ys[i];
    pre2[i + 1] = pre2[i] + ys[i] * ys[i];
  }
  let best = -1;
  let bestSse = Infinity;
  for (let i = MIN_BEFORE_SHIFT; i <= N - MIN_AFTER_SHIFT; i++) {
    const s1 = pre[i];
    const s2 = pre[N] - pre[i];
    const sse = pre2[i] - (s1 * s1) / i + (pre2[N] - pre2[i]) - (s2 * s2) / (N - i);
    if (sse < bestSse) {
      bestSse = sse;
      best = i;
    }
  }
  if (best < 0 || !(sseLine > 0) || bestSse > LATE_RATIO * sseLine) return null;
  const n1 = best;
  const n2 = N - best;
  const m1 = pre[best] / n1;
  const m2 = (pre[N] - pre[best]) / n2;
  if (!(Math.max(m1, m2) > 0) || Math.abs(m2 - m1) < 0.25 * Math.max(Math.min(m1, m2), 1e-9)) return null;
  // autocorrelation of the two-level residuals
  let num = 0;
  let den = 0;
  for (let i = 0; i < N; i++) {
    const r = ys[i] - (i < best ? m1 : m2);
    den += r * r;
    if (i > 0 && i !== best) num += r * (ys[i - 1] - (i - 1 < best ? m1 : m2));
  }
  const rho = den > 0 ? Math.min(0.9, Math.max(0, num / den)) : 0;
  const sigma = Math.sqrt(bestSse / Math.max(1, N - 2)) * Math.sqrt((1 + rho) / (1 - rho));
  const t = Math.abs(m2 - m1) / (sigma * Math.sqrt(1 / n1 + 1 / n2) + 1e-12);
  if (t < 3.5) return null;
  // A step in the last days removes little of a long history's squared error (a doubling 4 days
  // before the end: 72–77 % of the line's), so a late split may explain less (LATE_RATIO), but it
  // always needs a larger t: a few days can carry a mean alone, as a weekend's few requests read
  // against weekday indices of 0.08 and 0.14 do (0.24 / 0.08 = 3.0 against a level of 0.6: at
  // t ≥ 3.5 a key's backtest read that as a shift and forecast 4 × what it spent)
  if (n2 < LATE_AFTER ? bestSse > LATE_RATIO * sseLine || t < LATE_T : bestSse > 0.7 * sseLine) return null;
  return xs[best];
}
