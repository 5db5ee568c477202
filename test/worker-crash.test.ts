import { afterEach, describe, expect, it } from 'vitest';
import { WorkerClient } from '../src/workers/client.ts';
import { apiFailureOf } from '../src/api/worker-failure.ts';
import { ApiFailure } from '../src/api/errors.ts';
import type { FixtureMethods } from './fixtures/workers-fixture.ts';

/**
 * A worker that fails never takes its host down (issue 15, finding 1): a throw outside any call,
 * an exit, running out of memory: the call settles with a typed error (the API's, as the compute
 * worker's and the import's callers see it), the worker starts again with the next call, and this
 * process (the window's main, the web host) goes on.
 */

const FIXTURE = new URL('./fixtures/workers-fixture.ts', import.meta.url);
const clients: WorkerClient<FixtureMethods>[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client(onRestart: () => void = () => {}): WorkerClient<FixtureMethods> {
  // a small heap, so that running out of memory comes quickly (and ends the worker, not this process)
  const c = new WorkerClient<FixtureMethods>(FIXTURE, { name: 'test worker', onRestart, resourceLimits: { maxOldGenerationSizeMb: 32 } });
  clients.push(c);
  return c;
}

/** A call as the API's callers make it: failures arrive as ApiFailure. */
function asApi<T>(call: Promise<T>): Promise<T> {
  return call.catch((err: unknown) => {
    throw apiFailureOf(err);
  });
}

describe('worker failures settle their calls and the worker restarts', () => {
  for (const how of ['throw', 'exit', 'oom'] as const) {
    it(`a worker that ends by ${how} settles the call as a typed error, and the next call gets a fresh worker`, async () => {
      let restarts = 0;
      const c = client(() => restarts++);
      const first = await c.call('echo', { n: 1, label: 'before' });
      const failed = asApi(c.call('crash', how));
      await expect(failed).rejects.toBeInstanceOf(ApiFailure);
      await expect(failed).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(how === 'oom' ? /out of memory/ : /test worker/) });
      expect(restarts).toBe(1);
      const after = await asApi(c.call('echo', { n: 3, label: 'after' }));
      expect(after).toMatchObject({ n: 3, label: 'after' });
      expect(after.thread).not.toBe(first.thread);
    });
  }

  it('a call that cannot be sent settles instead of waiting forever', async () => {
    const c = client();
    await expect(asApi(c.call('echo', { n: 1, label: (() => 1) as unknown as string }))).rejects.toMatchObject({ code: 'internal' });
  });

  it('a method’s own error keeps its code as the API’s; a cancel is the API’s `cancelled`', async () => {
    const c = client();
    await expect(asApi(c.call('refuse', 'bad row'))).rejects.toMatchObject({ code: 'input_error', message: 'bad row', details: [{ line: 3 }] });
    const stop = new AbortController();
    const waiting = asApi(c.call('wait', null, { signal: stop.signal }));
    setTimeout(() => stop.abort(), 20);
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
  });
});
