/**
 * `npm run bench -- forecast-quality`: calibration of the forecast on seeded workspaces generated
 * from known processes (test/support/forecast-workspaces.ts): 90 days of history, the next 30
 * compared with the bands and probabilities. Targets from issue 17.
 */
import type { Benchmark, Figure } from './harness.ts';
import { evaluateQuality, evaluateShape, evaluateTriggerOdds, HISTORY_DAYS, LAST_DAYS } from '../test/support/forecast-workspaces.ts';

export const QUALITY_SEEDS = Array.from({ length: 200 }, (_, i) => 1000 + i);
/**
 * Trigger workspaces drawn (the issue's population: 12–44 runs a day at the end of the history,
 * growing 0–45 % a month), thinned by their known process to about 800 evaluated (see keepShare
 * in test/support/forecast-workspaces.ts) so that every bucket of stated chances holds 100 or more.
 */
export const TRIGGER_SEEDS = Array.from({ length: 1100 }, (_, i) => 3000 + i);
/** paths per trigger forecast: the stated chance's own sampling error is ±4 points at most */
export const TRIGGER_PATHS = 100;
/** redraws of each trigger workspace's next 30 days from its known process */
export const PROCESS_FUTURES = 30;

export const benchmarks: Benchmark[] = [
  {
    name: 'forecast quality: 200 generated workspaces (1,400 series, 200 paths) and ~800 trigger workspaces (100 paths)',
    group: 'forecast-quality',
    async run(ctx): Promise<Figure[]> {
      const t = performance.now();
      const q = evaluateQuality(QUALITY_SEEDS, 200);
      ctx.log(`${q.series} series in ${q.workspaces} workspaces, evaluated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      ctx.log(`models chosen: ${Object.entries(q.models).map(([k, v]) => `${k} ${v}`).join(', ')}; censored series ${q.censoredSeries}`);
      ctx.log(`level shifts found by process: ${Object.entries(q.shiftsFound).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      for (const [p, b] of Object.entries(q.belowMedian)) {
        ctx.log(
          `${p.padEnd(10)} below P50: days ${pc(b.daily)}, totals ${pc(b.total)}, last ${LAST_DAYS} days ${pc(b.last)}; ` +
            `inside P10–P90: days ${pc(b.dailyCoverage)}, totals ${pc(b.totalCoverage)}, last ${LAST_DAYS} days ${pc(b.lastCoverage)}`,
        );
      }
      // the edge cases the workspaces hold at one position only: keys new 14 and 20 days before
      // the history ends (against stable keys of 90 days), steps 7 and 4 days before it
      const shapes = {
        stable: evaluateShape('stable', {}, QUALITY_SEEDS, 200),
        new14: evaluateShape('newkey', { newFrom: HISTORY_DAYS - 14 }, QUALITY_SEEDS, 200),
        new20: evaluateShape('newkey', { newFrom: HISTORY_DAYS - 20 }, QUALITY_SEEDS, 200),
        step7: evaluateShape('step', { stepAt: HISTORY_DAYS - 7 }, QUALITY_SEEDS, 200),
        step4: evaluateShape('step', { stepAt: HISTORY_DAYS - 4 }, QUALITY_SEEDS, 200),
      };
      const shapeNames: Record<keyof typeof shapes, string> = {
        stable: 'stable key, 90 days',
        new14: 'key new 14 days ago',
        new20: 'key new 20 days ago',
        step7: 'step 7 days before the end',
        step4: 'step 4 days before the end',
      };
      for (const [k, f] of Object.entries(shapes) as [keyof typeof shapes, (typeof shapes)[keyof typeof shapes]][]) {
        ctx.log(
          `${shapeNames[k].padEnd(27)} below P50: days ${pc(f.daily)}, totals ${pc(f.total)}; inside P10–P90: days ${pc(f.dailyCoverage)}, totals ${pc(f.totalCoverage)}; ` +
            `P10–P90 width / P50: days ${f.dailyWidth.toFixed(2)}, totals ${f.totalWidth.toFixed(2)}; shifts found ${f.shiftsFound} of ${f.series}`,
        );
      }
      const cc = q.censoredCounts;
      ctx.log(`censored trigger counts (${cc.n} series held at 42 a day) below P50: days ${pc(cc.daily)}, totals ${pc(cc.total)}; inside P10–P90: days ${pc(cc.dailyCoverage)}, totals ${pc(cc.totalCoverage)}`);
      for (const c of q.capped) ctx.log(`capped-out bucket ${c.bucket.padEnd(9)} n=${String(c.n).padStart(3)} predicted ${pc(c.predicted)} realized ${pc(c.realized)} ± ${pc(c.se)}`);
      const worstBucket = Math.max(0, ...q.capped.filter((c) => c.n >= 10).map((c) => Math.abs(c.predicted - c.realized)));
      const t2 = performance.now();
      const odds = await evaluateTriggerOdds(TRIGGER_SEEDS, TRIGGER_PATHS, PROCESS_FUTURES, {
        thin: true,
        onCase: (n) => {
          if (n % 100 === 0) ctx.log(`  trigger workspaces: ${n} forecast`);
        },
      });
      ctx.log(`trigger delay/drop odds: ${odds.cases.length} of ${TRIGGER_SEEDS.length} webhooks growing past 42 a day (half queue, half drop), weighted back to the whole population, evaluated in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
      // "process": the chance the known generating process itself gives (its next 30 days drawn
      // again PROCESS_FUTURES times): realized is one draw per workspace, so it swings by ± the
      // binomial standard error around it even for a forecast that knew the process
      for (const c of odds.capped) {
        ctx.log(`delay/drop bucket ${c.bucket.padEnd(9)} n=${String(c.n).padStart(3)} predicted ${pc(c.predicted)} realized ${pc(c.realized)} ± ${pc(c.se)} process ${c.process === undefined ? '–' : pc(c.process)}`);
      }
      const worstOdds = Math.max(0, ...odds.capped.filter((c) => c.n >= 10).map((c) => Math.abs(c.predicted - c.realized)));
      const smallest = Math.min(...odds.capped.map((c) => c.n));
      const worstVsProcess = Math.max(0, ...odds.capped.filter((c) => c.n >= 10).map((c) => Math.abs(c.predicted - (c.process ?? c.predicted))));
      const meanGap = odds.cases.reduce((a, c) => a + Math.abs(c.predicted - (c.process ?? c.predicted)), 0) / Math.max(1, odds.cases.length);
      const med = ['stable', 'growth', 'step'] as const;
      const medDev = Math.max(...med.flatMap((p) => [Math.abs(q.belowMedian[p].daily - 0.5), Math.abs(q.belowMedian[p].total - 0.5)]));
      return [
        { label: 'daily P10–P90 coverage (target 0.72–0.88): |x − 0.80|', value: Math.abs(q.dailyCoverage - 0.8), unit: 'count', max: 0.08, note: `coverage ${q.dailyCoverage.toFixed(3)}` },
        { label: '30-day total P10–P90 coverage: |x − 0.80|', value: Math.abs(q.totalCoverage - 0.8), unit: 'count', max: 0.08, note: `coverage ${q.totalCoverage.toFixed(3)}` },
        { label: 'stable/growth/step share below P50: worst |x − 0.50|', value: medDev, unit: 'count', max: 0.1 },
        { label: 'capped-out calibration: worst bucket (n ≥ 10) |pred − real|', value: worstBucket, unit: 'count', max: 0.1 },
        { label: 'capped-out Brier score', value: q.brier, unit: 'count' },
        { label: 'trigger delay/drop odds: worst bucket (n ≥ 10) |pred − real|', value: worstOdds, unit: 'count', max: 0.1, note: `smallest bucket n = ${smallest}` },
        { label: 'trigger delay/drop odds: Brier score', value: odds.brier, unit: 'count' },
        { label: 'trigger delay/drop odds: worst bucket (n ≥ 10) |pred − the process\'s own chance|', value: worstVsProcess, unit: 'count', max: 0.1 },
        { label: 'trigger delay/drop odds: mean |pred − the process\'s own chance| per workspace', value: meanGap, unit: 'count' },
        {
          label: `growth: last ${LAST_DAYS} days' sums below P50 |x − 0.50|`,
          value: Math.abs(q.belowMedian.growth.last - 0.5),
          unit: 'count',
          max: 0.1,
          note: `below ${q.belowMedian.growth.last.toFixed(3)}, inside P10–P90 ${q.belowMedian.growth.lastCoverage.toFixed(3)}`,
        },
        { label: 'step key: post-shift days below P50', value: q.stepBelowMedian, unit: 'count', max: 0.7 },
        {
          label: 'step 7 days before the end: post-shift days below P50',
          value: shapes.step7.daily,
          unit: 'count',
          max: 0.7,
          note: `totals ${shapes.step7.total.toFixed(3)}; shift found in ${shapes.step7.shiftsFound} of ${shapes.step7.series}`,
        },
        {
          label: 'key new 14–20 days ago: daily P10–P90 coverage, worst |x − 0.80|',
          value: Math.max(Math.abs(shapes.new14.dailyCoverage - 0.8), Math.abs(shapes.new20.dailyCoverage - 0.8)),
          unit: 'count',
          max: 0.08,
          note: `14 days ${shapes.new14.dailyCoverage.toFixed(3)}, 20 days ${shapes.new20.dailyCoverage.toFixed(3)}`,
        },
        {
          label: 'key new 14–20 days ago: 30-day total P10–P90 width over a 90-day stable key\'s (wider: > 1)',
          value: Math.min(shapes.new14.totalWidth, shapes.new20.totalWidth) / shapes.stable.totalWidth,
          unit: 'count',
          note: `daily width ratio ${(Math.min(shapes.new14.dailyWidth, shapes.new20.dailyWidth) / shapes.stable.dailyWidth).toFixed(2)}`,
        },
        {
          label: 'censored trigger counts: below P50, worst of days and totals |x − 0.50|',
          value: Math.max(Math.abs(cc.daily - 0.5), Math.abs(cc.total - 0.5)),
          unit: 'count',
          max: 0.1,
          note: `days ${cc.daily.toFixed(3)}, totals ${cc.total.toFixed(3)}`,
        },
        {
          label: 'censored trigger counts: P10–P90 coverage, worst of days and totals |x − 0.80|',
          value: Math.max(Math.abs(cc.dailyCoverage - 0.8), Math.abs(cc.totalCoverage - 0.8)),
          unit: 'count',
          max: 0.08,
          note: `days ${cc.dailyCoverage.toFixed(3)}, totals ${cc.totalCoverage.toFixed(3)}`,
        },
        { label: 'caps at 5 % risk reached by ordinary use', value: q.capsReached, unit: 'count', note: `${q.capsN} caps, stated chance ${pc(q.capsStatedChance)}` },
      ];
    },
  },
];

function pc(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
