/**
 * Seeded workspaces generated from known processes, to measure whether the forecast's bands and
 * probabilities are calibrated: 90 days of history, then the 30 days the forecast is compared
 * with. Used by the fast subset in test/forecast-calibration.test.ts and by the full evaluation in
 * `npm run bench -- forecast-quality`.
 */
import { DAY, HOUR } from '../../src/engine/units.ts';
import { EventColumnsBuilder, EventType } from '../../src/engine/events.ts';
import type { EventColumns } from '../../src/engine/events.ts';
import { validatePlan } from '../../src/engine/plan.ts';
import type { Plan } from '../../src/engine/plan.ts';
import { simulate } from '../../src/engine/simulate.ts';
import { Outcome } from '../../src/engine/result.ts';
import { forecast } from '../../src/forecast/index.ts';
import { fitSeries, simulateSeries } from '../../src/forecast/model.ts';
import { hashSeed, makeRng, normal } from '../../src/forecast/rng.ts';
import type { Rng } from '../../src/forecast/rng.ts';
import { detectCensoredByLimit } from '../../src/forecast/censor.ts';
import { capForRisk } from '../../src/forecast/cap-risk.ts';
import { historyTail } from '../../src/forecast/generate.ts';

export type Process = 'stable' | 'growth' | 'step' | 'runaway' | 'trigger42' | 'newkey' | 'ar1';
export const PROCESSES: Process[] = ['stable', 'growth', 'step', 'runaway', 'trigger42', 'newkey', 'ar1'];

export const HISTORY_DAYS = 90;
export const FUTURE_DAYS = 30;
/** the horizon's last days, summed: a trend's error shows most there */
export const LAST_DAYS = 10;
/** 2026-01-05, a Monday */
const T0 = Date.UTC(2026, 0, 5);
const WEEK = [0.35, 1.15, 1.2, 1.15, 1.1, 1.0, 0.45]; // Sun..Sat (mean ≈ 0.91)

export interface GeneratedSeries {
  process: Process;
  id: string;
  /** history as the ledger shows it (a limit may have cut it), first day = `start` */
  history: number[];
  start: number;
  /** true demand of the 30 days after the history */
  future: number[];
  /** ordinary part of the future (runaway incidents taken out) */
  futureOrdinary: number[];
  /** the process's expected ordinary value of each future day: no day noise, no runaways */
  futureMean: number[];
  /** a limit: trigger runs per day the platform admitted at most (history cut at it) */
  limitPerDay: number | null;
  /** a cap on the rolling 30-day sum, for the capped-out calibration */
  cap: number;
}

/** One workspace: one series of each process, seeded. */
export function generateWorkspace(seed: number): GeneratedSeries[] {
  return PROCESSES.map((p, i) => generateSeries(p, hashSeed(seed, i + 1), `${p}_${seed}`));
}

export interface SeriesShape {
  /** the day a 'newkey' is first used (its history is the days from then on): 20 days before the history ends unless asked */
  newFrom?: number;
  /** the day a 'step' doubles: 10 days before the history ends unless asked */
  stepAt?: number;
}

