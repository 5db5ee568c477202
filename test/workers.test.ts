import { afterEach, describe, expect, it } from 'vitest';
import { WorkerClient } from '../src/workers/client.ts';
import { WorkerCallError } from '../src/workers/protocol.ts';
import type { FixtureMethods } from './fixtures/workers-fixture.ts';

/**
 * The one worker transport (src/workers): every worker thread of the app (compute, part thread,
 * Monte Carlo, import, parse) is called through it, so these are the guarantees they all rely on.
 */

const FIXTURE = new URL('./fixtures/workers-fixture.ts', import.meta.url);

const clients: WorkerClient<FixtureMethods>[] = [];
function client(): WorkerClient<FixtureMethods> {
  const c = new WorkerClient<FixtureMethods>(FIXTURE, { name: 'the test worker' });
  clients.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** Waits until `check` holds (the worker runs on another thread). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('the worker transport', () => {
  it('round-trips a typed call', async () => {
    const c = client();
    const out = await c.call('echo', { n: 41, label: 'x' });
    expect(out).toMatchObject({ n: 41, label: 'x' });
    expect(out.thread).toBeGreaterThan(0);
    // calls to one worker settle each with its own answer, whatever the order
    const many = await Promise.all([1, 2, 3].map((n) => c.call('echo', { n, label: `#${n}` })));
    expect(many.map((m) => m.label)).toEqual(['#1', '#2', '#3']);
  });

  it('reports progress before the answer, the last step always', async () => {
    const c = client();
    const steps: [number, number][] = [];
    expect(await c.call('count', { to: 5 }, { onProgress: (done, total) => steps.push([done, total]) })).toBe(5);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.at(-1)).toEqual([5, 5]);
  });

  it('streams a method’s values in order before its result', async () => {
    const c = client();
    const got: number[] = [];
    expect(await c.call('stream', 4, { onEmit: (v) => got.push(v) })).toBe(4);
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it('cancels a synchronous loop mid-call through shared memory: the worker sees it, the caller gets `cancelled`', async () => {
    const c = client();
    const stop = new AbortController();
    let running = false;
    const call = c.call('spin', null, { signal: stop.signal, onProgress: () => (running = true) });
    await until(() => running);
    stop.abort();
    await expect(call).rejects.toBeInstanceOf(WorkerCallError);
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
    expect(await c.call('cancelsSeen', null)).toBe(1);
  });

  it('a call made on behalf of another shares its cancel flag: setting it elsewhere cancels', async () => {
    const c = client();
    const flag = new SharedArrayBuffer(4);
    let running = false;
    const call = c.call('spin', null, { cancelFlag: flag, onProgress: () => (running = true) });
    await until(() => running);
    // as the compute worker's caller does for the part thread's run: no AbortSignal on this side
    Atomics.store(new Int32Array(flag), 0, 1);
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('cancels an awaiting method through its signal', async () => {
    const c = client();
    const stop = new AbortController();
    const call = c.call('wait', null, { signal: stop.signal });
    await until(() => c.ready);
    setTimeout(() => stop.abort(), 20);
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
    expect(await c.call('cancelsSeen', null)).toBe(1);
  });

  it('a call cancelled while queued never runs; one cancelled before it is sent is refused at once', async () => {
    const c = client();
    const stop = new AbortController();
    const first = c.call('slow', 100);
    const queued = c.call('spin', null, { signal: stop.signal });
    stop.abort();
    await expect(queued).rejects.toMatchObject({ code: 'cancelled' });
    expect(await first).toBe(100);
    expect(await c.call('cancelsSeen', null)).toBe(0);
    await expect(c.call('echo', { n: 1, label: '' }, { signal: stop.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('moves transferred buffers both ways (the sender’s copy is detached)', async () => {
    const c = client();
    const buffer = new ArrayBuffer(1024);
    expect(await c.call('take', { buffer }, { transfer: [buffer] })).toBe(1024);
    expect(buffer.byteLength).toBe(0);
    const made = await c.call('make', 8);
    expect(made).toBeInstanceOf(Float64Array);
    expect([...made]).toEqual(new Array(8).fill(1.5));
  });

  it('a crash settles only that worker’s calls; the next call gets a fresh worker', async () => {
    const a = client();
    const b = client();
    const before = (await b.call('echo', { n: 0, label: '' })).thread;
    const pendingElsewhere = a.call('slow', 200);
    for (const how of ['exit', 'throw'] as const) {
      const failed = b.call('crash', how);
      await expect(failed).rejects.toBeInstanceOf(WorkerCallError);
      await expect(failed).rejects.toMatchObject({ code: 'worker_failed', message: expect.stringMatching(how === 'exit' ? /the test worker stopped \(exit code 7\)/ : /the test worker failed: boom/) });
      const after = await b.call('echo', { n: 2, label: 'again' });
      expect(after).toMatchObject({ n: 2, label: 'again' });
      expect(after.thread).not.toBe(before);
    }
    expect(await pendingElsewhere).toBe(200);
  });

  it('an unknown method is a typed error, and the worker goes on', async () => {
    const c = client();
    const call = c.call('nothing' as keyof FixtureMethods, null as never);
    await expect(call).rejects.toMatchObject({ code: 'unknown_method', message: expect.stringContaining('"nothing"') });
    expect(await c.call('echo', { n: 1, label: 'still here' })).toMatchObject({ label: 'still here' });
  });

  it('a method’s own error keeps the code and details its worker gave it', async () => {
    const c = client();
    await expect(c.call('refuse', 'bad row')).rejects.toMatchObject({ code: 'input_error', message: 'bad row', details: [{ line: 3 }] });
  });

  it('an input that cannot be copied, or a missing script, settles instead of waiting forever', async () => {
    const c = client();
    await expect(c.call('echo', { n: 1, label: (() => 1) as unknown as string })).rejects.toMatchObject({ code: 'unsendable' });
    const missing = new WorkerClient<FixtureMethods>(new URL('./fixtures/no-such-worker.ts', import.meta.url), { name: 'a missing worker' });
    await expect(missing.call('echo', { n: 1, label: '' })).rejects.toMatchObject({ code: 'worker_failed' });
    await missing.close();
  });

  it('calls run one at a time, in order, unless a method releases the queue while it waits elsewhere', async () => {
    const c = client();
    const order: string[] = [];
    // `slow` holds the queue: the echo sent after it answers after it
    const held = c.call('slow', 150).then(() => order.push('slow'));
    const queued = c.call('echo', { n: 1, label: 'after slow' }).then(() => order.push('echo 1'));
    await Promise.all([held, queued]);
    expect(order).toEqual(['slow', 'echo 1']);
    // `handOff` releases it: the echo answers first, and the released call still answers once
    order.length = 0;
    const released = c.call('handOff', 150).then((v) => order.push(`handOff ${v}`));
    const ahead = c.call('echo', { n: 2, label: 'past handOff' }).then(() => order.push('echo 2'));
    await Promise.all([released, ahead]);
    expect(order).toEqual(['echo 2', 'handOff 150']);
  });

  it('closing settles pending calls as `closed`', async () => {
    const c = client();
    const call = c.call('slow', 10_000);
    await until(() => c.ready);
    const settled = expect(call).rejects.toMatchObject({ code: 'closed' });
    await c.close();
    await settled;
  });
});
