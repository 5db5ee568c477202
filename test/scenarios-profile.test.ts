import { describe, expect, it } from 'vitest';
import { compareScenarios, planChanges } from '../src/modeling/scenarios.ts';
import { programmaticBlockedReason, setProfile, setTriggerMode } from '../src/modeling/plan-edits.ts';
import { PlanError, profileOf, validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { MINUTE } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 0, 5);
const base = validatePlan({
  workspace: { name: 'Acme', seats: 5, spendLimits: [] },
  triggers: [{ id: 'wh', kind: 'webhook', limitPer24h: 1 }, { id: 'cron', kind: 'scheduled' }],
});

// three deliveries of a webhook allowed one run a day: the docs queue two, the platform's code drops them
function deliveries() {
  const b = new EventColumnsBuilder();
  for (let k = 0; k < 3; k++) b.push(T0 + k * MINUTE, EventType.trigger, 'wh', 0);
  b.push(T0 + 5 * MINUTE, EventType.trigger, 'cron', 0);
  return b.build();
}

describe('the enforcement profile as a plan edit', () => {
  it('switches the profile, and the default for limited webhooks with it; an explicit choice stays', () => {
    const platform = setProfile(base, 'platform');
    expect(profileOf(platform)).toBe('platform');
    expect(platform.enforcement.webhookWhenLimited).toBe('drop');
    const back = setProfile(platform, 'documented');
    expect(profileOf(back)).toBe('documented');
    expect(back.enforcement.webhookWhenLimited).toBe('queue');
    expect(setProfile(base, 'documented')).toBe(base);
    const dropping = validatePlan({ ...base, enforcement: { webhookWhenLimited: 'drop' } });
    expect(setProfile(dropping, 'platform').enforcement.webhookWhenLimited).toBe('drop');
  });

  it('lets a schedule be programmatic only under the platform profile, and puts it back on fair use for the docs', () => {
    expect(() => setTriggerMode(base, 'cron', 'programmatic')).toThrow(PlanError);
    expect(programmaticBlockedReason('scheduled', 'documented')).toMatch(/only webhook/);
    expect(programmaticBlockedReason('scheduled', 'platform')).toBeNull();
    const platform = setTriggerMode(setProfile(base, 'platform'), 'cron', 'programmatic');
    expect(platform.triggers[1]).toMatchObject({ id: 'cron', mode: 'programmatic' });
    expect(setProfile(platform, 'documented').triggers[1]).toMatchObject({ id: 'cron', mode: 'fair_use' });
  });
});

describe('comparing scenarios under either profile', () => {
  const ev = deliveries();

  it('replays a plan saved under the platform profile as the platform’s code enforces it', () => {
    const c = compareScenarios(ev, [
      { name: 'docs', plan: base },
      { name: 'platform', plan: setProfile(base, 'platform') },
    ]);
    expect(c.scenarios.map((s) => s.profile)).toEqual(['documented', 'platform']);
    const m = Object.fromEntries(c.metrics.map((x) => [x.id, x.values]));
    expect(m.delayedRuns).toEqual([2, 0]);
    expect(m.droppedRuns).toEqual([0, 2]);
    expect(c.changes[1]).toEqual(
      expect.arrayContaining([
        { path: 'enforcement.profile', from: 'documented', to: 'platform' },
        { path: 'enforcement.webhookWhenLimited', from: 'queue', to: 'drop' },
      ]),
    );
  });

  it('replays every plan under one profile when asked', () => {
    const plans = [
      { name: 'docs', plan: base },
      { name: 'platform', plan: setProfile(base, 'platform') },
    ];
    const platform = compareScenarios(ev, plans, { under: 'platform' });
    expect(platform.scenarios.map((s) => s.profile)).toEqual(['platform', 'platform']);
    expect(platform.metrics.find((x) => x.id === 'droppedRuns')?.values).toEqual([2, 2]);
    const docs = compareScenarios(ev, plans, { under: 'documented' });
    expect(docs.scenarios.map((s) => s.profile)).toEqual(['documented', 'documented']);
    expect(docs.metrics.find((x) => x.id === 'delayedRuns')?.values).toEqual([2, 2]);
    expect(docs.changes[1]).toEqual([]);
  });

  it('tells a throttle turned off from one left to the profile’s default', () => {
    const platform = setProfile(base, 'platform');
    const off = validatePlan({ ...platform, enforcement: { ...platform.enforcement, actorPerMinute: null } });
    expect(planChanges(platform, off)).toEqual([{ path: 'enforcement.actorPerMinute', from: 'default', to: null }]);
  });
});
