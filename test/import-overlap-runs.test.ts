/**
 * A scope-day whose spend the cost export gives (the consumption lines add up to less: an export
 * cut before the day ended, or a systematic difference such as rounding or a markup) still has
 * the consumption export's runs and requests: the cost export's rows are a day's spend, not runs,
 * so they replace the day's spend and nothing else. Before, every consumption event of such a
 * scope-day was held: a programmatic trigger's 60 runs read as 24 runs of "<agent> (no key)" and
 * its trigger limit was never reached.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { importFile } from '../src/import/importer.ts';
import { readEventPages } from '../src/ledger/event-pages.ts';
import { migrate, openLedger } from '../src/ledger/ledger.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { CONSUMPTION_HEADER, consumptionLine } from './support/dust-exports.ts';
import { runCli } from './support/run-cli.ts';

const scope = ledgerScope();

const MINUTE = 60_000;
const DAY0 = Date.UTC(2026, 9, 1);

/** 60 runs of the programmatic trigger t_prog (agent Reviewer, no key) on 2026-10-01, every 20 minutes, 50 credits ($0.50) each: $30.00. */
function runsExport(): string {
  const lines = Array.from({ length: 60 }, (_, i) =>
    consumptionLine({
      completedAt: new Date(DAY0 + i * 20 * MINUTE).toISOString(),
      agentMessageId: `m${i}`,
      agentName: 'Reviewer',
      userId: 'u1',
      triggerId: 't_prog',
      contextOrigin: 'triggered_programmatic',
      apiKeyName: 'N/A',
      totalCredits: '50.00',
      usageType: 'programmatic',
      stepIndex: '0',
    }),
  );
  return `${CONSUMPTION_HEADER}\n${lines.join('\n')}\n`;
}

/** The cost export's row for that day: $31.00, a dollar more than the consumption lines. */
const COST = 'date,agent_name,api_key,source,total_spend_usd\n2026-10-01,Reviewer,N/A,trigger,31.00\n';
const PLAN = JSON.stringify({ version: 1, workspace: { seats: 3 }, triggers: [{ id: 't_prog', kind: 'webhook', mode: 'programmatic' }], enforcement: { profile: 'platform' } });

interface Files {
  consumption: string;
  cost: string;
  plan: string;
  db: string;
}

function files(): Files {
  return {
    consumption: scope.tmp.write('consumption.csv', runsExport()),
    cost: scope.tmp.write('cost.csv', COST),
    plan: scope.tmp.write('plan.json', PLAN),
    db: scope.tmp.path('ledger.sqlite'),
  };
}

/** What `simulate --db --json` says of t_prog and of the agent's spend without a key. */
async function simulated(f: Files): Promise<{ runs: number; dropped: number; noKeyRuns: number }> {
  const r = await runCli('simulate', f.plan, '--db', f.db, '--json');
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as { triggers: { id: string; arrivals: number; dropped: number }[] };
  const t = report.triggers.find((x) => x.id === 't_prog');
  const noKey = report.triggers.find((x) => x.id === 'no-key:Reviewer');
  return { runs: t?.arrivals ?? 0, dropped: t?.dropped ?? 0, noKeyRuns: noKey?.arrivals ?? 0 };
}

/** Every event, counted and held, as stored (an import that adds nothing still records its batch). */
function stored(l: Ledger): unknown {
  const q = (t: string) => l.db.prepare(`SELECT time, seq, type, subject, cost, share, ident FROM ${t} ORDER BY time, seq`).raw().all();
  return { events: q('events'), held: q('events_held') };
}

/** The counted events: runs per subject and the spend, in µUSD. */
function counted(l: Ledger): { runs: Record<string, number>; micros: number } {
  const runs: Record<string, number> = {};
  let micros = 0;
  for (const e of eventsOf(l)) {
    runs[e.subject] = (runs[e.subject] ?? 0) + 1;
    micros += e.cost;
  }
  return { runs, micros };
}

