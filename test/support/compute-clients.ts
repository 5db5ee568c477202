import { afterEach } from 'vitest';
import { ComputeClient } from '../../src/api/compute.ts';
import type { EventColumns } from '../../src/engine/events.ts';
import type { Plan } from '../../src/engine/plan.ts';
import { isDelta } from '../../src/modeling/view-delta.ts';

/** The compute worker from its source, as the tests start it. */
export const COMPUTE_WORKER_URL = new URL('../../src/entries/compute-worker.ts', import.meta.url);

/**
 * Compute workers for one test file: `client(events)` starts one over `events` (none: no events
 * sent), each closed after its test.
 */
export function computeClients(): (events?: EventColumns) => ComputeClient {
  const clients: ComputeClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  return (events) => {
    const c = new ComputeClient(COMPUTE_WORKER_URL);
    if (events !== undefined) c.setEvents(events);
    clients.push(c);
    return c;
  };
}

/** An edit's whole view (asked without a base, never a delta) without its timings and name, and what it simulated. */
export async function wholeViewOf(c: ComputeClient, p: Plan) {
  const answer = await c.ask({ kind: 'project', plan: p });
  if (isDelta(answer)) throw new Error('a delta without a base');
  const { computeMs: _ms, computeThreads: _threads, simulated, viewId: _id, ...view } = answer;
  return { view, simulated };
}
