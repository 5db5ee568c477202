/**
 * model-project's deltas: a call naming the view it holds gets only the keys and triggers whose
 * figures changed, and patching the held view with it gives exactly the whole answer.
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
import type { Settled } from '../src/api/errors.ts';
import type { Plan } from '../src/engine/plan.ts';
import { generateWorkspace } from '../src/demo/generator.ts';
import type { ModelProjectAnswer, ModelView, NamedModelView } from '../src/modeling/types.ts';
import { applyDelta, isDelta, RecentViews, sameFigures, sparkOf, viewDelta } from '../src/modeling/view-delta.ts';
import { sameData } from '../src/modeling/plan-history.ts';

/** a view as the screens use it: the answer without its name and the timing of the run */
const figures = (v: ModelView | NamedModelView) => {
  const { viewId: _name, ...rest } = v as NamedModelView;
  return { ...rest, computeMs: 0, computeThreads: 0, simulated: [] };
};

describe('model-project answers a view it was told the caller holds with a delta', () => {
  let dir: string;
  let service: Service;
  const call = async (input: unknown): Promise<ModelProjectAnswer> => {
    const r = (await dispatch(service.handlers, service.jobs, 'model-project', input)) as Settled<ModelProjectAnswer>;
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  const savedPlan = async (): Promise<Plan> => {
    const r = (await dispatch(service.handlers, service.jobs, 'plan-get', {})) as Settled<{ plan: Plan }>;
    if (!r.ok) throw new Error(r.error.message);
    return r.value.plan;
  };
  const whole = async (plan: Plan): Promise<NamedModelView> => {
    const a = await call({ plan });
    if (isDelta(a)) throw new Error('a call without base must get the whole view');
    return a;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-view-delta-'));
    service = createService({
      userDataDir: join(dir, 'user-data'),
      openStore: ledgerStoreOpener(importWorkerUrl()),
      compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
      demo: () => generateWorkspace({ seed: 42 }),
    });
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a trigger mode edit sends that trigger, and the patched view equals the whole answer', async () => {
    const plan = await savedPlan();
    const held = await whole(plan);
    expect(held.viewId).toMatch(/\w/);
    const trigger = plan.triggers.find((t) => t.kind === 'webhook');
    expect(trigger).toBeDefined();
    const mode = trigger?.mode === 'programmatic' ? 'fair_use' : 'programmatic';
    const edited: Plan = { ...plan, triggers: plan.triggers.map((t) => (t.id === trigger?.id ? { ...t, mode } : t)) };

    const answer = await call({ plan: edited, base: held.viewId });
    if (!isDelta(answer)) throw new Error('expected a delta against the held view');
    expect(answer.base).toBe(held.viewId);
    expect(answer.viewId).not.toBe(held.viewId);
    // the edited trigger is among the few sent, not every one
    expect(answer.triggers.map((c) => held.triggers[c.at]?.id)).toContain(trigger?.id);
    expect(answer.triggers.length).toBeLessThan(held.triggers.length);
    expect(answer.keys.length).toBeLessThan(held.keys.length);
    expect(JSON.stringify(answer).length).toBeLessThan(JSON.stringify(held).length / 4);

    const patched = applyDelta(held, answer);
    expect(figures(patched)).toEqual(figures(await whole(edited)));
    // what did not change is the held view's own object
    const same = patched.triggers.findIndex((t) => t.id !== trigger?.id);
    expect(patched.triggers[same]).toBe(held.triggers[same]);

    // the delta's own name is a base for the next edit: back to the first plan
    const back = await call({ plan, base: answer.viewId });
    if (!isDelta(back)) throw new Error('expected a delta against the delta');
    expect(figures(applyDelta(patched, back))).toEqual(figures(held));
  });

  it('a base the service does not hold gets the whole view', async () => {
    const plan = await savedPlan();
    const a = await call({ plan, base: 'not-a-view' });
    expect(isDelta(a)).toBe(false);
    expect((a as NamedModelView).keys.length).toBeGreaterThan(0);
  });
});