describe('the cost export gives a scope-day’s spend; the consumption export still gives its runs', () => {
  it.each([
    ['consumption first', ['consumption', 'cost'] as const],
    ['cost first', ['cost', 'consumption'] as const],
  ])('60 runs of a programmatic trigger meet its 42 per 24 h, and the day counts $31.00 once (%s)', async (_, order) => {
    const f = files();
    for (const which of order) expect((await runCli('import', f[which], '--db', f.db)).code).toBe(0);
    // the platform profile: 42 a 24 h for programmatic triggers too (SPEC §9 rule 2)
    expect(await simulated(f)).toEqual({ runs: 60, dropped: 18, noKeyRuns: 0 });
    const l = openLedger(f.db);
    try {
      // the day's spend is the cost export's, once: not its $31 beside the runs' $30
      expect(counted(l)).toEqual({ runs: { t_prog: 60 }, micros: 31_000_000 });
      // each run carries its part of the day's spend in proportion to its own ($0.50 of $30)
      expect(new Set(eventsOf(l).map((e) => e.cost))).toEqual(new Set([516_666, 516_667]));
    } finally {
      l.close();
    }
  });

  it('the import says what happened: the spend from the cost export, every run still counted', async () => {
    const f = files();
    await runCli('import', f.consumption, '--db', f.db);
    const r = await runCli('import', f.cost, '--db', f.db);
    expect(r.stdout).toContain("1 the cost export's spend for the day (the consumption lines add up to less)");
    expect(r.stdout).toContain(
      "runs and requests: the consumption export's all still count, at their own times; on the 1 key-day whose spend the cost export gives, its total is shared over that day's runs and requests in proportion to their own cost",
    );
    expect(r.stdout).toContain('disagree: 2026-10-01 Reviewer (no key): cost export $31.00, consumption $30.00 (spend counted: the cost export)');
  });

  it('re-importing either file adds nothing and changes nothing', async () => {
    const f = files();
    const l = scope.open('again.sqlite');
    await importFile(l, f.consumption);
    await importFile(l, f.cost);
    const before = stored(l);
    expect((await importFile(l, f.cost)).imported).toBe(0);
    expect((await importFile(l, f.consumption)).imported).toBe(0);
    expect(stored(l)).toEqual(before);
    expect(counted(l)).toEqual({ runs: { t_prog: 60 }, micros: 31_000_000 });
  });

  it('undoing the cost export gives the runs their own spend back; undoing the consumption export counts the cost rows again', async () => {
    const f = files();
    const l = scope.open('undo.sqlite');
    const cons = (await importFile(l, f.consumption)).batch!;
    const cost = (await importFile(l, f.cost)).batch!;
    expect(counted(l)).toEqual({ runs: { t_prog: 60 }, micros: 31_000_000 });

    l.undoBatch(cost);
    expect(counted(l)).toEqual({ runs: { t_prog: 60 }, micros: 30_000_000 });
    expect(eventsOf(l).every((e) => e.cost === 500_000)).toBe(true);
    expect(l.db.prepare('SELECT count(*) FROM events_held').pluck().get()).toBe(0);

    // the cost export again, then the consumption export undone: the cost rows' 24 hourly events count
    await importFile(l, f.cost);
    expect(counted(l)).toEqual({ runs: { t_prog: 60 }, micros: 31_000_000 });
    l.undoBatch(cons);
    expect(counted(l)).toEqual({ runs: { 'no-key:Reviewer': 24 }, micros: 31_000_000 });
    expect(l.db.prepare('SELECT count(*) FROM events_held').pluck().get()).toBe(0);

    // and the consumption export again: back to the runs carrying the cost export's $31.00
    await importFile(l, f.consumption);
    expect(counted(l)).toEqual({ runs: { t_prog: 60 }, micros: 31_000_000 });
  });

  it('an API key keeps its requests, and people their messages, on a day whose spend the cost export gives', async () => {
    const at = (i: number) => new Date(DAY0 + 9 * 3_600_000 + i * 7 * MINUTE).toISOString();
    const requests = Array.from({ length: 10 }, (_, i) =>
      consumptionLine({ completedAt: at(i), agentMessageId: `r${i}`, agentName: 'Bot', contextOrigin: 'api', apiKeyName: 'key-a', totalCredits: '50.00', usageType: 'programmatic', stepIndex: '0' }),
    );
    const messages = Array.from({ length: 4 }, (_, i) =>
      consumptionLine({ completedAt: at(i), agentMessageId: `p${i}`, agentName: 'Bot', userId: 'ann', userName: 'Ann', contextOrigin: 'web', totalCredits: '5.00', stepIndex: '0' }),
    );
    const l = scope.open('key.sqlite');
    await importFile(l, scope.tmp.write('cost-key.csv', 'date,agent_name,api_key,source,total_spend_usd\n2026-10-01,Bot,key-a,api,6.50\n'));
    const r = await importFile(l, scope.tmp.write('consumption-key.csv', `${CONSUMPTION_HEADER}\n${[...requests, ...messages].join('\n')}\n`));
    expect(r.overlap).toMatchObject({ scopeDays: 1, countedCost: 1 });
    const events = eventsOf(l);
    expect(events.filter((e) => e.type === 'api').map((e) => e.subject)).toEqual(Array.from({ length: 10 }, () => 'key-a'));
    expect(events.filter((e) => e.type === 'api').reduce((s, e) => s + e.cost, 0)).toBe(6_500_000);
    expect(events.filter((e) => e.type === 'message').length).toBe(4);
  });

  it('a ledger an older version left with such a day held is converted when it is opened', async () => {
    // made by today's import, then put back as version 7 held it: the consumption events held,
    // the cost rows' events counted, no share column
    const f = files();
    const now = scope.open('now.sqlite');
    await importFile(now, f.consumption);
    await importFile(now, f.cost);
    now.close();
    const oldPath = scope.tmp.path('v7.sqlite');
    const old = new Database(oldPath);
    migrate(old, 0, 7);
    old.exec(`ATTACH DATABASE '${scope.tmp.path('now.sqlite')}' AS now`);
    for (const t of ['subjects', 'batches', 'spend_subjects', 'entities', 'event_lines']) old.exec(`INSERT INTO main.${t} SELECT * FROM now.${t}`);
    const cols = 'time, seq, type, subject, cost - share, ident, occ';
    old.exec(`INSERT INTO main.events SELECT ${cols} FROM now.events_held`);
    old.exec(`INSERT INTO main.events_held SELECT ${cols} FROM now.events`);
    old.exec(`INSERT INTO main.spend_days SELECT batch, source, scope, day, micros, rows, CASE source WHEN 'cost' THEN 0 ELSE 1 END FROM now.spend_days`);
    old.exec('DETACH DATABASE now');
    old.close();

    const l = scope.open('v7.sqlite');
    expect(counted(l)).toEqual({ runs: { t_prog: 60 }, micros: 31_000_000 });
    expect(l.db.prepare('SELECT count(*), sum(cost) FROM events_held').raw().get()).toEqual([24, 31_000_000]);
    // settled as today's import leaves it: an undo of the cost export gives the runs their own spend
    l.undoBatch(l.listBatches().find((b) => b.format === 'dust-cost')!.id);
    expect(counted(l)).toEqual({ runs: { t_prog: 60 }, micros: 30_000_000 });
  });

  it('the page reader reads the rows written before version 8 (without `share`) beside those written since', async () => {
    const path = scope.tmp.path('mixed.sqlite');
    const db = new Database(path);
    migrate(db, 0, 7);
    db.exec(`INSERT INTO subjects(id, name) VALUES (1, 'k1');
      INSERT INTO batches(id, file_name, file_size, sha256, format, imported_at, rows, imported, duplicates, rejected, events, first_seq, last_seq)
        VALUES (1, 'old.csv', 10, 'ab', 'events', 1, 1, 1, 0, 0, 1, 1, 1);
      INSERT INTO events(time, seq, type, subject, cost, ident) VALUES (1767607200000, 1, 0, 1, 1500000, 'e1');`);
    db.close();
    const l = scope.open('mixed.sqlite');
    await importFile(l, scope.tmp.write('e.csv', 'timestamp,type,subject,cost_usd,id\n2026-01-05T11:00:00Z,api,k1,2.5,e2\n'));
    const names = ['', ...(l.db.prepare('SELECT name FROM subjects ORDER BY id').pluck().all() as string[])];
    const read = readEventPages(l.db, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, true, 16, names);
    expect(read).not.toBeNull();
    expect(Array.from(read!.cost.subarray(0, read!.count))).toEqual([1_500_000, 2_500_000]);
  });
});
