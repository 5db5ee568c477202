/**
 * Branded units and ids: `npm run typecheck` (which covers test/) is this file's real test. Each
 * `@ts-expect-error` line must fail to typecheck; if a brand were lost (say `Micros` became a
 * plain number), the directive would be unused and the typecheck would fail.
 */
import { describe, expect, it } from 'vitest';
import { keyId, resolvePlan, triggerId, validatePlan } from '../src/engine/plan.ts';
import type { KeyId, TriggerId } from '../src/engine/plan.ts';
import { DAY, formatUsd, parseUsdToMicros, usdNumberToMicros } from '../src/engine/units.ts';
import type { DurationMs, EpochMs, Micros } from '../src/engine/units.ts';
import { parseTimestamp } from '../src/csv/timestamp.ts';

/** A key's cap against its rolling spend, as the engine compares them. */
function overCap(rollingMicros: number, capMicros: Micros): boolean {
  return rollingMicros > capMicros;
}

function keyName(id: KeyId): string {
  return `key ${id}`;
}

function windowEnd(start: EpochMs, length: DurationMs): number {
  return start + length;
}

describe('branded units and ids', () => {
  it('a dollar amount becomes Micros only through the conversions', () => {
    const capUsd = 12.5;
    // @ts-expect-error a USD number is not micro-USD
    overCap(1, capUsd);
    expect(overCap(12_500_001, usdNumberToMicros(capUsd))).toBe(true);
    expect(overCap(12_500_000, usdNumberToMicros(capUsd))).toBe(false);
    const parsed = parseUsdToMicros('12.5');
    expect(parsed === null ? null : overCap(12_500_001, parsed)).toBe(true);
    // a plain number (a sum of costs) is still fine where any number goes
    expect(formatUsd(12_500_000)).toBe('$12.50');
  });

  it('the resolved plan holds caps and limits in Micros and ids apart', () => {
    const plan = resolvePlan(validatePlan({ apiKeys: [{ id: 'k1', capUsd: 5 }], triggers: [{ id: 't1' }], workspace: { spendLimits: [{ id: 'daily', amountUsd: 100, window: 'utc-day' }] } }));
    const key = plan.keys[0]!;
    const trigger = plan.triggers[0]!;
    expect(key.capMicros).toBe(5_000_000);
    expect(plan.spendLimits[0]!.amountMicros).toBe(100_000_000);
    expect(keyName(key.id)).toBe('key k1');
    // @ts-expect-error a trigger's id is not a key's id
    keyName(trigger.id);
    // @ts-expect-error nor is a plain string: ids come from the plan, or keyId() where keys are named
    keyName('k1');
    expect(keyName(keyId('k2'))).toBe('key k2');
    const asTrigger: TriggerId = triggerId('t2');
    expect(asTrigger).toBe('t2');
  });

  it('a moment and a length of time are not interchangeable', () => {
    const start = parseTimestamp('2026-01-05T00:00:00Z');
    expect(start).not.toBeNull();
    const at = start!;
    expect(windowEnd(at, DAY)).toBe(Date.UTC(2026, 0, 6));
    // @ts-expect-error a window's length is not a moment
    windowEnd(DAY, DAY);
    // @ts-expect-error nor is a moment a length
    windowEnd(at, at);
    const plan = resolvePlan(validatePlan({}));
    expect(windowEnd(at, plan.keyCapWindowMs)).toBe(Date.UTC(2026, 1, 4));
  });
});
