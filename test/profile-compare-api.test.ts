import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeClient } from '../src/api/compute.ts';
import { dispatch } from '../src/api/handlers.ts';
import type { ApiOutputs } from '../src/api/handlers.ts';
import type { Settled } from '../src/api/errors.ts';
import { createService } from '../src/api/service.ts';
import type { Service } from '../src/api/service.ts';
import { demoWorkspace, importWorkerUrl, ledgerStoreOpener } from '../src/api/ledger-store.ts';
import { compareProfiles } from '../src/compare/profiles.ts';
import type { ProfileComparison } from '../src/compare/profiles.ts';
import { openLedger } from '../src/ledger/ledger.ts';
import type { EventColumns } from '../src/engine/events.ts';
import type { Plan } from '../src/engine/plan.ts';
import { setProfile } from '../src/modeling/plan-edits.ts';

/**
 * 'profile-compare' through the handler map (as Electron's IPC and the web host call it): the
 * comparison comes from the compute worker, for the saved plan or an edited one, and is the
 * core's own (compareProfiles over the ledger's events).
 */
describe('profile-compare call', () => {
  let dir: string;
  let service: Service;
  let events: EventColumns;
  let saved: Plan;

  const call = async <K extends keyof ApiOutputs>(channel: K, input: unknown): Promise<Settled<ApiOutputs[K]>> =>
    (await dispatch(service.handlers, service.jobs, channel, input)) as Settled<ApiOutputs[K]>;
  const ok = async <K extends keyof ApiOutputs>(channel: K, input: unknown): Promise<ApiOutputs[K]> => {
    const r = await call(channel, input);
    if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
    return r.value;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-profiles-'));
    service = createService({
      userDataDir: join(dir, 'user-data'),
      openStore: ledgerStoreOpener(importWorkerUrl()),
      compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
      demo: demoWorkspace,
    });
    const info = await ok('ledger-info', {});
    saved = (await ok('plan-get', {})).plan;
    const ledger = openLedger(info.path, { readonly: true });
    try {
      events = ledger.readEvents();
    } finally {
      ledger.close();
    }
  }, 120_000);
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sentenceOf = (c: ProfileComparison, id: string): string => c.differences.find((d) => d.id === id)?.sentence ?? '';

  it('compares the saved plan as the core does, most significant first', async () => {
    const c = await ok('profile-compare', {});
    expect(c).toEqual(compareProfiles(saved, events));
    expect(c.profile).toBe('documented');
    expect(c.changed).toBeGreaterThan(0);
    // the demo's two known differences: PR review waits under the docs and is dropped by the code;
    // lead enrichment (programmatic, no limit under the docs) keeps the platform's default of 42
    const pr = c.differences.find((d) => d.id === 't_pr_review');
    expect(pr?.documented.delayed).toBeGreaterThan(0);
    expect(pr?.platform.dropped).toBeGreaterThan(0);
    expect(sentenceOf(c, 't_pr_review')).toMatch(/^PR review: the docs say [\d,]+ runs wait up to .*; the platform's code drops [\d,]+ of [\d,]+/);
    const lead = c.differences.find((d) => d.id === 't_lead_enrichment');
    expect(lead?.lostDocumented).toBe(0);
    expect(lead?.lostPlatform).toBeGreaterThan(0);
    // most lost beyond the docs first
    const extra = c.differences.map((d) => d.lostPlatform - d.lostDocumented);
    expect(extra).toEqual([...extra].sort((a, b) => b - a));
  }, 120_000);

  it('compares an edited plan under the platform profile without saving it', async () => {
    const platform = setProfile(saved, 'platform');
    const c = await ok('profile-compare', { plan: platform });
    expect(c.profile).toBe('platform');
    // the same two readings, seen from the other side: the same events differ
    const docs = await ok('profile-compare', {});
    expect(c.changed).toBe(docs.changed);
    expect(sentenceOf(c, 't_pr_review')).toBe(sentenceOf(docs, 't_pr_review'));
    // the saved plan is untouched
    expect((await ok('plan-get', {})).plan.enforcement.profile ?? 'documented').toBe('documented');
  }, 120_000);

  it('scenario-compare replays a plan saved under the platform profile as platform, or all plans under one profile', async () => {
    const plans = [
      { name: 'docs', plan: saved },
      { name: 'platform', plan: setProfile(saved, 'platform') },
    ];
    const own = await ok('scenario-compare', { plans });
    expect(own.scenarios.map((s) => s.profile)).toEqual(['documented', 'platform']);
    const dropped = (c: typeof own) => c.metrics.find((m) => m.id === 'droppedRuns')?.values ?? [];
    // the platform's code drops PR review's limited deliveries, among others
    const pr = (await ok('profile-compare', {})).differences.find((d) => d.id === 't_pr_review');
    expect(dropped(own)[1]! - dropped(own)[0]!).toBeGreaterThanOrEqual(pr?.platform.dropped ?? Infinity);
    const under = await ok('scenario-compare', { plans, under: 'platform' });
    expect(under.scenarios.map((s) => s.profile)).toEqual(['platform', 'platform']);
    expect(dropped(under)[0]).toBe(dropped(own)[1]);
    const bad = await call('scenario-compare', { plans, under: 'vendor' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.details.map((d) => d.path)).toContain('under');
  }, 120_000);

  it('refuses a bad plan with its path, and bad input by its schema', async () => {
    const bad = await call('profile-compare', { plan: { enforcement: { profile: 'vendor' } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(JSON.stringify(bad.error)).toContain('enforcement.profile');
    const extra = await call('profile-compare', { plan: saved, width: 3 });
    expect(extra.ok).toBe(false);
    if (!extra.ok) expect(extra.error.code).toBe('invalid_input');
  });
});
