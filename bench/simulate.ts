/**
 * `headroom simulate` as a user runs it: a whole process over 1M and 10M events (read the CSV,
 * simulate, write every decision), timed from outside with its peak memory. Then the same inputs
 * in a child that times reading and simulating separately, to show where the time goes.
 *
 *   node bench/simulate.ts breakdown PLAN EVENTS   (prints one JSON line; used by the bench)
 *   node bench/simulate.ts edits PLAN EVENTS [--warm]  (cap and seats edits, engine + tallies, then the
 *                                                       modeling view apart; one JSON line; --warm: the
 *                                                       engine's idle warm-up first)
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBenchData } from './generate.ts';
import type { DataSetName } from './generate.ts';
import { formatCount, measureProcess } from './harness.ts';
import type { Benchmark, BenchContext, Figure } from './harness.ts';

const MB = 1_000_000;

const TARGETS: Record<DataSetName, { wallS: number; rssMB?: number }> = {
  '1m': { wallS: 1 },
  '10m': { wallS: 10, rssMB: 2000 },
};

function cliPath(root: string): string {
  const bin = join(root, 'bin', 'headroom.js');
  if (!existsSync(bin)) throw new Error(`${bin} does not exist yet: the command line is not in place`);
  return bin;
}

type Profile = 'documented' | 'platform';

/**
 * The data set's plan under `profile`: the documented one as generated, the platform one the same
 * plan with `enforcement.profile: "platform"` (SPEC section 9: its throttles, edge and order on),
 * written beside it.
 */
function planFor(planPath: string, profile: Profile): string {
  if (profile === 'documented') return planPath;
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as { enforcement?: Record<string, unknown> };
  plan.enforcement = { ...plan.enforcement, profile: 'platform' };
  const out = planPath.replace(/\.json$/, '.platform.json');
  writeFileSync(out, `${JSON.stringify(plan, null, 2)}\n`);
  return out;
}

function processBenchmark(name: DataSetName, label: string, profile: Profile = 'documented'): Benchmark {
  return {
    name: `simulate ${label} events (whole process)${profile === 'platform' ? ', platform profile' : ''}`,
    group: 'simulate',
    async run(ctx: BenchContext): Promise<Figure[]> {
      const bin = cliPath(ctx.root);
      const data = ensureBenchData(name, ctx.log);
      const planPath = planFor(data.planPath, profile);
      const decisions = join(tmpdir(), `headroom-bench-decisions-${process.pid}.ndjson`);
      try {
        const m = await measureProcess(process.execPath, [bin, 'simulate', planPath, data.eventsPath, '--decisions', decisions], {
          cwd: ctx.root,
          log: ctx.log,
        });
        if (m.exitCode !== 0) throw new Error(`headroom simulate exited with ${m.exitCode}: ${m.stderr.trim().slice(0, 2000)}`);
        const target = TARGETS[name];
        const figures: Figure[] = [
          { label: 'events', value: data.events, unit: 'count', note: `${(data.bytes / MB).toFixed(0)} MB of CSV` },
          { label: 'wall time', value: m.wallMs / 1000, unit: 's', max: target.wallS },
          { label: 'throughput', value: data.events / (m.wallMs / 1000), unit: 'events/s' },
        ];
        if (m.peakRssBytes !== null) {
          figures.push({ label: 'peak memory (RSS)', value: m.peakRssBytes / MB, unit: 'MB', max: target.rssMB, note: m.rssSource });
        }
        const written = existsSync(decisions) ? statSync(decisions).size : 0;
        if (written === 0) throw new Error(`no decisions were written to ${decisions}`);
        figures.push({ label: 'decisions written', value: written / MB, unit: 'MB' });
        return figures;
      } finally {
        rmSync(decisions, { force: true });
      }
    },
  };
}

interface Breakdown {
  readMs: number;
  simulateMs: number;
  events: number;
  heapMB: number;
  rssMB: number;
}

