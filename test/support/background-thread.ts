// A worker thread that lowers its own priority as the compute worker's slow lane does, and says
// what the kernel then reports for itself.
import { parentPort } from 'node:worker_threads';
import { getPriority } from 'node:os';
import { runThisThreadInBackground } from '../../src/workers/priority.ts';

const before = getPriority(0);
const lowered = runThisThreadInBackground();
parentPort?.postMessage({ before, lowered, after: getPriority(0) });
