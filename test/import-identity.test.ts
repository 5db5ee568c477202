import { LATEST_VERSION } from '../src/ledger/schema.ts';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { idList } from '../src/engine/events.ts';
import fc from 'fast-check';
import { ContentOccurrences, contentIdentity } from '../src/import/canonical.ts';
import { migrate } from '../src/ledger/ledger.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import { runSimulate } from '../src/cli/commands/simulate.ts';
import { eventsOf, snapshot, ledgerScope } from './fixtures/ledger-helpers.ts';
import { importFile, previewImport } from '../src/import/importer.ts';

/**
 * Rows without an id (SPEC §8): identified by their content and their occurrence among identical
 * rows of their file. The ledger stores the occurrence, not an identity string, yet shows and
 * dedupes them exactly as the ledgers that stored `~…` strings did.
 */
const scope = ledgerScope();
const open = (name: string): Ledger => scope.open(name);

const HEADER = 'timestamp,type,subject,cost_usd';
const T0 = Date.UTC(2026, 0, 5);

/** `rows` rows, every fourth one repeated (identical rows: occurrences 2 and 3), three types. */
function rowsWithRepeats(rows: number, first = 0): string[] {
  const out: string[] = [];
  for (let i = first; out.length < rows; i++) {
    const type = ['api', 'trigger', 'message'][i % 3];
    const line = `${T0 + Math.floor(i / 2) * 1000},${type},"k ${i % 7}",${type === 'message' ? '' : `0.${String(i % 97).padStart(3, '0')}`}`;
    for (let r = i % 4 === 0 ? 3 : 1; r > 0 && out.length < rows; r--) out.push(line);
  }
  return out;
}

const csv = (lines: string[], header = HEADER): string => `${header}\n${lines.join('\n')}\n`;

/**
 * Identities the importer stored before ledger version 4 (ContentIdentity.of of that version, run
 * once and written down here): the rows must show exactly these still.
 */
const STORED_BEFORE = [
  { line: '2026-01-01T00:00:00.000Z,api,k_mkt,1.5', time: 1767225600000, type: 0, subject: 'k_mkt', cost: 1_500_000, id: '~VOhqqeV-q7q12kOb' },
  { line: '2026-01-01T00:00:00.000Z,api,k_mkt,1.500000', time: 1767225600000, type: 0, subject: 'k_mkt', cost: 1_500_000, id: '~VOhqqeV-q7q12kOb.2' },
  { line: '2026-01-01T01:00:00.000+01:00,api,k_mkt,1.50', time: 1767225600000, type: 0, subject: 'k_mkt', cost: 1_500_000, id: '~VOhqqeV-q7q12kOb.3' },
  { line: '1767225600001,trigger,t_pr,', time: 1767225600001, type: 1, subject: 't_pr', cost: 0, id: '~VOhqqeV0i2Qp8ciZ' },
  // (a year-0001 row stood here; times before 1970 are now refused at import: time-range.ts)
  { line: '1970-01-01T00:00:00Z,message,"ü ser, ""quoted""",', time: 0, type: 2, subject: 'ü ser, "quoted"', cost: 0, id: '~V-------a5BLQDyI' },
] as const;

