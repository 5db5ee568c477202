/**
 * Under the docs a programmatic trigger has no run limit, but the platform's code keeps 42 per
 * 24 h in programmatic mode too (SPEC section 9 rule 2). A move to programmatic advised under the
 * documented profile therefore also asks for a limit override sized as under the platform profile,
 * says why, writes it into the plan, and the support draft asks for both: the exported plan, run
 * under the platform's code, then drops none of the runs the move was for.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { limitRequest } from '../src/recommend/triggers-platform.ts';
import { buildExport, supportRequests } from '../src/export/index.ts';
import { parsePlanJson, validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY } from '../src/engine/units.ts';
import { simulate } from '../src/engine/simulate.ts';
import { Outcome } from '../src/engine/result.ts';

const T0 = Date.UTC(2026, 2, 2);

/** 35 days of a webhook firing 60 times a day, evenly, against the default limit of 42 */
function busyWebhook() {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 35; d++) for (let k = 0; k < 60; k++) b.push(T0 + d * DAY + Math.floor(((k + 0.5) * DAY) / 60), EventType.trigger, 't_pr', 0);
  for (let d = 0; d < 35; d++) b.push(T0 + d * DAY + 3_600_000, EventType.message, 'u', 0);
  return b.build();
}

const raw = { workspace: { name: 'Acme', seats: 10, messagesPerSeatPerDay: 100, spendLimits: [] }, triggers: [{ id: 't_pr', name: 'PR review', kind: 'webhook', mode: 'fair_use', limitPer24h: null }] };

describe('moving a trigger to programmatic under the documented profile', () => {
  const events = busyWebhook();
  const docs = recommend(events, validatePlan(raw), { paths: 20 });
  const platform = recommend(events, validatePlan({ ...raw, enforcement: { profile: 'platform' } }), { paths: 20 });
  const t = docs.triggers.find((x) => x.id === 't_pr')!;

  it('asks for the limit override the platform profile sizes, and says why', () => {
    expect(t.profile).toBe('documented');
    expect(t.action).toBe('programmatic');
    const p = platform.triggers.find((x) => x.id === 't_pr')!;
    expect(p.action).toBe('programmatic');
    expect(t.requestedLimit).toBe(p.requestedLimit);
    expect(t.requestedLimit).toBeGreaterThanOrEqual(75); // 60 a day + 25 % headroom
    expect(t.reason).toMatch(/move it to programmatic mode .* AND request a limit of \d+ runs per 24 h \(p95 \d+ \+ 25 % headroom, rounded up\)/);
    expect(t.reason).toContain("the platform's code limits programmatic triggers to 42 per 24 h unless overridden");
  });

  it('writes the override into the recommended plan, which the platform then runs without dropping', () => {
    const pt = docs.plan.triggers.find((x) => x.id === 't_pr')!;
    expect(pt).toMatchObject({ mode: 'programmatic', limitPer24h: t.requestedLimit });
    // the exported plan, loaded back and run under the platform's code (which drops a limited webhook)
    const exported = parsePlanJson(buildExport(docs, null).find((f) => f.path === 'plan.json')!.content, 'plan.json');
    const onPlatform = validatePlan({ ...exported, enforcement: { ...exported.enforcement, profile: 'platform', webhookWhenLimited: 'drop' } });
    const sim = simulate(onPlatform, events);
    let refused = 0;
    for (let i = 0; i < events.count; i++) if (events.type[i] === EventType.trigger && sim.outcome[i] !== Outcome.admitted) refused++;
    expect(refused).toBe(0);
    // and under the docs the override refuses nothing either
    expect(t.stillRefused).toBeNull();
  });

  it('the support draft asks for both, with the line saying why', () => {
    const draft = supportRequests(docs, 'Acme').find((r) => r.triggerId === 't_pr')!;
    expect(draft.subject).toBe(`Move to programmatic usage mode and raise the execution limit to ${t.requestedLimit} per 24 hours for trigger "PR review"`);
    expect(draft.body).toContain(`2. an execution limit override of ${t.requestedLimit} runs per 24 hours`);
    expect(draft.body).toContain("the platform's code limits programmatic triggers to 42 runs per 24 hours unless overridden, so we ask for both");
  });
});

