import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { BroadcastChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LedgerStore } from '../src/api/ledger-store.ts';
import { eventsToCsv } from '../src/demo/csv-writer.ts';
import { generateWorkspace } from '../src/demo/generator.ts';
import { COMPARE_PATHS, forecast } from '../src/forecast/index.ts';
import type { ForecastReport } from '../src/forecast/index.ts';
import { ComputeClient } from '../src/api/compute.ts';
import { workerEvents } from '../src/api/compute-protocol.ts';
import { WorkerClient } from '../src/workers/client.ts';
import { newForegroundGate } from '../src/workers/foreground.ts';
import type { SlowLaneMethods } from '../src/api/compute-protocol.ts';
import type { Plan } from '../src/engine/plan.ts';
import { WORKER_SOURCES } from '../src/worker-files.ts';
import { hashSources, sourceVersion } from '../src/fs/source-version.ts';
import { nodeForkService, ServiceRelay } from '../src/api/service-relay.ts';

/**
 * The desktop app's main process is a bundle (electron-vite): entries in out/main/, shared code in
 * out/main/chunks/. The worker threads must start from there, whichever file the code that starts
 * them ended up in. The real build, into a folder of its own (out/ is left alone), then its
 * entries run on worker threads as the app runs them.
 */
const root = join(import.meta.dirname, '..');
let outDir = '';
const main = (file: string): string => join(outDir, 'main', file);

beforeAll(async () => {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  // inside the checkout, so that the bundle's bare imports (better-sqlite3, …) resolve
  outDir = mkdtempSync(join(root, '.tmp', 'bundle-'));
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', outDir, '--logLevel', 'error'], {
    cwd: root,
  });
}, 120_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

interface ThreadLog {
  /** threads the entry's code started */
  started: number;
  errors: string[];
}

let channels = 0;

/**
 * A worker script that runs a bundled entry as is and tells, on a broadcast channel, each worker
 * thread that the entry's code starts and each that fails (a script not found, say). The import
 * falls back to one thread without a word when its parse worker is not found: counting threads
 * is how the test sees it.
 */
function watched(entry: string): { url: URL; log: ThreadLog; close: () => void } {
  const name = `bundle-workers-${process.pid}-${channels++}`;
  const code = `
    import { subscribe } from 'node:diagnostics_channel';
    import { BroadcastChannel } from 'node:worker_threads';
    const report = new BroadcastChannel(${JSON.stringify(name)});
    report.unref();
    subscribe('worker_threads', ({ worker }) => {
      report.postMessage({ started: worker.threadId });
      worker.on('error', (err) => report.postMessage({ error: String(err) }));
    });
    await import(${JSON.stringify(pathToFileURL(entry).href)});
  `;
  const log: ThreadLog = { started: 0, errors: [] };
  const channel = new BroadcastChannel(name);
  channel.onmessage = (e) => {
    const data = e.data as { started?: number; error?: string };
    if (data.started !== undefined) log.started++;
    if (data.error !== undefined) log.errors.push(data.error);
  };
  return { url: new URL(`data:text/javascript,${encodeURIComponent(code)}`), log, close: () => channel.close() };
}

