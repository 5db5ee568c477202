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
  ([{ simulate }, { serve }, { Transfer }, { runPathRow }]) =>
    serve<McMethods>({
      init: (input) => {
        init = input;
        return true;
      },
      path: (path) => {
        if (init === null) throw new Error('a Monte Carlo path was asked before the scenario');
        const row = runPathRow(init.scenario, init.tail, init.seed, path, simulate);
        // both are this path's own buffers: moved to the caller, not copied
        const moved = [row.figures.buffer, row.draws.buffer].filter((b) => b instanceof ArrayBuffer);
        return new Transfer(row, moved);
      },
    }),
);
