import module from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { ParseWorkerData } from './pipeline.ts';

/**
 * The parsing thread of a pipelined import (pipeline.ts). The importer counts down the batches
 * in flight in shared memory as it writes them; at most PARSE_AHEAD wait unwritten, so memory
 * stays flat however large the file. The scanner is synchronous, so the thread waits on the
 * counter itself (Atomics.wait), waking now and then to see whether the import was stopped.
 */

// As the CLI's main thread does (bin/headroom.js): type-stripped modules load from the disk
// cache, so the first rows reach the writer sooner. Enabled before the import below for that.
module.enableCompileCache?.();

const port = parentPort;
if (port !== null) {
  const { request, control } = workerData as ParseWorkerData;
  const state = new Int32Array(control);
  void import('./pipeline.ts').then(({ parseEventsFile, PARSE_AHEAD, PARSE_IN_FLIGHT, PARSE_STOP, ParseStopped }) =>
    parseEventsFile(
      request,
      (m, transfer) => {
        if (m.kind === 'batch') Atomics.add(state, PARSE_IN_FLIGHT, 1);
        port.postMessage(m, transfer);
      },
      () => {
        for (;;) {
          if (Atomics.load(state, PARSE_STOP) !== 0) throw new ParseStopped();
          const inFlight = Atomics.load(state, PARSE_IN_FLIGHT);
          if (inFlight < PARSE_AHEAD) return;
          Atomics.wait(state, PARSE_IN_FLIGHT, inFlight, 100);
        }
      },
    ).then(() => port.close()),
  );
}
