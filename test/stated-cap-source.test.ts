/**
 * A cap the plan states, checked against where each key's history came from. The platform's own
 * exports (cost, consumption) hold only what it let through: a key there whose requests went
 * through with its rolling spend above the stated cap shows that cap was not in force then. An
 * events CSV or a mapped sheet holds demand (`headroom demo`'s events, an admin's what-if with a
 * lower cap than history shows): the plan's cap would refuse what goes past it, which is the
 * replay's to show, and no note says the plan is wrong. A key held well under its stated cap is
 * said whatever the source.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { runImport } from '../src/cli/commands/import.ts';
import { runRecommend } from '../src/cli/commands/recommend.ts';
import { runForecast } from '../src/cli/commands/forecast.ts';
import { runSimulate } from '../src/cli/commands/simulate.ts';
import { runExport } from '../src/cli/commands/export.ts';
import { writeWorkspace } from '../src/demo/write.ts';
import { ComputeClient } from '../src/api/compute.ts';
import { cachePath } from '../src/api/events-cache.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { migrate, openLedger } from '../src/ledger/ledger.ts';
import Database from 'better-sqlite3';
import { COMPUTE_WORKER_URL } from './support/compute-clients.ts';
import { tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';

let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir('headroom-stated-cap-');
});
afterEach(() => {
  tmp.remove();
});

const T0 = Date.UTC(2026, 8, 1);
const DAY = 86_400_000;
const DAYS = 45;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The events CSV (demand): `key-over` wanting $10 a day in ten $1 requests (its 30-day window
 * reaching $300), and `key-low` wanting the same under a real $100 cap (the platform's check:
 * the spend of today and the 29 UTC days before), so that its spend stops at $100 twice.
 */
function demandCsv(): string {
  const rows = ['timestamp,type,subject,cost_usd'];
  const spentLow = new Float64Array(DAYS);
  for (let d = 0; d < DAYS; d++) {
    for (let h = 0; h < 10; h++) {
      const t = T0 + d * DAY + 8 * 3_600_000 + h * 20 * 60_000;
      rows.push(`${iso(t)},api,key-over,1.00`);
      let usage = 0;
      for (let y = Math.max(0, d - 29); y <= d; y++) usage += spentLow[y]!;
      if (usage < 100) {
        spentLow[d] += 1;
        rows.push(`${iso(t)},api,key-low,1.00`);
      }
    }
  }
  return `${rows.join('\n')}\n`;
}

/** The platform's cost export: `key-export` spending $10 a day through agent Bot (its window reaching $300). */
function costExport(): string {
  const rows = ['date,agent_name,api_key,source,total_spend_usd'];
  for (let d = 0; d < DAYS; d++) rows.push(`${iso(T0 + d * DAY).slice(0, 10)},Bot,key-export,api,10.00`);
  return `${rows.join('\n')}\n`;
}

const PLAN = {
  version: 1,
  workspace: { name: 'Acme', seats: 3 },
  apiKeys: [
    { id: 'key-over', capUsd: 100 },
    { id: 'key-low', capUsd: 500 },
    { id: 'key-export', capUsd: 100 },
  ],
};

/** A ledger of both sources, and the plan file. */
async function bothSources(): Promise<{ db: string; plan: string; cost: string }> {
  const db = tmp.path('l.sqlite');
  const cost = tmp.write('cost.csv', costExport());
  expect((await runImport([tmp.write('events.csv', demandCsv()), cost], { db })).exitCode).toBe(0);
  return { db, plan: tmp.write('plan.json', JSON.stringify(PLAN)), cost };
}

/** its window at $290 as a day begins, and $10 that day: the last of its hourly rows went through with $300 spent */
const EXCEEDED_TAIL =
  "which a $100 cap refuses (the platform checks the spend before each request): a $100 cap was not in force then (its cap was higher, or it had none, or $100 was set later); if $100 is not its cap now, correct the plan";
