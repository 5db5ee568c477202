/**
 * The modeling screens' handlers and input schemas, plugged into the shell's handler map
 * (handlers.ts, schemas.ts, service.ts). Every question about the events goes to the one compute
 * worker (compute.ts), which holds the events and the kept part results the pages use too; saved
 * scenarios live in the ledger's scenarios table, read and written through the open ledger's store.
 */
import { z } from 'zod';
import { parsePlanJson, validatePlan } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';
import { parsePlanYaml } from '../export/index.ts';
import type { ComputeClient } from './compute.ts';
import type { Comparison } from '../modeling/scenarios.ts';
import type { ForecastReport } from '../forecast/index.ts';
import type { ModelingChannel } from '../modeling/channels.ts';
import type { Advice, ExportPreview, ModelProjectAnswer, SavedScenario } from '../modeling/types.ts';
import { Recent } from '../modeling/view-delta.ts';
import { applyPlanPatch, planPatchSchema } from '../modeling/plan-patch.ts';
import { ApiFailure } from './errors.ts';
import type { CallContext } from './handlers.ts';
import type { WorkspaceStore } from './store.ts';

const jobId = z.string().min(1).max(64).optional();
// The plan's own schema runs in the handler, so its errors come back as plan_error with paths.
const plan = z.unknown();
const name = z.string().trim().min(1, 'a scenario needs a name').max(120);
const viewId = z.string().min(1).max(64);

export const modelingInputSchemas = {
  /**
   * base: the viewId of the projection the caller holds; the answer is then only what differs from
   * it. The plan is either whole (`plan`) or, for an edit, the change from base's plan (`patch`,
   * src/modeling/plan-diff.ts): its entries are checked here, by the plan's own entry schemas.
   */
  'model-project': z
    .strictObject({ plan: plan.optional(), patch: planPatchSchema.optional(), jobId, base: viewId.optional() })
    .refine((i) => (i.plan === undefined) !== (i.patch === undefined), { message: 'send either the whole plan or a patch of the base view’s plan', path: ['plan'] })
    .refine((i) => i.patch === undefined || i.base !== undefined, { message: 'a patch needs the base view whose plan it changes', path: ['base'] }),
  /** after the window's first page is on screen: the edit paths of the saved plan run once */
  'model-warm': z.strictObject({}),
  'model-advice': z.strictObject({ plan, jobId }),
  'model-export': z.strictObject({ plan, jobId }),
  'model-forecast': z.strictObject({
    plan,
    days: z.number().int().min(7).max(120).default(30),
    paths: z.number().int().min(10).max(500).default(50),
    whatIf: z
      .strictObject({
        seats: z.number().int().nonnegative().optional(),
        /** extra growth per 30 days for every key / trigger (0.2 = +20 %) */
        keyGrowth: z.number().min(-0.95).max(10).optional(),
        triggerGrowth: z.number().min(-0.95).max(10).optional(),
      })
      .default({}),
    jobId,
  }),
  'model-load-plan': z.strictObject({ name: z.string().min(1).max(512), text: z.string().max(16 * 1024 * 1024) }),
  'scenario-list': z.strictObject({}),
  'scenario-save': z.strictObject({ name, plan }),
  'scenario-rename': z.strictObject({ id: z.number().int().positive(), name }),
  'scenario-delete': z.strictObject({ id: z.number().int().positive() }),
  // under: each plan's own enforcement profile, or one for all (SPEC section 9)
  'scenario-compare': z.strictObject({ plans: z.array(z.strictObject({ name, plan })).min(1).max(8), under: z.enum(['own', 'documented', 'platform']).default('own'), jobId }),
} satisfies Record<ModelingChannel, z.ZodType>;

export interface ModelingOutputs {
  'model-project': ModelProjectAnswer;
  'model-warm': null;
  'model-advice': Advice;
  'model-export': ExportPreview;
  'model-forecast': ForecastReport;
  'model-load-plan': { plan: Plan };
  'scenario-list': SavedScenario[];
  'scenario-save': SavedScenario;
  'scenario-rename': SavedScenario;
  'scenario-delete': { deleted: boolean };
  'scenario-compare': Comparison;
}

