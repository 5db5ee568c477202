import { WorkerCallError } from '../workers/protocol.ts';
import { ApiFailure } from './errors.ts';
import type { ApiError } from './errors.ts';

/**
 * A worker call's failure as the API's: the worker's own codes stay (its methods describe their
 * errors with toApiError), the transport's become `cancelled` or `internal`.
 */
export function apiFailureOf(err: unknown): ApiFailure {
  if (err instanceof ApiFailure) return err;
  if (!(err instanceof WorkerCallError)) return new ApiFailure('internal', err instanceof Error ? err.message : String(err));
  switch (err.code) {
    case 'cancelled':
      return new ApiFailure('cancelled', 'Cancelled');
    case 'closed':
      return new ApiFailure('cancelled', 'Closed');
    case 'worker_failed':
      return new ApiFailure('internal', `${err.message}; it starts again with the next call`);
    case 'worker_unavailable':
    case 'unsendable':
    case 'unknown_method':
    case 'failed':
      return new ApiFailure('internal', err.message);
    default:
      return new ApiFailure(err.code as ApiError['code'], err.message, err.details as ApiError['details']);
  }
}
