import { parentPort, workerData } from 'node:worker_threads';
import { simulate } from '../engine/simulate.ts';
import { runPath } from './montecarlo.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './pool.ts';

// Runs Monte Carlo paths handed out one at a time by the main thread (see pool.ts).
const init = workerData as WorkerInit;
const port = parentPort;
if (port) {
  port.on('message', (msg: WorkerRequest) => {
    if (msg.type === 'stop') {
      port.close();
      return;
    }
    let reply: WorkerReply;
    try {
      reply = { type: 'done', path: msg.path, summary: runPath(init.scenario, init.tail, init.seed, msg.path, simulate) };
    } catch (err) {
      reply = { type: 'error', path: msg.path, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
    port.postMessage(reply);
  });
}