type Inputs = { [K in ModelingChannel]: z.output<(typeof modelingInputSchemas)[K]> };
export type ModelingHandlers = { [K in ModelingChannel]: (input: Inputs[K], ctx: CallContext) => Promise<ModelingOutputs[K]> };

export interface ModelingDeps {
  /** the open ledger; awaiting it also points the compute worker at its events */
  store: () => Promise<WorkspaceStore>;
  /** the open ledger's saved plan */
  savedPlan: () => Plan;
  compute: ComputeClient;
}

/** Parses a plan file the user picked: JSON, or YAML by its extension or when JSON fails. */
export function loadPlanText(fileName: string, text: string): Plan {
  if (/\.ya?ml$/i.test(fileName)) return parsePlanYaml(text, fileName);
  return parsePlanJson(text, fileName);
}

export function createModelingHandlers(deps: ModelingDeps): ModelingHandlers {
  const { compute } = deps;
  /** the plan of each view the worker answered last, by the view's name: what a patch applies to */
  const plans = new Recent<Plan>(8);
  const planOf = (base: string | undefined): Plan => {
    const held = base === undefined ? undefined : plans.get(base);
    if (held === undefined) {
      throw new ApiFailure('not_found', 'The projection this edit was made on is no longer held: send the whole plan', [{ path: 'base', message: 'no longer held' }]);
    }
    return held;
  };
  const ask = async (ctx: CallContext): Promise<{ signal: AbortSignal; onProgress: (d: number, t: number) => void }> => {
    await deps.store();
    return { signal: ctx.signal, onProgress: (d, t) => ctx.progress(d, t, 'simulate') };
  };


  return {
    'model-project': async ({ plan: raw, patch, base }, ctx) => {
      // a patch changes the plan of the view it names, which this service checked when it was sent
      const p = patch === undefined ? validatePlan(raw, 'plan') : applyPlanPatch(planOf(base), patch);
      // the worker diffs the view against base there, and sends only the delta
      const answer = await compute.ask({ kind: 'project', plan: p, ...(base === undefined ? {} : { base }) }, await ask(ctx));
      plans.set(answer.viewId, p);
      return answer;
    },
    'model-warm': async () => {
      await deps.store();
      compute.warm(deps.savedPlan(), true);
      return null;
    },
    'model-advice': async ({ plan: raw }, ctx) => compute.ask({ kind: 'advice', plan: validatePlan(raw, 'plan') }, await ask(ctx)),
    'model-export': async ({ plan: raw }, ctx) => compute.ask({ kind: 'export', plan: validatePlan(raw, 'plan') }, await ask(ctx)),
    'model-forecast': async ({ plan: raw, days, paths, whatIf }, ctx) =>
      compute.ask(
        {
          kind: 'forecast',
          plan: validatePlan(raw, 'plan'),
          days,
          paths,
          whatIf: {
            ...(whatIf.seats !== undefined ? { seats: whatIf.seats } : {}),
            ...(whatIf.keyGrowth ? { keyGrowth: { '*': whatIf.keyGrowth } } : {}),
            ...(whatIf.triggerGrowth ? { triggerGrowth: { '*': whatIf.triggerGrowth } } : {}),
          },
        },
        await ask(ctx),
      ),
    'model-load-plan': async ({ name: file, text }) => ({ plan: loadPlanText(file, text) }),
    // through the open ledger's store: its one writing connection (store.ts)
    'scenario-list': async () => (await deps.store()).listScenarios(),
    'scenario-save': async ({ name: n, plan: raw }) => {
      const p = validatePlan(raw, 'plan');
      return (await deps.store()).saveScenario(n, p);
    },
    'scenario-rename': async ({ id, name: n }) => (await deps.store()).renameScenario(id, n),
    'scenario-delete': async ({ id }) => ({ deleted: await (await deps.store()).deleteScenario(id) }),
    'scenario-compare': async ({ plans, under }, ctx) =>
      compute.ask({ kind: 'compare', under, plans: plans.map((p, i) => ({ name: p.name, plan: validatePlan(p.plan, `plans[${i}]`) })) }, await ask(ctx)),
  };
}
