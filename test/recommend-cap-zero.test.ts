/**
 * A $0 key cap is a valid plan (SPEC section 2: any amount >= 0) and never frees: `recommend` and
 * `export` say the key never works again under it, as `simulate` does (usableAgainAt null),
 * instead of failing with "Invalid time value".
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { describeRecommend } from '../src/cli/commands/recommend.ts';
import { buildExport } from '../src/export/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY } from '../src/engine/units.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildReport } from '../src/engine/report.ts';

/** the reviewer's tiny/cap0.csv: $1 a day on key k for 20 days from 2026-01-01 */
function cap0Events() {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 20; d++) b.push(Date.UTC(2026, 0, 1) + d * DAY, EventType.api, 'k', 1_000_000);
  return b.build();
}

describe('a key with a $0 cap', () => {
  for (const profile of ['documented', 'platform'] as const) {
    it(`${profile}: recommend says it never works again under that cap, as simulate does`, () => {
      const plan = validatePlan({ workspace: { name: 'Tiny', seats: 1, messagesPerSeatPerDay: 100 }, apiKeys: [{ id: 'k', name: 'K', capUsd: 0 }], enforcement: { profile } });
      const events = cap0Events();
      const sim = buildReport(events, simulate(plan, events));
      expect(sim.keys[0]?.usableAgainAt).toBeNull();
      const r = recommend(events, plan);
      expect(r.recovery).toHaveLength(1);
      expect(r.recovery[0]).toMatchObject({ id: 'k', capUsd: 0, rollingSpendUsd: 0, usableAgain: null, schedule: [] });
      expect(r.recovery[0]!.summary).toContain('it never works again under this cap (a $0 cap blocks every request)');
      expect(r.recovery[0]!.summary).not.toContain('Invalid');
      expect(describeRecommend(r)).toContain('K has spent $0 (admitted by the engine) of its $0 cap');
      expect(JSON.parse(JSON.stringify(r)).recovery[0].usableAgain).toBeNull();
      const report = buildExport(r, null).find((f) => f.path === 'report.md')!.content;
      expect(report).toContain('## Keys at their cap');
      expect(report).toContain('it never works again under this cap');
    });
  }
});
