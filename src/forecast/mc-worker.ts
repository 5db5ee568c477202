import module from 'node:module';
import type { McMethods, WorkerInit } from './pool.ts';

// Started while the main thread replays the history and fits the models (see pool.ts): it loads
// its code meanwhile, then takes the scenario once and runs the paths handed to it.

// As the CLI's main thread does (bin/headroom.js): type-stripped modules load from the disk
// cache, so each worker is ready sooner. Enabled before the imports below for that.
module.enableCompileCache?.();

let init: WorkerInit | null = null;
// the first call waits on the port until serve() listens
void Promise.all([import('../engine/simulate.ts'), import('../workers/serve.ts'), import('../workers/protocol.ts'), import('./montecarlo.ts')]).then(
  ([{ simulate }, { serve }, { Transfer }, { runPath }]) =>
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
    }),
);
