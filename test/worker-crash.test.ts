import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkerRpc } from '../src/api/worker-rpc.ts';
import { ApiFailure } from '../src/api/errors.ts';

/**
 * A worker that fails never takes its host down (issue 15, finding 1): a throw outside any call,
 * an exit, running out of memory: the call settles with a typed error, the worker starts again
 * with the next call, and this process (the window's main, the web host) goes on.
 */

// answers {ok: true} unless told to fail in one of the ways a worker can
const WORKER = `
import { parentPort } from 'node:worker_threads';
parentPort.on('message', (msg) => {
  if (msg.how === 'throw') setTimeout(() => { throw new Error('boom outside any call'); });
  else if (msg.how === 'exit') process.exit(3);
  else if (msg.how === 'oom') { const keep = []; for (;;) keep.push(new Array(1e5).fill(Math.random())); }
  else parentPort.postMessage({ type: 'result', id: msg.id, ok: true, value: { pid: process.pid, n: msg.id } });
});
`;

describe('worker failures settle their calls and the worker restarts', () => {
  let dir: string;
  let url: URL;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-worker-'));
    writeFileSync(join(dir, 'worker.mjs'), WORKER);
    url = pathToFileURL(join(dir, 'worker.mjs'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const how of ['throw', 'exit', 'oom'] as const) {
    it(`a worker that ends by ${how} settles the call as a typed error, and the next call gets a fresh worker`, async () => {
      let restarts = 0;
      const rpc = new WorkerRpc(url, 'test worker', () => restarts++, { maxOldGenerationSizeMb: 32 });
      try {
        expect(await rpc.call((id) => ({ id, how: 'ok' }))).toMatchObject({ n: 1 });
        const failed = rpc.call((id) => ({ id, how }));
        await expect(failed).rejects.toBeInstanceOf(ApiFailure);
        await expect(failed).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(how === 'oom' ? /out of memory/ : /test worker/) });
        expect(restarts).toBe(1);
        expect(await rpc.call((id) => ({ id, how: 'ok' }))).toMatchObject({ n: 3 });
      } finally {
        await rpc.close();
      }
    });
  }

  it('a call that cannot be sent settles instead of waiting forever', async () => {
    const rpc = new WorkerRpc(url, 'test worker');
    try {
      await expect(rpc.call((id) => ({ id, fn: () => 1 }))).rejects.toMatchObject({ code: 'internal' });
    } finally {
      await rpc.close();
    }
  });
});
