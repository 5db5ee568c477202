/**
 * Recommendations that work on the real platform (issue 14 item 4, SPEC §9): computed under the
 * plan's profile, a move to programmatic carries its limit override, schedules may move, the
 * seat advice counts burned pool units, and the recommended plan replayed under the platform
 * profile refuses nothing it does not announce.
 */
import { describe, expect, it } from 'vitest';
import { generateWorkspace } from '../src/demo/generator.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { Outcome, reasonName } from '../src/engine/result.ts';
import { simulate } from '../src/engine/simulate.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { supportRequests } from '../src/export/index.ts';
import { buildHistory } from '../src/forecast/series.ts';
import { recommend } from '../src/recommend/index.ts';
import type { RecommendReport } from '../src/recommend/index.ts';
import { runsPer24h } from '../src/recommend/triggers-platform.ts';
import type { EventColumns } from '../src/engine/events.ts';

const onPlatform = (plan: Plan): Plan => {
  const raw = JSON.parse(JSON.stringify(plan)) as { enforcement: Record<string, unknown> };
  delete raw.enforcement.webhookWhenLimited;
  return validatePlan({ ...raw, enforcement: { ...raw.enforcement, profile: 'platform' } });
};

/** Every refused event of a replay, by entity and reason: `trigger t_pr trigger_limit` → count. */
function refusals(events: EventColumns, plan: Plan, until: number): Map<string, number> {
  const r = simulate(plan, events, { until });
  const out = new Map<string, number>();
  for (let i = 0; i < events.count; i++) {
    if (r.outcome[i] === Outcome.admitted) continue;
    const type = events.type[i];
    const who = type === EventType.message ? 'messages' : type === EventType.api ? `key ${r.plan.keys[r.entity[i]!]!.id}` : `trigger ${r.plan.triggers[r.entity[i]!]!.id}`;
    const k = `${who} ${reasonName(r.plan, r.reason[i]!)}`;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

function announced(rec: RecommendReport): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of rec.replay.triggers) for (const [why, c] of Object.entries(t.byReason)) out.set(`trigger ${t.id} ${why}`, c);
  for (const k of rec.replay.keys) for (const [why, c] of Object.entries(k.byReason)) out.set(`key ${k.id} ${why}`, c);
  for (const [why, c] of Object.entries(rec.replay.messages.byReason)) out.set(`messages ${why}`, c);
  return out;
}

/** the horizon recommend() replays to: the end of the history's last day */
const horizonOf = (ev: EventColumns) => {
  const h = buildHistory(ev);
  return Math.max(h.end, h.lastEvent + 1);
};

describe('the demo under the documented profile', () => {
  const w = generateWorkspace();
  const rec = recommend(w.events, w.plan, { paths: 40 });

  it('the recommended plan, replayed under the docs, refuses exactly what it announces, each in a note as under the platform profile', () => {
    expect(rec.profile).toBe('documented');
    expect(Object.fromEntries(refusals(w.events, rec.plan, horizonOf(w.events)))).toEqual(Object.fromEntries(announced(rec)));
    // a cap lowered below spend the history holds blocks requests: said, never silent
    expect(rec.replay.keys.length).toBeGreaterThan(0);
    for (const k of rec.replay.keys) expect(rec.notes.some((n) => n.startsWith(`replayed over the history under the docs, the recommended plan still blocks ${k.blocked.toLocaleString('en-US')} request`) && n.includes(`of key ${k.name}`)), k.id).toBe(true);
  });
});

