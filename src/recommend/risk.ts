/**
 * Key caps sized by a stated risk: the smallest round cap whose chance of being reached by the
 * rolling 30-day ORDINARY spend over the next days (from the forecast's calibrated paths, the
 * history's last 29 days leading in) is at most `risk`.
 */
export const DEFAULT_RISK = 0.05;

/** Highest rolling 30-day sum over the forecast days of one path, the last 29 history days leading in. */
export function pathPeak(last29: readonly number[], path: ArrayLike<number>): number {
  const lead = last29.length;
  let acc = 0;
  for (const v of last29) acc += v;
  let peak = -Infinity;
  for (let h = 0; h < path.length; h++) {
    acc += path[h];
    const out = h - 30 + lead;
    if (out >= 0) acc -= out < lead ? last29[out] : path[out - lead];
    if (acc > peak) peak = acc;
  }
  return peak === -Infinity ? acc : peak;
}

/** Share of paths whose rolling 30-day peak reaches `cap` (a key is blocked once spent ≥ cap). */
export function chanceAtCap(peaks: readonly number[], cap: number): number {
  if (peaks.length === 0) return 0;
  let n = 0;
  for (const p of peaks) if (p >= cap) n++;
  return n / peaks.length;
}

/**
 * The smallest cap from `roundUp` (micro-USD in, micro-USD out: the next round figure at or above)
 * with a capped-out chance of at most `risk`, and that chance.
 */
export function capForRisk(last29: readonly number[], paths: readonly ArrayLike<number>[], risk: number, roundUp: (micros: number) => number): { cap: number; chance: number; peaks: number[] } {
  const peaks = paths.map((p) => pathPeak(last29, p));
  const desc = peaks.slice().sort((a, b) => b - a);
  // at most k paths may reach the cap: it must lie above the (k+1)-th highest peak
  const k = Math.floor(risk * peaks.length + 1e-9);
  const above = k < desc.length ? desc[k] : 0;
  let cap = roundUp(Math.max(above, 0) + 1);
  // rounding only ever raises the cap, so the chance can only fall; guard against a roundUp that does not
  while (chanceAtCap(peaks, cap) > risk) cap = roundUp(cap + 1);
  return { cap, chance: chanceAtCap(peaks, cap), peaks };
}