describe('rows without an id', () => {
  it.each([true, false])('imported again add nothing and all count as duplicates (parsed in a worker: %s)', async (parseInWorker) => {
    const file = scope.tmp.write('a.csv', csv(rowsWithRepeats(30_000)));
    const l = open('l.sqlite');
    const first = await importFile(l, file, { parseInWorker });
    expect(first).toMatchObject({ rows: 30_000, imported: 30_000, duplicates: 0, events: 30_000 });
    const before = snapshot(l);
    const again = await importFile(l, file, { parseInWorker });
    expect(again).toMatchObject({ rows: 30_000, imported: 0, duplicates: 30_000, events: 0 });
    const after = snapshot(l);
    expect(after.events).toBe(before.events);
    expect(after.batches).toBe(before.batches + 1);
    // nothing in the identity index: these rows have no identity string to index
    expect(l.db.prepare('SELECT count(*) FROM events WHERE ident IS NOT NULL').pluck().get()).toBe(0);
    expect(l.db.prepare('SELECT max(occ) FROM events').pluck().get()).toBe(3);
  });

  it('show the same identities whichever way the file was read', async () => {
    const file = scope.tmp.write('a.csv', csv(rowsWithRepeats(30_000)));
    const a = open('a.sqlite');
    const b = open('b.sqlite');
    await importFile(a, file, { parseInWorker: true });
    await importFile(b, file, { parseInWorker: false });
    const ids = idList(a.readEvents().ids)!;
    expect(idList(b.readEvents().ids)).toEqual(ids);
    expect(new Set(ids).size).toBe(30_000);
    expect(ids.filter((id) => id!.endsWith('.3'))).toHaveLength(ids.filter((id) => id!.endsWith('.2')).length);
  });

  it('from overlapping exports are imported once', async () => {
    const rows = rowsWithRepeats(3000);
    // the second export starts where a repeated row starts, so the overlap holds whole repeats
    const cut = rows.findIndex((line, i) => i >= 1000 && rows[i + 1] === line && rows[i - 1] !== line);
    const l = open('l.sqlite');
    await importFile(l, scope.tmp.write('first.csv', csv(rows.slice(0, 2000))));
    const r = await importFile(l, scope.tmp.write('second.csv', csv(rows.slice(cut))));
    expect(r).toMatchObject({ rows: 3000 - cut, imported: 1000, duplicates: 2000 - cut });
    expect(l.summary().events).toBe(3000);
    // the same ledger as one import of the whole
    const whole = open('whole.sqlite');
    await importFile(whole, scope.tmp.write('whole.csv', csv(rows)));
    const sorted = (x: Ledger) => eventsOf(x).map((e) => JSON.stringify(e)).sort();
    expect(sorted(l)).toEqual(sorted(whole));
  });

  it('identical within a file are distinct events; a file with more of them adds only the extra ones', async () => {
    const row = '2026-01-05T10:00:00Z,message,u1,';
    const l = open('l.sqlite');
    expect(await importFile(l, scope.tmp.write('two.csv', csv([row, row])))).toMatchObject({ rows: 2, imported: 2, duplicates: 0 });
    expect(await importFile(l, scope.tmp.write('three.csv', csv([row, row, row])))).toMatchObject({ rows: 3, imported: 1, duplicates: 2 });
    const id = contentIdentity(Date.parse('2026-01-05T10:00:00Z'), 2, 'u1', 0, 1);
    expect(eventsOf(l).map((e) => e.id)).toEqual([id, `${id}.2`, `${id}.3`]);
  });

  it('beside rows with an id in one file: each kind keeps its own identity', async () => {
    const header = 'id,timestamp,type,subject,cost_usd';
    const lines = [
      'e1,2026-01-05T10:00:00Z,api,k1,1',
      ',2026-01-05T10:00:00Z,api,k1,1', // the same content, no id: another event
      ',2026-01-05T10:00:00Z,api,k1,1',
      'e2,2026-01-05T11:00:00Z,api,k1,2',
      '"",2026-01-05T12:00:00Z,trigger,t1,',
    ];
    for (const parseInWorker of [true, false]) {
      const l = open(`mixed-${parseInWorker}.sqlite`);
      const file = scope.tmp.write('mixed.csv', csv(lines, header));
      expect(await importFile(l, file, { parseInWorker })).toMatchObject({ rows: 5, imported: 5, duplicates: 0 });
      const k1 = contentIdentity(Date.parse('2026-01-05T10:00:00Z'), 0, 'k1', 1_000_000, 1);
      expect(eventsOf(l).map((e) => e.id)).toEqual(['e1', k1, `${k1}.2`, 'e2', contentIdentity(Date.parse('2026-01-05T12:00:00Z'), 1, 't1', 0, 1)]);
      expect(await importFile(l, file, { parseInWorker })).toMatchObject({ rows: 5, imported: 0, duplicates: 5 });
      // the rows again, one id now given: a new identity, so a new event
      const r = await importFile(l, scope.tmp.write('more.csv', csv(['e3,2026-01-05T12:00:00Z,trigger,t1,', ',2026-01-05T11:00:00Z,api,k1,2'], header)));
      expect(r).toMatchObject({ rows: 2, imported: 2, duplicates: 0 });
    }
  });

  it('show in previews and in simulate --db decisions as the identities ledgers stored before', async () => {
    const db = scope.tmp.path('l.sqlite');
    const file = scope.tmp.write('golden.csv', csv(STORED_BEFORE.map((r) => r.line)));
    const l = open('l.sqlite');
    const preview = await previewImport(l, file);
    expect(preview.firstEvents.map((e) => e.id)).toEqual(STORED_BEFORE.map((r) => r.id));
    await importFile(l, file);
    l.close();
    const plan = scope.tmp.write('plan.json', '{"version": 1}');
    runSimulate(plan, undefined, { db, decisions: scope.tmp.path('d.ndjson') });
    const ids = readFileSync(scope.tmp.path('d.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    const inTimeOrder = [...STORED_BEFORE].sort((x, y) => x.time - y.time);
    expect(ids).toEqual(inTimeOrder.map((r) => r.id));
    expect(STORED_BEFORE.map((r, i) => contentIdentity(r.time, r.type, r.subject, r.cost, i < 3 ? i + 1 : 1))).toEqual(STORED_BEFORE.map((r) => r.id));
  });

  it('of an undone import go with it, and the file imports again', async () => {
    const l = open('l.sqlite');
    await importFile(l, scope.tmp.write('keep.csv', csv(['2026-01-01T00:00:00Z,api,k0,1'])));
    const file = scope.tmp.write('a.csv', csv(rowsWithRepeats(500)));
    const r = await importFile(l, file);
    expect(l.undoBatch(r.batch!)).toBe(500);
    expect(eventsOf(l).map((e) => e.subject)).toEqual(['k0']);
    expect(await importFile(l, file)).toMatchObject({ imported: 500, duplicates: 0 });
  });
});

describe('migration 4 (identity strings of rows without an id become occurrence numbers)', () => {
  /** a version 3 ledger holding what that version's importer wrote */
  function version3(path: string): void {
    const db = new Database(path);
    migrate(db, 0, 3);
    db.exec(`INSERT INTO subjects(id, name) VALUES (1, 'k_mkt'), (2, 't_pr'), (3, 'ü ser, "quoted"'), (4, 'k9');
      INSERT INTO batches(id, file_name, file_size, sha256, format, imported_at, rows, imported, duplicates, rejected, events, first_seq, last_seq)
        VALUES (1, 'old.csv', 10, 'ab', 'events', 1, 8, 8, 0, 0, 8, 1, 8), (2, 'cost.csv', 10, 'cd', 'dust-cost', 2, 1, 1, 0, 0, 1, 9, 9);`);
    const insert = db.prepare('INSERT INTO events(time, seq, type, subject, cost, ident) VALUES (?, ?, ?, ?, ?, ?)');
    STORED_BEFORE.forEach((r, i) => insert.run(r.time, i + 1, r.type, i < 3 ? 1 : i === 3 ? 2 : 3, r.cost, r.id));
    // ids of their own (an id column), `~` ones included: they stay as they are
    insert.run(T0, 6, 0, 1, 7, 'e1');
    insert.run(T0, 7, 0, 1, 7, '~AAAAAAAAAAAAAAAA');
    insert.run(1767225600000, 8, 0, 1, 1_500_000, '~VOhqqeV-q7q12kOb.1');
    insert.run(T0 + 3_600_000, 9, 0, 4, 5, 'dust-cost:2026-01-05|Bot|k9|api#1');
    db.close();
  }

  it('keeps every event and the identity it shows, and re-imports find them', async () => {
    const path = scope.tmp.path('old.sqlite');
    version3(path);
    const oldIds = (() => {
      const db = new Database(path, { readonly: true });
      const ids = db.prepare('SELECT ident FROM events ORDER BY time, seq').pluck().all();
      db.close();
      return ids;
    })();
    const l = open('old.sqlite');
    expect(l.version).toBe(LATEST_VERSION);
    expect(idList(l.readEvents().ids)).toEqual(oldIds);
    expect(idList(l.readEvents({ pages: false }).ids)).toEqual(oldIds);
    expect(l.db.prepare('SELECT seq, ident, occ FROM events ORDER BY seq').raw().all()).toEqual([
      [1, null, 1],
      [2, null, 2],
      [3, null, 3],
      [4, null, 1],
      [5, null, 1],
      [6, 'e1', null],
      [7, '~AAAAAAAAAAAAAAAA', null],
      [8, '~VOhqqeV-q7q12kOb.1', null],
      [9, 'dust-cost:2026-01-05|Bot|k9|api#1', null],
    ]);
    expect(l.db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'events_ident'").pluck().get()).toMatch(/WHERE ident IS NOT NULL$/);
    expect(l.db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');

    // the same rows again are duplicates; a fourth identical row is new
    const again = await importFile(l, scope.tmp.write('again.csv', csv([...STORED_BEFORE.map((r) => r.line), STORED_BEFORE[0].line])));
    expect(again).toMatchObject({ rows: 6, imported: 1, duplicates: 5 });
    expect(eventsOf(l).filter((e) => e.subject === 'k_mkt' && e.cost === 1_500_000).map((e) => e.id)).toEqual([...STORED_BEFORE.slice(0, 3).map((r) => r.id), '~VOhqqeV-q7q12kOb.1', '~VOhqqeV-q7q12kOb.4']);
    const ids = await importFile(l, scope.tmp.write('ids.csv', csv(['e1,2026-01-05T00:00:00Z,api,k_mkt,0.000007', '~AAAAAAAAAAAAAAAA,2026-01-05T00:00:00Z,api,k_mkt,0.000007'], 'id,timestamp,type,subject,cost_usd')));
    expect(ids).toMatchObject({ imported: 0, duplicates: 2 });
    // and undo still removes a migrated batch's events
    expect(l.undoBatch(1)).toBe(8);
    expect(l.summary().events).toBe(2);
  });
});

describe('ContentOccurrences', () => {
  /** the plain definition: how many rows with this content came so far, this one included */
  const naive = (rows: [number, number, string, number][]): number[] => {
    const seen = new Map<string, number>();
    return rows.map((r) => {
      const key = JSON.stringify(r);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      return n;
    });
  };
  const counted = (rows: [number, number, string, number][]): number[] => {
    const c = new ContentOccurrences();
    return rows.map((r) => c.next(...r));
  };

  it('counts repeats as the plain definition does, in time order or not, however crowded a millisecond', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom('k1', 'k2', 'ü'), fc.integer({ min: 0, max: 3 })), { maxLength: 300 }),
        fc.boolean(),
        (rows, sort) => {
          const input = sort ? [...rows].sort((x, y) => x[0] - y[0]) : rows;
          expect(counted(input)).toEqual(naive(input));
        },
      ),
      { numRuns: 300 },
    );
    // long runs in order, then one row out of order: the log becomes the table
    const rows: [number, number, string, number][] = [];
    for (let i = 0; i < 20_000; i++) rows.push([Math.floor(i / 3), i % 2, 'k', i % 5 === 0 ? 0 : i]);
    rows.push([5, 1, 'k', 0], [5, 1, 'k', 0], [30_000, 0, 'k', 1], [30_000, 0, 'k', 1]);
    // a millisecond crowded with distinct rows, then their repeats
    for (let r = 0; r < 2; r++) for (let i = 0; i < 100; i++) rows.push([40_000, 0, 'k', i]);
    expect(counted(rows)).toEqual(naive(rows));
  });
});

