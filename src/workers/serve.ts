import { parentPort, type MessagePort, type TransferListItem } from 'node:worker_threads';
import { CANCEL_SLOT, Transfer } from './protocol.ts';
import type { EmitsOf, FromWorker, InputOf, Methods, OutputOf, ToWorker, WireError } from './protocol.ts';

/** What a method is handed besides its input. */
export interface CallContext<Emits = never> {
  /** aborts when the caller cancels, for a method that awaits (it reads messages between awaits) */
  readonly signal: AbortSignal;
  /**
   * The caller's cancel, read from shared memory: a synchronous loop (the engine's `signal`
   * option) sees it without yielding to read messages.
   */
  readonly cancel: { readonly aborted: boolean };
  /**
   * The shared memory behind `cancel`: handed as `cancelFlag` to a call made on this one's behalf
   * (another worker's), that call stops with this one without a hop through this thread.
   */
  readonly cancelFlag: SharedArrayBuffer;
  /**
   * The rest of this call does not hold the queue: the calls sent after it may start. For a method
   * that hands its work to another thread and only waits for the answer (the compute worker's slow
   * lane); it still answers exactly once, when that work settles.
   */
  release(): void;
  /** reports progress; at most one message per 50 ms reaches the caller, and always the last */
  progress(done: number, total: number): void;
  /** hands the caller one value of a streaming method, moving the buffers in `transfer` */
  emit(value: Emits, transfer?: readonly TransferListItem[]): void;
}

type Answer<T> = T | Transfer<T> | Promise<T | Transfer<T>>;

/** One function per method: takes the input and the call's context, answers the output. */
export type Handlers<M extends Methods<M>> = {
  [K in keyof M]: (input: InputOf<M, K>, ctx: CallContext<EmitsOf<M, K>>) => Answer<OutputOf<M, K>>;
};

export interface ServeOptions {
  /** how a method's failure crosses to the caller (the API's `toApiError`); default: code `failed` */
  describeError?: (err: unknown) => WireError;
  /** the port to serve on (default: this worker's parent port) */
  port?: MessagePort | null;
}

const PROGRESS_EVERY_MS = 50;

function defaultDescribe(err: unknown): WireError {
  return { code: 'failed', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err), details: [] };
}

/**
 * Serves `handlers` on this worker's parent port: one call at a time, in the order sent (a method
 * awaiting something does not interleave with the next). Answers each call exactly once; a method
 * that throws after its call was cancelled answers `cancelled`. Tells the caller it is ready.
 */
export function serve<M extends Methods<M>>(handlers: Handlers<M>, options: ServeOptions = {}): void {
  const port = options.port === undefined ? parentPort : options.port;
  if (port === null) return;
  const describe = options.describeError ?? defaultDescribe;
  const table = handlers as Record<string, (input: unknown, ctx: CallContext<unknown>) => Answer<unknown>>;
  const aborts = new Map<number, AbortController>();
  const post = (msg: FromWorker, transfer: readonly TransferListItem[] = []): void => {
    try {
      port.postMessage(msg, transfer);
    } catch (err) {
      // a method's emit fails in the method; a result that cannot cross still answers the call
      if (msg.type !== 'result') throw err;
      port.postMessage({ type: 'result', id: msg.id, ok: false, error: { code: 'unsendable', message: `the answer could not be sent (${(err as Error).message})`, details: [] } } satisfies FromWorker);
    }
  };

  const run = async (msg: Extract<ToWorker, { type: 'call' }>, abort: AbortController, release: () => void): Promise<void> => {
    const flag = new Int32Array(msg.cancel);
    const cancel = { get aborted() { return abort.signal.aborted || Atomics.load(flag, CANCEL_SLOT) === 1; } };
    const cancelled = (): FromWorker => ({ type: 'result', id: msg.id, ok: false, error: { code: 'cancelled', message: 'Cancelled', details: [] } });
    if (cancel.aborted) return post(cancelled());
    const handler = Object.hasOwn(table, msg.method) ? table[msg.method] : undefined;
    if (handler === undefined) {
      return post({ type: 'result', id: msg.id, ok: false, error: { code: 'unknown_method', message: `no method "${msg.method}" in this worker`, details: [] } });
    }
    let lastProgress = Number.NEGATIVE_INFINITY;
    const ctx: CallContext<unknown> = {
      signal: abort.signal,
      cancel,
      cancelFlag: msg.cancel,
      release,
      progress: (done, total) => {
        const now = performance.now();
        if (now - lastProgress < PROGRESS_EVERY_MS && done < total) return;
        lastProgress = now;
        post({ type: 'progress', id: msg.id, done, total });
      },
      emit: (value, transfer = []) => post({ type: 'emit', id: msg.id, value }, transfer),
    };
    try {
      const answer = await handler(msg.input, ctx);
      if (answer instanceof Transfer) post({ type: 'result', id: msg.id, ok: true, value: answer.value }, answer.list);
      else post({ type: 'result', id: msg.id, ok: true, value: answer });
    } catch (err) {
      post(cancel.aborted ? cancelled() : { type: 'result', id: msg.id, ok: false, error: describe(err) });
    }
  };

  const turn = inTurn();
  port.on('message', (msg: ToWorker) => {
    // a cancel jumps the queue: the call it names may be running (awaiting) or still waiting
    if (msg.type === 'cancel') {
      aborts.get(msg.id)?.abort();
      return;
    }
    if (msg.type !== 'call') return;
    const abort = new AbortController();
    aborts.set(msg.id, abort);
    // the queue moves on when the call settles, or earlier when the method releases it
    turn(
      () =>
        new Promise<void>((free) => {
          void run(msg, abort, free).finally(() => {
            aborts.delete(msg.id);
            free();
          });
        }),
    );
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

/** Runs each piece of work after the previous one has settled: an awaiting method must not interleave with the next. */
function inTurn(): (work: () => Promise<void>) => void {
  let queue = Promise.resolve();
  return (work) => {
    // the work answers its own failures; the chain must never stay rejected, or nothing is served again
    queue = queue.then(work).catch(() => {});
  };
}
