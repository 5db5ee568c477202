/**
 * The Overview says which limits the platform held this history at (src/views/held-limits.ts): an
 * export holds only what the platform admitted, so a key whose spend stops at its cap, a trigger at
 * exactly its runs per 24 h or a full allowance is the platform's limit, not the demand. The same
 * judgement `headroom simulate` prints, computed with the overview (src/projection/overview-of.ts,
 * the compute worker's first simulation), under both readings of the limits.
 */
import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { PartsSimulator, partsOf } from '../src/engine/parts.ts';
import { buildReport } from '../src/engine/report.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { overviewOf } from '../src/projection/overview-of.ts';
import { heldLimits, peakInWindow } from '../src/views/held-limits.ts';
import { exportedUnder } from './support/platform-export.ts';

const T0 = Date.UTC(2026, 8, 1);
const DAYS = 10;
const MIN = 60_000;
const PROFILES = ['documented', 'platform'] as const;
type Profile = (typeof PROFILES)[number];

function planOf(profile: Profile, over: Record<string, unknown> = {}): Plan {
  return validatePlan(
    {
      workspace: { name: 'Cut', seats: 1, messagesPerSeatPerDay: 30, fairUseShare: 0.5 },
      apiKeys: [
        { id: 'k_pipe', name: 'Pipeline', capUsd: 20 },
        { id: 'k_web', name: 'Website', capUsd: 1000 },
      ],
      triggers: [
        { id: 't_hook', name: 'PR review', kind: 'webhook', mode: 'programmatic', limitPer24h: 42 },
        { id: 't_quiet', name: 'Digest', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 },
      ],
      enforcement: { profile, webhookWhenLimited: 'drop' },
      ...over,
    },
    'plan',
  );
}

/**
 * The workspace's demand, `scale` times the history with room: 60 webhook calls a day, $5 of
 * requests a day on the capped key, 45 people's messages a day. The platform's export of it holds
 * only what the plan admitted (at the times it admitted them).
 */
function demand(scale: number): EventColumns {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < DAYS; d++) {
    const day = T0 + d * DAY;
    for (let i = 0; i < Math.round(60 * scale); i++) b.push(day + 6 * HOUR + i * 11 * MIN, EventType.trigger, 't_hook', 0);
    for (let i = 0; i < 2; i++) b.push(day + 9 * HOUR + i * HOUR, EventType.trigger, 't_quiet', 0);
    for (let h = 0; h < 10; h++) b.push(day + h * 2 * HOUR + 1000, EventType.api, 'k_pipe', Math.round(500_000 * scale));
    for (let h = 0; h < 4; h++) b.push(day + h * 5 * HOUR + 2000, EventType.api, 'k_web', 1_000_000);
    for (let i = 0; i < Math.round(45 * scale); i++) b.push(day + 30_000 + i * 29 * MIN, EventType.message, `u${i % 7}`, 0);
  }
  return b.build();
}

/** What the platform's exports hold of `events` under `plan`: the admitted events, at their admission. */
const exported = exportedUnder;

