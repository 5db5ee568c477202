/**
 * A key's history chart for its detail view, prepared in the core so the chart only draws: the
 * rolling 30-day spend per day, the stretch in which the window is still filling (its sums start
 * from zero, not from use), the caps, the runaway days, the forecast band after the data's end,
 * and a value axis with round ticks.
 */
import { valueScale } from './scale.ts';
import type { ValueScale } from './scale.ts';
import { downsampleMax } from './series.ts';

const DAY = 86_400_000;

export interface KeyHistoryInput {
  /** the first day's start, ms */
  from: number;
  /** rolling spend (USD) at the end of each day */
  rolling: readonly number[];
  windowDays: number;
  capUsd: number | null;
  recommendedUsd: number | null;
  /** forecast of the rolling peak over the next `bandDays`; null when there is none */
  band: { p10: number; p50: number; p90: number } | null;
  bandDays?: number;
  /** ISO dates of runaway days left out of the recommendation */
  incidents?: readonly string[];
  /** at most this many points (one per pixel) */
  width?: number;
}

export interface KeyHistoryChart {
  start: number;
  /** the data's end (end of its last day) */
  dataEnd: number;
  /** the axis' end: the data's end, or the forecast band's end */
  end: number;
  dayMs: number;
  /** values at `start + i * dayMs`; downsampled (max) to `width` points */
  values: number[];
  /** a rolling window is filling until here; null when the history starts full (no warm-up) */
  warmUntil: number | null;
  capUsd: number | null;
  recommendedUsd: number | null;
  band: { from: number; until: number; p10: number; p50: number; p90: number } | null;
  incidents: number[];
  scale: ValueScale;
  /** what the chart shows, for a screen reader */
  summary: string;
}

const money = (n: number): string => `$${Math.round(n).toLocaleString('en-US')}`;

export function keyHistoryChart(input: KeyHistoryInput): KeyHistoryChart {
  const days = input.rolling.length;
  const start = Math.floor(input.from / DAY) * DAY;
  const dataEnd = start + days * DAY;
  const width = Math.max(16, input.width ?? 600);
  const pooled = Array.from(downsampleMax(input.rolling, width));
  const dayMs = days > 0 ? (days * DAY) / pooled.length : DAY;
  const bandDays = input.bandDays ?? 30;
  const band = input.band && days > 0 ? { from: dataEnd, until: dataEnd + bandDays * DAY, ...input.band } : null;
  const peak = Math.max(largest(pooled), band?.p90 ?? 0);
  const limit = Math.max(input.capUsd ?? 0, input.recommendedUsd ?? 0) || null;
  const scale = valueScale(peak, limit);
  const warmUntil = days > 0 ? Math.min(dataEnd, start + input.windowDays * DAY) : null;
  const incidents = (input.incidents ?? []).map((d) => Date.parse(`${d}T12:00:00Z`)).filter((t) => t >= start && t <= dataEnd);
  const summary = [
    `Rolling ${input.windowDays}-day spend over ${days} days, peak ${money(largest(input.rolling))}`,
    input.capUsd !== null ? `cap ${money(input.capUsd)}` : 'no cap',
    input.recommendedUsd !== null ? `recommended cap ${money(input.recommendedUsd)}` : null,
    band ? `forecast peak P10 ${money(band.p10)} to P90 ${money(band.p90)} over the next ${bandDays} days` : null,
    incidents.length ? `${incidents.length} runaway day${incidents.length === 1 ? '' : 's'} left out` : null,
  ]
    .filter(Boolean)
    .join('; ');
  return {
    start,
    dataEnd,
    end: band ? band.until : dataEnd,
    dayMs,
    values: pooled,
    warmUntil,
    capUsd: input.capUsd,
    recommendedUsd: input.recommendedUsd,
    band,
    incidents,
    scale,
    summary,
  };
}

/** The largest value, at least 0, by a loop: a series of days is never spread into Math.max (issue 15). */
function largest(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}
