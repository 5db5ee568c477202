import { z } from 'zod';
import { defineCall } from './define.ts';

/** Calls that carry a job id can be cancelled by it. */
export const jobCalls = {
  // names another call's job; it is not a job itself
  'job-cancel': defineCall({ input: z.strictObject({ jobId: z.string().min(1).max(64) }), run: async ({ jobId }, _ctx, s) => ({ cancelled: s.jobs.cancel(jobId) }) }),
};
