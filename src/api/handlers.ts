import { API_CALLS } from './domains/index.ts';
import type { ApiChannel, ApiInputs, ApiOutputs } from './domains/index.ts';
import { toApiError } from './errors.ts';
import { formatPath } from '../engine/plan.ts';
import type { Settled } from './errors.ts';
import type { CallContext } from './call-context.ts';
import type { JobRegistry } from './jobs.ts';
import type { ProgressEvent } from './types.ts';

export { API_CHANNELS, MAIN_ONLY_CHANNELS } from './domains/index.ts';
export type { ApiChannel, ApiInputs, ApiCallInputs, ApiOutputs } from './domains/index.ts';
export type { CallContext } from './call-context.ts';
export { JobRegistry } from './jobs.ts';

/** The domains' calls bound to one service's state: what the relay runs, and tests call directly. */
export type ApiHandlers = { [K in ApiChannel]: (input: ApiInputs[K], ctx: CallContext) => Promise<ApiOutputs[K]> };

export function isChannel(name: string): name is ApiChannel {
  return Object.hasOwn(API_CALLS, name);
}

/** Checks `raw` against the channel's schema; bad input settles as `invalid_input` naming the paths (`patch.apiKeys[3].capUsd`). */
export function validateInput<K extends ApiChannel>(channel: K, raw: unknown): Settled<ApiInputs[K]> {
  const parsed = API_CALLS[channel].input.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as ApiInputs[K] };
  return {
    ok: false,
    error: {
      code: 'invalid_input',
      message: `${channel}: invalid input`,
      details: parsed.error.issues.map((i) => ({ path: formatPath(i.path) || '(input)', message: i.message })),
    },
  };
}

/** An unknown channel, as every transport settles it. */
export function unknownCall(channel: string): Settled<never> {
  return { ok: false, error: { code: 'invalid_input', message: `unknown call "${channel}"`, details: [] } };
}

/**
 * Validates, runs and settles one call. Never throws: every outcome is a value or a serialisable
 * error, so IPC and HTTP carry both the same way.
 */
export async function dispatch(
  handlers: ApiHandlers,
  jobs: JobRegistry,
  channel: string,
  raw: unknown,
  emit: (event: ProgressEvent) => void = () => {},
): Promise<Settled<unknown>> {
  if (!isChannel(channel)) return unknownCall(channel);
  const input = validateInput(channel, raw);
  if (!input.ok) return input;
  // job-cancel names another call's job; it is not a job itself.
  const jobId = channel === 'job-cancel' ? undefined : (input.value as { jobId?: string }).jobId;
  const controller = jobs.start(jobId);
  const ctx: CallContext = {
    signal: controller.signal,
    progress: (done, total, phase) => {
      if (jobId !== undefined) emit({ jobId, done, total, phase });
    },
  };
  try {
    const handler = handlers[channel] as (input: unknown, ctx: CallContext) => Promise<unknown>;
    return { ok: true, value: await handler(input.value, ctx) };
  } catch (err) {
    return { ok: false, error: toApiError(err) };
  } finally {
    jobs.finish(jobId, controller);
  }
}