/** One series of a known process. */
export function generateSeries(process: Process, seed: number, id: string, shape: SeriesShape = {}): GeneratedSeries {
  const newFrom = shape.newFrom ?? 70;
  const stepAt = shape.stepAt ?? 80;
  const rng = makeRng(seed);
  const N = HISTORY_DAYS + FUTURE_DAYS;
  const base = process === 'trigger42' ? 30 + 6 * rng() : 20e6 * Math.exp(normal(rng) * 0.8);
  const noise = 0.15 + 0.2 * rng();
  const ordinary: number[] = [];
  const expected: number[] = [];
  const runaway: number[] = [];
  let ar = 0;
  for (let t = 0; t < N; t++) {
    let level = base;
    if (process === 'growth' || process === 'trigger42') level *= Math.pow(1.3, (t - HISTORY_DAYS) / 30);
    if (process === 'step' && t >= stepAt) level *= 2;
    if (process === 'ar1') {
      ar = 0.85 * ar + 0.08 * normal(rng);
      level *= Math.exp(ar);
    }
    const w = WEEK[(weekday(T0) + t) % 7];
    let v: number;
    if (process === 'trigger42') v = poisson(level * w, rng);
    else v = Math.max(0, level * w * Math.exp(noise * normal(rng) - (noise * noise) / 2));
    if (process === 'newkey' && t < newFrom) v = 0;
    ordinary.push(v);
    expected.push(level * w);
    runaway.push(process === 'runaway' && rng() < 0.04 ? base * (8 + 10 * rng()) : 0);
  }
  const limitPerDay = process === 'trigger42' ? 42 : null;
  const demand = ordinary.map((v, t) => v + runaway[t]);
  const from = process === 'newkey' ? newFrom : 0;
  const history = demand.slice(from, HISTORY_DAYS).map((v) => (limitPerDay === null ? v : Math.min(v, limitPerDay)));
  const last30 = demand.slice(HISTORY_DAYS - 30, HISTORY_DAYS).reduce((a, b) => a + b, 0);
  // caps around the coming month's likely spend, so the capped-out chances spread over 0..1
  const cap = Math.max(1, last30 * (0.85 + 0.9 * rng()));
  return {
    process,
    id,
    history,
    start: T0 + from * DAY,
    future: demand.slice(HISTORY_DAYS),
    futureOrdinary: ordinary.slice(HISTORY_DAYS),
    futureMean: expected.slice(HISTORY_DAYS),
    limitPerDay,
    cap,
  };
}

function weekday(ms: number): number {
  return (Math.floor(ms / DAY) + 4) % 7;
}

function poisson(mean: number, rng: Rng): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)));
  const L = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng();
  } while (p > L);
  return k - 1;
}

export interface QualityFigures {
  series: number;
  workspaces: number;
  /** share of realized days inside P10–P90 */
  dailyCoverage: number;
  /** share of realized 30-day totals inside P10–P90 */
  totalCoverage: number;
  /**
   * by process: share of realized days, of 30-day totals and of the last LAST_DAYS days' sums
   * below the P50, and inside P10–P90
   */
  belowMedian: Record<Process, { daily: number; total: number; last: number; dailyCoverage: number; totalCoverage: number; lastCoverage: number }>;
  /**
   * capped-out chance (rolling 30-day sum reaching the cap) by predicted bucket: mean predicted
   * vs realized rate (and, for the trigger odds when asked, the known process's mean chance)
   */
  capped: {
    bucket: string;
    n: number;
    predicted: number;
    realized: number;
    process?: number;
    /**
     * binomial standard error of `realized` if the stated chances were exact (√Σp(1−p) / n): how
     * far luck alone moves the realized rate of this bucket
     */
    se: number;
  }[];
  brier: number;
  /** a level shift: share of post-shift days below P50 (step series) */
  stepBelowMedian: number;
  /** recommended caps (risk 5 %): share whose next 30 days' ordinary use reached them */
  capsReached: number;
  capsN: number;
  /** mean stated capped-out chance of the recommended caps */
  capsStatedChance: number;
  models: Record<string, number>;
  censoredSeries: number;
  /**
   * count series a limit held down (the trigger held at 42 runs a day): share of realized days
   * and totals below P50 and inside P10–P90, over `n` series
   */
  censoredCounts: { n: number; daily: number; total: number; dailyCoverage: number; totalCoverage: number };
  shiftsFound: Record<Process, number>;
}

