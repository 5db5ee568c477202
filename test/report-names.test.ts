/**
 * The summary's key and trigger rows name each by its name and id once, also when the import made
 * a name unique by its id's first characters (two agents of one name: src/ledger/entities.ts).
 */
import { describe, expect, it } from 'vitest';
import { buildReport, formatSummary } from '../src/engine/report.ts';
import { simulate } from '../src/engine/simulate.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { events, T0 } from './support/scenario.ts';

describe('names in the summary tables', () => {
  it('a trigger whose name carries its id once shows it once, and in full', () => {
    const ev = events([
      [T0, 'trigger', 'trg_held'],
      [T0 + 1000, 'trigger', 'trg_0123456789'],
      [T0 + 2000, 'trigger', 'trg_plain'],
    ]);
    const plan = validatePlan({
      version: 1,
      workspace: { seats: 5 },
      triggers: [
        { id: 'trg_held', name: 'Agent 30 (trg_held)', kind: 'webhook', mode: 'fair_use' },
        { id: 'trg_0123456789', name: 'Agent 30 (trg_0123)', kind: 'webhook', mode: 'fair_use' },
        { id: 'trg_plain', name: 'Nightly digest', kind: 'scheduled', mode: 'fair_use' },
      ],
    });
    const text = formatSummary(buildReport(ev, simulate(plan, ev)));
    expect(text).toContain('Agent 30 (trg_held) ');
    expect(text).not.toContain('(trg_held) (trg_held)');
    expect(text).toContain('Agent 30 (trg_0123456789)');
    expect(text).not.toContain('(trg_0123)');
    expect(text).toContain('Nightly digest (trg_plain)');
  });
});
