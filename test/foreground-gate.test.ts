import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { asForeground, newForegroundGate, yieldingSignal } from '../src/workers/foreground.ts';

/**
 * A background thread must not take a core from the edit the admin waits for: while foreground
 * work runs, its signal's checks pause, and they resume the moment the foreground ends.
 * The background is a real worker thread that reads `aborted` as the engine does.
 */
function background(gate: SharedArrayBuffer, log: SharedArrayBuffer, cancel: SharedArrayBuffer): Worker {
  return new Worker(new URL('./support/foreground-background.ts', import.meta.url), { workerData: { gate, log, cancel } });
}

describe('the foreground gate', () => {
  it('reads the plain cancel flag when there is no gate', () => {
    const cancel = { aborted: false };
    const signal = yieldingSignal(cancel, null);
    expect(signal.aborted).toBe(false);
    cancel.aborted = true;
    expect(signal.aborted).toBe(true);
  });

  it('does not wait when no foreground work runs', () => {
    const gate = newForegroundGate();
    expect(yieldingSignal({ aborted: false }, gate).aborted).toBe(false);
  });

  it('pauses a background thread while foreground work runs, and lets it go on after', async () => {
    const gate = newForegroundGate();
    const log = new SharedArrayBuffer(4);
    const cancel = new SharedArrayBuffer(4);
    const checks = new Int32Array(log);
    const worker = background(gate, log, cancel);
    const messages: string[] = [];
    const done = new Promise<void>((resolve) => worker.on('message', (m: string) => { messages.push(m); if (m !== 'ready') resolve(); }));
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));
    let during = -1;
    let atEnd = -1;
    await asForeground(gate, async () => {
      // let the background reach its next check, then watch it stand still
      await new Promise((r) => setTimeout(r, 30));
      during = Atomics.load(checks, 0);
      await new Promise((r) => setTimeout(r, 200));
      atEnd = Atomics.load(checks, 0);
    });
    await done;
    await worker.terminate();
    expect(atEnd).toBe(during);
    expect(Atomics.load(checks, 0)).toBe(400);
    expect(messages).toEqual(['ready', 'done']);
  });

  it('still sees a cancel while paused', async () => {
    const gate = newForegroundGate();
    const cancel = new SharedArrayBuffer(4);
    const worker = background(gate, new SharedArrayBuffer(4), cancel);
    const messages: string[] = [];
    const done = new Promise<void>((resolve) => worker.on('message', (m: string) => { messages.push(m); if (m !== 'ready') resolve(); }));
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));
    await asForeground(gate, async () => {
      await new Promise((r) => setTimeout(r, 30));
      Atomics.store(new Int32Array(cancel), 0, 1);
      await done;
    });
    await worker.terminate();
    expect(messages).toEqual(['ready', 'cancelled']);
  });

  it('counts overlapping foreground work: the pause lasts until the last one ends', async () => {
    const gate = newForegroundGate();
    const busy = new Int32Array(gate);
    let release: () => void = () => {};
    const first = asForeground(gate, () => new Promise<void>((r) => { release = r; }));
    await asForeground(gate, async () => {
      expect(Atomics.load(busy, 0)).toBe(2);
    });
    expect(Atomics.load(busy, 0)).toBe(1);
    release();
    await first;
    expect(Atomics.load(busy, 0)).toBe(0);
  });
});
