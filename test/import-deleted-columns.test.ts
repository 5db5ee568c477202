/**
 * A copy of the consumption export with columns deleted in a spreadsheet (or trimmed to the useful
 * ones) holds the same lines: importing it beside the export must add nothing, in either order,
 * while two whole exports still tell their lines apart by content (ledger/migrations/007).
 */
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { openLedger, migrate } from '../src/ledger/ledger.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import { LATEST_VERSION } from '../src/ledger/schema.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { apiStepLine, CONSUMPTION_HEADER, dustWorkspace } from './support/dust-exports.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const ws = dustWorkspace({ seed: 29, days: 10, start: Date.UTC(2026, 8, 1) });

/** The export without these columns (its cells hold no comma or quote). */
function without(text: string, columns: readonly string[]): string {
  const rows = text.trimEnd().split('\n').map((r) => r.split(','));
  const keep = rows[0]!.map((c, i) => (columns.includes(c) ? -1 : i)).filter((i) => i !== -1);
  return `${rows.map((r) => keep.map((i) => r[i]).join(',')).join('\n')}\n`;
}

/** Only these columns, in this order. */
function only(text: string, columns: readonly string[]): string {
  const header = text.slice(0, text.indexOf('\n')).split(',');
  return without(text, header.filter((c) => !columns.includes(c)));
}

const TRIMMED = ['completedAt', 'agentMessageId', 'agentName', 'userId', 'contextOrigin', 'apiKeyName', 'totalCredits'];

function messages(l: Ledger): [string | null, number][] {
  return eventsOf(l)
    .map((e): [string | null, number] => [e.id, e.cost])
    .sort(([a], [b]) => ((a ?? '') < (b ?? '') ? -1 : 1));
}

function spend(l: Ledger): number {
  return eventsOf(l).reduce((a, e) => a + e.cost, 0);
}

describe('the consumption export with columns deleted', () => {
  it('a copy without executionTimeMs adds nothing after the export, nor the export after the copy', async () => {
    const full = scope.tmp.write('full.csv', ws.consumption);
    const copy = scope.tmp.write('copy.csv', without(ws.consumption, ['executionTimeMs']));
    expect(await importFile(ledger, full)).toMatchObject({ imported: ws.lines, duplicates: 0 });
    const truth = messages(ledger);
    expect(await previewImport(ledger, copy)).toMatchObject({ imported: 0, duplicates: ws.lines });
    expect(await importFile(ledger, copy)).toMatchObject({ rows: ws.lines, imported: 0, duplicates: ws.lines });
    expect(messages(ledger)).toEqual(truth);

    const other = scope.open('other.sqlite');
    expect(await importFile(other, copy)).toMatchObject({ imported: ws.lines });
    expect(await importFile(other, full)).toMatchObject({ imported: 0, duplicates: ws.lines });
    expect(messages(other)).toEqual(truth);
  });

  it('an export trimmed to the columns the import needs is the same lines too, and undo still removes exactly its batch', async () => {
    const full = scope.tmp.write('full.csv', ws.consumption);
    const trimmed = scope.tmp.write('trimmed.csv', only(ws.consumption, TRIMMED));
    const whole = (await importFile(ledger, full)).batch!;
    const total = spend(ledger);
    const t = await importFile(ledger, trimmed);
    expect(t).toMatchObject({ imported: 0, duplicates: ws.lines });
    expect(spend(ledger)).toBe(total);
    // the copy added nothing, so undoing it changes nothing; undoing the export leaves nothing
    ledger.undoBatch(t.batch!);
    expect(spend(ledger)).toBe(total);
    ledger.undoBatch(whole);
    expect(eventsOf(ledger)).toEqual([]);
    expect(ledger.db.prepare('SELECT count(*) FROM event_lines').pluck().get()).toBe(0);
    // then the trimmed copy is new, and the export after it adds nothing
    expect(await importFile(ledger, trimmed)).toMatchObject({ imported: ws.lines });
    expect(await importFile(ledger, full)).toMatchObject({ imported: 0, duplicates: ws.lines });
    expect(spend(ledger)).toBe(total);
  });
});

