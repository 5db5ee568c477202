/**
 * A key seen on a day or two: its cap cannot come from a forecast. The forecast reads the days it
 * has as the key's daily rate, so one $1,234 request three days before the history ends was
 * extrapolated to $12,340 in 30 days and a cap of $33,500 (on the last day: $47,000, five days
 * before: $23,000), with nothing to say the advice rested on one request; 30 days before, the
 * same request gave a $5 cap, which blocks the key for a month after its next such request.
 * The admin relies on: a sane provisional cap with its basis stated, and the thin history said
 * wherever the cap is shown.
 */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import type { RecommendReport } from '../src/recommend/index.ts';
import { describeRecommend, recommendJson } from '../src/cli/commands/recommend.ts';
import { buildExport } from '../src/export/index.ts';
import { rollingShown, showKeyAdvice } from '../src/views/key-advice.ts';
import { adviceFor } from '../src/modeling/advice.ts';
import { forecast } from '../src/forecast/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns, EventTypeCode } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { synthHistory, T0 } from './forecast-helpers.ts';

const DAYS = 30;

/** 30 days of a key spending $10 a day, plus one request of `usd` by k_new on day `at`. */
function withOneRequest(at: number, usd = 1234, extra: (b: EventColumnsBuilder) => void = () => {}): EventColumns {
  const base = synthHistory(DAYS, [{ type: 'api', subject: 'k_reg', daily: () => 10_000_000, costPerRequest: 100_000 }], 3, false);
  const b = new EventColumnsBuilder();
  for (let i = 0; i < base.count; i++) b.push(base.time[i], base.type[i] as EventTypeCode, base.subjects[base.subject[i]], base.cost[i]);
  b.push(T0 + at * DAY + 14 * HOUR, EventType.api, 'k_new', usd * 1_000_000);
  extra(b);
  return b.build();
}

const plan = (caps: Record<string, number | null> = {}): Plan => validatePlan({ apiKeys: Object.entries(caps).map(([id, capUsd]) => ({ id, capUsd })) });

const keyOf = (r: RecommendReport, id: string) => {
  const k = r.keys.find((x) => x.id === id);
  if (!k) throw new Error(`no advice for ${id}`);
  return k;
};