describe('the Overview names the limits the platform held the history at', () => {
  for (const profile of PROFILES) {
    it(`${profile}: a history cut at a key's cap, at 42 runs per 24 h and at the allowance carries each, with a sentence and the rows' ids`, () => {
      const plan = planOf(profile);
      const o = overviewOf(plan, exported(plan, demand(1)));
      // the replay of the cut history refuses nothing: every status alone would read "room"
      expect(o.keys.find((k) => k.id === 'k_pipe')?.blocked).toBe(0);
      expect(o.triggers.find((t) => t.id === 't_hook')?.status).not.toBe('limited');
      expect(o.held.profile).toBe(profile);
      const byKind = new Map(o.held.limits.map((h) => [`${h.kind}:${h.id ?? ''}`, h]));
      expect([...byKind.keys()]).toEqual(['key:k_pipe', 'trigger:t_hook', 'allowance:']);

      const key = byKind.get('key:k_pipe')!;
      expect(key.limit).toBe(20);
      expect(key.peak).toBeGreaterThanOrEqual(20);
      expect(key.sentence).toMatch(/^API key Pipeline's spend reached \$2\d\.\d\d of its \$20\.00 cap \(30 days( counted from 00:00 UTC)?\): the platform held it at its cap; real demand was higher than this history shows\.$/);
      // the cap's window as each reading counts it
      expect(key.sentence.includes('counted from 00:00 UTC')).toBe(profile === 'platform');

      const trigger = byKind.get('trigger:t_hook')!;
      expect(trigger).toMatchObject({ limit: 42, peak: 42, slackRefused: 0 });
      // 60 calls a day against 42 per 24 h: the limit is full on every day but the first's start
      expect(trigger.days).toBeGreaterThanOrEqual(DAYS - 1);
      expect(trigger.days).toBeLessThanOrEqual(DAYS);
      expect(trigger.sentence).toBe(`Trigger PR review ran exactly 42 times in 24 h on ${trigger.days} days: the platform held it; real demand was higher than this history shows.`);

      const allowance = byKind.get('allowance:')!;
      expect(allowance).toMatchObject({ limit: 30, peak: 30, id: null });
      expect(allowance.sentence).toMatch(/^The message allowance was full: 30 of 30 messages and fair-use runs in 24 h\. The platform held people's messages at it;/);
    });

    it(`${profile}: a history with room carries no held limit`, () => {
      // half the demand: $25 over the 10 days under a $100 cap, 30 calls a day, 23 messages under 150
      const plan = planOf(profile, {
        workspace: { name: 'Room', seats: 5, messagesPerSeatPerDay: 30, fairUseShare: 0.5 },
        apiKeys: [
          { id: 'k_pipe', name: 'Pipeline', capUsd: 100 },
          { id: 'k_web', name: 'Website', capUsd: 1000 },
        ],
      });
      const o = overviewOf(plan, exported(plan, demand(0.5)));
      expect(o.triggers.find((t) => t.id === 't_hook')?.admitted).toBe(30 * DAYS);
      expect(o.held).toEqual({ profile, limits: [], explained: { notRun: 0, late: 0 } });
    });
  }

  it('a trigger whose replay refuses a run only by the completion times says so, as each reading handles it', () => {
    // limit 2. The platform admitted the third run 24 h after the first was admitted; the first took
    // 10 min to complete, the third 1 min: replayed at completion times, the third lands 9 min inside
    // the first's 24 h. Its status says "Rate limited"; the platform held it, no demand beyond.
    const b = new EventColumnsBuilder();
    for (const t of [T0 + 10 * MIN, T0 + 2 * HOUR, T0 + DAY + MIN]) b.push(t, EventType.trigger, 't_hook', 0);
    const events = b.build();
    const sentences: Record<string, string> = {};
    for (const profile of PROFILES) {
      const plan = validatePlan({ triggers: [{ id: 't_hook', name: 'PR review', kind: 'webhook', mode: 'fair_use', limitPer24h: 2 }], enforcement: { profile } }, 'plan');
      const o = overviewOf(plan, events);
      expect(o.triggers[0]!.status).toBe('limited');
      expect(o.held.limits).toHaveLength(1);
      expect(o.held.limits[0]).toMatchObject({ kind: 'trigger', id: 't_hook', limit: 2, peak: 2, slackRefused: 1 });
      sentences[profile] = o.held.limits[0]!.sentence;
    }
    // the docs queue a limited webhook run; the platform's code drops it
    expect(sentences.documented).toMatch(/The replay delays 1 run by its limit, each within 15 min of a run's 24 h ending: .* so its status says Rate limited\.$/);
    expect(sentences.platform).toMatch(/The replay drops 1 run by its limit, each within 15 min/);
  });

  it('a run more than the slack inside the window is demand beyond the limit: nothing is held', () => {
    const b = new EventColumnsBuilder();
    for (const t of [T0 + 10 * MIN, T0 + 2 * HOUR, T0 + DAY - HOUR]) b.push(t, EventType.trigger, 't_hook', 0);
    const plan = validatePlan({ triggers: [{ id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: 2 }], enforcement: { profile: 'platform' } }, 'plan');
    expect(overviewOf(plan, b.build()).held.limits).toEqual([]);
  });

  it('writes large figures with thousands separators, as the command line does', () => {
    // 15 seats × 100 = 1,500 messages per 24 h, all of them used in one day
    const b = new EventColumnsBuilder();
    for (let i = 0; i < 1500; i++) b.push(T0 + i * 50_000, EventType.message, `u${i % 40}`, 0);
    const o = overviewOf(validatePlan({ workspace: { seats: 15, messagesPerSeatPerDay: 100 } }, 'plan'), b.build());
    expect(o.held.limits.map((h) => h.sentence)).toEqual([
      "The message allowance was full: 1,500 of 1,500 messages and fair-use runs in 24 h. The platform held people's messages at it; real demand was higher than this history shows.",
    ]);
  });

  it('two runs exactly 24 h apart fill a limit of 2 under the code’s inclusive edge only', () => {
    const b = new EventColumnsBuilder();
    for (const t of [T0, T0 + DAY]) b.push(t, EventType.trigger, 't_hook', 0);
    const events = b.build();
    const held = (profile: Profile) =>
      overviewOf(validatePlan({ triggers: [{ id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: 2 }], enforcement: { profile } }, 'plan'), events).held.limits.map((h) => [h.kind, h.id, h.days]);
    expect(held('documented')).toEqual([]);
    expect(held('platform')).toEqual([['trigger', 't_hook', 1]]);
  });
});

describe("a programmatic trigger held by the platform's code at 42, read under the docs", () => {
  const triggers = [
    { id: 't_hook', name: 'PR review', kind: 'webhook', mode: 'programmatic', limitPer24h: null },
    { id: 't_quiet', name: 'Digest', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 },
  ];
  const roomy = { workspace: { name: 'Room', seats: 5, messagesPerSeatPerDay: 30, fairUseShare: 0.5 }, apiKeys: [{ id: 'k_pipe', name: 'Pipeline', capUsd: 100 }, { id: 'k_web', name: 'Website', capUsd: 1000 }], triggers };

  it("is named: the docs set it no limit, so nothing was refused, but the code's 42 cut the history", () => {
    // the platform's export: 60 calls a day, the code keeps 42 per 24 h (SPEC section 9 rule 2)
    const events = exported(planOf('platform', roomy), demand(1));
    const docs = planOf('documented', roomy);
    const o = overviewOf(docs, events);
    expect(o.triggers.find((t) => t.id === 't_hook')).toMatchObject({ dropped: 0, delayed: 0 });
    const trigger = o.held.limits.find((h) => h.id === 't_hook');
    expect(trigger).toMatchObject({ kind: 'trigger', limit: 42, peak: 42 });
    expect(trigger!.sentence).toMatch(/^Trigger PR review ran exactly 42 times in 24 h on \d+ days and never more: the docs set a programmatic trigger no limit, but the platform's code holds it at 42 unless support sets an override/);
    const result = simulate(docs, events);
    const cli = heldLimits(events, result, buildReport(events, result)).find((h) => h.id === 't_hook');
    expect(cli?.text).toMatch(/^PR review \(t_hook\): 42 runs in 24 h on \d+ days and never more: .*platform's code holds it at 42 unless support sets an override \(SPEC section 9 rule 2\)$/);
  });

  it('is not named when the history holds more than 42 in some 24 h (an override), nor with an override to unlimited', () => {
    const over = demand(1);
    expect(overviewOf(planOf('documented', roomy), over).held.limits.some((h) => h.id === 't_hook')).toBe(false);
    const events = exported(planOf('platform', roomy), demand(1));
    // an explicit limit of 100 it never reached, its runs at exactly 42: held at the platform's
    // default before an override the history predates, as the forecast and recommend read it
    // (forecast/default-hold.ts), not a limit with room
    const explicit = planOf('documented', { ...roomy, triggers: [{ ...triggers[0], limitPer24h: 100 }, triggers[1]] });
    expect(overviewOf(explicit, events).held.limits.find((h) => h.id === 't_hook')).toMatchObject({ limit: 42, peak: 42, heldAtDefault: { limit: 42, planLimit: 100 } });
    // nor with an override to unlimited (-1): the code holds it at nothing
    const unlimited = planOf('documented', { ...roomy, triggers: [{ ...triggers[0], limitPer24h: -1 }, triggers[1]] });
    expect(overviewOf(unlimited, events).held.limits.some((h) => h.id === 't_hook')).toBe(false);
  });
});

describe('the moved judgement (src/views/held-limits.ts) as headroom simulate words it', () => {
  it('names the same limits as the Overview, in the command line’s words', () => {
    const plan = planOf('documented');
    const events = exported(plan, demand(1));
    const result = simulate(plan, events);
    const held = heldLimits(events, result, buildReport(events, result));
    expect(held.map((h) => [h.kind, h.id])).toEqual([
      ['key', 'k_pipe'],
      ['trigger', 't_hook'],
      ['allowance', null],
    ]);
    expect(held[1]!.text).toBe('PR review (t_hook): 42 runs in 24 h, its limit');
    expect(held[2]!.text).toBe('the message allowance: 30 of 30 messages and fair-use runs in 24 h');
    // the --json shape is unchanged: no field beyond these
    expect(Object.keys(held[0]!)).toEqual(['kind', 'id', 'name', 'limit', 'peak', 'text']);
  });

  for (const profile of PROFILES) {
    it(`${profile}: a result joined from the parts (the app's) names the same limits, read part by part`, () => {
      // the held trigger is fair use (the allowance part), the held key in the spend part
      const plan = planOf(profile, {
        workspace: { name: 'Cut', seats: 10, messagesPerSeatPerDay: 30, fairUseShare: 0.5 },
        triggers: [
          { id: 't_hook', name: 'PR review', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 },
          { id: 't_quiet', name: 'Digest', kind: 'webhook', mode: 'programmatic', limitPer24h: 42 },
        ],
      });
      const events = exported(plan, demand(1));
      const whole = simulate(plan, events);
      const joined = new PartsSimulator(events).run(plan);
      expect(partsOf(joined)?.map((p) => p.events.count)).toEqual([expect.any(Number), expect.any(Number)]);
      expect(partsOf(whole)).toBeNull();
      const named = (r: typeof whole) => heldLimits(events, r, buildReport(events, r));
      expect(named(joined).map((h) => [h.kind, h.id])).toEqual([
        ['key', 'k_pipe'],
        ['trigger', 't_hook'],
      ]);
      expect(named(joined)).toEqual(named(whole));
    });
  }

  it('peakInWindow counts an entry while it is inside its window, with the edge', () => {
    const times = Float64Array.from([T0 + DAY, T0, T0 + 2 * DAY]);
    expect(peakInWindow(times.slice(), DAY, 0)).toBe(1);
    expect(peakInWindow(times.slice(), DAY, 1)).toBe(2);
  });
});
