/**
 * Key names come from the platform's exports, which an admin may have named `=SUM(A1)` or
 * `-staging`. Written as they are into keys.csv, a spreadsheet opening it would run them as
 * formulas; the platform escapes its own exports with a leading `'` for that, and so does ours.
 */
import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { keysToCsv } from '../src/export/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { recommend } from '../src/recommend/index.ts';
import { synthHistory } from './forecast-helpers.ts';

describe('keys.csv', () => {
  it('escapes names a spreadsheet would read as formulas; numbers stay numbers', () => {
    const names = ['=SUM(A1)', '-staging', '+plus', '@ops', 'plain'];
    const plan = validatePlan({ workspace: { seats: 5 }, apiKeys: names.map((id) => ({ id, capUsd: 10 })) });
    const history = synthHistory(30, names.map((subject) => ({ type: 'api' as const, subject, daily: () => 1_000_000, costPerRequest: 50_000 })), 3, false);
    const csv = keysToCsv(recommend(history, plan));
    const rows = Papa.parse<Record<string, string>>(csv.trim(), { header: true }).data;
    expect(rows.map((r) => [r.key_id, r.name]).sort()).toEqual([
      ["'+plus", "'+plus"],
      ["'-staging", "'-staging"],
      ["'=SUM(A1)", "'=SUM(A1)"],
      ["'@ops", "'@ops"],
      ['plain', 'plain'],
    ]);
    for (const r of rows) expect(r.current_cap_usd).toBe('10');
  });
});