describe('the bundled main process (electron-vite build)', () => {
  const demo = generateWorkspace({ seed: 42 });

  it('builds every worker thread as an entry of its own', () => {
    for (const name of Object.keys(WORKER_SOURCES)) expect(existsSync(main(`${name}.js`)), `out/main/${name}.js`).toBe(true);
  });

  it('carries the version of the sources it was built from: the one the command line computes from them', () => {
    const version = hashSources(join(root, 'src'));
    expect(sourceVersion()).toBe(version);
    const bundled = (readdirSync(join(outDir, 'main'), { recursive: true, encoding: 'utf8' }) as string[])
      .filter((f) => f.endsWith('.js'))
      .filter((f) => readFileSync(join(outDir, 'main', f), 'utf8').includes(JSON.stringify(version)));
    // where the bundle's sourceVersion() is: a stored overview is keyed on it
    expect(bundled.length).toBeGreaterThan(0);
  });

  it('forecasts on the bundled compute worker, through its slow lane found from the bundle', async () => {
    const spy = watched(main('compute-worker.js'));
    const compute = new ComputeClient(spy.url);
    try {
      compute.setEvents(demo.events);
      const report: ForecastReport = await compute.ask({ kind: 'forecast', plan: demo.plan, days: 14, paths: 4, whatIf: {} });
      expect(report.monteCarlo?.paths).toBe(4);
      // the slow lane is the one thread it started
      await vi.waitFor(() => expect(spy.log.started).toBe(1));
      expect(spy.log.errors).toEqual([]);
      expect(report).toEqual(await forecast(demo.events, demo.plan, { days: 14, paths: 4, whatIf: {}, workers: 0, compare: { paths: COMPARE_PATHS } }));
    } finally {
      await compute.close();
      spy.close();
    }
  });

  it('runs Monte Carlo paths on worker threads from the bundled slow lane', async () => {
    const spy = watched(main('compute-slow-worker.js'));
    const lane = new WorkerClient<SlowLaneMethods>(spy.url, { name: 'slow lane' });
    try {
      await lane.call('events', { version: 1, events: workerEvents(demo.events), foreground: newForegroundGate(), exportedKeys: [] });
      const request = { kind: 'forecast' as const, plan: demo.plan, days: 14, paths: 4, whatIf: {}, workers: 2 };
      const report = (await lane.call('run', request)) as ForecastReport;
      // the paths ran on two threads of their own (the other profile's too, on the same two), and
      // gave what one thread gives from the sources
      await vi.waitFor(() => expect(spy.log.started).toBe(2));
      expect(spy.log.errors).toEqual([]);
      expect(report).toEqual(await forecast(demo.events, demo.plan, { days: 14, paths: 4, whatIf: {}, workers: 0, compare: { paths: COMPARE_PATHS } }));
    } finally {
      await lane.close();
      spy.close();
    }
  });

  it('parses a large import on the parse worker, found from the bundled ledger code', async () => {
    // over the 4 MiB from which an events CSV going into an empty ledger is parsed on a second thread
    const csv = eventsToCsv(demo.events);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(4 << 20);
    const file = join(outDir, 'events.csv');
    writeFileSync(file, csv);
    const spy = watched(main('import-worker.js'));
    // the app's store, with the bundle's import worker (what electron/main/index.ts passes it)
    const store = new LedgerStore(join(outDir, 'ledger.sqlite'), spy.url);
    try {
      const result = await store.importFile({ path: file }, { format: 'auto', skipBadRows: false, onProgress: () => {}, signal: new AbortController().signal });
      expect(result).toMatchObject({ format: 'events', rows: demo.events.count, imported: demo.events.count, rejected: 0 });
      expect(store.eventCount()).toBe(demo.events.count);
      await vi.waitFor(() => expect(spy.log.started).toBe(1));
      expect(spy.log.errors).toEqual([]);
    } finally {
      store.close();
      spy.close();
    }
  });

  it('simulates on the bundled compute worker, which starts its part thread from the bundled part worker', async () => {
    const spy = watched(main('compute-worker.js'));
    const compute = new ComputeClient(spy.url);
    try {
      compute.setEvents(demo.events);
      const first = await compute.run('projection', demo.plan, 'Demo', 200);
      expect(first.events).toBe(demo.events.count);
      // allowances and caps that refuse, each new, so that both parts are simulated each time
      const plan = (i: number): Plan => ({
        ...demo.plan,
        workspace: { ...demo.plan.workspace, seats: 1, messagesPerSeatPerDay: 5 + i },
        apiKeys: demo.plan.apiKeys.map((k) => ({ ...k, capUsd: 0.01 + i / 1000 })),
      });
      let threads = 0;
      for (let i = 0; i < 200 && threads < 2; i++) {
        await new Promise((r) => setTimeout(r, 25));
        threads = (await compute.run('projection', plan(i), 'Demo', 200)).computeThreads;
      }
      expect(threads).toBe(2);
      expect(spy.log.started).toBe(1);
      expect(spy.log.errors).toEqual([]);
    } finally {
      await compute.close();
      spy.close();
    }
  });

  it('runs the bundled service process (as main starts it) and answers a relayed call from it', async () => {
    const relay = new ServiceRelay({
      fork: nodeForkService,
      entry: pathToFileURL(main('service-process.js')),
      init: { userDataDir: join(outDir, 'service-data'), ledgerPath: join(outDir, 'service.sqlite'), demo: false },
    });
    try {
      expect(await relay.call('ledger-info', {})).toMatchObject({ ok: true, value: { path: join(outDir, 'service.sqlite'), events: 0 } });
      expect(relay.startCount).toBe(1);
    } finally {
      await relay.close();
    }
  });
});
