import { parentPort } from 'node:worker_threads';
import { servePartThread } from '../../src/engine/part-thread.ts';

// A part thread for tests: the app's compute worker starts itself in this role.
if (parentPort) servePartThread(parentPort);
