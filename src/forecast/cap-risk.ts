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

/**
 * The capped-out chance of a cap: the share of paths whose ordinary use (its rolling 30-day spend,
 * the history's last 29 ordinary days leading in) reaches `capMicros` within the horizon. What
 * recommend sizes a cap on and says, and what the report's Monte Carlo table gives beside the
 * paths' own simulation (which counts runaway days and the spend already in the key's window too).
 */
export function cappedOutChance(last29: readonly number[], ordinary: readonly ArrayLike<number>[], capMicros: number): number {
  return chanceAtCap(
    ordinary.map((p) => pathPeak(last29, p)),
    capMicros,
  );
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
  return { ...capFromPeaks(peaks, risk, roundUp), peaks };
}

/** The same from the paths' peaks (computed once for several risks). */
export function capFromPeaks(peaks: readonly number[], risk: number, roundUp: (micros: number) => number): { cap: number; chance: number } {
  const desc = peaks.slice().sort((a, b) => b - a);
  // at most k paths may reach the cap: it must lie above the (k+1)-th highest peak
  const k = Math.floor(risk * peaks.length + 1e-9);
  const above = k < desc.length ? desc[k] : 0;
  let cap = roundUp(Math.max(above, 0) + 1);
  // rounding only ever raises the cap, so the chance can only fall; guard against a roundUp that does not
  while (chanceAtCap(peaks, cap) > risk) cap = roundUp(cap + 1);
  return { cap, chance: chanceAtCap(peaks, cap) };
}

/**
 * What a cap does on each path, day by day: a day's spend is admitted while the rolling 30-day
 * admitted spend is under the cap (the request that crosses it completes), the rest is blocked;
 * blocked spend is split between ordinary use and the runaway incident in their shares of the day.
 * Means over the paths, in USD.
 */
export function capOutcome(last29: readonly number[], ordinary: readonly Float64Array[], runaway: readonly Float64Array[], capMicros: number): { ordinaryBlockedUsd: number; runawayStoppedUsd: number } {
  let ord = 0;
  let run = 0;
  const P = ordinary.length;
  // one buffer for every path (a key's risk curve calls this for dozens of caps)
  const lead = last29.length;
  let admitted = new Float64Array(lead + 32);
  let lead29 = 0;
  for (let k = Math.max(0, lead - 29); k < lead; k++) lead29 += last29[k];
  for (let p = 0; p < P; p++) {
    const o = ordinary[p];
    const r = runaway[p];
    if (admitted.length < lead + o.length) admitted = new Float64Array(lead + o.length);
    for (let k = 0; k < lead; k++) admitted[k] = last29[k];
    let len = lead;
    // the admitted spend of the 29 days before day h, kept as a running sum
    let inWindow = lead29;
    for (let h = 0; h < o.length; h++) {
      const demand = o[h] + r[h];
      const take = inWindow >= capMicros ? 0 : Math.min(demand, capMicros - inWindow);
      admitted[len++] = take;
      inWindow += take;
      if (len > 29) inWindow -= admitted[len - 30];
      const blockedMicros = demand - take;
      if (blockedMicros > 0 && demand > 0) {
        ord += (blockedMicros * o[h]) / demand;
        run += (blockedMicros * r[h]) / demand;
      }
    }
  }
  return { ordinaryBlockedUsd: P ? Math.round(ord / P) / 1e6 : 0, runawayStoppedUsd: P ? Math.round(run / P) / 1e6 : 0 };
}

/** Risks the forecast states a cap for (the Forecast page's risk control moves among them). */
export const STATED_RISKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25];

export interface CapAtRisk {
  risk: number;
  capUsd: number;
  /** chance ordinary use reaches the cap within the horizon (at most `risk`) */
  cappedOutChance: number;
  /** means over the paths, USD over the horizon */
  ordinaryBlockedUsd: number;
  runawayStoppedUsd: number;
}

/** For one key: the cap at each stated risk, from its ordinary and runaway paths. */
export function capsAtRisks(last29: readonly number[], ordinary: readonly Float64Array[], runaway: readonly Float64Array[], roundUp: (micros: number) => number, risks: readonly number[] = STATED_RISKS): CapAtRisk[] {
  const peaks = ordinary.map((p) => pathPeak(last29, p));
  return risks.map((risk) => {
    const c = capFromPeaks(peaks, risk, roundUp);
    const o = capOutcome(last29, ordinary, runaway, c.cap);
    return { risk, capUsd: c.cap / 1e6, cappedOutChance: c.chance, ...o };
  });
}

/** The risks the Forecast page's risk control spans (0.5 % to 50 %). */
export const RISK_RANGE = { min: 0.005, max: 0.5 } as const;

/** One cap of a key's risk curve: what it would do over the horizon. */
export interface CapOption {
  capUsd: number;
  cappedOutChance: number;
  ordinaryBlockedUsd: number;
  runawayStoppedUsd: number;
}

/**
 * Every distinct round cap some risk in `range` calls for, smallest cap (highest chance) first,
 * each with its chance and trade-off: the page moves the risk continuously and reads the cap off
 * this list (`capOnCurve`), with no new simulation. On P paths a chance moves in steps of 1 / P,
 * so at most P × (max − min) + 1 caps.
 */
export function capCurve(
  last29: readonly number[],
  ordinary: readonly Float64Array[],
  runaway: readonly Float64Array[],
  roundUp: (micros: number) => number,
  range: { min: number; max: number } = RISK_RANGE,
): CapOption[] {
  const peaks = ordinary.map((p) => pathPeak(last29, p));
  const P = peaks.length;
  if (P === 0) return [];
  // sorted once (capFromPeaks sorts per call): the same caps, found for every k in one pass
  const desc = Float64Array.from(peaks).sort().reverse();
  // paths whose peak reaches `cap`: the leading run of desc at or above it
  const reaching = (cap: number) => {
    let lo = 0;
    let hi = P;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (desc[mid] >= cap) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const seen = new Set<number>();
  const out: CapOption[] = [];
  for (let k = Math.floor(range.max * P + 1e-9); k >= Math.floor(range.min * P + 1e-9); k--) {
    const risk = k / P;
    let cap = roundUp(Math.max(k < P ? desc[k] : 0, 0) + 1);
    while (reaching(cap) / P > risk) cap = roundUp(cap + 1);
    if (seen.has(cap)) continue;
    seen.add(cap);
    out.push({ capUsd: cap / 1e6, cappedOutChance: reaching(cap) / P, ...capOutcome(last29, ordinary, runaway, cap) });
  }
  return out.sort((a, b) => a.capUsd - b.capUsd);
}

/** The smallest cap on a curve whose capped-out chance is at most `risk` (null for an empty curve). */
export function capOnCurve(curve: readonly CapOption[], risk: number): CapOption | null {
  for (const c of curve) if (c.cappedOutChance <= risk + 1e-12) return c;
  return curve.length ? curve[curve.length - 1] : null;
}
