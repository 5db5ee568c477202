/**
 * `headroom forecast` on the 1M-event benchmark workspace: a 30-day forecast with 200 Monte Carlo
 * paths on worker threads (target: under 5 s on 2 cores, issue 17), timed in a child process once the
 * events are in memory.
 *
 *   node bench/forecast.ts run PLAN EVENTS [PATHS]   (prints one JSON line; used by the bench)
 */
import { readFileSync } from 'node:fs';
import module from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureBenchData } from './generate.ts';
import { measureProcess } from './harness.ts';
import type { Benchmark, BenchContext, Figure } from './harness.ts';

interface Run {
  events: number;
  readMs: number;
  forecastMs: number;
  /** CPU time of all threads during the forecast */
  cpuMs: number;
  /** of which this (the main) thread's: replay, fitting, backtest, bands */
  mainCpuMs: number;
  paths: number;
  workers: number;
}

async function child(planPath: string, eventsPath: string, paths: number): Promise<void> {
  // as `headroom forecast` runs (bin/headroom.js): type-stripped modules from the disk cache
  module.enableCompileCache?.();
  const { readEventsCsvFile } = await import('../src/csv/read-events.ts');
  const { parsePlanJson } = await import('../src/engine/plan.ts');
  const { forecast } = await import('../src/forecast/index.ts');
  let t = performance.now();
  const events = readEventsCsvFile(eventsPath);
  const plan = parsePlanJson(readFileSync(planPath, 'utf8'), planPath);
  const readMs = performance.now() - t;
  t = performance.now();
  const cpu0 = process.cpuUsage();
  const main0 = process.threadCpuUsage();
  const report = await forecast(events, plan, { days: 30, paths });
  const forecastMs = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  const main = process.threadCpuUsage(main0);
  if (!report.monteCarlo || report.monteCarlo.paths !== paths) throw new Error('the forecast ran no Monte Carlo paths');
  const run: Run = { events: events.count, readMs, forecastMs, cpuMs: (cpu.user + cpu.system) / 1000, mainCpuMs: (main.user + main.system) / 1000, paths, workers: availableParallelism() };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

export const benchmarks: Benchmark[] = [
  {
    name: 'forecast 1M events: 30 days, 200 Monte Carlo paths (worker threads)',
    group: 'forecast',
    async run(ctx: BenchContext): Promise<Figure[]> {
      const data = ensureBenchData('1m', ctx.log);
      const m = await measureProcess(process.execPath, [fileURLToPath(import.meta.url), 'run', data.planPath, data.eventsPath, '200'], { cwd: ctx.root, log: ctx.log });
      if (m.exitCode !== 0) throw new Error(`forecast child exited with ${m.exitCode}: ${m.stderr.trim().slice(0, 2000)}`);
      const r = JSON.parse(m.stdout.trim().split('\n').pop() ?? '{}') as Run;
      return [
        { label: 'events in the history', value: r.events, unit: 'count' },
        { label: 'read the history (CSV, not timed in the target)', value: r.readMs / 1000, unit: 's' },
        { label: `forecast + ${r.paths} paths on ${r.workers} workers`, value: r.forecastMs / 1000, unit: 's', max: 5 },
        { label: 'per path (wall)', value: r.forecastMs / r.paths, unit: 'ms' },
        { label: 'CPU time, all threads (÷ 2 = wall on 2 idle cores)', value: r.cpuMs / 1000, unit: 's', note: 'the machine is shared: wall time varies with load' },
        { label: '  of which the main thread (replay, fit, backtest, bands)', value: r.mainCpuMs / 1000, unit: 's' },
        { label: '  of which the path workers', value: (r.cpuMs - r.mainCpuMs) / 1000, unit: 's' },
      ];
    },
  },
];

if (process.argv[2] === 'run' && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [, , , planPath, eventsPath, paths] = process.argv;
  if (!planPath || !eventsPath) throw new Error('usage: node bench/forecast.ts run PLAN EVENTS [PATHS]');
  await child(planPath, eventsPath, Number(paths ?? 200));
}