/** Bands from `paths` simulated futures per series, compared with the generated truth. */
export function evaluateQuality(seeds: readonly number[], paths: number): QualityFigures {
  let inDay = 0;
  let nDay = 0;
  let inTot = 0;
  let nTot = 0;
  type Tally = { bd: number; nd: number; bt: number; nt: number; cd: number; ct: number; bl: number; cl: number };
  const tally = (): Tally => ({ bd: 0, nd: 0, bt: 0, nt: 0, cd: 0, ct: 0, bl: 0, cl: 0 });
  const per = Object.fromEntries(PROCESSES.map((p) => [p, tally()])) as Record<Process, Tally>;
  const cens = tally();
  const buckets = [0, 0.05, 0.3, 0.7, 0.95, 1.0001];
  const cap = buckets.slice(0, -1).map(() => ({ n: 0, p: 0, r: 0, v: 0 }));
  let brier = 0;
  let brierN = 0;
  let capsReached = 0;
  let capsN = 0;
  let capsChance = 0;
  const models: Record<string, number> = {};
  let censoredSeries = 0;
  const shifts = Object.fromEntries(PROCESSES.map((p) => [p, 0])) as Record<Process, number>;
  const D = FUTURE_DAYS;
  const ord = new Float64Array(D);
  const run = new Float64Array(D);
  for (const seed of seeds) {
    for (const g of generateWorkspace(seed)) {
      const censored = g.limitPerDay === null ? [] : detectCensoredByLimit(g.history, g.limitPerDay);
      const isCensored = censored.some(Boolean);
      if (isCensored) censoredSeries++;
      const tallies = isCensored ? [per[g.process], cens] : [per[g.process]];
      const m = fitSeries(g.history, g.start, { censored, counts: g.process === 'trigger42' });
      models[m.kind] = (models[m.kind] ?? 0) + 1;
      if (m.shiftAt !== null) shifts[g.process]++;
      const rng = makeRng(hashSeed(seed, g.id.length * 7919 + g.process.length));
      const sims = new Float64Array(paths * D);
      const totals = new Float64Array(paths);
      // the horizon's end: where a trend's error has compounded the most
      const lasts = new Float64Array(paths);
      const ordinaryPaths: Float64Array[] = [];
      let capped = 0;
      const last29 = g.history.slice(-29);
      for (let p = 0; p < paths; p++) {
        simulateSeries(m, D, rng, ord, run);
        ordinaryPaths.push(Float64Array.from(ord));
        const all = last29.slice();
        for (let h = 0; h < D; h++) {
          const v = ord[h] + run[h];
          sims[h * paths + p] = v;
          totals[p] += v;
          if (h >= D - LAST_DAYS) lasts[p] += v;
          all.push(v);
        }
        const hit = reaches(all, last29.length, g.cap);
        if (hit) capped++;
      }
      for (let h = 0; h < D; h++) {
        const col = sims.subarray(h * paths, (h + 1) * paths).sort();
        const [p10, p50, p90] = [q(col, 0.1), q(col, 0.5), q(col, 0.9)];
        const y = g.future[h];
        const inside = y >= p10 && y <= p90 ? 1 : 0;
        inDay += inside;
        nDay++;
        for (const t of tallies) {
          t.cd += inside;
          t.bd += y < p50 ? 1 : 0;
          t.nd++;
        }
      }
      totals.sort();
      const total = g.future.reduce((a, b) => a + b, 0);
      const insideT = total >= q(totals, 0.1) && total <= q(totals, 0.9) ? 1 : 0;
      inTot += insideT;
      nTot++;
      lasts.sort();
      const last = g.future.slice(D - LAST_DAYS).reduce((a, b) => a + b, 0);
      const insideL = last >= q(lasts, 0.1) && last <= q(lasts, 0.9) ? 1 : 0;
      for (const t of tallies) {
        t.ct += insideT;
        t.bt += total < q(totals, 0.5) ? 1 : 0;
        t.nt++;
        t.cl += insideL;
        t.bl += last < q(lasts, 0.5) ? 1 : 0;
      }
      // capped out: the realized rolling 30-day sum (last 29 history days leading in) reaches the cap
      const realized = reaches([...last29, ...g.future], last29.length, g.cap) ? 1 : 0;
      const pred = capped / paths;
      const b = buckets.findIndex((x, i) => pred >= x && pred < buckets[i + 1]);
      cap[b].n++;
      cap[b].p += pred;
      cap[b].v += pred * (1 - pred);
      cap[b].r += realized;
      brier += (pred - realized) ** 2;
      brierN++;
      // the recommended cap at 5 % risk, against the ordinary use that followed
      const rec = capForRisk(last29, ordinaryPaths, 0.05, (x) => Math.ceil(x / 1e6) * 1e6);
      capsN++;
      capsChance += rec.chance;
      if (reaches([...last29, ...g.futureOrdinary], last29.length, rec.cap)) capsReached++;
    }
  }
  const belowMedian = Object.fromEntries(
    PROCESSES.map((p) => [
      p,
      {
        daily: per[p].bd / per[p].nd,
        total: per[p].bt / per[p].nt,
        last: per[p].bl / per[p].nt,
        dailyCoverage: per[p].cd / per[p].nd,
        totalCoverage: per[p].ct / per[p].nt,
        lastCoverage: per[p].cl / per[p].nt,
      },
    ]),
  ) as QualityFigures['belowMedian'];
  return {
    series: nTot,
    workspaces: seeds.length,
    dailyCoverage: inDay / nDay,
    totalCoverage: inTot / nTot,
    belowMedian,
    capped: cap.map((c, i) => ({ bucket: `${Math.round(buckets[i] * 100)}–${Math.min(100, Math.round(buckets[i + 1] * 100))} %`, n: c.n, predicted: c.n ? c.p / c.n : 0, realized: c.n ? c.r / c.n : 0, se: c.n ? Math.sqrt(c.v) / c.n : 0 })),
    brier: brier / brierN,
    stepBelowMedian: belowMedian.step.daily,
    capsReached: capsReached / capsN,
    capsN,
    capsStatedChance: capsChance / capsN,
    models,
    censoredSeries,
    censoredCounts: { n: cens.nt, daily: cens.bd / Math.max(1, cens.nd), total: cens.bt / Math.max(1, cens.nt), dailyCoverage: cens.cd / Math.max(1, cens.nd), totalCoverage: cens.ct / Math.max(1, cens.nt) },
    shiftsFound: shifts,
  };
}

