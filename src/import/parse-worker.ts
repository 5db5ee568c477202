import { parentPort, workerData } from 'node:worker_threads';
import { parseEventsFile } from './pipeline.ts';
import type { ParseRequest } from './pipeline.ts';

/**
 * The parsing thread of a pipelined import (pipeline.ts). Each `ack` from the importer frees a
 * batch; at most AHEAD batches wait unwritten, so memory stays flat however large the file.
 */
const AHEAD = 3;
let inFlight = 0;
let wake: (() => void) | null = null;

parentPort?.on('message', (m: unknown) => {
  if (m !== 'ack') return;
  inFlight--;
  const w = wake;
  wake = null;
  w?.();
});

if (parentPort !== null) {
  const port = parentPort;
  void parseEventsFile(
    workerData as ParseRequest,
    (m, transfer) => {
      if (m.kind === 'batch') inFlight++;
      port.postMessage(m, transfer);
    },
    () => (inFlight < AHEAD ? undefined : new Promise<void>((resolve) => (wake = resolve))),
  ).then(() => port.close());
}
