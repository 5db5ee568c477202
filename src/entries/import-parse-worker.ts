import module from 'node:module';
import type { ParseMethods } from '../import/pipeline.ts';

// The parsing thread of a pipelined import (src/import/pipeline.ts). Its one call streams the file's batches
// (and then `done`, or the file's error) to the importer, which counts down the batches in flight
// in shared memory as it writes them; at most PARSE_AHEAD wait unwritten, so memory stays flat
// however large the file. The scanner is synchronous, so the thread waits on the counter itself
// (Atomics.wait), waking now and then to see whether the import was stopped.

// As the CLI's main thread does (bin/headroom.js): type-stripped modules load from the disk
// cache, so the first rows reach the writer sooner. Enabled before the imports below for that.
module.enableCompileCache?.();

// the call waits on the port until serve() listens
void Promise.all([import('../import/pipeline.ts'), import('../workers/serve.ts')]).then(([{ parseEventsFile, PARSE_AHEAD, PARSE_IN_FLIGHT, PARSE_STOP, ParseStopped }, { serve }]) =>
  serve<ParseMethods>({
    parse: ({ request, control }, ctx) => {
      const state = new Int32Array(control);
      return parseEventsFile(
        request,
        (m, transfer) => {
          if (m.kind === 'batch') Atomics.add(state, PARSE_IN_FLIGHT, 1);
          ctx.emit(m, transfer);
        },
        () => {
          for (;;) {
            if (Atomics.load(state, PARSE_STOP) !== 0 || ctx.cancel.aborted) throw new ParseStopped();
            const inFlight = Atomics.load(state, PARSE_IN_FLIGHT);
            if (inFlight < PARSE_AHEAD) return;
            Atomics.wait(state, PARSE_IN_FLIGHT, inFlight, 100);
          }
        },
      );
    },
  }),
);