describe('the demo under the platform profile', () => {
  const w = generateWorkspace();
  const plan = onPlatform(w.plan);
  const rec = recommend(w.events, plan, { paths: 40 });
  const until = horizonOf(w.events);

  it('says which profile every recommendation was computed under', () => {
    expect(rec.profile).toBe('platform');
    expect(rec.seats.profile).toBe('platform');
    expect(new Set(rec.triggers.map((t) => t.profile))).toEqual(new Set(['platform']));
    expect(new Set(rec.keys.map((k) => k.profile))).toEqual(new Set(['platform']));
    expect(rec.notes).toContain("computed under the platform's code (enforcement.profile platform)");
  });

  it('moves PR review to programmatic WITH the limit override from its p95 runs per 24 h plus headroom', () => {
    const pr = rec.triggers.find((t) => t.id === 't_pr_review')!;
    const window = runsPer24h(w.events, 't_pr_review', until);
    expect(pr.action).toBe('programmatic');
    // p95 of the runs its limit sees, or the forecast's daily volume if higher, + 25 %, on the ladder
    expect(pr.requestedLimit).toBeGreaterThanOrEqual(Math.ceil(Math.max(window.p95, pr.expectedDailyVolume) * 1.25));
    expect(pr.requestedLimit).toBeGreaterThan(window.max);
    expect(pr.reason).toMatch(/AND request a limit of \d+ runs per 24 h/);
    const inPlan = rec.plan.triggers.find((t) => t.id === 't_pr_review')!;
    expect([inPlan.mode, inPlan.limitPer24h]).toEqual(['programmatic', pr.requestedLimit]);
    // lead enrichment is programmatic already: the override alone
    const lead = rec.triggers.find((t) => t.id === 't_lead_enrichment')!;
    expect(lead.action).toBe('override');
    expect(rec.plan.triggers.find((t) => t.id === 't_lead_enrichment')!.limitPer24h).toBe(lead.requestedLimit);
  });

  it('the support draft asks for both the mode and the limit', () => {
    const draft = supportRequests(rec, 'Acme').find((r) => r.triggerId === 't_pr_review')!;
    const limit = rec.triggers.find((t) => t.id === 't_pr_review')!.requestedLimit;
    expect(draft.subject).toBe(`Move to programmatic usage mode and raise the execution limit to ${limit} per 24 hours for trigger "PR review"`);
    expect(draft.body).toContain('1. programmatic usage mode');
    expect(draft.body).toContain(`2. an execution limit override of ${limit} runs per 24 hours`);
  });

  it('the recommended plan, replayed under the platform profile, refuses exactly what it announces', () => {
    const replay = refusals(w.events, rec.plan, until);
    expect(Object.fromEntries(replay)).toEqual(Object.fromEntries(announced(rec)));
    // and on the demo, no trigger run at all: the overrides are large enough
    expect([...replay.keys()].filter((k) => k.startsWith('trigger '))).toEqual([]);
    for (const t of rec.triggers) expect(t.stillRefused, t.id).toBeNull();
  });

  it('without the override, the same move drops PR review runs on the platform (why the override is asked for)', () => {
    const bare = structuredClone(rec.plan);
    bare.triggers.find((t) => t.id === 't_pr_review')!.limitPer24h = null;
    const drops = refusals(w.events, validatePlan(bare), until).get('trigger t_pr_review trigger_limit') ?? 0;
    expect(drops).toBeGreaterThan(100);
  });
});

/** 21 days: each day `perDay` runs of trigger `id` spread over the day, plus `messages` people's messages. */
function history(runs: { id: string; perDay: number }[], messages: number): EventColumns {
  const b = new EventColumnsBuilder();
  const start = Date.UTC(2026, 2, 2);
  for (let d = 0; d < 21; d++) {
    for (const r of runs) for (let k = 0; k < r.perDay; k++) b.push(start + d * DAY + Math.floor(((k + 0.5) * DAY) / r.perDay), EventType.trigger, r.id, 0);
    for (let k = 0; k < messages; k++) b.push(start + d * DAY + 9 * HOUR + k * 60_000, EventType.message, `u${k % 3}`, 0);
  }
  return b.build();
}