describe('the requested limit names its basis', () => {
  it("the 24 h windows' p95, or the forecast's daily volume when that is higher (never called a p95)", () => {
    expect(limitRequest({ p95: 60 }, 40, null, 42, 0.25).ask).toBe('a limit of 75 runs per 24 h (p95 60 + 25 % headroom, rounded up)');
    const byForecast = limitRequest({ p95: 42 }, 65, null, 42, 0.25);
    expect(byForecast.ask).toMatch(/\(the forecast's 65 a day, above the p95 of 42 per 24 h \+ 25 % headroom, rounded up\)$/);
    expect(byForecast.wanted).toBeGreaterThanOrEqual(Math.ceil(65 * 1.25));
  });
});

describe('a programmatic trigger the platform held at 42, advised under the docs', () => {
  // the platform's export of busyWebhook() on programmatic: the code kept 42 runs per 24 h (rule 2)
  const prog = { ...raw, triggers: [{ ...raw.triggers[0], mode: 'programmatic' }] };
  const demand = busyWebhook();
  const cut = simulate(validatePlan({ ...prog, enforcement: { profile: 'platform' } }), demand);
  const b = new EventColumnsBuilder();
  const kept: [number, number][] = [];
  for (let i = 0; i < demand.count; i++) if (cut.outcome[i] === Outcome.admitted) kept.push([cut.admittedAt[i]!, i]);
  kept.sort((x, y) => x[0] - y[0]);
  for (const [at, i] of kept) b.push(at, demand.type[i]! as 1 | 2, demand.subjects[demand.subject[i]!]!, 0);
  const events = b.build();
  const docs = recommend(events, validatePlan(prog), { paths: 20 });
  const t = docs.triggers.find((x) => x.id === 't_pr')!;

  it('asks for the override, writes it into the plan, and the support draft says the platform held it', () => {
    expect(t.profile).toBe('documented');
    expect(t.limit).toBeNull();
    expect(t.action).toBe('override');
    expect(t.requestedLimit).toBeGreaterThan(42);
    expect(t.reason).toMatch(/^no per-trigger limit under the docs, but the platform's code holds a programmatic trigger at 42 runs per 24 h unless support sets an override, and its runs reached exactly 42 in 24 h and never more/);
    expect(docs.plan.triggers.find((x) => x.id === 't_pr')).toMatchObject({ mode: 'programmatic', limitPer24h: t.requestedLimit });
    const draft = supportRequests(docs, 'Acme').find((r) => r.triggerId === 't_pr')!;
    expect(draft.body).toContain('held at 42 runs per 24 hours by the platform (the default without an override)');
    expect(draft.body).not.toMatch(/\(0 runs in/);
  });

  it('the demand uncut (more than 42 in 24 h: an override already) asks for nothing', () => {
    const uncut = recommend(demand, validatePlan(prog), { paths: 20 }).triggers.find((x) => x.id === 't_pr')!;
    expect(uncut.action).toBe('none');
  });
});

describe('a queue the plan sets under the platform profile', () => {
  it("is said to be the plan's what-if in the advice's notes, as simulate says it", () => {
    const queued = recommend(busyWebhook(), validatePlan({ ...raw, enforcement: { profile: 'platform', webhookWhenLimited: 'queue' } }), { paths: 20 });
    expect(queued.notes.some((n) => n.startsWith('limited webhooks wait here because the plan sets enforcement.webhookWhenLimited "queue": a what-if'))).toBe(true);
    const dropped = recommend(busyWebhook(), validatePlan({ ...raw, enforcement: { profile: 'platform' } }), { paths: 20 });
    expect(dropped.notes.some((n) => n.includes('a what-if'))).toBe(false);
  });

  it('words the trigger advice and the seats by that queue, still said to be a what-if', () => {
    const queued = recommend(busyWebhook(), validatePlan({ ...raw, enforcement: { profile: 'platform', webhookWhenLimited: 'queue' } }), { paths: 20 });
    const t = queued.triggers.find((x) => x.id === 't_pr')!;
    expect(t.reason).toMatch(/under the current plan, with the queue the plan sets \(a what-if: the platform's code drops limited webhooks\), [\d,]+ of its runs wait before being admitted \(up to /);
    expect(t.reason).toContain('so the move alone leaves the same runs waiting, with the queue the plan sets (a what-if');
    expect(t.reason).not.toMatch(/drops the same runs|the platform's code refuses/);
    // all-or-nothing with the queue (SPEC section 9 rule 5): a waiting run takes no pool unit
    expect(queued.seats.burnedPoolUnits24h).toBe(0);
    expect(queued.seats.peakFairUseRuns24h).toBeLessThanOrEqual(43);
    expect(queued.seats.reason).toMatch(/^under the platform's code, with the queue the plan sets \(a what-if: the platform's code drops limited webhooks\), busiest 24 h/);
    expect(queued.seats.reason).toContain('runs above their own limit wait and take none until then');
    expect(queued.seats.reason).not.toMatch(/burned|attempts/);
    // dropped, as the platform's code does: each attempt takes a unit, and the advice says so
    const dropped = recommend(busyWebhook(), validatePlan({ ...raw, enforcement: { profile: 'platform' } }), { paths: 20 });
    expect(dropped.seats.burnedPoolUnits24h).toBeGreaterThan(0);
    expect(dropped.seats.reason).toContain('burned units that admit nothing');
    expect(dropped.triggers.find((x) => x.id === 't_pr')!.reason).toContain('so the move alone drops the same runs');
  });
});