export interface ShapeFigures {
  series: number;
  /** series in which a level shift was found */
  shiftsFound: number;
  /** share of realized days and of 30-day totals below the P50, and inside P10–P90 */
  daily: number;
  total: number;
  dailyCoverage: number;
  totalCoverage: number;
  /** mean width of P10–P90 over the P50: of a day, and of the 30-day total */
  dailyWidth: number;
  totalWidth: number;
}

/**
 * Bands of one process with a chosen shape (a key new N days before the history ends, a step
 * N days before it) over `seeds`, against the generated truth: the edge cases the seven-process
 * workspaces hold at one position only.
 */
export function evaluateShape(process: Process, shape: SeriesShape, seeds: readonly number[], paths: number): ShapeFigures {
  const D = FUTURE_DAYS;
  const ord = new Float64Array(D);
  const run = new Float64Array(D);
  const cols = Array.from({ length: D }, () => new Float64Array(paths));
  const totals = new Float64Array(paths);
  const f = { shiftsFound: 0, daily: 0, total: 0, dailyCoverage: 0, totalCoverage: 0, dailyWidth: 0, totalWidth: 0 };
  const index = PROCESSES.indexOf(process) + 1;
  for (const seed of seeds) {
    const g = generateSeries(process, hashSeed(seed, index), `${process}_${seed}`, shape);
    const m = fitSeries(g.history, g.start, { counts: process === 'trigger42' });
    if (m.shiftAt !== null) f.shiftsFound++;
    const rng = makeRng(hashSeed(seed, 0x5a4e));
    totals.fill(0);
    for (let p = 0; p < paths; p++) {
      simulateSeries(m, D, rng, ord, run);
      for (let h = 0; h < D; h++) {
        cols[h][p] = ord[h] + run[h];
        totals[p] += ord[h] + run[h];
      }
    }
    for (let h = 0; h < D; h++) {
      const col = cols[h].sort();
      const y = g.future[h];
      f.daily += y < q(col, 0.5) ? 1 : 0;
      f.dailyCoverage += y >= q(col, 0.1) && y <= q(col, 0.9) ? 1 : 0;
      f.dailyWidth += (q(col, 0.9) - q(col, 0.1)) / Math.max(1e-9, q(col, 0.5));
    }
    totals.sort();
    const y = g.future.reduce((a, b) => a + b, 0);
    f.total += y < q(totals, 0.5) ? 1 : 0;
    f.totalCoverage += y >= q(totals, 0.1) && y <= q(totals, 0.9) ? 1 : 0;
    f.totalWidth += (q(totals, 0.9) - q(totals, 0.1)) / Math.max(1e-9, q(totals, 0.5));
  }
  const n = seeds.length;
  const days = n * D;
  return {
    series: n,
    shiftsFound: f.shiftsFound,
    daily: f.daily / days,
    total: f.total / n,
    dailyCoverage: f.dailyCoverage / days,
    totalCoverage: f.totalCoverage / n,
    dailyWidth: f.dailyWidth / days,
    totalWidth: f.totalWidth / n,
  };
}

