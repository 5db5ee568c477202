/**
 * keys.csv and report.md give a key's rolling 30-day percentiles from the same figures; an admin
 * who reads $300.01 in the report must read 300.01 in the CSV. The CSV rounded each figure on its
 * binary float (`toFixed(2)`: 300.005 is 300.00499… there, so 300.00) while the report rounded its
 * decimal (300.01): a cent apart on every figure that ends in half a cent. Both now round the
 * figure's micro-dollars, a half cent up (engine/units.ts centsOf).
 */
import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { DAY, HOUR, centsOf, formatUsd, formatUsdPlain } from '../src/engine/units.ts';
import { buildExport } from '../src/export/index.ts';
import { recommend } from '../src/recommend/index.ts';
import { T0 } from './forecast-helpers.ts';

/**
 * 60 days of $10 a day in ten $1 requests, and on every 30th day one more of half a cent: each
 * 30-day window holds exactly one, so every rolling 30-day sum (p50, p90 and p99 alike) is $300.005.
 */
function halfCentWindows() {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 60; d++) {
    for (let i = 0; i < 10; i++) b.push(T0 + d * DAY + (9 + i) * HOUR, EventType.api, 'k', 1_000_000);
    if (d % 30 === 0) b.push(T0 + d * DAY + 20 * HOUR, EventType.api, 'k', 5_000);
  }
  return b.build();
}

describe("a key's rolling 30-day percentiles in keys.csv and report.md", () => {
  const plan = validatePlan({ workspace: { name: 'Cents', spendLimits: [] }, apiKeys: [{ id: 'k', capUsd: 500 }] });
  const rec = recommend(halfCentWindows(), plan, { paths: 20 });
  const files = buildExport(rec, null);

  it('are the same cents in both', () => {
    const k = rec.keys.find((x) => x.id === 'k')!;
    expect(k.rolling30.p50).toBe(300.005);
    const csv = Papa.parse<Record<string, string>>(files.find((f) => f.path === 'keys.csv')!.content.trim(), { header: true }).data.find((r) => r.key_id === 'k')!;
    const report = files.find((f) => f.path === 'report.md')!.content;
    const row = report.split('\n').find((l) => l.startsWith('| k | $500.00 |'))!;
    const cells = row.split(' | ');
    // after the key's cap basis column
    const [p50, p90, p99] = cells[5]!.split(' / ').map((x) => x.replace(/[$,]/g, ''));
    expect([csv.rolling30_p50_usd, csv.rolling30_p90_usd, csv.rolling30_p99_usd]).toEqual([p50, p90, p99]);
    // a half cent up, as the ledger's amounts are rounded (docs/semantics.md, Units)
    expect(p50).toBe('300.01');
  });

  it('one rounding for every money text: the CSV cell is the report cell without its $ and grouping', () => {
    for (const micros of [300_005_000, 1_234_565_000, 5_000, 4_999, 0, 12_345_678_901]) {
      expect(formatUsdPlain(micros)).toBe(formatUsd(micros).replace(/[$,]/g, ''));
      expect(formatUsdPlain(micros)).toBe((centsOf(micros) / 100).toFixed(2));
    }
  });
});
