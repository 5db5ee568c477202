/**
 * Findings of the review of imports of the platform's real exports (task G): a programmatic
 * schedule read from the consumption export, the trigger limit the report shows for a schedule
 * under the platform profile, and a day of the cost export exported again with another total.
 */
import { describe, expect, it } from 'vitest';
import { dustWorkspace } from './support/dust-exports.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';
import { runCli } from './support/run-cli.ts';
import { withLedgerFacts } from '../src/ledger/entities.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { importFile } from '../src/import/importer.ts';

const scope = ledgerScope();
const HEADER = dustWorkspace({ seed: 1, days: 1, people: 1, keys: 1 }).consumption.split('\n')[0]!;
const COLUMNS = HEADER.split(',');
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 9, 1);

function line(cells: Record<string, string>): string {
  return COLUMNS.map((c) => cells[c] ?? (c.startsWith('credits') ? '0.00' : '')).join(',');
}

/** One programmatic trigger firing every 30 min for 20 days (960 runs); completion times jitter by up to 50 s. */
function programmaticSchedule(): string {
  const rows = [HEADER];
  for (let i = 0; i < 960; i++) {
    const at = T0 + i * 30 * MINUTE + ((i * 7919) % 50) * 1000;
    rows.push(line({ completedAt: new Date(at).toISOString(), agentMessageId: `sync-${i}`, agentName: 'Data sync', triggerId: 'trg_sync', contextOrigin: 'Trigger', totalCredits: '2.00', usageType: 'programmatic', status: 'succeeded' }));
  }
  return rows.join('\n') + '\n';
}

interface TriggerJson {
  id: string;
  kind: string;
  mode: string;
  limit: number | null;
  limitChecked: boolean;
  admitted: number;
  dropped: number;
  skipped: number;
}

async function simulateJson(db: string, plan: object): Promise<{ triggers: TriggerJson[] }> {
  const planFile = scope.tmp.write('plan.json', JSON.stringify(plan));
  const r = await runCli('simulate', planFile, '--db', db, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { triggers: TriggerJson[] };
}

describe('a programmatic schedule in the consumption export', () => {
  it('is planned as a schedule under the platform profile: only spend limits apply, no run dropped', async () => {
    const db = scope.tmp.path('ledger.sqlite');
    const file = scope.tmp.write('consumption.csv', programmaticSchedule());
    expect((await runCli('import', file, '--db', db)).code).toBe(0);

    const plan = { version: 1, enforcement: { profile: 'platform' } };
    const report = await simulateJson(db, plan);
    const t = report.triggers.find((x) => x.id === 'trg_sync')!;
    expect(t).toMatchObject({ kind: 'scheduled', mode: 'programmatic', admitted: 960, dropped: 0, skipped: 0 });
  });

  it('stays a programmatic webhook without a run limit under the docs, which have no programmatic schedule', async () => {
    const ledger = scope.open('ledger.sqlite');
    await importFile(ledger, scope.tmp.write('consumption.csv', programmaticSchedule()));
    expect(ledger.entities().find((e) => e.subject === 'trg_sync')).toMatchObject({ kind: 'scheduled', mode: 'programmatic' });
    const plan = withLedgerFacts(validatePlan({}), ledger.entities());
    expect(plan.triggers.find((x) => x.id === 'trg_sync')).toMatchObject({ kind: 'webhook', mode: 'programmatic', limitPer24h: null });
    expect(() => validatePlan(plan)).not.toThrow();
  });
});

describe('the Limit/24h of a schedule under the platform profile', () => {
  const plan = (profile: 'platform' | 'documented') => ({
    version: 1,
    enforcement: { profile },
    triggers: [
      { id: 't_sched', name: 'Nightly', kind: 'scheduled', mode: 'fair_use', limitPer24h: null },
      { id: 't_hook', name: 'PR hook', kind: 'webhook', mode: 'fair_use', limitPer24h: null },
    ],
  });
  const events = () => {
    const rows = ['timestamp,type,subject,cost_usd'];
    // 50 runs each in one day: past the default 42 that the schedule never meets
    for (let i = 0; i < 50; i++) rows.push(`${new Date(T0 + i * 20 * MINUTE).toISOString()},trigger,t_sched,`, `${new Date(T0 + i * 20 * MINUTE + 1000).toISOString()},trigger,t_hook,`);
    return scope.tmp.write('events.csv', rows.join('\n') + '\n');
  };

  it('is "not checked" in the table and null with limitChecked false in the JSON, where 42 is never checked', async () => {
    const file = events();
    const planFile = scope.tmp.write('plan.json', JSON.stringify(plan('platform')));
    const json = await runCli('simulate', planFile, file, '--json');
    expect(json.code).toBe(0);
    const triggers = (JSON.parse(json.stdout) as { triggers: TriggerJson[] }).triggers;
    expect(triggers.find((t) => t.id === 't_sched')).toMatchObject({ limit: null, limitChecked: false, admitted: 50, skipped: 0 });
    expect(triggers.find((t) => t.id === 't_hook')).toMatchObject({ limit: 42, limitChecked: true, admitted: 42, dropped: 8 });

    const text = await runCli('simulate', planFile, file);
    const row = (name: string) => text.stdout.split('\n').find((l) => l.includes(name))!;
    expect(row('Nightly')).toMatch(/scheduled \/ fair use[\s│]+not checked[\s│]+50[\s│]+50[\s│]/);
    expect(row('PR hook')).toMatch(/webhook \/ fair use[\s│]+42[\s│]+50[\s│]+42[\s│]/);
  });

  it('stays 42 under the docs, which check it', async () => {
    const planFile = scope.tmp.write('plan.json', JSON.stringify(plan('documented')));
    const json = await runCli('simulate', planFile, events(), '--json');
    const triggers = (JSON.parse(json.stdout) as { triggers: TriggerJson[] }).triggers;
    expect(triggers.find((t) => t.id === 't_sched')).toMatchObject({ limit: 42, limitChecked: true, admitted: 42, skipped: 8 });
  });
});

describe('a cost export day exported before it ended, then again', () => {
  const HEAD = 'date,agent_name,api_key,source,total_spend_usd\n';

  it('keeps the first total (SPEC section 8) and says so, naming file:line and both amounts', async () => {
    const db = scope.tmp.path('ledger.sqlite');
    const early = scope.tmp.write('early.csv', `${HEAD}2026-01-05,Bot,k1,api,1.00\n2026-01-06,Bot,k1,api,3.10\n`);
    const later = scope.tmp.write('costs.csv', `${HEAD}2026-01-05,Bot,k1,api,1.00\n2026-01-06,Bot,k1,api,4.25\n2026-01-07,Bot,k1,api,2.00\n`);
    expect((await runCli('import', early, '--db', db)).code).toBe(0);

    const r = await runCli('import', later, '--db', db, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 3, imported: 1, duplicates: 2 });
    // only the row whose amount differs is said: the identical day is a plain duplicate
    expect(r.stderr).toBe(`${later}:3: already in the ledger with $3.10, this export says $4.25 (a day exported before it ended?) — kept $3.10\n`);

    const ledger = scope.open('ledger.sqlite');
    const again = await importFile(ledger, later);
    expect(again.differingDuplicates).toEqual({ count: 1, rows: [{ line: 3, storedMicros: 3_100_000, fileMicros: 4_250_000 }] });
    expect(ledger.summary()).toMatchObject({ events: 72 });
  });
});