/** Does a rolling 30-day sum over the days after `lead` reach `cap`? */
function reaches(all: readonly number[], lead: number, cap: number): boolean {
  let acc = 0;
  for (let i = 0; i < all.length; i++) {
    acc += all[i];
    if (i >= 30) acc -= all[i - 30];
    if (i >= lead && acc >= cap) return true;
  }
  return false;
}

function q(sorted: Float64Array, p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}

/**
 * Trigger delay and drop odds, checked end to end: a workspace with one webhook whose demand
 * grows past its limit of 42 runs a day (12–44 a day at the end of the history, growing 0–45 %
 * a month, weekday rhythm, Poisson counts, runs spread over 07:00–21:00). Its history is what the
 * platform's export shows: the runs the limit let through, at the time they ran (queue mode) or
 * only the ones it did not drop (drop mode, as under the platform profile); a backlog still
 * queued when the history ends is not in the export. The forecast runs on that history; the truth
 * is the engine over the whole true demand, history and the next 30 days.
 */
export interface TriggerOddsCase {
  drop: boolean;
  /** the forecast's chance that some of the next 30 days' runs are delayed (queue) or dropped (drop) */
  predicted: number;
  /** 1 when they were */
  realized: number;
  /**
   * The chance the known process itself gives (its next 30 days drawn again `processFutures`
   * times from the same history, through the engine): what a forecast that knew the process
   * would state. Far less noisy than `realized` (one draw) for judging calibration; absent when
   * not asked for.
   */
  process?: number;
  /** how many workspaces of the whole population this one stands for (thinned evaluation; 1 otherwise) */
  weight?: number;
}

export const TRIGGER_LIMIT = 42;

/** runs a day at the end of the history, drawn uniformly from this range (12–44 unless asked) */
export type EndRange = readonly [number, number];
export const DEFAULT_END_RANGE: EndRange = [12, 44];

