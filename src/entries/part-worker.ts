import { servePartThread } from '../engine/part-thread.ts';

// The compute worker's second thread (part-thread.ts): the engine alone, no ledger or charts.
servePartThread();
