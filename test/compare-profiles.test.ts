/**
 * The docs beside the platform's code (src/compare/profiles.ts, issue 14 item 3): the same plan
 * and events under both profiles, and where they decide differently, as data and sentences.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { compareProfiles, differenceParts, formatComparison, planUnderProfile, sentenceOf } from '../src/compare/profiles.ts';
import { OtherProfileRun } from '../src/compare/other-profile.ts';
import { generateWorkspace } from '../src/demo/generator.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildReport, formatSummary } from '../src/engine/report.ts';
import { events, h } from './support/scenario.ts';

describe('planUnderProfile', () => {
  it("gives each side its own profile's way with limited webhooks: the docs' queue becomes the platform's drop", () => {
    const docs = validatePlan({ triggers: [{ id: 'a' }] });
    expect(docs.enforcement.webhookWhenLimited).toBe('queue');
    const onPlatform = planUnderProfile(docs, 'platform').plan;
    expect(onPlatform.enforcement.profile).toBe('platform');
    expect(onPlatform.enforcement.webhookWhenLimited).toBe('drop');
    // a queue written out in a documented plan (as every exported plan is) is still the docs' way
    expect(planUnderProfile(validatePlan({ triggers: [{ id: 'a' }], enforcement: { webhookWhenLimited: 'queue' } }), 'platform').plan.enforcement.webhookWhenLimited).toBe('drop');
    // the other choice is the admin's and is kept: drop under the docs, queue under the code
    expect(planUnderProfile(validatePlan({ enforcement: { webhookWhenLimited: 'drop' } }), 'platform').plan.enforcement.webhookWhenLimited).toBe('drop');
    expect(planUnderProfile(validatePlan({ enforcement: { profile: 'platform', webhookWhenLimited: 'queue' } }), 'documented').plan.enforcement.webhookWhenLimited).toBe('queue');
    expect(planUnderProfile(validatePlan({ enforcement: { profile: 'platform' } }), 'documented').plan.enforcement.webhookWhenLimited).toBe('queue');
  });

  it('puts a programmatic schedule on fair use for the docs, and says so', () => {
    const raw = { enforcement: { profile: 'platform' }, triggers: [{ id: 'cron', name: 'Nightly', kind: 'scheduled', mode: 'workspace_pool' }] };
    const { plan, notes } = planUnderProfile(validatePlan(raw), 'documented');
    expect(plan.triggers[0]!.mode).toBe('fair_use');
    expect(plan.enforcement.webhookWhenLimited).toBe('queue');
    expect(notes).toEqual(['Nightly: the docs do not allow a programmatic schedule; counted as fair use there']);
  });
});

describe('a queue the plan sets under the platform profile', () => {
  const raw = { enforcement: { profile: 'platform', webhookWhenLimited: 'queue' }, triggers: [{ id: 'hook', kind: 'webhook', limitPer24h: 1 }] };
  const ev = events([
    [h(0), 'trigger', 'hook'],
    [h(1), 'trigger', 'hook'],
  ]);

  it("is said to be the plan's what-if, not what the platform's code does: in the comparison's notes and under the summary's verdict", () => {
    const plan = validatePlan(raw);
    const note = /the platform's side lets limited webhooks wait because this plan sets enforcement\.webhookWhenLimited "queue".*the platform's code drops them/;
    expect(planUnderProfile(plan, 'documented').notes.some((x) => note.test(x))).toBe(true);
    expect(formatComparison(compareProfiles(plan, ev))).toMatch(note);
    const result = simulate(plan, ev);
    expect(result.plan.queueWebhooks).toBe(true);
    const summary = formatSummary(buildReport(ev, result), { queuesWebhooks: result.plan.queueWebhooks });
    expect(summary).toMatch(/Except limited webhooks: they wait here because the plan sets enforcement\.webhookWhenLimited "queue"; the platform's code drops them/);
    // the platform's own way (drop), and a documented plan's queue (the docs' own way), need no such word
    const dropping = validatePlan({ ...raw, enforcement: { profile: 'platform' } });
    expect(planUnderProfile(dropping, 'documented').notes).toEqual([]);
    expect(formatSummary(buildReport(ev, simulate(dropping, ev)), { queuesWebhooks: false })).not.toMatch(/Except limited webhooks/);
    expect(planUnderProfile(validatePlan({ ...raw, enforcement: { webhookWhenLimited: 'queue' } }), 'platform').notes).toEqual([]);
  });
});

describe('a difference whose counts are the same on both sides', () => {
  it('says that what differs is when, not how many', () => {
    const side = { events: 10, admitted: 10, delayed: 4, blocked: 0, dropped: 0, skipped: 0, pending: 0, maxDelayMs: 3_600_000, byReason: {}, reasons: { delayed: [], blocked: [], skipped: [], dropped: [], pending: [] } };
    expect(sentenceOf(differenceParts('trigger', 'PR review', side, { ...side }))).toBe(
      "PR review: the docs say 4 runs wait up to 1h; the platform's code lets 4 wait up to 1h: the same counts, some of them decided at other instants",
    );
    expect(sentenceOf(differenceParts('trigger', 'PR review', side, { ...side, delayed: 3 }))).not.toMatch(/the same counts/);
  });
});

describe('compareProfiles', () => {
  // limit 1: the docs queue the two later runs (admitted at h(24) and h(48): the longest waits 46 h, each for the one before to leave the 24 h
  // window); the platform's code drops them. Key k: 101 requests in a minute, the last one is
  // throttled only by the platform (actor_minute).
  const raw = {
    workspace: { seats: 10, messagesPerSeatPerDay: null, spendLimits: [] },
    triggers: [{ id: 't_pr', name: 'PR review', limitPer24h: 1 }],
  };
  const ev = events([
    [h(0), 'trigger', 't_pr'],
    [h(1), 'trigger', 't_pr'],
    [h(2), 'trigger', 't_pr'],
    ...Array.from({ length: 101 }, (_, i) => [h(3) + i * 100, 'api', 'k', 0] as const),
  ]);

  it('summarises per trigger and key where the two readings differ', () => {
    const c = compareProfiles(validatePlan(raw), ev, {});
    expect(c.profile).toBe('documented');
    expect(c.changed).toBe(3);
    expect(c.differences.map((d) => [d.kind, d.id, d.changed, d.lostDocumented, d.lostPlatform])).toEqual([
      ['trigger', 't_pr', 2, 0, 2],
      ['key', 'k', 1, 0, 1],
    ]);
    const [pr, key] = c.differences;
    expect(pr!.documented).toMatchObject({ events: 3, admitted: 3, delayed: 2, maxDelayMs: 46 * 3_600_000, byReason: { trigger_limit: 2 } });
    expect(pr!.platform).toMatchObject({ events: 3, admitted: 1, dropped: 2, delayed: 0, maxDelayMs: null });
    expect(pr!.sentence).toBe("PR review: the docs say 2 runs wait up to 1d 22h; the platform's code drops 2 of 3 (67%) (2 by its 24 h run limit)");
    expect(key!.sentence).toBe("k: the docs say all 101 requests go through at once; the platform's code blocks 1 of 101 (1%) (1 by its per-minute throttle)");
    expect(c.headline).toBe("The platform's code decides 3 of 104 events (3%) differently from the docs: it refuses 3 that the docs let through. This plan is simulated under the docs.");
    expect(formatComparison(c)).toContain("  - PR review: the docs say 2 runs wait up to 1d 22h; the platform's code drops 2 of 3 (67%) (2 by its 24 h run limit).\n");
  });

  it('reads the same from a platform plan, and uses the result it is given', () => {
    const onPlatform = { ...raw, enforcement: { profile: 'platform' } };
    const plan = validatePlan(onPlatform);
    const current = simulate(plan, ev);
    const given = compareProfiles(plan, ev, {}, current);
    const fresh = compareProfiles(plan, ev, {});
    expect(given).toEqual(fresh);
    expect(given.profile).toBe('platform');
    expect(given.differences.map((d) => d.sentence)).toEqual(compareProfiles(validatePlan(raw), ev, {}).differences.map((d) => d.sentence));
    expect(given.headline).toMatch(/simulated under the platform's code\.$/);
  });

  it('says so when both decide alike', () => {
    const quiet = events([[h(0), 'trigger', 't_pr'], [h(30), 'trigger', 't_pr']]);
    const c = compareProfiles(validatePlan(raw), quiet, {});
    expect(c.changed).toBe(0);
    expect(c.differences).toEqual([]);
    expect(c.headline).toBe("The platform's code decides all 2 events as the docs do.");
  });

  it("on the demo: PR review's 1,542 waiting runs, of which the platform's code drops 313 (issue 14)", () => {
    const w = generateWorkspace();
    const c = compareProfiles(w.plan, w.events);
    const pr = c.differences.find((d) => d.name === 'PR review');
    expect(pr?.documented.delayed).toBe(1542);
    expect(pr?.platform.dropped).toBe(313);
    expect(pr?.sentence).toMatch(/^PR review: the docs say 1,542 runs wait up to 1d 13h; the platform's code drops 313 of /);
    const lead = c.differences.find((d) => d.name === 'Lead enrichment');
    expect(lead?.platform.byReason.trigger_limit).toBe(886);
    expect(lead?.platform.events).toBe(2746);
  });
});

describe('headroom simulate shows both readings', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-compare-'));
    writeFileSync(
      join(dir, 'plan.json'),
      JSON.stringify({ workspace: { seats: 10, messagesPerSeatPerDay: null, spendLimits: [] }, triggers: [{ id: 't_pr', name: 'PR review', limitPer24h: 1 }] }),
    );
    writeFileSync(join(dir, 'events.csv'), 'timestamp,type,subject,cost_usd\n2026-01-05T00:00:00Z,trigger,t_pr,\n2026-01-05T01:00:00Z,trigger,t_pr,\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...args: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    try {
      return { code: await main(['node', 'headroom', ...args]), stdout };
    } finally {
      out.mockRestore();
    }
  }

  it('in the summary, in --json only when asked (--compare), and not with --no-compare', async () => {
    const plan = join(dir, 'plan.json');
    const csv = join(dir, 'events.csv');
    const summary = await run('simulate', plan, csv);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain("Docs vs the platform's code");
    expect(summary.stdout).toContain("  - PR review: the docs say 1 run waits up to 23h; the platform's code drops 1 of 2 (50%) (1 by its 24 h run limit).");
    expect((JSON.parse((await run('simulate', plan, csv, '--json')).stdout) as Record<string, unknown>).profiles).toBeUndefined();
    const json = JSON.parse((await run('simulate', plan, csv, '--json', '--compare')).stdout) as { profiles: { profile: string; changed: number; differences: { id: string }[] }; triggers: unknown[] };
    expect(json.profiles.profile).toBe('documented');
    expect(json.profiles.changed).toBe(1);
    expect(json.profiles.differences.map((d) => d.id)).toEqual(['t_pr']);
    expect(json.triggers).toHaveLength(1);
    const bare = await run('simulate', plan, csv, '--no-compare');
    expect(bare.stdout).not.toContain("Docs vs the platform's code");
    expect((JSON.parse((await run('simulate', plan, csv, '--json', '--no-compare')).stdout) as Record<string, unknown>).profiles).toBeUndefined();
  });
});

describe('the other profile on a second thread (OtherProfileRun)', () => {
  it('gives the same comparison as running both here, from either profile', async () => {
    const w = generateWorkspace({ days: 14, seed: 3 });
    for (const plan of [w.plan, validatePlan({ ...JSON.parse(JSON.stringify(w.plan)), enforcement: { profile: 'platform' } })]) {
      const run = new OtherProfileRun().start();
      try {
        for (let k = 0; k < 400 && !run.threadReady; k++) await new Promise((r) => setTimeout(r, 10));
        await run.begin(plan, w.events, undefined);
        expect(run.handedOff).toBe(true);
        const current = simulate(plan, w.events);
        expect(await run.finish(current)).toEqual(compareProfiles(plan, w.events, {}, current));
      } finally {
        await run.close();
      }
    }
  }, 30_000);

  it('runs here when the thread is not ready', async () => {
    const ev = events([[h(0), 'trigger', 't'], [h(1), 'trigger', 't']]);
    const plan = validatePlan({ triggers: [{ id: 't', limitPer24h: 1 }] });
    const run = new OtherProfileRun(); // never started: never ready
    await run.begin(plan, ev, undefined);
    expect(run.handedOff).toBe(false);
    const c = await run.finish(simulate(plan, ev));
    expect(c.differences.map((d) => d.sentence)).toEqual(["t: the docs say 1 run waits up to 23h; the platform's code drops 1 of 2 (50%) (1 by its 24 h run limit)"]);
    await run.close();
  });
});
