/**
 * Words the app puts where the admin decides: a scenario's changes as the screens that edit them
 * name them (renderer/src/components/plan-change-words.ts), and a trigger's run limit under the
 * other reading of the limits, beside its mode (renderer/src/components/limit-readings.ts).
 */
import { describe, expect, it } from 'vitest';
import { changeParts, changeWords } from '../renderer/src/components/plan-change-words.ts';
import { otherReading } from '../renderer/src/components/limit-readings.ts';

const names = (id: string): string => ({ k_etl: 'Data pipeline (ETL)', t_pr: 'PR review' })[id] ?? id;

describe("a scenario's changes in the screens' words", () => {
  it('seats, caps, modes, run limits and spend limits read as on Workspace, API keys and Triggers', () => {
    expect(changeWords({ path: 'workspace.seats', from: 40, to: 25 })).toBe('Seats: 40 → 25');
    expect(changeWords({ path: 'apiKeys.k_etl.capUsd', from: 240, to: 125 }, names)).toBe('Cap of Data pipeline (ETL): $240.00 → $125.00');
    expect(changeWords({ path: 'apiKeys.k_etl.capUsd', from: null, to: 125 }, names)).toBe('Cap of Data pipeline (ETL): no cap → $125.00');
    expect(changeWords({ path: 'triggers.t_pr.mode', from: 'fair_use', to: 'programmatic' }, names)).toBe('Mode of PR review: fair use → programmatic');
    expect(changeWords({ path: 'triggers.t_pr.limitPer24h', from: null, to: 60 }, names)).toBe('Run limit of PR review: the mode’s default → 60 runs per 24 h');
    expect(changeWords({ path: 'workspace.spendLimits.daily.amountUsd', from: 380, to: 500 })).toBe('Spend limit “daily”: $380.00 → $500.00');
    expect(changeWords({ path: 'workspace.fairUseShare', from: 0.5, to: 0.6 })).toBe('Fair-use share of the allowance: 50% → 60%');
    expect(changeWords({ path: 'enforcement.profile', from: 'documented', to: 'platform' })).toBe("Limits as enforced by: the docs → the platform's code");
  });

  it('an id with dots is still read as the id, and an unknown path reads as itself', () => {
    expect(changeWords({ path: 'apiKeys.key.v2.capUsd', from: 1, to: 2 })).toBe('Cap of key.v2: $1.00 → $2.00');
    expect(changeWords({ path: 'somethingNew.x', from: 1, to: 2 })).toBe('somethingNew.x: 1 → 2');
  });
});

describe("a trigger's run limit under the other reading", () => {
  it('a programmatic webhook: no limit in the docs, 42 in the platform’s code (rule 2), either way round', () => {
    const t = { kind: 'webhook' as const, mode: 'programmatic' as const, limitPer24h: null };
    expect(otherReading(t, 'documented')?.text).toBe('the platform’s code: 42 runs (rule 2)');
    expect(otherReading(t, 'platform')?.text).toBe('the docs: no limit (rule 2)');
  });

  it('nothing to say where both readings apply the same limit: fair use, or a limit support set', () => {
    expect(otherReading({ kind: 'webhook', mode: 'fair_use', limitPer24h: null }, 'documented')).toBeNull();
    expect(otherReading({ kind: 'webhook', mode: 'programmatic', limitPer24h: 200 }, 'platform')).toBeNull();
  });

  it('a schedule: its run limit is never checked by the code (rule 3)', () => {
    const t = { kind: 'scheduled' as const, mode: 'fair_use' as const, limitPer24h: null };
    expect(otherReading(t, 'documented')?.text).toBe('the platform’s code: not checked (rule 3)');
    expect(otherReading(t, 'platform')?.text).toBe('the docs: 42 runs (rule 3)');
  });
});

describe('Export compares whole sections too', () => {
  it('the spend limits as a list in words, not JSON', () => {
    const c = changeParts({ path: 'workspace.spendLimits', from: [{ id: 'daily', amountUsd: 380, window: 'utc-day' }], to: [] });
    expect(c).toEqual({ what: 'Spend limits', from: '“daily” $380.00 per UTC day', to: 'none' });
  });
});
