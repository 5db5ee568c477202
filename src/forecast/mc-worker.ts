import { workerData } from 'node:worker_threads';
import { simulate } from '../engine/simulate.ts';
import { serve } from '../workers/serve.ts';
import { runPath } from './montecarlo.ts';
import type { McMethods, WorkerInit } from './pool.ts';

// Runs Monte Carlo paths handed out one at a time by the main thread (see pool.ts).
const init = workerData as WorkerInit;
serve<McMethods>({
  path: (path) => runPath(init.scenario, init.tail, init.seed, path, simulate),
});
