/**
 * An edit sent as a patch of the plan the service holds (src/modeling/plan-diff.ts, plan-patch.ts):
 * applied, it gives exactly the edited plan; a bad one is refused naming where; and through the
 * service the view's delta, applied to the view held, is the whole view of the edited plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeClient } from '../src/api/compute.ts';
import { createService } from '../src/api/service.ts';
import type { Service } from '../src/api/service.ts';
import { dispatch } from '../src/api/handlers.ts';
import { importWorkerUrl, ledgerStoreOpener } from '../src/api/ledger-store.ts';
import type { ApiError, Settled } from '../src/api/errors.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { generateWorkspace } from '../src/demo/generator.ts';
import { planPatch } from '../src/modeling/plan-diff.ts';
import { applyPlanPatch, planPatchSchema } from '../src/modeling/plan-patch.ts';
import { addSpendLimit, removeSpendLimit, setKeyCaps, setProfile, setTriggerMode, setWorkspace } from '../src/modeling/plan-edits.ts';
import type { ModelProjectAnswer, ModelView, NamedModelView } from '../src/modeling/types.ts';
import { applyDelta, isDelta } from '../src/modeling/view-delta.ts';

const BASE = validatePlan({
  workspace: { name: 'Patch WS', seats: 4 },
  apiKeys: [
    { id: 'k_a', name: 'A', capUsd: 5 },
    { id: 'k_b', capUsd: null },
    { id: 'k_c', capUsd: 12 },
    { id: 'k_d', capUsd: 1 },
  ],
  triggers: [
    { id: 't_hook', kind: 'webhook' },
    { id: 't_cron', kind: 'scheduled' },
  ],
});

/** The patch as it crosses the wire (JSON) and passes the call's schema, applied to `base`. */
const applied = (base: Plan, next: Plan): Plan => applyPlanPatch(base, planPatchSchema.parse(JSON.parse(JSON.stringify(planPatch(base, next)))));

describe('a plan patch applied to the plan it was made on', () => {
  const edits: [string, (p: Plan) => Plan][] = [
    ['one key cap', (p) => setKeyCaps(p, ['k_c'], 30)],
    ['a key seen only in the events gets a cap', (p) => setKeyCaps(p, ['k_new'], 2)],
    ['a trigger mode', (p) => setTriggerMode(p, 't_hook', 'programmatic')],
    ['seats', (p) => setWorkspace(p, { seats: 9 })],
    ['a spend limit added, then the first removed', (p) => removeSpendLimit(addSpendLimit(p, 'calendar-month', 300), 0)],
    ['the enforcement profile', (p) => setProfile(p, 'platform')],
    ['a key removed from the middle', (p) => ({ ...p, apiKeys: p.apiKeys.filter((k) => k.id !== 'k_b') })],
  ];
  for (const [what, edit] of edits) {
    it(`equals the edited whole plan: ${what}`, () => {
      const next = edit(BASE);
      expect(applied(BASE, next)).toEqual(validatePlan(next));
    });
  }

  it('names only what changed, and keeps the base entries it does not name', () => {
    const next = setKeyCaps(BASE, ['k_c'], 30);
    const patch = planPatch(BASE, next);
    expect(patch).toEqual({ apiKeys: [null, null, { id: 'k_c', capUsd: 30 }, null] });
    const out = applied(BASE, next);
    expect(out.apiKeys[0]).toBe(BASE.apiKeys[0]);
    expect(out.triggers).toBe(BASE.triggers);
    expect(planPatch(BASE, BASE)).toEqual({});
  });

  it('refuses what breaks a rule spanning entries, naming the entry', () => {
    const dup = { apiKeys: [null, null, null, { id: 'k_a', capUsd: 3 }] };
    expect(() => applyPlanPatch(BASE, planPatchSchema.parse(dup))).toThrow(/apiKeys\[3\]\.id: duplicate id "k_a"/);
    const cron = { triggers: [null, { id: 't_cron', kind: 'scheduled', mode: 'programmatic' }] };
    expect(() => applyPlanPatch(BASE, planPatchSchema.parse(cron))).toThrow(/triggers\[1\]\.mode: programmatic mode applies only to webhook/);
    // the same schedule is allowed once the patch also moves the plan to the platform profile
    const platform = planPatchSchema.parse({ ...cron, enforcement: { ...BASE.enforcement, profile: 'platform' } });
    expect(applyPlanPatch(BASE, platform).triggers[1]?.mode).toBe('programmatic');
    // null stands for the base's entry: past the base's list there is none
    expect(() => applyPlanPatch(BASE, planPatchSchema.parse({ apiKeys: [null, null, null, null, null] }))).toThrow(/apiKeys\[4\]/);
  });
});

