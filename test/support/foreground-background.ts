// A background thread for test/foreground-gate.test.ts: checks its signal as the engine does,
// through the real yieldingSignal, and counts the checks it passed.
import { parentPort, workerData } from 'node:worker_threads';
import { yieldingSignal } from '../../src/workers/foreground.ts';

const { gate, log, cancel } = workerData as { gate: SharedArrayBuffer; log: SharedArrayBuffer; cancel: SharedArrayBuffer };
const checks = new Int32Array(log);
const flag = new Int32Array(cancel);
const signal = yieldingSignal({ get aborted() { return Atomics.load(flag, 0) === 1; } }, gate);
parentPort?.postMessage('ready');
let cancelled = false;
for (let i = 0; i < 400; i++) {
  if (signal.aborted) {
    cancelled = true;
    break;
  }
  Atomics.add(checks, 0, 1);
  // a check's worth of work
  const t = performance.now();
  while (performance.now() - t < 1) { /* busy */ }
}
parentPort?.postMessage(cancelled ? 'cancelled' : 'done');