export function triggerWorkspace(
  seed: number,
  endRange: EndRange = DEFAULT_END_RANGE,
): { history: EventColumns; truth: EventColumns; plan: Plan; from: number; drop: boolean; end: number; growth: number } {
  const rng = makeRng(hashSeed(seed, 0x7219));
  const drop = seed % 2 === 1;
  const end = endRange[0] + (endRange[1] - endRange[0]) * rng();
  const growth = 0.45 * rng();
  const N = HISTORY_DAYS + FUTURE_DAYS;
  const from = T0 + HISTORY_DAYS * DAY;
  const plan = validatePlan({
    workspace: { seats: 50, messagesPerSeatPerDay: 100 },
    triggers: [{ id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: TRIGGER_LIMIT }],
    enforcement: { webhookWhenLimited: drop ? 'drop' : 'queue' },
  });
  const b = new EventColumnsBuilder();
  const past = new EventColumnsBuilder();
  for (let t = 0; t < N; t++) {
    for (const x of hookRuns(end, growth, t, rng)) {
      b.push(x, EventType.trigger, 't_hook', 0);
      if (t < HISTORY_DAYS) past.push(x, EventType.trigger, 't_hook', 0);
    }
  }
  const truth = b.build();
  // the export: what the limit let run over the history, at the time it ran
  const demand = past.build();
  const before = simulate(plan, demand, { until: from - 1 });
  const h = new EventColumnsBuilder();
  const ran: number[] = [];
  for (let i = 0; i < demand.count; i++) {
    if (before.outcome[i] === Outcome.admitted && before.admittedAt[i] < from) ran.push(before.admittedAt[i]);
  }
  ran.sort((x, y) => x - y);
  for (const x of ran) h.push(x, EventType.trigger, 't_hook', 0);
  return { history: h.build(), truth, plan, from, drop, end, growth };
}

/** The webhook's runs on day t (sorted): Poisson around its growing mean, 07:00–21:00. */
function hookRuns(end: number, growth: number, t: number, rng: Rng): number[] {
  const mean = end * Math.pow(1 + growth, (t - HISTORY_DAYS) / 30) * WEEK[(weekday(T0) + t) % 7];
  const n = poisson(mean, rng);
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(T0 + t * DAY + 7 * HOUR + Math.floor(rng() * 14 * HOUR));
  return times.sort((x, y) => x - y);
}

/**
 * The known process's own chance of a limited run in the next 30 days, from `futures` redraws.
 * Each redraw runs the engine from the true history's exact end state (its window entries and
 * queued backlog, `historyTail`) rather than over the whole 90 days again: the same decisions on
 * the future runs at a quarter of the engine's work.
 */
function processChance(w: ReturnType<typeof triggerWorkspace>, seed: number, futures: number): number {
  const rng = makeRng(hashSeed(seed, 0x0aac1e));
  const past = pastOf(w.truth, w.from);
  const tail = historyTail(past, w.plan, w.from, simulate);
  let hits = 0;
  for (let k = 0; k < futures; k++) {
    const future: number[] = [];
    for (let t = HISTORY_DAYS; t < HISTORY_DAYS + FUTURE_DAYS; t++) for (const x of hookRuns(w.end, w.growth, t, rng)) future.push(x);
    if (realizedLimited(withFuture(tail, future), w.plan, w.from)) hits++;
  }
  return hits / futures;
}

/** The events before `from`, in columns of their exact size. */
function pastOf(truth: EventColumns, from: number): EventColumns {
  let n = 0;
  while (n < truth.count && truth.time[n] < from) n++;
  return { count: n, time: truth.time.slice(0, n), type: truth.type.slice(0, n), subject: truth.subject.slice(0, n), subjects: truth.subjects, cost: truth.cost.slice(0, n), ids: null };
}

/**
 * `head` then the webhook's future runs, as columns of their exact size: thousands of builders
 * (each with its name table) starve memory.
 */
function withFuture(head: EventColumns, future: readonly number[]): EventColumns {
  const n = head.count + future.length;
  const time = new Float64Array(n);
  time.set(head.time.subarray(0, head.count));
  time.set(future, head.count);
  const subject = new Uint32Array(n);
  subject.set(head.subject.subarray(0, head.count));
  const hook = head.subjects.indexOf('t_hook');
  subject.fill(hook, head.count);
  return { count: n, time, type: new Uint8Array(n).fill(EventType.trigger), subject, subjects: head.subjects, cost: new Float64Array(n), ids: null };
}

/** Some of the runs arriving from `from` on were delayed, left waiting or dropped (the engine on the true demand). */
function realizedLimited(truth: EventColumns, plan: Plan, from: number): boolean {
  const r = simulate(plan, truth, { until: from + FUTURE_DAYS * DAY });
  for (let i = 0; i < truth.count; i++) {
    if (truth.time[i] < from) continue;
    const out = r.outcome[i];
    if (out !== Outcome.admitted || r.admittedAt[i] > truth.time[i]) return true;
  }
  return false;
}

