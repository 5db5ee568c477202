/**
 * The advice a screen shows for a key, checked against what the key really does before it is
 * shown: a key unused for UNUSED_DAYS is advised "revoke?", not capped; a recommended cap far
 * above ordinary use is shown only with the reason that makes it so (rising spend), and otherwise
 * replaced by the ordinary-use cap. src/recommend computes the figures; this is the screens' rule.
 */
import { roundCapUsd } from '../forecast/rounding.ts';
import { isUnused, UNUSED_DAYS } from './status.ts';
import { counted } from '../engine/words.ts';
import { historyDaysText } from '../recommend/spent-over-history.ts';
import type { SpentOverHistory } from '../recommend/spent-over-history.ts';

/** A recommended cap above this multiple of the key's p99 ordinary rolling spend needs a reason. */
export const FAR_ABOVE = 1.6;

export interface AdviceFigures {
  recommendedCapUsd: number;
  /** `extrapolated`: under 30 days of history, the figures are a rate (its spend scaled to 30 days), not a spend it has shown */
  rolling30: { p50: number; p90: number; p99: number; max: number; daysObserved: number; extrapolated?: boolean };
  /** under 30 days of history: what the key spent over them and their count, shown in place of the percentiles */
  spentOverHistory?: SpentOverHistory | null;
  projectedPeak: { p10: number; p50: number; p90: number };
  reason: string;
  /** what sized the cap (src/recommend): the forecast, or the spend a key too thin to forecast has shown */
  capBasis?: 'forecast' | 'observed_spend';
  /** a thin or short history, said wherever the cap is shown */
  warning?: string | null;
}

export type ShownAdvice =
  | { kind: 'revoke'; sentence: string }
  | {
      kind: 'cap';
      capUsd: number;
      sentence: string;
      explained: string | null;
      replaced: number | null;
      /** the history the cap rests on is thin or short: say so beside the cap */
      caution: string | null;
    };

const money = (n: number): string => `$${Math.round(n).toLocaleString('en-US')}`;

/**
 * The key's rolling 30-day spend as the screens give it: p50 / p90 / p99 of its 30-day windows,
 * or, for a key with under 30 days of history, what it spent over them ("$180 (9 days of
 * history)"), never that spend scaled to 30 days as if it had been spent in a window.
 */
export type RollingShown = { kind: 'percentiles'; p50: number; p90: number; p99: number } | { kind: 'history'; spentUsd: number; days: number; text: string };

export function rollingShown(a: Pick<AdviceFigures, 'rolling30' | 'spentOverHistory'>, format: (usd: number) => string = money): RollingShown {
  const h = a.spentOverHistory ?? null;
  if (h === null) return { kind: 'percentiles', p50: a.rolling30.p50, p90: a.rolling30.p90, p99: a.rolling30.p99 };
  return { kind: 'history', spentUsd: h.usd, days: h.days, text: `${format(h.usd)} ${historyDaysText(h.days)}` };
}

/**
 * The yardstick a cap is set beside: the key's ordinary p99, or, under 30 days of history (no
 * 30-day window), its ordinary spend over those days scaled to 30 days, said as the rate it is.
 */
function yardstick(a: AdviceFigures): string {
  if (a.rolling30.extrapolated !== true) return `the key's ordinary p99 of ${money(a.rolling30.p99)}`;
  return `the key's ${scaledText(a)}`;
}

/** "ordinary spend over its 9 days of history scaled to 30 days, $600" (rolling30 then holds that one figure) */
function scaledText(a: AdviceFigures): string {
  return `ordinary spend over its ${counted(a.rolling30.daysObserved, 'day')} of history scaled to 30 days, ${money(a.rolling30.p99)}`;
}

export function showKeyAdvice(a: AdviceFigures, lastUsed: number | null, dataEnd: number | null, headroom = 0.25): ShownAdvice {
  if (isUnused(lastUsed, dataEnd)) {
    const when = lastUsed === null ? 'never made a request in the history' : `made no request in the last ${UNUSED_DAYS} days (last on ${new Date(lastUsed).toISOString().slice(0, 10)})`;
    return { kind: 'revoke', sentence: `This key ${when}: revoke it rather than cap it, unless something still needs it.` };
  }
  const caution = a.warning ?? null;
  // A provisional cap (a history too thin to forecast) is sized on the spend seen, not on the
  // ordinary rolling spend: set beside a p99 of one request's window it reads as "far above", and
  // the p99 + headroom put in its place would block the key on its next such request.
  if (a.capBasis === 'observed_spend') return { kind: 'cap', capUsd: a.recommendedCapUsd, sentence: a.reason, explained: null, replaced: null, caution };
  const p99 = a.rolling30.p99;
  const ratio = p99 > 0 ? a.recommendedCapUsd / p99 : Number.POSITIVE_INFINITY;
  if (ratio <= FAR_ABOVE) return { kind: 'cap', capUsd: a.recommendedCapUsd, sentence: a.reason, explained: null, replaced: null, caution };
  // Rising spend explains it when the forecast's P90 peak plus the headroom reaches the cap.
  const rising = a.projectedPeak.p90 * (1 + headroom) >= a.recommendedCapUsd * 0.9;
  if (rising) {
    const explained = `${money(a.recommendedCapUsd)} is ${ratio.toFixed(1)}× ${yardstick(a)}: its spend is rising, and the forecast's P90 rolling 30-day peak over the next 30 days is ${money(a.projectedPeak.p90)}, plus ${Math.round(headroom * 100)} % headroom.`;
    return { kind: 'cap', capUsd: a.recommendedCapUsd, sentence: a.reason, explained, replaced: null, caution };
  }
  const ordinary = roundCapUsd(Math.round(p99 * (1 + headroom) * 1_000_000));
  return {
    kind: 'cap',
    capUsd: ordinary,
    sentence: `${ordinaryBasis(a)} + ${Math.round(headroom * 100)} % = ${money(ordinary)}.`,
    explained: `The model suggested ${money(a.recommendedCapUsd)}, ${ratio.toFixed(1)}× ${a.rolling30.extrapolated === true ? `${yardstick(a)},` : "the key's ordinary p99"} with no rising trend to explain it, so the ordinary-use cap is shown instead.`,
    replaced: a.recommendedCapUsd,
    caution,
  };
}

/** What the ordinary-use cap adds the headroom to: the p99 of the key's 30-day windows, or its rate over a shorter history. */
function ordinaryBasis(a: AdviceFigures): string {
  if (a.rolling30.extrapolated !== true) return `p99 of ordinary rolling 30-day spend ${money(a.rolling30.p99)}`;
  return `${scaledText(a)},`;
}