function breakdownBenchmark(name: DataSetName, label: string, profile: Profile = 'documented'): Benchmark {
  return {
    name: `simulate ${label} events (read vs simulate, in one process)${profile === 'platform' ? ', platform profile' : ''}`,
    group: 'simulate',
    async run(ctx: BenchContext): Promise<Figure[]> {
      const data = ensureBenchData(name, ctx.log);
      const m = await measureProcess(process.execPath, [fileURLToPath(import.meta.url), 'breakdown', planFor(data.planPath, profile), data.eventsPath], {
        cwd: ctx.root,
        log: ctx.log,
      });
      if (m.exitCode !== 0) throw new Error(`breakdown exited with ${m.exitCode}: ${m.stderr.trim().slice(0, 2000)}`);
      const b = JSON.parse(m.stdout.trim().split('\n').pop() ?? '{}') as Breakdown;
      return [
        { label: 'read CSV', value: b.readMs / 1000, unit: 's', note: `${formatCount(b.events / (b.readMs / 1000))} rows/s` },
        { label: 'simulate()', value: b.simulateMs / 1000, unit: 's' },
        { label: 'simulate() throughput', value: b.events / (b.simulateMs / 1000), unit: 'events/s' },
        { label: 'heap after simulate', value: b.heapMB, unit: 'MB' },
        ...(m.peakRssBytes === null ? [] : [{ label: 'peak memory (RSS)', value: m.peakRssBytes / MB, unit: 'MB' as const, note: m.rssSource }]),
      ];
    },
  };
}

