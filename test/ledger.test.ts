import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { idList } from '../src/engine/events.ts';
import { migrate, openLedger } from '../src/ledger/ledger.ts';
import { LATEST_VERSION, MIGRATIONS } from '../src/ledger/schema.ts';
import { contentIdentity } from '../src/import/canonical.ts';
import { runImport } from '../src/cli/commands/import.ts';
import { InputError } from '../src/errors.ts';
import { runSimulate } from '../src/cli/commands/simulate.ts';
import { writeWorkspace } from '../src/demo/write.ts';
import { eventsOf, snapshot, tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';
import { importFile } from '../src/import/importer.ts';

let tmp: TempDir;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  tmp.remove();
});

const ROOT = join(import.meta.dirname, '..');

describe('the ledger file', () => {
  it('is created at the latest version, in WAL mode', () => {
    const ledger = openLedger(tmp.path('l.sqlite'));
    expect(ledger.version).toBe(LATEST_VERSION);
    expect(ledger.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
    ledger.close();
  });

  it.each(MIGRATIONS.map((m) => m.version).filter((v) => v < LATEST_VERSION))('migrates a version %i ledger with its data intact', async (version) => {
    const path = tmp.path('old.sqlite');
    const db = new Database(path);
    migrate(db, 0, version);
    expect(db.pragma('user_version', { simple: true })).toBe(version);
    // data as that version stored it
    db.exec(`INSERT INTO subjects(id, name) VALUES (1, 'k1'), (2, 'u1');
      INSERT INTO batches(id, file_name, file_size, sha256, format, imported_at, rows, imported, duplicates, rejected, events, first_seq, last_seq)
        VALUES (1, 'old.csv', 10, 'ab', 'events', 1, 2, 2, 0, 0, 2, 1, 2);
      INSERT INTO events(time, seq, type, subject, cost, ident) VALUES (1767607200000, 1, 0, 1, 1500000, 'e1'), (1767607200000, 2, 2, 2, 0, 'e2');`);
    if (version >= 2) db.exec(`INSERT INTO mappings(shape, header, mapping, saved_at) VALUES ('s', '[]', '{"time":"a"}', 1)`);
    db.close();

    const ledger = openLedger(path);
    expect(ledger.version).toBe(LATEST_VERSION);
    expect(eventsOf(ledger)).toEqual([
      { time: '2026-01-05T10:00:00.000Z', type: 'api', subject: 'k1', cost: 1_500_000, id: 'e1' },
      { time: '2026-01-05T10:00:00.000Z', type: 'message', subject: 'u1', cost: 0, id: 'e2' },
    ]);
    expect(ledger.listBatches()).toMatchObject([{ id: 1, fileName: 'old.csv', rows: 2 }]);
    if (version >= 2) expect(ledger.getMapping('s')).toEqual({ time: 'a' });
    // and works on: new imports continue after the old seqs, plans can be saved
    const r = await importFile(ledger, tmp.write('new.csv', 'id,timestamp,type,subject,cost_usd\ne2,2026-01-05T10:00:00Z,message,u1,\ne3,2026-01-05T10:00:00Z,api,k1,1\n'));
    expect(r).toMatchObject({ imported: 1, duplicates: 1 });
    expect(eventsOf(ledger).map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
    ledger.savePlan('base', { version: 1 });
    expect(ledger.listPlans().map((p) => p.name)).toEqual(['base']);
    ledger.close();
  });

  it('refuses a ledger written by a newer app with a clear message, and leaves it alone', () => {
    const path = tmp.path('new.sqlite');
    openLedger(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const before = readFileSync(path);
    expect(() => openLedger(path)).toThrow(`written by a newer version of Headroom (ledger version ${LATEST_VERSION + 1}; this app reads up to ${LATEST_VERSION})`);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('says the ledger is busy, not an internal error, when another process holds it too long', () => {
    const path = tmp.path('held.sqlite');
    const other = new Database(path); // a new file: opening it must create the schema
    other.exec('BEGIN EXCLUSIVE');
    try {
      let thrown: unknown = null;
      try {
        openLedger(path, { busyTimeoutMs: 50 }).close();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(InputError);
      expect(String(thrown)).toMatch(/the ledger is busy \(another process is writing to it\); try again/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    openLedger(path).close(); // and once it is free, it opens
  });

  it('refuses a file that is not a ledger', () => {
    const path = tmp.write('notes.sqlite', 'just some text, not SQLite at all'.repeat(10));
    expect(() => openLedger(path)).toThrow(/is not a Headroom ledger/);
    expect(() => openLedger(tmp.path('missing.sqlite'), { readonly: true })).toThrow(/no such ledger/);
  });

  it('reads events in (time, insertion) order within [from, to), with ledger identities', async () => {
    const ledger = openLedger(tmp.path('l.sqlite'));
    await importFile(ledger, tmp.write('a.csv', 'timestamp,type,subject,cost_usd,id\n2026-01-03T00:00:00Z,api,k,1,c\n2026-01-01T00:00:00Z,api,k,1,a\n2026-01-02T00:00:00Z,message,u,,b1\n2026-01-02T00:00:00Z,api,k,1,b2\n'));
    expect(eventsOf(ledger).map((e) => e.id)).toEqual(['a', 'b1', 'b2', 'c']);
    const e = ledger.readEvents({ from: Date.parse('2026-01-02T00:00:00Z'), to: Date.parse('2026-01-03T00:00:00Z') });
    expect(idList(e.ids)).toEqual(['b1', 'b2']);
    expect(e.subjects).toEqual(['u', 'k']);
    expect(Array.from(e.subject)).toEqual([0, 1]);
    expect(ledger.summary()).toEqual({
      events: 4,
      from: Date.parse('2026-01-01T00:00:00Z'),
      to: Date.parse('2026-01-03T00:00:00Z'),
      perType: { api: 3, trigger: 0, message: 1 },
      subjects: { api: 1, trigger: 0, message: 1 },
      batches: 1,
    });
    expect(ledger.seen().map((s) => [s.type, s.name, s.events, s.costMicros])).toEqual([
      ['api', 'k', 3, 3_000_000],
      ['message', 'u', 1, 0],
    ]);
    ledger.close();
  });

  describe('reads whatever the ledger holds exactly as stored', () => {
    // rows written straight into the tables, as an older app or a hand edit could leave them
    const T = Date.parse('2026-01-05T10:00:00Z');
    type Row = [time: number, type: number, subject: number, cost: number, ident: string | null, occ?: number | null];
    const read = (rows: Row[], range: { from?: number; to?: number; withIds?: boolean } = {}) => {
      const ledger = openLedger(tmp.path(`l${Math.random()}.sqlite`));
      ledger.db.exec(`INSERT INTO subjects(id, name) VALUES (1, 'k1'), (2, 'u1'), (3, 't1'), (40, 'k40')`);
      const insert = ledger.db.prepare('INSERT INTO events(time, seq, type, subject, cost, ident, occ) VALUES (?, ?, ?, ?, ?, ?, ?)');
      rows.forEach((r, seq) => insert.run(r[0], rows.length - seq, r[1], r[2], r[3], r[4], r[5] ?? null));
      const e = ledger.readEvents(range);
      // the page reader and SQL read the same events, or the page reader leaves them to SQL
      const viaSql = ledger.readEvents({ ...range, pages: false });
      expect({ ...e, ids: idList(e.ids) }).toEqual({ ...viaSql, ids: idList(viaSql.ids) });
      ledger.close();
      return {
        events: Array.from({ length: e.count }, (_, i) => [e.time[i], e.type[i], e.subjects[e.subject[i]!], e.cost[i], e.ids === null ? 'none' : e.ids.at(i)]),
        subjects: e.subjects,
      };
    };
    // seq counts down: ties in time come out in seq order, the reverse of the list
    const rows: Row[] = [
      [T + 5, 0, 40, 1_500_000, 'é✓ x'],
      [T, 2, 2, 0, 'b'],
      [T, 1, 3, 0, 'a'],
      [T + 9, 0, 1, 7, 'e4'],
    ];

    it('in time order, subjects numbered by first appearance, identities packed or not', () => {
      const expected = [
        [T, 1, 't1', 0, 'a'],
        [T, 2, 'u1', 0, 'b'],
        [T + 5, 0, 'k40', 1_500_000, 'é✓ x'],
        [T + 9, 0, 'k1', 7, 'e4'],
      ];
      expect(read(rows)).toEqual({ events: expected, subjects: ['t1', 'u1', 'k40', 'k1'] });
      expect(read(rows, { withIds: false }).events).toEqual(expected.map((e) => [...e.slice(0, 4), 'none']));
      expect(read(rows, { from: T + 0.5, to: T + 9 }).events).toEqual([expected[2]]);
      // generated identities (e1, e2, …) cost nothing to hold, and still read back
      const generated = read(Array.from({ length: 300 }, (_, i): Row => [T + 300 - i, 0, 1, i, `e${300 - i}`]));
      expect(generated.events.map((e) => e[4])).toEqual(Array.from({ length: 300 }, (_, i) => `e${i + 1}`));
      // enough rows for a B-tree three levels deep (rows sit in its interior pages too), any range
      const many = Array.from({ length: 30_000 }, (_, i): Row => [T + ((i * 7919) % 20_000), i % 3, 1 + (i % 3), i * 1001, `id-${i}`]);
      const all = read(many);
      expect(all.events).toHaveLength(30_000);
      expect(all.events.map((e) => e[0])).toEqual(many.map((r) => r[0]).sort((a, b) => a - b));
      const inRange = many.map((r) => r[0]).filter((t) => t >= T + 5000 && t < T + 5003);
      expect(inRange.length).toBeGreaterThan(2);
      expect(read(many, { from: T + 5000, to: T + 5003 }).events.map((e) => e[0])).toEqual(inRange.sort((a, b) => a - b));
    });

    it('with an identity holding a newline, a long one, or an empty one', () => {
      expect(read([...rows, [T + 9, 0, 1, 7, 'two\nlines']]).events.map((e) => e[4])).toEqual(['a', 'b', 'é✓ x', 'two\nlines', 'e4']);
      // longer than a page holds: the record spills to overflow pages
      const long = 'x'.repeat(5000);
      expect(read([...rows, [T + 7, 0, 1, 7, long]]).events.map((e) => e[4])).toEqual(['a', 'b', 'é✓ x', long, 'e4']);
      expect(read([[T, 0, 1, 7, ''], [T + 1, 0, 1, 7, 'x']]).events.map((e) => e[4])).toEqual(['', 'x']);
    });

    it('rows without an id as their content identity, beside ids, in the pages and through SQL alike', () => {
      const k1 = (t: number, cost: number, occ: number) => contentIdentity(t, 0, 'k1', cost, occ);
      expect(read([[T, 0, 1, 7, null, 1], [T, 0, 1, 7, null, 2], [T + 1, 0, 1, 7, 'x'], [T + 2, 0, 1, 2 ** 40, null, 12]]).events.map((e) => e[4])).toEqual([
        `${k1(T, 7, 2)}`,
        k1(T, 7, 1),
        'x',
        k1(T + 2, 2 ** 40, 12),
      ]);
      expect(k1(T, 7, 2)).toBe(`${k1(T, 7, 1)}.2`);
      // a subject missing from the subjects (a hand edit) hashes as the name it reads as
      expect(read([[T, 0, 99, 5, null, 1]]).events).toEqual([[T, 0, '#99', 5, contentIdentity(T, 0, '#99', 5, 1)]]);
      // many rows: the packed ids hold the made identities
      const many = Array.from({ length: 5000 }, (_, i): Row => [T + i, i % 3, 1 + (i % 3), i, i % 5 === 0 ? `id-${i}` : null, i % 5 === 0 ? null : 1 + (i % 4)]);
      expect(read(many).events.map((e) => e[4])).toEqual(many.map((r) => r[4] ?? contentIdentity(r[0], r[1], ['k1', 'u1', 't1'][(r[0] - T) % 3]!, r[3], r[5]!)));
    });

    it('with a cost too large to pack, a subject missing from the subjects, an unknown type', () => {
      const big = 2 ** 52 + 2;
      expect(read([[T, 0, 1, big, 'a'], [T + 1, 3, 2, 5, 'b'], [T + 2, 0, 99, 1, 'c'], [T + 3, 0, 99, 2, 'd']]).events).toEqual([
        [T, 0, 'k1', big, 'a'],
        [T + 1, 3, 'u1', 5, 'b'],
        [T + 2, 0, '#99', 1, 'c'],
        [T + 3, 0, '#99', 2, 'd'],
      ]);
      expect(read([[T, 0, 1000, 5, 'a'], [T + 1, 0, 40, 2 ** 40, 'b']]).events).toEqual([
        [T, 0, '#1000', 5, 'a'],
        [T + 1, 0, 'k40', 2 ** 40, 'b'],
      ]);
    });
  });

  it('saves, lists, loads and deletes plans and scenarios', () => {
    const ledger = openLedger(tmp.path('l.sqlite'));
    const id = ledger.savePlan('Acme base', { version: 1, workspace: { seats: 10 } });
    ledger.savePlan('Acme base', { version: 1, workspace: { seats: 12 } });
    expect(ledger.listPlans()).toMatchObject([{ id, name: 'Acme base' }]);
    expect(ledger.loadPlan('Acme base')).toEqual({ version: 1, workspace: { seats: 12 } });
    expect(ledger.loadPlan(id)).toEqual({ version: 1, workspace: { seats: 12 } });
    ledger.saveScenario('double seats', { seats: 20 }, id);
    expect(ledger.listScenarios().map((s) => s.name)).toEqual(['double seats']);
    expect(ledger.loadScenario('double seats')).toEqual({ seats: 20 });
    expect(ledger.deletePlan(id)).toBe(true);
    expect(ledger.loadPlan(id)).toBeNull();
    expect(ledger.db.prepare('SELECT plan_id FROM scenarios').pluck().get()).toBeNull();
    ledger.close();
  });
});

describe('headroom import', () => {
  it('prints one SPEC §8 object per file with --json', async () => {
    const a = tmp.write('a.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n');
    const b = tmp.write('b.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n2026-01-05T11:00:00Z,api,k1,x\n');
    const out = await runImport([a, b], { db: tmp.path('l.sqlite'), json: true, skipBadRows: true });
    expect(out.exitCode).toBe(0);
    // exactly SPEC §8's keys, in its order; `file` as given on the command line
    expect(out.stdout.trim().split('\n')).toEqual([
      JSON.stringify({ file: a, format: 'events', batch: 1, rows: 1, imported: 1, duplicates: 0, rejected: 0, errors: [] }),
      JSON.stringify({ file: b, format: 'events', batch: 2, rows: 2, imported: 0, duplicates: 1, rejected: 1, errors: [{ line: 3, column: 'cost_usd', value: 'x', message: 'is not a number' }] }),
    ]);
  });

  it('exits 2 on a bad row, prints the reason, and leaves the ledger unchanged', () => {
    const db = tmp.path('l.sqlite');
    const ok = tmp.write('ok.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n');
    const bad = tmp.write('bad.csv', 'timestamp,type,subject,cost_usd\n2026-01-06T10:00:00Z,api,k1,1\n2026-01-06T11:00:00Z,api,k1,-1\n');
    const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/headroom.js'), 'import', ...args], { encoding: 'utf8', cwd: ROOT });
    expect(run(ok, '--db', db).status).toBe(0);
    const ledger = openLedger(db);
    const before = snapshot(ledger);
    ledger.close();
    const r = run(bad, '--db', db, '--json');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: bad, batch: null, imported: 0, rejected: 1, errors: [{ line: 3, column: 'cost_usd', value: '-1' }] });
    expect(r.stderr).toContain('bad.csv:3: cost_usd "-1" must be >= 0');
    const after = openLedger(db);
    expect(snapshot(after)).toEqual(before);
    after.close();
  });
});

describe('simulate --db', () => {
  function decisions(path: string): { row: number; id: string; outcome: string; admittedAt: string | null; delayMs: number | null; reason: string | null }[] {
    return readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ReturnType<typeof decisions>[number]);
  }

  it('decides exactly as simulate over the same CSV', async () => {
    const w = writeWorkspace(tmp.path('demo'), { seed: 7, days: 4, seats: 4 });
    const db = tmp.path('l.sqlite');
    const ledger = openLedger(db);
    await importFile(ledger, w.eventsPath);
    ledger.close();
    const csvOut = runSimulate(w.planPath, w.eventsPath, { decisions: tmp.path('csv.ndjson') });
    const dbOut = runSimulate(w.planPath, undefined, { db, decisions: tmp.path('db.ndjson') });
    const a = decisions(tmp.path('csv.ndjson'));
    const b = decisions(tmp.path('db.ndjson'));
    expect(a.length).toBeGreaterThan(100);
    expect(new Set(a.map((d) => d.outcome)).size).toBeGreaterThan(1); // the plan binds somewhere
    // the demo CSV is in time order: rows line up one to one
    expect(b).toEqual(a);
    expect(dbOut.report).toEqual(csvOut.report);
  });

  it('decides as simulate over a shuffled CSV, row = time order, id = ledger identity; --from/--to select', async () => {
    const w = writeWorkspace(tmp.path('demo'), { seed: 11, days: 3, seats: 3 });
    const lines = readFileSync(w.eventsPath, 'utf8').trim().split('\n');
    const header = lines[0]!;
    // content identities (no id column), shuffled deterministically
    const idCol = header.split(',').indexOf('id');
    const strip = (l: string) => (idCol === -1 ? l : l.split(',').filter((_, i) => i !== idCol).join(','));
    const body = lines.slice(1).map(strip);
    const shuffled = body.map((l, i) => ({ l, k: (i * 2654435761) % 4294967291 })).sort((x, y) => x.k - y.k).map((x) => x.l);
    const csv = tmp.write('shuffled.csv', `${strip(header)}\n${shuffled.join('\n')}\n`);
    const db = tmp.path('l.sqlite');
    const ledger = openLedger(db);
    await importFile(ledger, csv);
    const ev = ledger.readEvents();
    ledger.close();
    runSimulate(w.planPath, csv, { decisions: tmp.path('csv.ndjson') });
    runSimulate(w.planPath, undefined, { db, decisions: tmp.path('db.ndjson') });
    const a = decisions(tmp.path('csv.ndjson'));
    const b = decisions(tmp.path('db.ndjson'));
    expect(b.map((d) => d.row)).toEqual(b.map((_, i) => i + 1));
    expect(b.map((d) => d.id)).toEqual(idList(ev.ids));
    // pair each CSV row with its ledger event: same time order, ties kept in file order
    const order = a.map((_, i) => i).sort((x, y) => {
      const tx = Date.parse(shuffled[x]!.split(',')[0]!);
      const ty = Date.parse(shuffled[y]!.split(',')[0]!);
      return tx - ty || x - y;
    });
    const strip2 = (d: ReturnType<typeof decisions>[number]) => [d.outcome, d.admittedAt, d.delayMs, d.reason];
    expect(order.map((i) => strip2(a[i]!))).toEqual(b.map(strip2));

    // a window of the ledger = the CSV rows in that window
    const from = ev.time[Math.floor(ev.count / 3)]!;
    const to = ev.time[Math.floor((2 * ev.count) / 3)]!;
    const inWindow = shuffled.filter((l) => {
      const t = Date.parse(l.split(',')[0]!);
      return t >= from && t < to;
    });
    const windowCsv = tmp.write('window.csv', `${strip(header)}\n${inWindow.join('\n')}\n`);
    const iso = (t: number) => new Date(t).toISOString();
    const c = runSimulate(w.planPath, windowCsv, {}).report;
    const d = runSimulate(w.planPath, undefined, { db, from: iso(from), to: iso(to) }).report;
    expect(JSON.stringify(d)).toBe(JSON.stringify(c));
  });

  it('refuses a missing ledger, both sources at once, and an empty range', async () => {
    const w = writeWorkspace(tmp.path('demo'), { seed: 1, days: 1, seats: 1 });
    expect(() => runSimulate(w.planPath, undefined, { db: tmp.path('none.sqlite') })).toThrow(/no such ledger/);
    const db = tmp.path('l.sqlite');
    const ledger = openLedger(db);
    await importFile(ledger, w.eventsPath);
    ledger.close();
    expect(() => runSimulate(w.planPath, w.eventsPath, { db })).toThrow(/either EVENTS.csv or --db/);
    expect(() => runSimulate(w.planPath, undefined, { db, from: '2000-01-01', to: '2000-01-02' })).toThrow(/holds no events in/);
  });
});

describe('two connections to one ledger', () => {
  it('imports through either, whichever added a subject first', async () => {
    const path = tmp.path('l.sqlite');
    const app = openLedger(path);
    const worker = openLedger(path);
    await importFile(app, tmp.write('a.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n'));
    await importFile(worker, tmp.write('b.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T11:00:00Z,api,k2,1\n'));
    // app's subject cache predates k2
    await importFile(app, tmp.write('c.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T12:00:00Z,api,k2,2\n'));
    expect(eventsOf(app).map((e) => [e.subject, e.cost])).toEqual([
      ['k1', 1_000_000],
      ['k2', 1_000_000],
      ['k2', 2_000_000],
    ]);
    worker.close();
    app.close();
  });
});
