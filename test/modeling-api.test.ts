import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeClient } from '../src/api/compute.ts';
import { createService } from '../src/api/service.ts';
import type { Service } from '../src/api/service.ts';
import { dispatch } from '../src/api/handlers.ts';
import { importWorkerUrl, ledgerStoreOpener } from '../src/api/ledger-store.ts';
import type { Settled } from '../src/api/errors.ts';
import type { ModelProjectAnswer, ModelView, NamedModelView, SavedScenario } from '../src/modeling/types.ts';
import { isDelta } from '../src/modeling/view-delta.ts';
import type { Comparison } from '../src/modeling/scenarios.ts';
import { planToYaml } from '../src/export/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { generateWorkspace } from '../src/demo/generator.ts';
import { openLedger } from '../src/ledger/ledger.ts';
import { projectPlan } from '../src/modeling/project.ts';

// k_small: $2 cap; its third $1 request finds $2 spent and is blocked.
const CSV = [
  'timestamp,type,subject,cost_usd,id',
  '2026-10-01T10:00:00Z,api,k_small,1.00,a1',
  '2026-10-01T10:01:00Z,api,k_small,1.00,a2',
  '2026-10-01T10:02:00Z,api,k_small,1.00,a3',
  '2026-10-01T10:03:00Z,message,u_1,,a4',
  '2026-10-01T10:04:00Z,trigger,t_hook,,a5',
  '2026-10-02T10:04:00Z,trigger,t_hook,,a6',
].join('\n');
/** The compute worker's answer to a request naming no base view: the whole view. */
function whole(a: ModelProjectAnswer): NamedModelView {
  if (isDelta(a)) throw new Error('a projection naming no base must be the whole view');
  return a;
}

const PLAN = validatePlan({ workspace: { name: 'Model WS', seats: 2 }, apiKeys: [{ id: 'k_small', capUsd: 2 }] });

