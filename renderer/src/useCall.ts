import { useCallback, useEffect, useRef, useState } from 'react';
import { call, newJobId, onProgress, toError } from './api/client.ts';
import type { ApiError } from '../../src/api/errors.ts';
import type { ApiOutputs } from '../../src/api/handlers.ts';

export interface CallState<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  progress: { done: number; total: number } | null;
  /** stops the running call; the page says it was cancelled */
  cancel: () => void;
}

/**
 * Runs a long call with a job id, follows its progress and cancels it when the inputs change or
 * the page goes away, so a stale simulation never keeps the worker busy.
 */
export function useJob<K extends 'workspace-overview' | 'projection-get'>(
  channel: K,
  input: Omit<Parameters<typeof call<K>>[1], 'jobId'> | null,
  deps: unknown[],
): CallState<ApiOutputs[K]> {
  const [state, setState] = useState<Omit<CallState<ApiOutputs[K]>, 'cancel'>>({ data: null, error: null, loading: true, progress: null });
  const running = useRef<string | null>(null);
  const cancel = useCallback(() => {
    const jobId = running.current;
    if (jobId === null) return;
    running.current = null;
    setState((s) => ({ ...s, loading: false, progress: null }));
    void call('job-cancel', { jobId }).catch(() => {});
  }, []);
  useEffect(() => {
    if (input === null) return;
    const jobId = newJobId(channel);
    running.current = jobId;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null, progress: null }));
    const off = onProgress((e) => {
      if (live && e.jobId === jobId) setState((s) => ({ ...s, progress: { done: e.done, total: e.total } }));
    });
    call(channel, { ...input, jobId } as Parameters<typeof call<K>>[1])
      .then((data) => live && running.current === jobId && setState({ data, error: null, loading: false, progress: null }))
      .catch((err: unknown) => {
        const error = toError(err);
        if (live && error.code !== 'cancelled') setState((s) => ({ ...s, error, loading: false, progress: null }));
      });
    return () => {
      live = false;
      if (running.current === jobId) running.current = null;
      off();
      void call('job-cancel', { jobId }).catch(() => {});
    };
    // the caller lists the inputs that matter (an object literal is new on every render)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { ...state, cancel };
}
