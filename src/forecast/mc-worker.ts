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
void Promise.all([import('../engine/simulate.ts'), import('../workers/serve.ts'), import('../workers/protocol.ts'), import('./montecarlo.ts'), import('./model.ts'), import('./path-claims.ts'), import('./fit-claims.ts')]).then(
  ([{ simulate }, { serve }, { Transfer }, { drawOf, holdDraw, resumeDraw, runPathFigures }, { fitSeries }, { claimPaths }, { fitClaimed }]) =>
    serve<McMethods>({
      fit: (jobs) => jobs.map((j) => fitSeries(j.values, j.start, j.options)),
      fitClaimed: ({ jobs, claims }) => fitClaimed(jobs, new Int32Array(claims)),
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
      paths: (job, ctx) => {
        if (init === null) throw new Error('Monte Carlo paths were asked before the scenario');
        const { scenario, seed } = init;
        const { tail } = job;
        const claims = new Int32Array(job.claims);
        let ran = 0;
        for (const p of claimPaths(claims, job.lists, job.me)) {
          if (ctx.cancel.aborted) throw new Error('Cancelled');
          const held = drawn.get(p);
          drawn.delete(p);
          let figures: Float64Array;
          try {
            figures = runPathFigures(scenario, tail, seed, p, simulate, held && resumeDraw(held));
          } catch (err) {
            throw new Error(`Monte Carlo path ${p} failed: ${(err as Error).message}`, { cause: err });
          }
          // the path's own row: moved to the caller, not copied
          ctx.emit({ path: p, figures }, figures.buffer instanceof ArrayBuffer ? [figures.buffer] : []);
          ran++;
        }
        // draws another worker ran: not kept for the rest of the run
        drawn.clear();
        return ran;
      },
    }),
);