describe('a key with a single $1,234 request', () => {
  const events = withOneRequest(DAYS - 3);
  const report = recommend(events, plan());
  const k = keyOf(report, 'k_new');

  it('gets a provisional cap of twice what it has spent, not the forecast of one day read as a daily rate', () => {
    expect(k.recommendedCapUsd).toBe(2500);
    expect(k.action).toBe('set');
    expect(k.capBasis).toBe('observed_spend');
    expect(k.evidence).toMatchObject({ requests: 1, activeDays: 1, days: 3, largest30dUsd: 1234, thin: true, short: false });
    // the basis is stated, with what a forecast of these days would have said
    expect(k.reason).toMatch(/^provisional cap, not a forecast: 2 × the most this key has spent in any 30 days \(\$1,234\), rounded up: \$2,500/);
    expect(k.reason).toMatch(/too thin to forecast: 1 request on 1 day with spend/);
    expect(k.reason).toMatch(/at the risk asked, the forecast's paths, which take its busiest 30 days as its spend per 30 days, would size \$[\d,]+\)/);
    // the cap is above what the window already holds: setting it blocks nothing now
    expect(k.blockedUntilIfSetNow).toBeNull();
    // a key with a real history keeps the forecast's cap and no warning
    const reg = keyOf(report, 'k_reg');
    expect(reg.capBasis).toBe('forecast');
    expect(reg.warning).toBeNull();
  });

  it('is said to rest on a thin history in the text and the JSON of `headroom recommend`', () => {
    expect(k.warning).toMatch(/^thin history \(1 request on 1 day with spend, over 3 days since its first on \d{4}-\d\d-\d\d\): too little to forecast, so the cap is provisional/);
    expect(report.notes.some((n) => /history too thin to forecast.*k_new \(1 request on 1 day with spend.*provisional cap \$2,500\)/.test(n))).toBe(true);
    const text = describeRecommend(report);
    expect(text).toMatch(/k_new: set cap \$2,500, PROVISIONAL: one request on 1 day, too thin a history to forecast/);
    expect(text).toMatch(/\n {4}warning: thin history \(1 request/);
    const json = JSON.parse(recommendJson(report)) as { keys: { id: string; capBasis: string; warning: string | null; evidence: { thin: boolean } }[] };
    const j = json.keys.find((x) => x.id === 'k_new');
    expect(j).toMatchObject({ capBasis: 'observed_spend', evidence: { thin: true } });
    expect(j?.warning).toMatch(/^thin history/);
  });

  it('is said so in the exported keys CSV and report', () => {
    const files = buildExport(report, null);
    const csv = files.find((f) => f.path === 'keys.csv')?.content ?? '';
    const rows = Papa.parse<Record<string, string>>(csv.trim(), { header: true }).data;
    const row = rows.find((r) => r.key_id === 'k_new');
    expect(row).toMatchObject({ recommended_cap_usd: '2500', cap_basis: 'observed_spend' });
    expect(row?.history_warning).toMatch(/^thin history/);
    expect(rows.find((r) => r.key_id === 'k_reg')).toMatchObject({ cap_basis: 'forecast', history_warning: '' });
    const md = files.find((f) => f.path === 'report.md')?.content ?? '';
    expect(md).toMatch(/\| k_new \| none \| \$2,500\.00 \| set \| provisional \(observed spend\) \|/);
    expect(md).toMatch(/k_new: thin history \(1 request on 1 day with spend/);
  });

  it('is shown as the provisional cap on the screens, with the warning, not replaced by a p99 of one request', () => {
    const shown = showKeyAdvice({ ...k, warning: k.warning, capBasis: k.capBasis }, T0 + (DAYS - 3) * DAY, T0 + DAYS * DAY);
    expect(shown).toMatchObject({ kind: 'cap', capUsd: 2500, replaced: null });
    expect(shown.kind === 'cap' ? shown.caution : null).toMatch(/^thin history/);
  });

  it('gets the same provisional cap on the Forecast page, whose risk curve reads one day as a rate', async () => {
    const f = await forecast(events, plan(), { paths: 0, workers: 0 });
    const caps = f.keyCaps.find((x) => x.id === 'k_new');
    expect(caps?.provisional).toMatchObject({ capUsd: 2500 });
    expect(caps?.provisional?.warning).toMatch(/^thin history/);
    expect(f.keyCaps.find((x) => x.id === 'k_reg')?.provisional).toBeNull();
  });
});

describe('a thin history wherever its one request falls', () => {
  it('sizes the same cap on the last day, 5 days before the end and on the first of 30 days (forecast: $47,000, $23,000 and $5)', () => {
    for (const at of [DAYS - 1, DAYS - 5, 0]) {
      const k = keyOf(recommend(withOneRequest(at), plan()), 'k_new');
      expect(k.recommendedCapUsd, `request on day ${at}`).toBe(2500);
      expect(k.capBasis).toBe('observed_spend');
    }
  });

  it('keeps a current cap that already allows twice its spend, and lowers one far above it', () => {
    const events = withOneRequest(DAYS - 3);
    const kept = keyOf(recommend(events, plan({ k_new: 3000 })), 'k_new');
    expect(kept).toMatchObject({ action: 'keep', recommendedCapUsd: 3000 });
    const lowered = keyOf(recommend(events, plan({ k_new: 50_000 })), 'k_new');
    expect(lowered).toMatchObject({ action: 'lower', recommendedCapUsd: 2500 });
    const raised = keyOf(recommend(events, plan({ k_new: 1000 })), 'k_new');
    expect(raised).toMatchObject({ action: 'raise', recommendedCapUsd: 2500 });
  });
});

describe('a key first used a few days before the history ends, every day since', () => {
  it('keeps the forecast as its basis (a daily rate it has shown), and says the history is short', () => {
    // $50 a day for the last 10 days: seven days with spend and more, a rate the forecast can read
    const events = withOneRequest(DAYS - 30, 0.01, (b) => {
      for (let d = DAYS - 10; d < DAYS; d++) for (let h = 0; h < 10; h++) b.push(T0 + d * DAY + (8 + h) * HOUR, EventType.api, 'k_short', 5_000_000);
    });
    const report = recommend(events, plan());
    const k = keyOf(report, 'k_short');
    expect(k.capBasis).toBe('forecast');
    expect(k.evidence).toMatchObject({ activeDays: 10, days: 10, thin: false, short: true });
    expect(k.warning).toMatch(/^short history \(first request \d{4}-\d\d-\d\d, 10 days of history\): the cap rests on a forecast from those days/);
    expect(k.reason.startsWith(k.warning ?? '')).toBe(true);
    expect(k.recommendedCapUsd).toBeGreaterThanOrEqual(1500);
    expect(report.notes.some((n) => /first used fewer than 14 days before the history ends: k_short \(10 days of history, revisit after /.test(n))).toBe(true);
  });
});

describe("a thin key's rolling 30-day cell in the report's key table", () => {
  // $250 on 5 of its 9 days: $1,250 in all, which scaled to 30 days is $4,166.67, a 30-day spend
  // its history never shows
  const events = withOneRequest(DAYS - 9, 250, (b) => {
    for (const d of [DAYS - 7, DAYS - 5, DAYS - 3, DAYS - 1]) b.push(T0 + d * DAY + 14 * HOUR, EventType.api, 'k_new', 250_000_000);
  });
  const report = recommend(events, plan());
  const md = buildExport(report, null).find((f) => f.path === 'report.md')?.content ?? '';
  const cells = (id: string) => md.split('\n').find((l) => l.startsWith(`| ${id} | none | $`))?.split(' | ') ?? [];

  it('gives what the key spent over its days and says how few they are, not its spend scaled to 30 days', () => {
    const k = keyOf(report, 'k_new');
    expect(k.evidence).toMatchObject({ activeDays: 5, days: 9, largest30dUsd: 1250, thin: true });
    // under the heading "rolling 30 d p50 / p90 / p99", after the key's cap basis
    expect(md).toContain('| key | current cap | recommended | action | basis | rolling 30 d p50 / p90 / p99 | days |');
    expect(cells('k_new')[5]).toBe('$1,250.00 (9 days of history)');
    expect(md).not.toContain('$4,166.67');
    // the provisional cap is twice that figure, as the reason beside it says
    expect(cells('k_new')[2]).toBe('$2,500.00');
    expect(md).toContain('its rolling 30-day cell gives what it has spent over the days it has, as recorded, not scaled up to 30 days.');
  });

  it("keeps a key's percentiles of its 30-day windows when its history has them", () => {
    expect(cells('k_reg')[5]).toMatch(/^\$[\d,.]+ \/ \$[\d,.]+ \/ \$[\d,.]+$/);
  });
});

describe("a key with under 30 days of history in keys.csv, recommend's JSON and the app's key advice", () => {
  // the report's key: $1,250 over its 9 days, which scaled to 30 days is $4,166.67
  const events = withOneRequest(DAYS - 9, 250, (b) => {
    for (const d of [DAYS - 7, DAYS - 5, DAYS - 3, DAYS - 1]) b.push(T0 + d * DAY + 14 * HOUR, EventType.api, 'k_new', 250_000_000);
  });
  const report = recommend(events, plan());

  it('leaves keys.csv\'s percentile columns empty and gives what it spent over its days, with their count', () => {
    const csv = buildExport(report, null).find((f) => f.path === 'keys.csv')?.content ?? '';
    const parsed = Papa.parse<Record<string, string>>(csv.trim(), { header: true });
    expect(parsed.meta.fields).toEqual(expect.arrayContaining(['rolling30_p50_usd', 'days_observed', 'history_days', 'spent_usd']));
    const row = parsed.data.find((r) => r.key_id === 'k_new');
    expect(row).toMatchObject({ rolling30_p50_usd: '', rolling30_p90_usd: '', rolling30_p99_usd: '', history_days: '9', spent_usd: '1250.00', recommended_cap_usd: '2500' });
    expect(csv).not.toContain('4166.67');
    // a key with 30-day windows keeps their percentiles, and no spend over a short history
    const reg = parsed.data.find((r) => r.key_id === 'k_reg');
    expect(reg?.rolling30_p50_usd).toMatch(/^\d+\.\d\d$/);
    expect(reg).toMatchObject({ history_days: '30', spent_usd: '' });
  });

  it('keeps the scaled figure in the JSON only marked as extrapolated, with the spend as recorded beside it', () => {
    const j = (JSON.parse(recommendJson(report)) as { keys: { id: string; rolling30: { p50: number; extrapolated: boolean }; evidence: { largest30dUsd: number; days: number } }[] }).keys.find((x) => x.id === 'k_new');
    expect(j?.rolling30).toMatchObject({ extrapolated: true });
    expect(j?.evidence).toMatchObject({ largest30dUsd: 1250, days: 9 });
  });

  it("shows the app's key advice what it spent over its days, not that scaled to 30 days", () => {
    const advice = adviceFor(plan(), events);
    const a = advice.keys.find((x) => x.id === 'k_new')!;
    expect(a.spentOverHistory).toEqual({ usd: 1250, days: 9 });
    expect(a.rolling30.extrapolated).toBe(true);
    expect(rollingShown(a)).toMatchObject({ kind: 'history', text: '$1,250 (9 days of history)' });
    const reg = advice.keys.find((x) => x.id === 'k_reg')!;
    expect(reg.spentOverHistory).toBeNull();
    expect(rollingShown(reg).kind).toBe('percentiles');
  });

  it("calls the screens' yardstick for such a key its spend scaled to 30 days, not a p99", () => {
    const figures = {
      recommendedCapUsd: 2100,
      rolling30: { p50: 600, p90: 600, p99: 600, max: 600, daysObserved: 9, extrapolated: true },
      spentOverHistory: { usd: 180, days: 9 },
      projectedPeak: { p10: 500, p50: 600, p90: 700 },
      reason: 'the forecast',
    };
    const shown = showKeyAdvice(figures, T0 + DAYS * DAY, T0 + DAYS * DAY);
    expect(shown).toMatchObject({ kind: 'cap', capUsd: 750, replaced: 2100 });
    const words = shown.kind === 'cap' ? `${shown.sentence} ${shown.explained ?? ''}` : '';
    expect(words).toContain('ordinary spend over its 9 days of history scaled to 30 days, $600, + 25 % = $750.');
    expect(words).not.toContain('p99');
  });
});
