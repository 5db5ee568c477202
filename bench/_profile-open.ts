/**
 * Where reopening the 1M ledger spends its time, stage by stage (not a benchmark: run it directly,
 * `node bench/_profile-open.ts [runs]`, after `npm run bench -- "freshly opened"` has built the
 * ledger). Each stage is timed on its own, in the order the service and the compute worker run
 * them; medians of the runs.
 */
import { join } from 'node:path';
import { ComputeClient } from '../src/api/compute.ts';
import { readCache } from '../src/api/events-cache.ts';
import { planHash, readSnapshot, readStoredSpan } from '../src/ledger/overview-snapshot-file.ts';
import { PartsSimulator } from '../src/engine/parts.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { openLedger } from '../src/ledger/ledger.ts';
import { buildOverview } from '../src/projection/overview.ts';
import { TIMELINE_BUCKETS } from '../src/projection/overview-of.ts';

const runs = Number(process.argv[2] ?? 3);
const ledgerPath = join(import.meta.dirname, 'data', 'ui-1m-1004219.sqlite');
const times = new Map<string, number[]>();
const time = async <T>(label: string, fn: () => T | Promise<T>): Promise<T> => {
  const t = performance.now();
  const value = await fn();
  const list = times.get(label) ?? [];
  list.push(performance.now() - t);
  times.set(label, list);
  return value;
};

for (let run = 0; run < runs; run++) {
  // the service's thread
  const ledger = await time('service: open the ledger (SQLite, migrations check)', () => openLedger(ledgerPath));
  const plan = await time('service: read the plan', () => validatePlan(ledger.loadPlan('current')));
  const key = await time('service: content version (batches, primary key ends)', () => ledger.eventsVersionKey());
  await time('service: span counted (count/min/max: a scan of every row)', () => ledger.span());
  await time('service: span from the stored overview', () => readStoredSpan(ledgerPath, key));
  const compute = new ComputeClient();
  const stored = await time('service: stored overview read (file + parse)', () =>
    readSnapshot(ledgerPath, { events: key, plan: planHash(plan), code: compute.codeVersion() }),
  );
  await time('service: answer to JSON', () => JSON.stringify(stored));
  ledger.close();
  // the compute worker, end to end: spawn, modules, events cache, simulation, overview
  compute.setLedger(ledgerPath);
  await time('compute worker: spawn to first overview answered (all below)', () => compute.run('overview', plan, plan.workspace.name, 0));
  await compute.close();
  // the worker's stages, one by one on this thread
  const events = await time('  events cache into shared memory', () => readCache(ledgerPath, key));
  if (events === null) throw new Error('no events cache: run the bench once first');
  const sim = new PartsSimulator(events);
  const result = await time('  first simulation (parts simulator)', () => sim.runAsync(plan, { timelineBuckets: TIMELINE_BUCKETS }, null));
  await time('  overview built from the result', () => buildOverview(plan.workspace.name, events, result));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
for (const [label, xs] of times) console.log(`${label.padEnd(64)} ${median(xs).toFixed(1).padStart(8)} ms   (${xs.map((x) => Math.round(x)).join(', ')})`);
