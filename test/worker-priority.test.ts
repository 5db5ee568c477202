import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { getPriority, platform } from 'node:os';
import { BACKGROUND_PRIORITY } from '../src/workers/priority.ts';

/**
 * Background work (advice, the profile comparison, the export preview, a forecast) yields the
 * cores to an edit's answer at the kernel's level: its thread runs at a lower priority, and only
 * its thread, so the service and the compute thread that answer the edit keep theirs.
 */
describe('a background thread', () => {
  it.runIf(platform() === 'linux')('lowers its own priority and nobody else’s', async () => {
    const mine = getPriority(0);
    const worker = new Worker(new URL('./support/background-thread.ts', import.meta.url));
    try {
      const said = await new Promise<{ before: number; lowered: boolean; after: number }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(said.lowered).toBe(true);
      expect(said.after).toBe(Math.max(said.before, BACKGROUND_PRIORITY));
      expect(said.after).toBeGreaterThan(mine);
      // the calling thread (here the service's) keeps its priority
      expect(getPriority(0)).toBe(mine);
      expect(getPriority(process.pid)).toBe(mine);
    } finally {
      await worker.terminate();
    }
  });
});