const EXCEEDED = `key-export: the plan states a cap of $100, but the platform's export shows requests going through with $300.00 already spent in its rolling 30-day window, ${EXCEEDED_TAIL}`;
const HELD_BELOW = 'key-low: the plan states a cap of $500, but its history reads as held at about $100: ';

/** The notes naming a key's stated cap, by key. */
const statedNotes = (notes: readonly string[]) => notes.filter((n) => / the plan states a cap of /.test(n));

function expectJudgedBySource(notes: readonly string[]): void {
  const stated = statedNotes(notes);
  // the export's key past its cap: said, in words for what it is
  expect(stated.filter((n) => n.startsWith('key-export:'))).toEqual([EXCEEDED]);
  // demand past its cap: nothing (the replay shows what the cap refuses)
  expect(stated.some((n) => n.startsWith('key-over:'))).toBe(false);
  // held well under its cap: said, whatever the source
  expect(stated.filter((n) => n.startsWith(HELD_BELOW))).toHaveLength(1);
  expect(stated).toHaveLength(2);
}

describe('the demo: an events CSV whose keys spend past the caps its plan states', () => {
  it('gets no note that the history went past a stated cap, in recommend, forecast or simulate', async () => {
    // as `headroom demo --out d && headroom import d/events.csv && headroom recommend d/plan.json`
    const w = writeWorkspace(tmp.path('d'));
    const db = tmp.path('l.sqlite');
    expect((await runImport([w.eventsPath], { db })).exitCode).toBe(0);
    const rec = runRecommend(w.planPath, { db });
    expect(rec.notes.filter((n) => n.startsWith('k_support_bot:') || n.startsWith('k_data_pipeline:'))).toEqual([]);
    expect(statedNotes(rec.notes).filter((n) => !n.includes('its history reads as held at about'))).toEqual([]);
    const fc = await runForecast(w.planPath, { db, paths: '0', workers: '0' });
    expect(statedNotes(fc.notes).filter((n) => !n.includes('its history reads as held at about'))).toEqual([]);
    const sim = runSimulate(w.planPath, undefined, { db, compare: false });
    expect(sim.text).not.toMatch(/states a cap of \$\d+, but the (history went past it|platform's export shows)/);
  });
});

describe('a ledger holding the platform’s cost export and an events CSV', () => {
  it('lists as exported the keys of the export only, and none once the export is undone', async () => {
    const { db } = await bothSources();
    const ledger = openLedger(db);
    try {
      expect(ledger.exportedKeys()).toEqual(['key-export']);
      expect([...ledger.readHistory().exportedKeys]).toEqual(['key-export']);
      ledger.undoBatch(2);
      expect(ledger.exportedKeys()).toEqual([]);
    } finally {
      ledger.close();
    }
  });

  it('recommend and forecast say the export’s key went past its stated cap, not the demand’s, and the key held under its cap either way', async () => {
    const { db, plan } = await bothSources();
    expectJudgedBySource(runRecommend(plan, { db }).notes);
    expectJudgedBySource((await runForecast(plan, { db, paths: '0', workers: '0' })).notes);
  });

  it('the export’s report says the same', async () => {
    const { db, plan } = await bothSources();
    const files = await runExport(plan, { db, out: tmp.path('out'), paths: '0', workers: '0' });
    const report = files.find((f) => f.endsWith('report.md'))!;
    const text = (await import('node:fs')).readFileSync(report, 'utf8');
    expect(text).toContain(EXCEEDED);
    expect(text).not.toMatch(/key-over: the plan states/);
  });

  it('simulate lists the key held under its stated cap, and says nothing of either key past its cap (its replay refuses what the cap would)', async () => {
    const { db, plan } = await bothSources();
    const out = runSimulate(plan, undefined, { db, compare: false, json: true });
    const held = (JSON.parse(out.text) as { heldAtLimit: { id: string | null; statedCapUsd?: number; text: string }[] }).heldAtLimit;
    expect(held.find((h) => h.id === 'key-low')).toMatchObject({ statedCapUsd: 500 });
    expect(held.find((h) => h.id === 'key-low')!.text.startsWith(HELD_BELOW)).toBe(true);
    expect(held.some((h) => h.id === 'key-over' || h.id === 'key-export')).toBe(false);
  });

  it('the app’s advice and Forecast page say the same, from the events cache and from the ledger', async () => {
    const { db } = await bothSources();
    const plan = validatePlan(PLAN);
    for (const cache of ['kept', 'removed'] as const) {
      // the import left the cache beside the ledger: the worker reads it, or, removed, every row
      if (cache === 'removed') rmSync(cachePath(db), { force: true });
      const compute = new ComputeClient(COMPUTE_WORKER_URL);
      try {
        compute.setLedger(db);
        const advice = await compute.ask({ kind: 'advice', plan });
        expectJudgedBySource(advice.notes);
        // an admin's what-if: the demand's key at a lower cap still, the export's at a higher one
        const whatIf = validatePlan({ ...PLAN, apiKeys: [...PLAN.apiKeys.filter((k) => k.id !== 'key-export'), { id: 'key-export', capUsd: 1000 }] });
        const fc = await compute.ask({ kind: 'forecast', plan: whatIf, days: 14, paths: 0, whatIf: {} });
        const stated = statedNotes(fc.notes);
        expect(stated.some((n) => n.startsWith('key-over:') || n.startsWith('key-export:'))).toBe(false);
        expect(stated.filter((n) => n.startsWith(HELD_BELOW))).toHaveLength(1);
        const again = await compute.ask({ kind: 'forecast', plan, days: 14, paths: 0, whatIf: {} });
        expectJudgedBySource(again.notes);
      } finally {
        await compute.close();
      }
    }
  });
});

it('an events CSV written over the days of the export (what an admin pastes as a what-if) is still read as demand for its own keys', async () => {
  const { db, plan } = await bothSources();
  // a second events file of another key, beside the export
  const more = ['timestamp,type,subject,cost_usd'];
  for (let d = 0; d < DAYS; d++) more.push(`${iso(T0 + d * DAY + 12 * 3_600_000)},api,key-more,20.00`);
  expect((await runImport([tmp.write('more.csv', `${more.join('\n')}\n`)], { db })).exitCode).toBe(0);
  writeFileSync(plan, JSON.stringify({ ...PLAN, apiKeys: [...PLAN.apiKeys, { id: 'key-more', capUsd: 100 }] }));
  const notes = runRecommend(plan, { db }).notes;
  expect(statedNotes(notes).some((n) => n.startsWith('key-more:'))).toBe(false);
  expectJudgedBySource(notes);
});

it('a ledger whose exports were imported before version 5 (no spend records) lists their keys once upgraded', () => {
  const path = tmp.path('old.sqlite');
  const db = new Database(path);
  migrate(db, 0, 4);
  db.exec(`INSERT INTO subjects(id, name) VALUES (1, 'key-old'), (2, 'key-csv'), (3, 'Bot (no key)'), (4, 'key-undone');
    INSERT INTO batches(id, file_name, file_size, sha256, format, imported_at, rows, imported, duplicates, rejected, events, first_seq, last_seq, undone_at) VALUES
      (1, 'cost.csv', 10, 'a', 'dust-cost', 1, 2, 2, 0, 0, 2, 1, 2, NULL),
      (2, 'events.csv', 10, 'b', 'events', 1, 1, 1, 0, 0, 1, 3, 3, NULL),
      (3, 'consumption.csv', 10, 'c', 'dust-consumption', 1, 1, 1, 0, 0, 1, 4, 4, 5);
    INSERT INTO events(time, seq, type, subject, cost, ident) VALUES
      (1767607200000, 1, 0, 1, 1500000, 'dust-cost:a#10'), (1767607200000, 2, 1, 3, 500000, 'dust-cost:b#10'), (1767610800000, 3, 0, 2, 1000000, 'e1');`);
  db.close();
  const ledger = openLedger(path);
  try {
    // the cost export's key; not the events CSV's, nor the undone export's, nor spend without a key
    expect(ledger.exportedKeys()).toEqual(['key-old']);
  } finally {
    ledger.close();
  }
});
