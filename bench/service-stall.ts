/**
 * Nothing heavy on Electron's main process (issue 13 item 4): the process that relays calls (main,
 * here this bench's own process) must never stall more than 50 ms while the service process
 * imports the 1M-row canonical CSV or runs a forecast. Measured with the relay and the service
 * entry the app uses (src/api/service-relay.ts, src/entries/service-process.ts), the service forked as
 * a Node child process as Electron's utilityProcess runs it.
 *
 * The stall is the longest the relaying process's event loop could not run: the larger of
 * monitorEventLoopDelay's maximum and a 10 ms timer's worst lateness. For contrast, the
 * `stall-in-process` group runs the same import with the service on the measured process itself
 * (as the app did before the relay). On a shared machine the process is also descheduled: the
 * idle figure (10 s with nothing to relay) is that floor.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Settled } from '../src/api/errors.ts';
import { nodeForkService, ServiceRelay } from '../src/api/service-relay.ts';
import type { ServiceLink } from '../src/api/service-link.ts';
import { workerFile } from '../src/worker-files.ts';
import { ensureBenchData } from './generate.ts';
import type { Benchmark, BenchContext, Figure } from './harness.ts';

interface Stall {
  wallMs: number;
  /** the longest the event loop could not run, ms */
  longestMs: number;
  p99Ms: number;
  progressEvents: number;
  /** CPU time this process used meanwhile: relaying is cheap, so the stalls beyond it are the machine's */
  cpuMs: number;
}

/** Runs `work` while watching this process's event loop. */
async function watchLoop(work: (onProgress: () => void) => Promise<void>): Promise<Stall> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let lateMax = 0;
  let expected = performance.now() + 10;
  const timer = setInterval(() => {
    const now = performance.now();
    lateMax = Math.max(lateMax, now - expected);
    expected = now + 10;
  }, 10);
  let progressEvents = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  try {
    await work(() => progressEvents++);
  } finally {
    clearInterval(timer);
    histogram.disable();
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, longestMs: Math.max(lateMax, histogram.max / 1e6), p99Ms: histogram.percentile(99) / 1e6, progressEvents };
}

function valueOf<T>(s: Settled<unknown>, what: string): T {
  if (!s.ok) throw new Error(`${what}: ${s.error.code}: ${s.error.message}`);
  return s.value as T;
}

function figures(what: string, s: Stall): Figure[] {
  return [
    { label: `${what}: wall time`, value: s.wallMs / 1000, unit: 's' },
    { label: `${what}: longest stall of the relaying process`, value: s.longestMs, unit: 'ms', max: 50 },
    { label: `${what}: event-loop delay p99`, value: s.p99Ms, unit: 'ms' },
    { label: `${what}: progress events relayed`, value: s.progressEvents, unit: 'count' },
    { label: `${what}: CPU time of the relaying process`, value: s.cpuMs, unit: 'ms' },
  ];
}

async function importAndForecast(link: ServiceLink, eventsPath: string, planText: string): Promise<{ imported: Stall; forecast: Stall }> {
  valueOf(await link.call('plan-save', { plan: JSON.parse(planText) as unknown }), 'plan-save');
  const imported = await watchLoop(async (onProgress) => {
    const r = valueOf<{ imported: number }>(await link.call('import-run', { source: { path: eventsPath }, jobId: 'bench-import' }, onProgress), 'import-run');
    if (r.imported < 900_000) throw new Error(`only ${r.imported} events imported`);
  });
  const { plan } = valueOf<{ plan: unknown }>(await link.call('plan-get', {}), 'plan-get');
  const forecast = await watchLoop(async (onProgress) => {
    valueOf(await link.call('model-forecast', { plan, days: 30, paths: 200, jobId: 'bench-forecast' }, onProgress), 'model-forecast');
  });
  return { imported, forecast };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'relaying process stall while the service process imports 1M rows, then forecasts (30 days, 200 paths)',
    group: 'stall',
    async run(ctx: BenchContext): Promise<Figure[]> {
      const data = ensureBenchData('1m', ctx.log);
      const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-stall-'));
      const relay = new ServiceRelay({
        fork: nodeForkService,
        entry: workerFile('service-process'),
        init: { userDataDir: join(dir, 'user-data'), ledgerPath: join(dir, 'ledger.sqlite'), demo: false },
        log: ctx.log,
      });
      try {
        // the service process's start is not part of the figures
        valueOf(await relay.call('ledger-info', {}), 'ledger-info');
        // what the shared machine alone does to this process's event loop, with nothing to relay
        const idle = await watchLoop(() => new Promise((resolve) => setTimeout(resolve, 10_000)));
        const r = await importAndForecast(relay, data.eventsPath, readFileSync(data.planPath, 'utf8'));
        return [
          { label: 'idle 10 s, nothing relayed: longest stall (the machine alone)', value: idle.longestMs, unit: 'ms' },
          { label: 'idle 10 s: event-loop delay p99', value: idle.p99Ms, unit: 'ms' },
          { label: 'idle 10 s: CPU time of the relaying process', value: idle.cpuMs, unit: 'ms' },
          ...figures(`import ${data.events.toLocaleString('en')} rows`, r.imported),
          ...figures('forecast', r.forecast),
        ];
      } finally {
        await relay.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'for contrast: the same with the service on the measured process (as before the relay)',
    group: 'stall-in-process',
    async run(ctx: BenchContext): Promise<Figure[]> {
      const data = ensureBenchData('1m', ctx.log);
      const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-stall-'));
      const { createService } = await import('../src/api/service.ts');
      const { ComputeClient } = await import('../src/api/compute.ts');
      const { importWorkerUrl, ledgerStoreOpener } = await import('../src/api/ledger-store.ts');
      const { localLink } = await import('../src/api/service-link.ts');
      const link = localLink(
        createService({
          userDataDir: join(dir, 'user-data'),
          ledgerPath: join(dir, 'ledger.sqlite'),
          openStore: ledgerStoreOpener(importWorkerUrl()),
          compute: new ComputeClient(workerFile('compute-worker')),
          demo: null,
        }),
      );
      try {
        valueOf(await link.call('ledger-info', {}), 'ledger-info');
        const r = await importAndForecast(link, data.eventsPath, readFileSync(data.planPath, 'utf8'));
        return [...figures('in-process import', r.imported), ...figures('in-process forecast', r.forecast)];
      } finally {
        await link.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
