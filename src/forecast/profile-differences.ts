import type { OtherProfileForecast } from './index.ts';
import type { MonteCarloReport } from './montecarlo.ts';

type TriggerFigures = MonteCarloReport['triggers'][number];

/** Each enforcement profile as the comparisons name it, in the CLI, the report and the Forecast page alike. */
export const PROFILE_WORDS = { documented: 'the docs', platform: "the platform's code" } as const;

/** One reading's figures for a trigger over the compared paths (P10 / P50 / P90 bands and chances). */
export interface TriggerSide {
  delayChance: number;
  dropChance: number;
  delayed: TriggerFigures['delayed'];
  dropped: TriggerFigures['dropped'];
  skipped: TriggerFigures['skipped'];
  pending: TriggerFigures['pending'];
}

export interface ProfileDifferences {
  /** triggers whose runs fare differently: `here` under the plan's profile, `there` under the other */
  triggers: { id: string; here: TriggerSide; there: TriggerSide & { causes: TriggerFigures['causes'] } }[];
  /** keys whose capped-out chance differs by a whole percent or more */
  keys: { id: string; here: number; there: number }[];
}

const NONE = { p10: 0, p50: 0, p90: 0 };
const UNHELD: TriggerSide = { delayChance: 0, dropChance: 0, delayed: NONE, dropped: NONE, skipped: NONE, pending: NONE };

const sideOf = (t: TriggerFigures): TriggerSide => ({ delayChance: t.delayChance, dropChance: t.dropChance, delayed: t.delayed, dropped: t.dropped, skipped: t.skipped, pending: t.pending });
/**
 * What an admin reads of a side: each chance to the percent and every band's P10 / P50 / P90 to
 * the run. Medians alone hid a trigger held back in fewer than half the paths: queued in 38 % of
 * them under the docs, dropped in 38 % under the code, "the same".
 */
const figuresOf = (s: TriggerSide): number[] => [
  Math.round(s.delayChance * 100),
  Math.round(s.dropChance * 100),
  ...[s.delayed, s.dropped, s.skipped, s.pending].flatMap((b) => [b.p10, b.p50, b.p90].map(Math.round)),
];

/**
 * Where the same futures fare differently under the two profiles, path for path (`same` and the
 * other side ran the same paths): what the CLI and the Forecast page show side by side. Most held
 * back first.
 */
export function profileDifferences(other: OtherProfileForecast): ProfileDifferences {
  const here = new Map(other.same.triggers.map((t) => [t.id, sideOf(t)]));
  const triggers = other.triggers
    .map((t) => ({ id: t.id, here: here.get(t.id) ?? UNHELD, there: { ...sideOf(t), causes: t.causes } }))
    .filter(({ here: a, there: b }) => {
      const x = figuresOf(a);
      const y = figuresOf(b);
      return a.delayChance + a.dropChance + b.delayChance + b.dropChance > 0 && x.some((v, i) => v !== y[i]);
    })
    .sort((a, b) => Math.max(b.there.delayChance, b.there.dropChance, b.here.delayChance, b.here.dropChance) - Math.max(a.there.delayChance, a.there.dropChance, a.here.delayChance, a.here.dropChance) || a.id.localeCompare(b.id));
  const chance = new Map(other.same.keys.map((k) => [k.id, k.firstCappedOut.probability]));
  const keys = other.keys
    .map((k) => ({ id: k.id, here: chance.get(k.id) ?? 0, there: k.firstCappedOut.probability }))
    .filter((k) => Math.round(k.here * 100) !== Math.round(k.there * 100))
    .sort((a, b) => Math.abs(b.there - b.here) - Math.abs(a.there - a.here) || a.id.localeCompare(b.id));
  return { triggers, keys };
}