describe('viewDelta and applyDelta', () => {
  const key = (id: string, blocked: number) => ({
    id, name: id, inferred: false, capUsd: 5, peakUsd: 1, peakShare: 0.2, requests: 3, blocked, blockedByCap: blocked, blockedByThrottle: 0, blockedUsd: 0,
    firstBlocked: null, usableAgain: null, episodes: 0, cappedFrom: null, cappedUntil: null, lastUsed: 1, status: 'ok' as const, rolling: [1, 2],
  });
  const view = (keys: ReturnType<typeof key>[]): ModelView => ({
    planName: 'p', events: 1, from: 0, to: 1, horizon: 1,
    workspace: { allowance: null, pool: null, allowancePeak: 0, poolPeak: 0, messages: 0, blockedMessages: 0, spendLimits: [] },
    keys, triggers: [],
    metrics: {} as ModelView['metrics'], computeMs: 0, computeThreads: 0, simulated: [],
  });

  it('grows and shrinks the lists, and refuses a delta that does not fit its base', () => {
    const a = view([key('a', 0), key('b', 0)]);
    const grown = view([key('a', 0), key('b', 1), key('c', 0)]);
    const d = viewDelta(a, grown, 'v1', 'v2');
    expect(d.keys.map((c) => c.at)).toEqual([1, 2]);
    expect(applyDelta(a, d)).toEqual(grown);
    const shrunk = viewDelta(grown, view([key('a', 0)]), 'v2', 'v3');
    expect(shrunk.keys).toEqual([]);
    expect(applyDelta(grown, shrunk).keys).toEqual([key('a', 0)]);
    // applied to a shorter base, the new third key was never sent
    expect(() => applyDelta(view([key('a', 0)]), { ...d, keys: [] })).toThrow(/keys\[1\] is new but not sent/);
    expect(() => applyDelta(a, { ...d, keys: [{ at: 7, whole: key('x', 0) }] })).toThrow(/keys\[7\] is outside/);
    // only some fields of an entry the base never had cannot make it
    expect(() => applyDelta(a, { ...d, keys: [d.keys[0]!, { at: 2, fields: { blocked: 1 } }] })).toThrow(/keys\[2\] is new but only some of its fields/);
  });

  it('sends a changed entry the base has as its changed fields only; the rest of it stays the held objects', () => {
    const a = view([key('a', 0), key('b', 0)]);
    const next = view([key('a', 0), key('b', 4)]);
    const d = viewDelta(a, next, 'v1', 'v2');
    // a seats edit moves a few figures of many triggers: their names, modes and histories stay home
    expect(d.keys).toEqual([{ at: 1, fields: { blocked: 4, blockedByCap: 4 } }]);
    const patched = applyDelta(a, d);
    expect(patched).toEqual(next);
    expect(patched.keys[0]).toBe(a.keys[0]);
    // the unchanged rolling array is the held one: the key's sparkline is not drawn again
    expect(patched.keys[1]?.rolling).toBe(a.keys[1]?.rolling);
    // a field that is gone cannot be said by fields: the entry goes whole
    const { lastUsed: _gone, ...withoutLastUsed } = key('b', 0);
    const dropped = viewDelta(a, { ...a, keys: [key('a', 0), withoutLastUsed as ReturnType<typeof key>] }, 'v1', 'v3');
    expect(dropped.keys).toEqual([{ at: 1, whole: withoutLastUsed }]);
    expect(applyDelta(a, dropped).keys[1]).toEqual(withoutLastUsed);
  });

  it('compares figures as plain data: what sameData calls equal, and nothing else', () => {
    const a = key('a', 0);
    const pairs: [unknown, unknown][] = [
      [a, { ...a }],
      [a, { ...a, rolling: [1, 2] }],
      [a, { ...a, rolling: [1, 3] }],
      [a, { ...a, rolling: [1, 2, 0] }],
      [a, { ...a, firstBlocked: 0 }],
      [a, { ...a, extra: undefined }],
      [a, { ...a, extra: 1 }],
      [{ x: [] }, { x: {} }],
      [{ x: null }, { x: {} }],
      [[1, [2, { y: 'z' }]], [1, [2, { y: 'z' }]]],
      [[1, [2, { y: 'z' }]], [1, [2, { y: 'w' }]]],
    ];
    for (const [x, y] of pairs) {
      expect(sameFigures(x, y)).toBe(sameData(x, y));
      expect(sameFigures(y, x)).toBe(sameData(y, x));
    }
    expect(pairs.filter(([x, y]) => sameFigures(x, y)).length).toBe(4);
  });

  it('keeps a few named views, the oldest forgotten first', () => {
    const recent = new RecentViews(2);
    const ids = [1, 2, 3].map((n) => recent.remember(view([key(String(n), 0)])));
    expect(recent.get(ids[0] ?? '')).toBeUndefined();
    expect(recent.get(ids[2] ?? '')?.keys[0]?.id).toBe('3');
    expect(new Set(ids).size).toBe(3);
  });

  it('keeps the view an edit names as its base, however many answers come after it (a typing burst)', () => {
    const recent = new RecentViews(2);
    const base = recent.remember(view([key('base', 0)]));
    // each keystroke names the view on screen and adds its own answer
    for (let n = 0; n < 10; n++) {
      expect(recent.get(base)?.keys[0]?.id).toBe('base');
      recent.remember(view([key(String(n), 0)]));
    }
    expect(recent.get(base)?.keys[0]?.id).toBe('base');
  });

  it('draws the sparkline from the last 60 days of rolling spend, one array per rolling array', () => {
    const rolling = Array.from({ length: 90 }, (_v, i) => i);
    const s = sparkOf(rolling);
    expect(s).toHaveLength(60);
    expect(s[0]).toBe(30);
    expect(sparkOf(rolling)).toBe(s);
  });
});
