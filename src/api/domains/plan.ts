import { z } from 'zod';
import { validatePlan } from '../../engine/plan.ts';
import { modelingInputSchemas } from '../modeling.ts';
import { defineCall } from './define.ts';

const jobId = z.string().min(1).max(64).optional();

/** The open ledger's saved plan: read, save, simulate an edited one, load one from a file. */
export const planCalls = {
  'plan-get': defineCall({
    input: z.strictObject({}),
    run: async (_input, _ctx, s) => {
      await s.store();
      return { plan: s.plan() };
    },
  }),
  // The plan's own schema runs in `run` so that its errors come back as plan_error with paths.
  'plan-save': defineCall({
    input: z.strictObject({ plan: z.unknown() }),
    run: async ({ plan: raw }, _ctx, s) => {
      const next = validatePlan(raw, 'plan');
      const store = await s.store();
      // the simulation starts before the write: the page's next request is for this plan's results
      s.compute.warm(next);
      // after any import under way (the writer queue): the call settles once the plan is written
      await store.savePlan(next);
      s.setPlan(next);
      return { plan: next };
    },
  }),
  'plan-simulate': defineCall({
    input: z.strictObject({ plan: z.unknown(), jobId }),
    run: async ({ plan: raw }, ctx, s) => s.overview(validatePlan(raw, 'plan'), ctx),
  }),
  'model-load-plan': defineCall({ input: modelingInputSchemas['model-load-plan'], run: async (input, ctx, s) => s.modeling['model-load-plan'](input, ctx) }),
};