describe('schedules and seats under the platform profile', () => {
  it('moves a schedule the allowance skips to programmatic (valid there), and the replay skips none of it', () => {
    // A = 8 a day; people send 6, the schedule fires 4 times: the allowance skips some fires
    const ev = history([{ id: 'cron', perDay: 4 }], 6);
    const plan = validatePlan({
      workspace: { seats: 1, messagesPerSeatPerDay: 8, spendLimits: [] },
      triggers: [{ id: 'cron', name: 'Digest', kind: 'scheduled' }],
      enforcement: { profile: 'platform' },
    });
    const before = refusals(ev, plan, horizonOf(ev));
    expect(before.get('trigger cron allowance') ?? 0).toBeGreaterThan(0);
    const rec = recommend(ev, plan, { paths: 20 });
    const cron = rec.triggers.find((t) => t.id === 'cron')!;
    expect([cron.action, cron.requestedLimit, cron.profile]).toEqual(['programmatic', null, 'platform']);
    expect(cron.reason).toMatch(/checked only against the message allowance/);
    expect(rec.plan.triggers[0]).toMatchObject({ kind: 'scheduled', mode: 'programmatic' });
    const after = refusals(ev, rec.plan, horizonOf(ev));
    expect(after.get('trigger cron allowance') ?? 0).toBe(0);
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(announced(rec)));
  });

  it("counts the pool units burned by runs their own limit refuses, which the docs' reading leaves out", () => {
    // 60 runs a day against the default limit of 42: on the platform each of the 60 takes a pool unit
    const ev = history([{ id: 'hook', perDay: 60 }], 10);
    const raw = { workspace: { seats: 2, messagesPerSeatPerDay: 100, spendLimits: [] }, triggers: [{ id: 'hook', limitPer24h: 42 }] };
    const platform = recommend(ev, validatePlan({ ...raw, enforcement: { profile: 'platform' } }), { paths: 20 });
    const docs = recommend(ev, validatePlan(raw), { paths: 20 });
    expect(docs.seats.profile).toBe('documented');
    expect(docs.seats.peakFairUseRuns24h).toBe(42);
    expect(platform.seats.peakFairUseRuns24h).toBe(60);
    expect(platform.seats.burnedPoolUnits24h).toBe(18);
    expect(platform.seats.reason).toMatch(/18 of them by runs that their own limit then refuses/);
    // pool = 50 % of 100 a seat: 42 fit in one seat's pool, 60 need two
    expect(docs.seats.reason).toContain("hold them from 1 seat (people's messages assumed to grow with seats)");
    expect(platform.seats.reason).toContain("hold them from 2 seats (people's messages assumed to grow with seats)");
    // but u0, u1 and u2 each hold an active seat: neither profile advises fewer than those 3
    expect(docs.seats.seatsNeeded).toBe(3);
    expect(platform.seats.seatsNeeded).toBe(3);
    // a 21-day history: the days it has, not the 28 the advice looks back over at most
    for (const r of [docs, platform]) expect(r.seats.reason).toContain('at least 3 seats all the same: the 3 people who sent messages over the 21 days of history each use an active seat');
    // counts in the advice agree with their number (it is pasted into support requests)
    // (the history was made with the 3 people's seats, not the plan's 2: their messages scale from 3)
    expect(docs.seats.reason).toContain('at 3 seats (the 3 people who sent messages each held one; the plan says 2);');
    for (const r of [docs, platform]) expect(`${r.seats.reason} ${r.triggers.map((t) => t.reason).join(' ')}`).not.toMatch(/\b1 (?:seats|runs|days|times|messages)\b/);
  });
});

describe('the newer mode names', () => {
  it('a plan written with user_pool gets workspace_pool for the move, with its limit', () => {
    const ev = history([{ id: 'hook', perDay: 60 }], 0);
    const plan = validatePlan({ workspace: { seats: 10, messagesPerSeatPerDay: 100, spendLimits: [] }, triggers: [{ id: 'hook', mode: 'user_pool' }], enforcement: { profile: 'platform' } });
    const rec = recommend(ev, plan, { paths: 20 });
    const hook = rec.triggers.find((t) => t.id === 'hook')!;
    expect([hook.mode, hook.limit, hook.action]).toEqual(['user_pool', 42, 'programmatic']);
    // 60 a day evenly: the limit sees 60 (61 at an arrival exactly 24 h after another) in every window; + 25 % = 76.25 → 100 on the ladder
    expect(hook.requestedLimit).toBe(100);
    expect(rec.plan.triggers[0]).toMatchObject({ id: 'hook', mode: 'workspace_pool', limitPer24h: 100 });
    expect(rec.replay.triggers).toEqual([]);
  });
});

describe("the recommendation's reasons under the platform profile", () => {
  it('says what refused runs in words, not as engine codes', () => {
    // a webhook firing 60 times a day against the platform's 42: its own limit drops the rest
    const ev = history([{ id: 'hook', perDay: 60 }], 0);
    const plan = validatePlan({
      workspace: { seats: 10, messagesPerSeatPerDay: 100, spendLimits: [] },
      triggers: [{ id: 'hook', name: 'Inbound', kind: 'webhook' }],
      enforcement: { profile: 'platform' },
    });
    const hook = recommend(ev, plan, { paths: 20 }).triggers.find((t) => t.id === 'hook')!;
    expect(hook.reason).toMatch(/refuses [\d,]+ runs \([\d,]+ by its 24 h run limit\)/);
    expect(hook.reason).not.toContain('trigger_limit');
  });
});