export async function evaluateTriggerOdds(
  seeds: readonly number[],
  paths: number,
  processFutures = 0,
  options: { endRange?: EndRange; thin?: boolean; onCase?: (done: number) => void } = {},
): Promise<{ cases: TriggerOddsCase[]; capped: QualityFigures['capped']; brier: number }> {
  const cases: TriggerOddsCase[] = [];
  for (const seed of seeds) {
    const w = triggerWorkspace(seed, options.endRange);
    const keep = options.thin ? keepShare(w.end * (1 + w.growth)) : 1;
    if (keep < 1 && makeRng(hashSeed(seed, 0x7412))() >= keep) continue;
    options.onCase?.(cases.length + 1);
    const report = await forecast(w.history, w.plan, { days: FUTURE_DAYS, paths, seed, workers: 0, simulate });
    const t = report.monteCarlo?.triggers.find((x) => x.id === 't_hook');
    if (!t) throw new Error(`seed ${seed}: the forecast has no odds for t_hook`);
    cases.push({
      drop: w.drop,
      predicted: w.drop ? t.dropChance : t.delayChance,
      realized: realizedLimited(w.truth, w.plan, w.from) ? 1 : 0,
      ...(processFutures > 0 ? { process: processChance(w, seed, processFutures) } : {}),
      ...(keep < 1 ? { weight: 1 / keep } : {}),
    });
  }
  return { cases, ...calibration(cases) };
}

/**
 * Share of the workspaces kept when thinning, by the webhook's expected runs a day at the
 * horizon's end: most of those far past the limit (a delay all but certain) or far below it
 * (all but impossible) are left out and the kept ones weighted up, so the forecasts go where
 * the chances are uncertain. The share depends on the known process only, never on an outcome,
 * so the weighted figures are those of the whole population.
 */
function keepShare(finalPerDay: number): number {
  if (finalPerDay > 40) return 1 / 3;
  if (finalPerDay < 17) return 1 / 2;
  return 1;
}

/** Predicted vs realized rate per bucket of the predicted chance, and the Brier score. */
/**
 * Predicted vs realized rate per bucket of the predicted chance, and the Brier score; a case
 * with a weight counts that many times (n stays the number of cases).
 */
export function calibration(cases: readonly { predicted: number; realized: number; process?: number; weight?: number }[]): { capped: QualityFigures['capped']; brier: number } {
  const buckets = [0, 0.05, 0.3, 0.7, 0.95, 1.0001];
  const acc = buckets.slice(0, -1).map(() => ({ n: 0, w: 0, p: 0, r: 0, k: 0, v: 0 }));
  let brier = 0;
  let total = 0;
  for (const c of cases) {
    const b = buckets.findIndex((x, i) => c.predicted >= x && c.predicted < buckets[i + 1]);
    const w = c.weight ?? 1;
    acc[b].n++;
    acc[b].w += w;
    acc[b].p += w * c.predicted;
    acc[b].v += w * w * c.predicted * (1 - c.predicted);
    acc[b].r += w * c.realized;
    acc[b].k += w * (c.process ?? NaN);
    brier += w * (c.predicted - c.realized) ** 2;
    total += w;
  }
  return {
    capped: acc.map((c, i) => ({
      bucket: `${Math.round(buckets[i] * 100)}–${Math.min(100, Math.round(buckets[i + 1] * 100))} %`,
      n: c.n,
      predicted: c.n ? c.p / c.w : 0,
      realized: c.n ? c.r / c.w : 0,
      se: c.n ? Math.sqrt(c.v) / c.w : 0,
      ...(c.n && Number.isFinite(c.k) ? { process: c.k / c.w } : {}),
    })),
    brier: total ? brier / total : 0,
  };
}
