/**
 * Value axes the charts can trust: round ticks ($500, $1K, 1,500), and a top that lets the peak
 * fill most of the height. A limit close enough to the peak is kept in view; one far above it
 * would squash the data into a sliver, so it is reported as off the scale instead.
 */

export interface ValueScale {
  top: number;
  ticks: number[];
  /** the limit lies above `top`: the chart says so at its top edge instead of drawing the line */
  limitAbove: boolean;
}

/** A limit up to this multiple of the peak stays on the chart. */
export const LIMIT_IN_VIEW = 2;

/** The tick step: 1, 2, 2.5 or 5 × 10ⁿ, giving at most `count` steps up to `max`. */
export function niceStep(max: number, count = 4): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export function valueScale(peak: number, limit: number | null = null, count = 4): ValueScale {
  const showLimit = limit !== null && Number.isFinite(limit) && (peak <= 0 ? limit > 0 : limit <= peak * LIMIT_IN_VIEW);
  const high = Math.max(peak * 1.08, showLimit ? (limit as number) * 1.05 : 0);
  // the round step (3 to count + 2 steps) whose top sits closest above the data
  const h = high > 0 ? high : 1;
  let step = niceStep(h, count);
  let top = Math.max(step, Math.ceil(h / step - 1e-9) * step);
  for (let c = 3; c <= count + 2; c++) {
    const st = niceStep(h, c);
    const tp = Math.max(st, Math.ceil(h / st - 1e-9) * st);
    if (tp < top - 1e-9 && tp / st <= count + 2) {
      step = st;
      top = tp;
    }
  }
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return { top, ticks, limitAbove: limit !== null && Number.isFinite(limit) && limit > top };
}

/** "$500", "$1K", "$1.5K", "$2M"; counts "1,500", "12K". */
export function tickLabel(v: number, unit: 'usd' | 'count'): string {
  const abs = Math.abs(v);
  const body =
    abs >= 1e6 ? `${trim(v / 1e6)}M` : abs >= 1e4 || (unit === 'usd' && abs >= 1e3) ? `${trim(v / 1e3)}K` : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return unit === 'usd' ? `$${body}` : body;
}

const trim = (n: number): string => String(Math.round(n * 10) / 10);
