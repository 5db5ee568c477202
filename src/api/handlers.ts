import type { Plan } from '../engine/plan.ts';
import { API_CHANNELS } from './channels.ts';
import type { ApiChannel } from './channels.ts';
import { apiInputSchemas } from './schemas.ts';
import type { ApiInputs } from './schemas.ts';
import { toApiError } from './errors.ts';
import type { Settled } from './errors.ts';
import type { ModelingOutputs } from './modeling.ts';
import type { ProfileComparison } from '../compare/profiles.ts';
import type { BatchInfo, ImportPreview, ImportResult, LedgerInfo, Overview, ProgressEvent, Projection } from './types.ts';

// The modeling screens' outputs (src/api/modeling.ts) are part of the map.
export interface ApiOutputs extends ModelingOutputs {
  'ledger-info': LedgerInfo;
  'ledger-open': LedgerInfo;
  'ledger-new': LedgerInfo;
  'ledger-demo': LedgerInfo;
  'plan-get': { plan: Plan };
  'plan-save': { plan: Plan };
  'plan-simulate': Overview;
  'workspace-overview': Overview;
  'projection-get': Projection;
  'profile-compare': ProfileComparison;
  'import-preview': ImportPreview;
  'import-run': ImportResult;
  'import-history': BatchInfo[];
  'import-undo': { batch: number; removed: number };
  'job-cancel': { cancelled: boolean };
  /** the saved plan with the new name or kind in it */
  'entity-rename': { plan: Plan };
  'trigger-kind': { plan: Plan };
}

export interface CallContext {
  signal: AbortSignal;
  progress: (done: number, total: number, phase: string) => void;
}

/** The one handler map: Electron main, the preload and the web host are all driven by it. */
export type ApiHandlers = { [K in ApiChannel]: (input: ApiInputs[K], ctx: CallContext) => Promise<ApiOutputs[K]> };

/** Calls that carry a job id can be followed (progress events) and cancelled ('job-cancel'). */
export class JobRegistry {
  private readonly running = new Map<string, AbortController>();

  start(jobId: string | undefined): AbortController {
    const controller = new AbortController();
    if (jobId !== undefined) {
      this.running.get(jobId)?.abort();
      this.running.set(jobId, controller);
    }
    return controller;
  }

  finish(jobId: string | undefined, controller: AbortController): void {
    if (jobId !== undefined && this.running.get(jobId) === controller) this.running.delete(jobId);
  }

  cancel(jobId: string): boolean {
    const c = this.running.get(jobId);
    if (!c) return false;
    c.abort();
    this.running.delete(jobId);
    return true;
  }
}

export function isChannel(name: string): name is ApiChannel {
  return (API_CHANNELS as readonly string[]).includes(name);
}

/** Checks `raw` against the channel's schema; bad input settles as `invalid_input` naming the paths. */
export function validateInput<K extends ApiChannel>(channel: K, raw: unknown): Settled<ApiInputs[K]> {
  const parsed = apiInputSchemas[channel].safeParse(raw ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as ApiInputs[K] };
  return {
    ok: false,
    error: {
      code: 'invalid_input',
      message: `${channel}: invalid input`,
      details: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(input)', message: i.message })),
    },
  };
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
  if (!isChannel(channel)) return { ok: false, error: { code: 'invalid_input', message: `unknown call "${channel}"`, details: [] } };
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

