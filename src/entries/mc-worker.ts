import module from 'node:module';
import type { McMethods, WorkerInit } from '../forecast/pool.ts';

// Started while the main thread replays the history and fits the models (see pool.ts): it fits
// meanwhile, then takes the scenario once, draws its paths' days and runs the paths.

// As the CLI's main thread does (bin/headroom.js): type-stripped modules load from the disk
// cache, so each worker is ready sooner. Enabled before the imports below for that.
module.enableCompileCache?.();

let init: WorkerInit | null = null;
// the first call waits on the port until serve() listens
void Promise.all([
  import('../engine/simulate.ts'),
  import('../workers/serve.ts'),
  import('../forecast/montecarlo.ts'),
  import('../forecast/model.ts'),
  import('../forecast/path-claims.ts'),
  import('../forecast/fit-claims.ts'),
  import('../forecast/path-block.ts'),
  import('../workers/foreground.ts'),
]).then(([{ simulate }, { serve }, { drawFromBlock, runPathFigures }, { fitSeries }, { claimPaths }, { fitClaimed }, { pathBlock }, { yieldingSignal }]) => {
  /** path p's block in the shared blocks, and whether it is drawn (`WorkerInit`) */
  const blockOf = (p: number, from: WorkerInit): Float64Array => {
    const size = from.blocks.length / from.drawn.length;
    return from.blocks.subarray(p * size, (p + 1) * size);
  };
  // a path of another worker's not drawn yet is drawn here, into this buffer
  let own = new Float64Array(0);
  serve<McMethods>({
    fit: (jobs) => jobs.map((j) => fitSeries(j.values, j.start, j.options)),
    fitClaimed: ({ jobs, claims }) => fitClaimed(jobs, new Int32Array(claims)),
    init: (input) => {
      init = input;
      return true;
    },
    draws: (paths, ctx) => {
      if (init === null) throw new Error('Monte Carlo draws were asked before the scenario');
      // pauses here while the compute thread answers an edit, when these paths are background work
      const signal = yieldingSignal(ctx.cancel, init.foreground);
      for (const p of paths) {
        if (signal.aborted) throw new Error('Cancelled');
        pathBlock(init.scenario, init.seed, p, blockOf(p, init));
        // written before it is marked: a thread that reads the mark sees the whole block
        Atomics.store(init.drawn, p, 1);
      }
      return paths.length;
    },
    paths: (job, ctx) => {
      if (init === null) throw new Error('Monte Carlo paths were asked before the scenario');
      const { scenario, seed } = init;
      const claims = new Int32Array(job.claims);
      let ran = 0;
      const signal = yieldingSignal(ctx.cancel, init.foreground);
      for (const p of claimPaths(claims, job.lists, job.me)) {
        if (signal.aborted) throw new Error('Cancelled');
        let block = blockOf(p, init);
        if (Atomics.load(init.drawn, p) !== 1) {
          // its worker has not drawn it yet (it got little CPU): the same draws, here
          if (own.length !== block.length) own = new Float64Array(block.length);
          block = pathBlock(scenario, seed, p, own);
        }
        let figures: Float64Array;
        try {
          figures = runPathFigures(scenario, job.tail, seed, p, simulate, drawFromBlock(scenario, seed, p, block));
        } catch (err) {
          throw new Error(`Monte Carlo path ${p} failed: ${(err as Error).message}`, { cause: err });
        }
        // the path's own row: moved to the caller, not copied
        ctx.emit({ path: p, figures }, figures.buffer instanceof ArrayBuffer ? [figures.buffer] : []);
        ran++;
      }
      return ran;
    },
  });
});