describe('the cost export: one row per day, agent, key and source', () => {
  const COST = 'date,agent_name,api_key,source,total_spend_usd';

  it('a row repeated in one file with another amount is refused with both lines, never one amount silently kept', async () => {
    const ledger = open('cost-twice.sqlite');
    const file = scope.tmp.write('twice.csv', `${COST}\n2026-09-01,Bot,key-a,api,1.00\n2026-09-02,Bot,key-a,api,3.00\n2026-09-01,Bot,key-a,api,2.50\n`);
    const before = snapshot(ledger);
    await expect(importFile(ledger, file)).rejects.toThrow(/twice\.csv:4: total_spend_usd "2\.50" repeats line 2's date, agent_name, api_key and source with another amount \(\$1\.00 there\)/);
    expect(snapshot(ledger)).toEqual(before);
    // with the bad rows skipped, the first row counts and the other is listed
    const r = await importFile(ledger, file, { skipBadRows: true });
    expect(r).toMatchObject({ rows: 3, imported: 2, duplicates: 0, rejected: 1, errors: [{ line: 4, column: 'total_spend_usd', value: '2.50' }] });
    expect(r.differingDuplicates).toBeUndefined();
  });

  it('the same row twice in one file (exports joined with a day in both) is a duplicate, counted once', async () => {
    const ledger = open('cost-joined.sqlite');
    const file = scope.tmp.write('joined.csv', `${COST}\n2026-09-01,'@Ops,key-a,api,1.00\n2026-09-01,@Ops,key-a,api,1.00\n`);
    expect(await importFile(ledger, file)).toMatchObject({ rows: 2, imported: 1, duplicates: 1, rejected: 0 });
    expect(eventsOf(ledger).reduce((a, e) => a + e.cost, 0)).toBe(1_000_000);
  });
});
