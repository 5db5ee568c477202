import module from 'node:module';
import type { McMethods, WorkerInit } from './pool.ts';
import type { HeldDraw } from './montecarlo.ts';

// Started while the main thread replays the history and fits the models (see pool.ts): it loads
// its code meanwhile, then takes the scenario once and runs the paths handed to it.

// As the CLI's main thread does (bin/headroom.js): type-stripped modules load from the disk
// cache, so each worker is ready sooner. Enabled before the imports below for that.
module.enableCompileCache?.();

let init: WorkerInit | null = null;
/** draws already sent for paths this worker has yet to run (each is drawn once) */
const drawn = new Map<number, HeldDraw>();
// the first call waits on the port until serve() listens
void Promise.all([import('../engine/simulate.ts'), import('../workers/serve.ts'), import('../workers/protocol.ts'), import('./montecarlo.ts'), import('./model.ts')]).then(
  ([{ simulate }, { serve }, { Transfer }, { drawOf, holdDraw, resumeDraw, runPathFigures }, { fitSeries }]) =>
    serve<McMethods>({
      fit: (jobs) => jobs.map((j) => fitSeries(j.values, j.start, j.options)),
      init: (input) => {
        init = input;
        return true;
      },
      draws: (path) => {
        if (init === null) throw new Error('Monte Carlo draws were asked before the scenario');
        const draw = drawOf(init.scenario, init.seed, path);
        drawn.set(path, holdDraw(draw));
        // the path's run reads its counts, not these values: moved to the caller, not copied
        const block = draw.parts;
        return block.buffer instanceof ArrayBuffer ? new Transfer(block, [block.buffer]) : block;
      },
      path: (path) => {
        if (init === null) throw new Error('a Monte Carlo path was asked before the scenario');
        const held = drawn.get(path);
        drawn.delete(path);
        const figures = runPathFigures(init.scenario, init.tail, init.seed, path, simulate, held && resumeDraw(held));
        // the path's own row: moved to the caller, not copied
        return figures.buffer instanceof ArrayBuffer ? new Transfer(figures, [figures.buffer]) : figures;
      },
    }),
);
