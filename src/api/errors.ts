import { CancelledError, InputError } from '../errors.ts';
import { PlanError } from '../engine/plan.ts';
import { DISK_FULL_MESSAGE, DiskFullError, isDiskFull } from '../fs/disk-full.ts';

/**
 * What a failed call settles with. Plain data, so it survives structured clone (IPC) and JSON
 * (web host) unchanged, and the UI can show `message` and list `details` as they are.
 */
// service_down: the service process stopped during the call (it is restarted; the call may be made again)
export type ApiErrorCode = 'invalid_input' | 'input_error' | 'plan_error' | 'cancelled' | 'not_found' | 'busy' | 'internal' | 'service_down';

export interface ApiErrorDetail {
  message: string;
  path?: string;
  file?: string;
  line?: number;
  column?: string;
  value?: string;
}

export interface ApiError {
  code: ApiErrorCode;
  message: string;
  details: ApiErrorDetail[];
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Thrown by handlers for failures that are not bad input (a missing batch, a busy worker). */
export class ApiFailure extends Error {
  readonly code: ApiErrorCode;
  readonly details: ApiErrorDetail[];
  constructor(code: ApiErrorCode, message: string, details: ApiErrorDetail[] = []) {
    super(message);
    this.name = 'ApiFailure';
    this.code = code;
    this.details = details;
  }
}

function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string' && Array.isArray(v.details);
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiFailure) return { code: err.code, message: err.message, details: err.details };
  if (err instanceof PlanError) {
    return { code: 'plan_error', message: err.message, details: err.issues.map((i) => ({ path: i.path, message: i.message })) };
  }
  if (err instanceof InputError) {
    return { code: 'input_error', message: err.message, details: err.details.map((d) => ({ ...d })) };
  }
  if (err instanceof CancelledError || (err instanceof Error && err.name === 'CancelledError')) {
    return { code: 'cancelled', message: 'Cancelled', details: [] };
  }
  if (isDiskFull(err)) {
    const message = err instanceof DiskFullError ? err.message : `The ${DISK_FULL_MESSAGE.slice(4)}`;
    return { code: 'internal', message, details: [] };
  }
  // Errors that crossed a worker boundary arrive as plain objects already in this shape.
  if (isApiError(err)) return { code: err.code, message: err.message, details: err.details };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message, details: [] };
}