describe('a message cut by one export and completed by a copy with a column deleted', () => {
  const step = (msg: string, s: number, credits: number): string => apiStepLine(msg, s, credits, { executionTimeMs: String(1000 + s) });
  const file = (name: string, lines: string[]): string => scope.tmp.write(name, `${CONSUMPTION_HEADER}\n${lines.join('\n')}\n`);

  it('adds only the lines the ledger lacks, two of them of one amount', async () => {
    await importFile(ledger, file('first.csv', [step('m0', 0, 5), step('m1', 0, 10), step('m1', 1, 20)]));
    const second = without(`${CONSUMPTION_HEADER}\n${[step('m1', 0, 10), step('m1', 1, 20), step('m1', 2, 20), step('m2', 0, 7)].join('\n')}\n`, ['executionTimeMs']);
    const r = await importFile(ledger, scope.tmp.write('second.csv', second));
    expect(r).toMatchObject({ rows: 4, imported: 2, duplicates: 2 });
    expect(r.completedMessages).toEqual({ messages: 1, lines: 1 });
    expect(messages(ledger)).toEqual([
      ['dust-msg:m0', 50_000],
      ['dust-msg:m1', 500_000],
      ['dust-msg:m2', 70_000],
    ]);
  });

  it('between whole exports the content decides: a line of the same amount as one already recorded is still new', async () => {
    // exports cut at a time that falls inside m1: its step 1 costs what its step 0 did
    await importFile(ledger, file('first.csv', [step('m1', 0, 10)]));
    expect(await importFile(ledger, file('second.csv', [step('m1', 1, 10), step('m1', 2, 40)]))).toMatchObject({ imported: 2, duplicates: 0 });
    expect(messages(ledger)).toEqual([['dust-msg:m1', 600_000]]);
  });

  it('two exports of an export version without some documented columns are whole exports too: their lines of one amount stay apart', async () => {
    // an older export without the skill columns, cut inside m1 twice: steps 0-1, then 1-2, all of 5 credits
    const older = (name: string, steps: number[]): string =>
      scope.tmp.write(name, without(`${CONSUMPTION_HEADER}\n${steps.map((s) => step('m1', s, 5)).join('\n')}\n`, ['attributedSkillIds', 'attributedSkillNames']));
    await importFile(ledger, older('x.csv', [0, 1]));
    expect(await importFile(ledger, older('y.csv', [1, 2]))).toMatchObject({ imported: 1, duplicates: 1 });
    expect(messages(ledger)).toEqual([['dust-msg:m1', 150_000]]);
  });
});

describe('a ledger whose lines were recorded before version 7', () => {
  it('migrates, and the same export imported again is every line a duplicate', async () => {
    const full = scope.tmp.write('full.csv', ws.consumption);
    // the lines as version 6 recorded them: content and occurrence, no amount
    const src = openLedger(scope.tmp.path('src.sqlite'));
    await importFile(src, full);
    const truth = messages(src);
    src.close();
    const path = scope.tmp.path('v6.sqlite');
    const db = new Database(path);
    migrate(db, 0, 6);
    db.exec(`ATTACH '${scope.tmp.path('src.sqlite')}' AS src`);
    const tables = db.prepare("SELECT name FROM main.sqlite_schema WHERE type = 'table'").pluck().all() as string[];
    for (const t of tables) {
      const columns = (db.prepare(`SELECT name FROM pragma_table_info('${t}')`).pluck().all() as string[]).join(', ');
      db.exec(`INSERT INTO main.${t}(${columns}) SELECT ${columns} FROM src.${t}`);
    }
    db.exec('DETACH src');
    db.close();

    const old = openLedger(path);
    expect(old.version).toBe(LATEST_VERSION);
    expect(old.db.prepare('SELECT count(*) FROM event_lines WHERE amount IS NULL').pluck().get()).toBe(ws.lines);
    expect(await importFile(old, full)).toMatchObject({ imported: 0, duplicates: ws.lines });
    expect(messages(old)).toEqual(truth);
    old.close();
  });
});