interface Edits {
  /** the first cap and seats edits after opening: the paths they take had not run in the process yet */
  firstCapMs: number;
  firstSeatsMs: number;
  capMs: number[];
  capRan: string;
  seatsMs: number[];
  /** the same seats edits: the thread's CPU time (less bent by other processes than wall time) */
  seatsCpuMs: number[];
  /** the same seats edits' modeling view (src/modeling/project.ts `viewOf`) from the result and its tallies */
  seatsViewMs: number[];
  /** the garbage collector's pauses during each of the same seats edits, engine and view */
  seatsGcMs: number[];
  seatsRan: string;
  seats: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/**
 * The engine's share of an edit on the modeling screens (issue 13: under ~50 ms of the 150 ms from
 * the input to the paint): the parts simulator's run and the tallies the views are made from, as
 * the compute worker does them, without the view, the transport or the page.
 */
function editsBenchmark(profile: Profile = 'documented'): Benchmark {
  return {
    name: `simulate 1M events: one key's cap and the seats edited, engine and tallies only (in one process)${profile === 'platform' ? ', platform profile' : ''}`,
    group: 'simulate',
    async run(ctx: BenchContext): Promise<Figure[]> {
      const data = ensureBenchData('1m', ctx.log);
      const child = async (warm: boolean): Promise<Edits> => {
        const args = [fileURLToPath(import.meta.url), 'edits', planFor(data.planPath, profile), data.eventsPath, ...(warm ? ['--warm'] : [])];
        const m = await measureProcess(process.execPath, args, { cwd: ctx.root, log: ctx.log });
        if (m.exitCode !== 0) throw new Error(`edits exited with ${m.exitCode}: ${m.stderr.trim().slice(0, 2000)}`);
        return JSON.parse(m.stdout.trim().split('\n').pop() ?? '{}') as Edits;
      };
      const e = await child(false);
      // a second process that runs the engine's idle warm-up (src/engine/warm-edits.ts) after opening
      const w = await child(true);
      const list = (ms: number[]): string => ms.map((v) => v.toFixed(0)).join(', ');
      const withView = e.seatsMs.map((ms, i) => ms + (e.seatsViewMs[i] ?? 0));
      const of = profile === 'platform' ? 'platform profile' : 'documented profile';
      return [
        { label: `one key's cap edited (median of ${e.capMs.length})`, value: median(e.capMs), unit: 'ms', max: 50, note: `${e.capRan}; ${list(e.capMs)} ms` },
        { label: `seats edit, engine only, 1M, ${of}: allowance refusing (median of ${e.seatsMs.length})`, value: median(e.seatsMs), unit: 'ms', max: 50, note: `${e.seats}+1… seats, ${e.seatsRan}; ${list(e.seatsMs)} ms; thread CPU ${list(e.seatsCpuMs)} ms` },
        {
          label: `seats edit, engine only, 1M, ${of}: the thread's CPU time (median of ${e.seatsCpuMs.length})`,
          value: median(e.seatsCpuMs),
          unit: 'ms',
          note: 'the same edits; less bent than wall time by other processes on a busy machine',
        },
        { label: `seats edit, engine + view, 1M, ${of} (median of ${withView.length})`, value: median(withView), unit: 'ms', max: 70, note: `view ${list(e.seatsViewMs)} ms; garbage collection ${list(e.seatsGcMs)} ms; issue 13: the compute worker's share of 150 ms from the input to the paint` },
        { label: 'first cap edit after opening', value: e.firstCapMs, unit: 'ms', note: 'the paths it takes not yet run in the process' },
        { label: 'first cap edit after opening and warmEditPaths()', value: w.firstCapMs, unit: 'ms', max: 50 },
        { label: 'first seats edit after opening', value: e.firstSeatsMs, unit: 'ms', note: 'the allowance part refusing for the first time in the process' },
        { label: 'first seats edit after opening and warmEditPaths()', value: w.firstSeatsMs, unit: 'ms', max: 60 },
      ];
    },
  };
}

async function edits(planPath: string, eventsPath: string, warm: boolean): Promise<void> {
  const { readEventsCsvFile } = await import('../src/csv/read-events.ts');
  const { parsePlanJson } = await import('../src/engine/plan.ts');
  const { PartsSimulator } = await import('../src/engine/parts.ts');
  const { talliesOf } = await import('../src/engine/report-tallies.ts');
  const base = parsePlanJson(readFileSync(planPath, 'utf8'), planPath);
  const events = readEventsCsvFile(eventsPath);
  // as the compute worker runs it (src/entries/compute-worker.ts): charts on, the last result recycled
  const options = { timelineBuckets: 1200 };
  const simulator = new PartsSimulator(events);
  let last = simulator.run(base, options);
  talliesOf(events, last);
  if (warm) {
    const { warmEditPaths } = await import('../src/engine/warm-edits.ts');
    warmEditPaths({ timelineBuckets: options.timelineBuckets });
  }
  const { viewOf } = await import('../src/modeling/project.ts');
  // the collector's pauses, attributed afterwards to the edit they fell in (entries arrive late)
  const { PerformanceObserver } = await import('node:perf_hooks');
  const pauses: { start: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push({ start: entry.startTime, ms: entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const gcWithin = (from: number, to: number): number => pauses.reduce((sum, p) => (p.start >= from && p.start < to ? sum + p.ms : sum), 0);
  let lastSpan = { from: 0, to: 0 };
  const cpu = (): number => {
    const u = process.threadCpuUsage();
    return (u.user + u.system) / 1000;
  };
  let lastCpu = 0;
  let lastView = 0;
  const timed = (plan: typeof base): number => {
    const c = cpu();
    const t = performance.now();
    last = simulator.run(plan, { ...options, recycle: last });
    talliesOf(events, last);
    const ms = performance.now() - t;
    lastCpu = cpu() - c;
    const v = performance.now();
    viewOf(plan, events, last);
    lastView = performance.now() - v;
    lastSpan = { from: t, to: performance.now() };
    return ms;
  };
  const ran = (): string => (simulator.lastIsolatedKey !== null ? `key ${simulator.lastIsolatedKey} simulated alone` : `${simulator.lastSimulated.join('+') || 'nothing'} simulated`);
  const RUNS = 5;
  // the first key with a cap, as the API keys screen's first cap input; values it does not have
  const k = Math.max(0, base.apiKeys.findIndex((key) => key.capUsd !== null));
  const capNow = base.apiKeys[k]?.capUsd ?? 10;
  const capMs: number[] = [];
  let capRan = '';
  for (let i = 1; i <= RUNS; i++) {
    const plan = { ...base, apiKeys: base.apiKeys.map((key, j) => (j === k ? { ...key, capUsd: Math.round(capNow * (1 + i / 10)) + i } : key)) };
    capMs.push(timed(plan));
    capRan = ran();
  }
  // about 60 % of the seats the history needs (its busiest 24 h of messages and fair-use runs)
  const peak = last.timeline === null ? 0 : Math.max(...last.timeline.allowanceUsed);
  const perSeat = base.workspace.messagesPerSeatPerDay ?? 100;
  const seats = Math.max(1, Math.round((0.6 * peak) / perSeat));
  const withSeats = (n: number) => ({ ...base, workspace: { ...base.workspace, seats: n } });
  const firstSeatsMs = timed(withSeats(seats));
  const seatsMs: number[] = [];
  const seatsCpuMs: number[] = [];
  const seatsViewMs: number[] = [];
  const seatsSpans: { from: number; to: number }[] = [];
  let seatsRan = '';
  for (let i = 1; i <= RUNS; i++) {
    seatsMs.push(timed(withSeats(seats + i)));
    seatsCpuMs.push(lastCpu);
    seatsViewMs.push(lastView);
    seatsSpans.push(lastSpan);
    seatsRan = ran();
  }
  // the last entries are delivered on a later turn
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  const seatsGcMs = seatsSpans.map((span) => gcWithin(span.from, span.to));
  const out: Edits = { firstCapMs: capMs[0] ?? Number.NaN, firstSeatsMs, capMs, capRan, seatsMs, seatsCpuMs, seatsViewMs, seatsGcMs, seatsRan, seats };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const startup: Benchmark = {
  name: 'headroom start-up (`headroom --version`, whole process)',
  group: 'simulate',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const bin = cliPath(ctx.root);
    const times: number[] = [];
    let rss: number | null = null;
    for (let i = 0; i < 3; i++) {
      const m = await measureProcess(process.execPath, [bin, '--version'], { cwd: ctx.root, log: ctx.log });
      if (m.exitCode !== 0) throw new Error(`headroom --version exited with ${m.exitCode}: ${m.stderr.trim()}`);
      times.push(m.wallMs);
      rss = m.peakRssBytes;
    }
    const figures: Figure[] = [{ label: 'wall time (best of 3)', value: Math.min(...times) / 1000, unit: 's' }];
    if (rss !== null) figures.push({ label: 'peak memory (RSS)', value: rss / MB, unit: 'MB' });
    return figures;
  },
};

export const benchmarks: Benchmark[] = [
  startup,
  processBenchmark('1m', '1M'),
  processBenchmark('1m', '1M', 'platform'),
  processBenchmark('10m', '10M'),
  processBenchmark('10m', '10M', 'platform'),
  breakdownBenchmark('1m', '1M'),
  breakdownBenchmark('1m', '1M', 'platform'),
  breakdownBenchmark('10m', '10M'),
  breakdownBenchmark('10m', '10M', 'platform'),
  editsBenchmark(),
  editsBenchmark('platform'),
];

async function breakdown(planPath: string, eventsPath: string): Promise<void> {
  // loaded here, not at the top: listing the benchmarks must not need the engine to be present
  const { readEventsCsvFile } = await import('../src/csv/read-events.ts');
  const { parsePlanJson } = await import('../src/engine/plan.ts');
  const { simulate } = await import('../src/engine/simulate.ts');
  const plan = parsePlanJson(readFileSync(planPath, 'utf8'), planPath);
  const t0 = performance.now();
  const events = readEventsCsvFile(eventsPath);
  const t1 = performance.now();
  const result = simulate(plan, events);
  const t2 = performance.now();
  const out: Breakdown = {
    readMs: t1 - t0,
    simulateMs: t2 - t1,
    events: result.count,
    heapMB: process.memoryUsage().heapUsed / MB,
    rssMB: process.memoryUsage().rss / MB,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === 'edits') {
  const [, , , planPath, eventsPath, flag] = process.argv;
  if (!planPath || !eventsPath) {
    console.error('usage: node bench/simulate.ts edits PLAN EVENTS [--warm]');
    process.exit(2);
  }
  await edits(planPath, eventsPath, flag === '--warm');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === 'breakdown') {
  const [, , , planPath, eventsPath] = process.argv;
  if (!planPath || !eventsPath) {
    console.error('usage: node bench/simulate.ts breakdown PLAN EVENTS');
    process.exit(2);
  }
  await breakdown(planPath, eventsPath);
}
