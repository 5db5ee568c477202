import { simulate } from '../engine/simulate.ts';
import { serve } from '../workers/serve.ts';
import { Transfer } from '../workers/protocol.ts';
import { runPath } from './montecarlo.ts';
import type { McMethods, WorkerInit } from './pool.ts';

// Started while the main thread replays the history and fits the models (see pool.ts): it loads
// its code meanwhile, then takes the scenario once and runs the paths handed to it.
let init: WorkerInit | null = null;
serve<McMethods>({
  init: (input) => {
    init = input;
    return true;
  },
  path: (path) => {
    if (init === null) throw new Error('a Monte Carlo path was asked before the scenario');
    const summary = runPath(init.scenario, init.tail, init.seed, path, simulate);
    // the draws are this path's own block: moved to the caller, not copied
    const block = summary.draws?.buffer;
    return block instanceof ArrayBuffer ? new Transfer(summary, [block]) : summary;
  },
});