describe('model-project with a patch, through the service', () => {
  let dir: string;
  let service: Service;
  const settle = async (input: unknown): Promise<Settled<ModelProjectAnswer>> => (await dispatch(service.handlers, service.jobs, 'model-project', input)) as Settled<ModelProjectAnswer>;
  const call = async (input: unknown): Promise<ModelProjectAnswer> => {
    const r = await settle(input);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  const refused = async (input: unknown): Promise<ApiError> => {
    const r = await settle(input);
    if (r.ok) throw new Error('expected the call to be refused');
    return r.error;
  };
  const whole = async (plan: Plan): Promise<NamedModelView> => {
    const a = await call({ plan });
    if (isDelta(a)) throw new Error('a call without base must get the whole view');
    return a;
  };
  /** a view as the screens use it: without its name and the timing of the run */
  const figures = (v: ModelView | NamedModelView) => {
    const { viewId: _name, ...rest } = v as NamedModelView;
    return { ...rest, computeMs: 0, computeThreads: 0, simulated: [] };
  };
  let plan: Plan;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-plan-patch-'));
    service = createService({
      userDataDir: join(dir, 'user-data'),
      openStore: ledgerStoreOpener(importWorkerUrl()),
      compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
      demo: () => generateWorkspace({ seed: 7 }),
    });
    const r = (await dispatch(service.handlers, service.jobs, 'plan-get', {})) as Settled<{ plan: Plan }>;
    if (!r.ok) throw new Error(r.error.message);
    plan = r.value.plan;
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a cap edit sent as a patch answers a delta that, applied to the held view, is the edited plan’s whole view', async () => {
    const held = await whole(plan);
    const key = plan.apiKeys[1] ?? plan.apiKeys[0];
    if (key === undefined) throw new Error('the demo plan has keys');
    const edited = setKeyCaps(plan, [key.id], (key.capUsd ?? 10) / 4);
    const patch = planPatch(plan, edited);
    expect(JSON.stringify(patch).length).toBeLessThan(JSON.stringify(edited).length / 4);

    const answer = await call({ patch, base: held.viewId, jobId: 'live' });
    if (!isDelta(answer)) throw new Error('expected a delta against the held view');
    expect(answer.base).toBe(held.viewId);
    const patched = applyDelta(held, answer);
    expect(figures(patched)).toEqual(figures(await whole(edited)));

    // the delta's name is the next edit's base, and its plan the next patch's: back to the first plan
    const back = await call({ patch: planPatch(edited, plan), base: answer.viewId });
    if (!isDelta(back)) throw new Error('expected a delta');
    expect(figures(applyDelta(patched, back))).toEqual(figures(held));
  });

  it('refuses a bad patch naming where, and a patch of a view it does not hold', async () => {
    const held = await whole(plan);
    const keys = plan.apiKeys.map(() => null) as unknown[];
    keys[3] = { id: plan.apiKeys[3]?.id ?? 'k', capUsd: -5 };
    const bad = await refused({ patch: { apiKeys: keys }, base: held.viewId });
    expect(bad.code).toBe('invalid_input');
    expect(bad.details).toContainEqual({ path: 'patch.apiKeys[3].capUsd', message: 'must not be negative' });

    const dupKeys = plan.apiKeys.map(() => null) as unknown[];
    dupKeys[2] = { id: plan.apiKeys[0]?.id ?? 'k', capUsd: 1 };
    const dup = await refused({ patch: { apiKeys: dupKeys }, base: held.viewId });
    expect(dup.code).toBe('plan_error');
    expect(dup.details[0]?.path).toBe('apiKeys[2].id');

    const unknown = await refused({ patch: {}, base: 'not-a-view' });
    expect(unknown).toMatchObject({ code: 'not_found', details: [{ path: 'base' }] });
    // a patch needs a base, and a call sends a plan or a patch, not both
    expect((await refused({ patch: {} })).details.map((d) => d.path)).toContain('base');
    expect((await refused({ plan, patch: {}, base: held.viewId })).code).toBe('invalid_input');
  });
});
