import { z } from 'zod';
import { validatePlan } from '../../engine/plan.ts';
import { modelingInputSchemas } from '../modeling.ts';
import { defineCall } from './define.ts';

const jobId = z.string().min(1).max(64).optional();

/** The saved plan replayed over the history: the overview, the charts, both enforcement profiles, an edited plan's view. */
export const projectionCalls = {
  // fresh: the live answer, never the one stored at the last session's end (src/ledger/overview-snapshot-file.ts)
  'workspace-overview': defineCall({
    input: z.strictObject({ fresh: z.boolean().optional(), jobId }),
    run: async ({ fresh }, ctx, s) => s.savedOverview(ctx, fresh === true),
  }),
  'projection-get': defineCall({
    input: z.strictObject({ width: z.number().int().min(16).max(8192), maxKeys: z.number().int().min(1).max(100_000).default(12), jobId }),
    run: async ({ width, maxKeys }, ctx, s) => {
      await s.store();
      const plan = s.plan();
      return s.compute.run('projection', plan, plan.workspace.name, width, { maxKeys, signal: ctx.signal, onProgress: (d, t) => ctx.progress(d, t, 'simulate') });
    },
  }),
  // the plan under the docs beside the platform's code (SPEC section 9); without a plan: the
  // saved one (Overview, Projection); with one: an edited plan (Triggers), checked in `run`
  'profile-compare': defineCall({
    input: z.strictObject({ plan: z.unknown().optional(), jobId }),
    run: async ({ plan: raw }, ctx, s) => {
      await s.store();
      const p = raw === undefined ? s.plan() : validatePlan(raw, 'plan');
      return s.compute.run('profiles', p, p.workspace.name, 0, { signal: ctx.signal, onProgress: (d, t) => ctx.progress(d, t, 'simulate') });
    },
  }),
  // the modeling screens' view of an edited plan (src/api/modeling.ts)
  'model-project': defineCall({ input: modelingInputSchemas['model-project'], run: async (input, ctx, s) => s.modeling['model-project'](input, ctx) }),
  'model-warm': defineCall({ input: modelingInputSchemas['model-warm'], run: async (input, ctx, s) => s.modeling['model-warm'](input, ctx) }),
  'model-advice': defineCall({ input: modelingInputSchemas['model-advice'], run: async (input, ctx, s) => s.modeling['model-advice'](input, ctx) }),
};
