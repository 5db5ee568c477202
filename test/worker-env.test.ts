/**
 * Worker threads start with Node's compile cache on (each is a Node instance that otherwise
 * compiles its modules again at every start), unless the user chose otherwise.
 */
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerEnv, WorkerClient } from '../src/workers/client.ts';
import type { Method } from '../src/workers/protocol.ts';

describe("a worker's environment", () => {
  it('turns the compile cache on in Node’s default folder, keeping the rest', () => {
    expect(workerEnv({ PATH: '/bin', HOME: '/h' })).toEqual({ PATH: '/bin', HOME: '/h', NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache') });
  });

  it('leaves a cache the user set, or turned off, as it is', () => {
    expect(workerEnv({ NODE_COMPILE_CACHE: '/elsewhere' })).toEqual({ NODE_COMPILE_CACHE: '/elsewhere' });
    expect(workerEnv({ NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual({ NODE_DISABLE_COMPILE_CACHE: '1' });
  });

  it('is what a started worker sees', async () => {
    const code = `const { serve } = await import(${JSON.stringify(new URL('../src/workers/serve.ts', import.meta.url).href)});
      serve({ env: () => process.env.NODE_COMPILE_CACHE ?? null });`;
    const w = new WorkerClient<{ env: Method<null, string | null> }>(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { name: 'env' });
    try {
      const seen = await w.call('env', null);
      expect(seen).toBe(process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'node-compile-cache'));
    } finally {
      await w.close();
    }
  });
});
