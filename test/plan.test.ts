import { describe, expect, it } from 'vitest';
import { PlanError, parsePlanJson, poolOf, resolvePlan, resolveTriggerLimit, validatePlan } from '../src/engine/plan.ts';
import { parseUsdToMicros, usdNumberToMicros } from '../src/engine/units.ts';

function issuesOf(input: unknown): string[] {
  try {
    validatePlan(input);
  } catch (err) {
    if (err instanceof PlanError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('the plan (SPEC §2)', () => {
  it('fills every missing field with its default', () => {
    const plan = validatePlan({ apiKeys: [{ id: 'k' }], triggers: [{ id: 't' }] });
    expect(plan.workspace).toMatchObject({ seats: 10, messagesPerSeatPerDay: 100, fairUseShare: 0.5 });
    expect(plan.workspace.spendLimits).toEqual([{ id: 'daily', amountUsd: 1000, window: 'utc-day' }]);
    expect(plan.apiKeys[0]).toEqual({ id: 'k', capUsd: null });
    expect(plan.triggers[0]).toEqual({ id: 't', kind: 'webhook', mode: 'fair_use', limitPer24h: null });
    expect(plan.enforcement).toEqual({ keyCapWindowDays: 30, capCheck: 'spent', webhookWhenLimited: 'queue', maxQueueWaitHours: null });
    expect(validatePlan({ workspace: { spendLimits: [] } }).workspace.spendLimits).toEqual([]);
  });

  it('names the path of an unknown field, a wrong type, a negative amount and a duplicate id', () => {
    expect(issuesOf({ workspace: { seat: 3 } })[0]).toMatch(/^workspace: .*seat/);
    expect(issuesOf({ triggers: [{ id: 'a' }, { id: 'b' }, { id: 'c', mode: 'sometimes' }] })[0]).toMatch(/^triggers\[2\]\.mode: /);
    expect(issuesOf({ apiKeys: [{ id: 'k', capUsd: -5 }] })).toEqual(['apiKeys[0].capUsd: must not be negative']);
    expect(issuesOf({ apiKeys: [{ id: 'k' }, { id: 'k' }] })).toEqual(['apiKeys[1].id: duplicate id "k"']);
    expect(issuesOf({ workspace: { seats: 2.5 } })).toEqual(['workspace.seats: must be a whole number']);
    expect(issuesOf({ version: 2 })[0]).toMatch(/^version: /);
  });

  it('refuses programmatic mode on a scheduled trigger, at its mode', () => {
    expect(issuesOf({ triggers: [{ id: 'a' }, { id: 'd', kind: 'scheduled', mode: 'programmatic' }] })).toEqual([
      'triggers[1].mode: programmatic mode applies only to webhook triggers; scheduled triggers stay on fair use',
    ]);
  });

  it('refuses an amount too large to count exactly in micro-USD, naming the field', () => {
    expect(issuesOf({ apiKeys: [{ id: 'k', capUsd: 1e10 }] })[0]).toMatch(/^apiKeys\[0\]\.capUsd: must be at most/);
    expect(issuesOf({ workspace: { spendLimits: [{ id: 'd', amountUsd: 1e12, window: 'utc-day' }] } })[0]).toMatch(
      /^workspace\.spendLimits\[0\]\.amountUsd: /,
    );
  });

  it('says where JSON is broken and which file', () => {
    expect(() => parsePlanJson('{"version": 1,,}', 'plan.json')).toThrow(/^plan\.json: \(plan\): not valid JSON/);
    expect(parsePlanJson('\uFEFF{"version": 1}').version).toBe(1);
  });
});

describe('exact arithmetic', () => {
  it('computes the pool on the share\'s decimal digits: 0.1 × 30 is 3, 0.5 × 25 rounds up to 13', () => {
    expect(poolOf(0.1, 30)).toBe(3);
    expect(poolOf(0.5, 25)).toBe(13);
    expect(poolOf(0.3, 10)).toBe(3);
    expect(poolOf(1, 7)).toBe(7);
    expect(poolOf(0, 1000)).toBe(0);
  });

  it('converts dollars to micro-USD rounding half away from zero', () => {
    expect(parseUsdToMicros('0.0000005')).toBe(1);
    expect(parseUsdToMicros('0.0000004')).toBe(0);
    expect(parseUsdToMicros('-0.0000005')).toBe(-1);
    expect(parseUsdToMicros('2.675')).toBe(2_675_000);
    expect(parseUsdToMicros('abc')).toBeNull();
    expect(usdNumberToMicros(0.1)).toBe(100_000);
    expect(usdNumberToMicros(1e-7)).toBe(0);
    expect(usdNumberToMicros(5e-7)).toBe(1);
  });

  it('resolves trigger limits: null is 42 on fair use and none on programmatic, -1 is none', () => {
    expect(resolveTriggerLimit(null, 'fair_use')).toBe(42);
    expect(resolveTriggerLimit(null, 'programmatic')).toBe(Infinity);
    expect(resolveTriggerLimit(-1, 'fair_use')).toBe(Infinity);
    expect(resolveTriggerLimit(0, 'fair_use')).toBe(0);
    const r = resolvePlan(validatePlan({ workspace: { seats: 3, messagesPerSeatPerDay: 10, fairUseShare: 0.1 } }));
    expect([r.allowance, r.pool]).toEqual([30, 3]);
    expect(resolvePlan(validatePlan({ workspace: { messagesPerSeatPerDay: null } })).pool).toBe(Infinity);
  });
});