describe('modeling calls through the handler map', () => {
  let dir: string;
  let service: Service;
  const call = async <T>(channel: string, input: unknown): Promise<T> => {
    const r = (await dispatch(service.handlers, service.jobs, channel, input)) as Settled<T>;
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message} ${JSON.stringify(r.error.details)}`);
    return r.value;
  };
  const fail = async (channel: string, input: unknown) => {
    const r = await dispatch(service.handlers, service.jobs, channel, input);
    if (r.ok) throw new Error(`${channel} should have failed`);
    return r.error;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-modeling-'));
    service = createService({
      userDataDir: join(dir, 'user-data'),
      openStore: ledgerStoreOpener(importWorkerUrl()),
      compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
      demo: null,
    });
    await call('import-run', { source: { name: 'usage.csv', text: CSV } });
    await call('plan-save', { plan: PLAN });
  });
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('projects an edited plan without saving it: a higher cap unblocks the key', async () => {
    const before = await call<ModelView>('model-project', { plan: PLAN });
    const k = before.keys.find((x) => x.id === 'k_small');
    expect(k).toMatchObject({ capUsd: 2, blocked: 1, status: 'limited', peakUsd: 2 });
    expect(k?.rolling.at(-1)).toBe(2);
    expect(before.workspace).toMatchObject({ allowance: 200, pool: 100 });
    const edited = { ...PLAN, apiKeys: [{ id: 'k_small', capUsd: 3.5 }] }; // peak $3 is 86 % of it: near
    const after = await call<ModelView>('model-project', { plan: edited });
    expect(after.keys.find((x) => x.id === 'k_small')).toMatchObject({ blocked: 0, status: 'near' });
    expect(after.metrics.blockedRequests).toBe(0);
    const hook = after.triggers.find((t) => t.id === 't_hook');
    expect(hook).toMatchObject({ inferred: true, runsPerDay: { median: 1, p95: 1, max: 1, days: 2 } });
    // the saved plan is unchanged
    expect((await call<{ plan: typeof PLAN }>('plan-get', {})).plan.apiKeys[0]?.capUsd).toBe(2);
  });

  it('refuses an invalid plan with the field path', async () => {
    const err = await fail('model-project', { plan: { ...PLAN, triggers: [{ id: 't', kind: 'scheduled', mode: 'programmatic' }] } });
    expect(err.code).toBe('plan_error');
    expect(err.details[0]?.path).toBe('triggers[0].mode');
  });

  it('saves, renames, lists and deletes scenarios in the ledger, and compares them', async () => {
    const a = await call<SavedScenario>('scenario-save', { name: 'Current', plan: PLAN });
    const b = await call<SavedScenario>('scenario-save', { name: 'Looser', plan: { ...PLAN, apiKeys: [{ id: 'k_small', capUsd: 10 }] } });
    const renamed = await call<SavedScenario>('scenario-rename', { id: b.id, name: 'Looser caps' });
    expect(renamed.name).toBe('Looser caps');
    expect((await fail('scenario-rename', { id: renamed.id, name: 'Current' })).message).toMatch(/already exists/);
    const list = await call<SavedScenario[]>('scenario-list', {});
    expect(list.map((s) => s.name)).toEqual(['Current', 'Looser caps']);
    const cmp = await call<Comparison>('scenario-compare', { plans: list.map((s) => ({ name: s.name, plan: s.plan })) });
    expect(cmp.metrics.find((m) => m.id === 'blockedRequests')?.values).toEqual([1, 0]);
    expect(cmp.changes[1]).toEqual([{ path: 'apiKeys.k_small.capUsd', from: 2, to: 10 }]);
    expect(await call('scenario-delete', { id: a.id })).toEqual({ deleted: true });
    expect((await call<SavedScenario[]>('scenario-list', {})).map((s) => s.name)).toEqual(['Looser caps']);
    expect((await fail('scenario-save', { name: '  ', plan: PLAN })).code).toBe('invalid_input');
  });

  it('loads a plan file back from JSON or YAML, and names the line of a bad one', async () => {
    const yaml = await call<{ plan: typeof PLAN }>('model-load-plan', { name: 'plan.yaml', text: planToYaml(PLAN) });
    expect(yaml.plan).toEqual(PLAN);
    const json = await call<{ plan: typeof PLAN }>('model-load-plan', { name: 'plan.json', text: JSON.stringify(PLAN) });
    expect(json.plan).toEqual(PLAN);
    expect((await fail('model-load-plan', { name: 'plan.json', text: '{"workspace": {"seats": -1}}' })).details[0]?.path).toBe('workspace.seats');
  });
});

describe('the modeling screens on the one compute worker', () => {
  it('cancels a superseded projection and still answers the next one', async () => {
    const { generateWorkspace } = await import('../src/demo/generator.ts');
    const w = generateWorkspace({ seed: 42 });
    const compute = new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url));
    try {
      compute.setEvents(w.events);
      const stale = new AbortController();
      const first = compute.ask({ kind: 'project', plan: w.plan }, { signal: stale.signal });
      // the newer edit arrives before the engine got far: the stale run stops instead of finishing
      stale.abort();
      const next = compute.ask({ kind: 'project', plan: { ...w.plan, apiKeys: [] } });
      await expect(first).rejects.toMatchObject({ code: 'cancelled' });
      const view = whole(await next);
      expect(view.events).toBe(w.events.count);
      expect(view.keys.every((k) => k.inferred && k.capUsd === null)).toBe(true);
    } finally {
      await compute.close();
    }
  });

  it('answers an edit while a forecast runs in its slow lane, and a cancel reaches the slow lane', async () => {
    const w = generateWorkspace({ seed: 42 });
    const compute = new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url));
    try {
      compute.setEvents(w.events);
      const order: string[] = [];
      const stop = new AbortController();
      let progressed = 0;
      const slow = compute.ask({ kind: 'forecast', plan: w.plan, days: 120, paths: 500, whatIf: {} }, { signal: stop.signal, onProgress: () => progressed++ });
      const settled = slow.then(
        () => order.push('forecast'),
        (err: { code?: string }) => order.push(`forecast ${err.code ?? ''}`),
      );
      const view = whole(await compute.ask({ kind: 'project', plan: { ...w.plan, workspace: { ...w.plan.workspace, seats: 1 } } }));
      order.push('project');
      expect(view.events).toBe(w.events.count);
      // the forecast, behind which the edit would have waited on one thread, is still running
      expect(order).toEqual(['project']);
      await vi.waitFor(() => expect(progressed).toBeGreaterThan(0), { timeout: 60_000 });
      stop.abort();
      await settled;
      expect(order).toEqual(['project', 'forecast cancelled']);
    } finally {
      await compute.close();
    }
  }, 120_000);

  it('answers an edit while the profile comparison runs in the slow lane, and a cancel stops the comparison', async () => {
    const w = generateWorkspace({ seed: 42, days: 120 });
    const compute = new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url));
    try {
      compute.setEvents(w.events);
      // the edit's own parts are kept: the edit below simulates only the allowance part again
      await compute.ask({ kind: 'project', plan: w.plan });
      const order: string[] = [];
      const stop = new AbortController();
      // the Triggers page compares the last edit's plan under both profiles: two whole simulations
      const compared = compute.ask({ kind: 'profiles', plan: w.plan }, { signal: stop.signal }).then(
        () => order.push('profiles'),
        (err: { code?: string }) => order.push(`profiles ${err.code ?? ''}`),
      );
      const view = whole(await compute.ask({ kind: 'project', plan: { ...w.plan, workspace: { ...w.plan.workspace, seats: 2 } } }));
      order.push('project');
      expect(view.simulated).toEqual(['allowance']);
      // on one thread the edit would have waited for the comparison
      expect(order).toEqual(['project']);
      stop.abort();
      await compared;
      expect(order).toEqual(['project', 'profiles cancelled']);
      // the next ask is answered, from the slow lane's own simulators
      const c = await compute.ask({ kind: 'profiles', plan: w.plan });
      expect(c.events).toBe(w.events.count);
    } finally {
      await compute.close();
    }
  }, 120_000);

  it('compares the profiles of an empty history (nothing differs), where the modeling calls have nothing to say', async () => {
    const compute = new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url));
    try {
      compute.setEvents({ count: 0, time: new Float64Array(0), type: new Uint8Array(0), subject: new Uint32Array(0), subjects: [], cost: new Float64Array(0), ids: null });
      const c = await compute.ask({ kind: 'profiles', plan: PLAN });
      expect([c.events, c.changed]).toEqual([0, 0]);
      await expect(compute.ask({ kind: 'advice', plan: PLAN })).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await compute.close();
    }
  });

  describe('an edit through model-project re-simulates only the part it touches', () => {
    let dir: string;
    let service: Service;
    let events: EventColumns;
    const call = async <T>(channel: string, input: unknown): Promise<T> => {
      const r = (await dispatch(service.handlers, service.jobs, channel, input)) as Settled<T>;
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return r.value;
    };
    /** what the screens show, without the timing of the run that made it (nor the answer's name) */
    const figures = (v: ModelView) => ({ ...v, computeMs: 0, computeThreads: 0, simulated: [], viewId: undefined });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'headroom-modeling-parts-'));
      service = createService({
        userDataDir: join(dir, 'user-data'),
        openStore: ledgerStoreOpener(importWorkerUrl()),
        compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
        demo: () => generateWorkspace({ seed: 42 }),
      });
      const info = await call<{ path: string }>('ledger-info', {});
      const ledger = openLedger(info.path, { readonly: true });
      try {
        events = ledger.readEvents();
      } finally {
        ledger.close();
      }
    }, 60_000);
    afterAll(async () => {
      await service?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a key cap: the spend part only, with the figures of the whole simulation', async () => {
      const { plan } = await call<{ plan: Plan }>('plan-get', {});
      const capped = plan.apiKeys.find((k) => k.capUsd !== null);
      expect(capped).toBeDefined();
      const base = await call<ModelView>('model-project', { plan });
      expect(figures(base)).toEqual(figures(projectPlan(plan, events)));

      const edited: Plan = { ...plan, apiKeys: plan.apiKeys.map((k) => (k.id === capped?.id ? { ...k, capUsd: (k.capUsd ?? 0) / 4 } : k)) };
      const view = await call<ModelView>('model-project', { plan: edited });
      expect(view.simulated).toEqual(['spend']);
      expect(view.computeThreads).toBe(1);
      const whole = projectPlan(edited, events);
      expect(whole.simulated).toEqual(['whole']);
      expect(figures(view)).toEqual(figures(whole));
      // the edit changed what the key shows: the figures compared are not those of the first plan
      expect(view.keys.find((k) => k.id === capped?.id)).not.toEqual(base.keys.find((k) => k.id === capped?.id));

      // the same plan again: the kept result answers, nothing is simulated
      const again = await call<ModelView>('model-project', { plan: edited });
      expect(again.simulated).toEqual([]);
      expect(figures(again)).toEqual(figures(whole));
    });

    it('seats: the allowance part only, with the figures of the whole simulation', async () => {
      const { plan } = await call<{ plan: Plan }>('plan-get', {});
      await call<ModelView>('model-project', { plan });
      const edited: Plan = { ...plan, workspace: { ...plan.workspace, seats: Math.max(1, Math.floor(plan.workspace.seats / 3)) } };
      const view = await call<ModelView>('model-project', { plan: edited });
      expect(view.simulated).toEqual(['allowance']);
      expect(figures(view)).toEqual(figures(projectPlan(edited, events)));
    });

    it('Overview and the modeling screens read one result: a key shows the same status on both', async () => {
      const { plan } = await call<{ plan: Plan }>('plan-get', {});
      const view = await call<ModelView>('model-project', { plan });
      const overview = await call<{ keys: { id: string; status: string }[] }>('workspace-overview', {});
      expect(overview.keys.map((k) => [k.id, k.status])).toEqual(view.keys.map((k) => [k.id, k.status]));
    });
  });
});
