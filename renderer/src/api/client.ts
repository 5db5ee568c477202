// Only the plumbing's names at run time: the calls' types come from the domain modules (src/api/domains/).
import { channelOf, methodName } from '../../../src/api/channels.ts';
import type { ApiChannel, AppCommand } from '../../../src/api/channels.ts';
import type { ApiCallInputs, ApiOutputs } from '../../../src/api/domains/index.ts';
import type { ApiError, Settled } from '../../../src/api/errors.ts';
import type { ProgressEvent } from '../../../src/api/types.ts';

/** What the preload puts on `window.headroom`: one named function per channel, plus listeners. */
export type PreloadApi = Record<string, (input: unknown) => Promise<Settled<unknown>>> & {
  onProgress: (cb: (e: ProgressEvent) => void) => () => void;
  onCommand: (cb: (c: AppCommand) => void) => () => void;
  /** a dropped or chosen file: main reads it by its path and gives the page a handle (electron/main/file-grant.ts) */
  grantFile?: (file: File) => Promise<Settled<{ handle: string; name: string }>>;
};

declare global {
  interface Window {
    headroom?: PreloadApi;
  }
}

/** A failed call, carrying the serialisable error the handlers settled with. */
export class CallError extends Error {
  readonly error: ApiError;
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'CallError';
    this.error = error;
  }
}

const CANCELLED_ERROR: ApiError = { code: 'cancelled', message: 'Cancelled', details: [] };
const CANCELLED: Settled<never> = { ok: false, error: CANCELLED_ERROR };

interface Transport {
  /** `signal`: the caller no longer wants the answer (the web host's connection is given up) */
  call(channel: ApiChannel, input: unknown, signal?: AbortSignal): Promise<Settled<unknown>>;
  onProgress(cb: (e: ProgressEvent) => void): () => void;
  onCommand(cb: (c: AppCommand) => void): () => void;
}

function preloadTransport(api: PreloadApi): Transport {
  return {
    call: (channel, input) => {
      const fn = api[methodName(channel)];
      if (typeof fn !== 'function') return Promise.resolve({ ok: false, error: { code: 'internal', message: `no ${channel} in preload`, details: [] } });
      return fn(input);
    },
    onProgress: (cb) => api.onProgress(cb),
    onCommand: (cb) => api.onCommand(cb),
  };
}

/**
 * The web host trades the address's `?token=` for an HttpOnly, SameSite=Strict cookie on the first
 * page load, so the token never sits where a script or another site could read or send it: every
 * call and the progress stream carry the cookie, same-origin only.
 */
function httpTransport(): Transport {
  const progress = new Set<(e: ProgressEvent) => void>();
  let source: EventSource | null = null;
  return {
    call: async (channel, input, signal) => {
      try {
        const res = await fetch(`/api/${channel}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input ?? {}),
          ...(signal !== undefined ? { signal } : {}),
        });
        return (await res.json()) as Settled<unknown>;
      } catch (err) {
        if (signal?.aborted) return CANCELLED;
        return { ok: false, error: { code: 'internal', message: `Headroom is not reachable (${String(err)})`, details: [] } };
      }
    },
    onProgress: (cb) => {
      progress.add(cb);
      if (source === null) {
        source = new EventSource('/api/events');
        source.onmessage = (m: MessageEvent<string>) => {
          const e = JSON.parse(m.data) as ProgressEvent;
          for (const l of progress) l(e);
        };
      }
      return () => progress.delete(cb);
    },
    onCommand: () => () => {},
  };
}

const transport: Transport = window.headroom ? preloadTransport(window.headroom) : httpTransport();

export const transportName = window.headroom ? 'electron' : 'http';

/**
 * One call. With `signal`, aborting settles the call as cancelled at once and, on the web host,
 * gives up its connection: a browser opens at most six to one host, and calls left waiting on a
 * busy thread (a superseded comparison behind advice) would otherwise hold the edit's projection
 * back until they end. The work itself stops by its job id ('job-cancel').
 */
export async function call<K extends ApiChannel>(channel: K, input: ApiCallInputs[K], signal?: AbortSignal): Promise<ApiOutputs[K]> {
  if (signal?.aborted) throw new CallError(CANCELLED_ERROR);
  const settled = await (signal === undefined
    ? transport.call(channel, input)
    : Promise.race([transport.call(channel, input, signal), new Promise<Settled<never>>((resolve) => signal.addEventListener('abort', () => resolve(CANCELLED), { once: true }))]));
  if (!settled.ok) throw new CallError(settled.error);
  for (const l of answeredListeners.get(channel) ?? []) l();
  return settled.value as ApiOutputs[K];
}

const answeredListeners = new Map<ApiChannel, Set<() => void>>();

/** Calls `cb` each time a call of `channel` is answered (not failed), before its caller resumes. */
export function onAnswered(channel: ApiChannel, cb: () => void): () => void {
  let set = answeredListeners.get(channel);
  if (set === undefined) answeredListeners.set(channel, (set = new Set()));
  set.add(cb);
  return () => set.delete(cb);
}

export const onProgress = (cb: (e: ProgressEvent) => void): (() => void) => transport.onProgress(cb);
export const onCommand = (cb: (c: AppCommand) => void): (() => void) => transport.onCommand(cb);

export function toError(err: unknown): ApiError {
  if (err instanceof CallError) return err.error;
  return { code: 'internal', message: err instanceof Error ? err.message : String(err), details: [] };
}

let jobCounter = 0;
export function newJobId(prefix: string): string {
  jobCounter++;
  return `${prefix}-${Date.now().toString(36)}-${jobCounter}`;
}

/** `'import-run'` → `'importRun'`, as a type. */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** One function per call of the domain modules, named as the preload names them: `api.importRun(input)`. */
export type ApiClient = { [K in ApiChannel as CamelCase<K>]: (input: ApiCallInputs[K]) => Promise<ApiOutputs[K]> };

/**
 * The client's functions, derived from the calls' types: `api.importRun(input)` is
 * `call('import-run', input)`. A name that is no call settles as the transport's unknown-call error.
 */
export const api: ApiClient = new Proxy({} as ApiClient, {
  get: (_target, name) => (typeof name === 'string' ? (input: unknown) => call(channelOf(name) as ApiChannel, input as never) : undefined),
});
