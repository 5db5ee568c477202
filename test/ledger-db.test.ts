import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openLedger, openLedgerForReading } from '../src/ledger/ledger.ts';
import type { ReadableLedger, WritableLedger } from '../src/ledger/ledger.ts';
import { LATEST_VERSION, MIGRATIONS } from '../src/ledger/schema.ts';
import { planWithLedgerEntities, readLedgerEvents } from '../src/ledger/read.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { importFile } from '../src/import/importer.ts';
import { InputError } from '../src/errors.ts';
import { tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';

let tmp: TempDir;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  tmp.remove();
});

const MIGRATIONS_DIR = join(import.meta.dirname, '../src/ledger/migrations');

function schemaOf(db: Database.Database): unknown {
  return db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name').all();
}

/** A ledger at `version` (0: an empty file), as that version of Headroom left it, with one event. */
function oldLedger(path: string, version: number): void {
  const db = new Database(path);
  migrate(db, 0, version);
  db.exec(`INSERT INTO subjects(id, name) VALUES (1, 'k1');
    INSERT INTO batches(id, file_name, file_size, sha256, format, imported_at, rows, imported, duplicates, rejected, events, first_seq, last_seq)
      VALUES (1, 'old.csv', 10, 'ab', 'events', 1, 1, 1, 0, 0, 1, 1, 1);
    INSERT INTO events(time, seq, type, subject, cost, ident) VALUES (1767607200000, 1, 0, 1, 1500000, 'e1');`);
  db.close();
}

describe('ledger/db.ts: opening, migrating and the handles', () => {
  it('creates the schema the previous releases created, byte for byte', () => {
    // test/fixtures/ledger-schema-v5.json: sqlite_schema of a new ledger made by the code before
    // the migrations moved into one file each
    // (migrated to that version: later versions add to it, as their frozen migrations say)
    const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/ledger-schema-v5.json'), 'utf8')) as { version: number; rows: unknown };
    const db = new Database(tmp.path('l.sqlite'));
    migrate(db, 0, expected.version);
    expect(db.pragma('user_version', { simple: true })).toBe(expected.version);
    expect(schemaOf(db)).toEqual(expected.rows);
    db.close();
  });

  it('one frozen file per migration, numbered as its version, importing nothing but the Migration type', () => {
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d{3}-.+\.ts$/.test(f))
      .sort();
    expect(files.map((f) => Number(f.slice(0, 3)))).toEqual(MIGRATIONS.map((m) => m.version));
    for (const f of files) {
      const imports = [...readFileSync(join(MIGRATIONS_DIR, f), 'utf8').matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
      // live code may change; what an old ledger becomes must not
      expect(imports, f).toEqual(['./migration.ts']);
    }
  });

  it('readers open read-only: a write through them is refused and the file stays as it was', async () => {
    const path = tmp.path('l.sqlite');
    const writer = openLedger(path);
    await importFile(writer, tmp.write('e.csv', 'timestamp,type,subject,cost_usd,id\n2026-01-05T10:00:00Z,api,k1,1.5,e1\n'));
    writer.close();
    const reader = openLedgerForReading(path);
    expect(reader.db.readonly).toBe(true);
    expect(reader.readonly).toBe(true);
    expect(reader.summary().events).toBe(1);
    expect(() => reader.savePlan('p', {})).toThrow(InputError);
    expect(() => reader.savePlan('p', {})).toThrow(`${path}: the ledger was opened read-only`);
    expect(() => reader.beginImport()).toThrow(/opened read-only/);
    reader.close();
    expect(openLedger(path).listPlans()).toEqual([]);
  });

  it('a reader upgrades a ledger an older Headroom wrote, then reads it read-only', () => {
    const path = tmp.path('old.sqlite');
    oldLedger(path, 3);
    const events = readLedgerEvents(path);
    expect(events.count).toBe(1);
    expect(events.ids === null ? null : [...events.ids]).toEqual(['e1']);
    const reader = openLedgerForReading(path);
    expect(reader.version).toBe(LATEST_VERSION);
    reader.close();
  });

  it('refuses a ledger a newer Headroom wrote, reading or writing, and leaves it as it was', () => {
    const path = tmp.path('new.sqlite');
    oldLedger(path, LATEST_VERSION);
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const message = `written by a newer version of Headroom (ledger version ${LATEST_VERSION + 1}; this app reads up to ${LATEST_VERSION})`;
    expect(() => openLedgerForReading(path)).toThrow(message);
    expect(() => openLedger(path)).toThrow(message);
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 1);
    after.close();
  });

  it('a plan read against a missing ledger is an input error and creates no file', () => {
    const path = tmp.path('missing.sqlite');
    expect(() => planWithLedgerEntities(validatePlan({}), path)).toThrow(/no such ledger/);
    expect(existsSync(path)).toBe(false);
  });

  it('a new ledger is a refused first import\'s to remove only while it made it, nothing went in, and nobody else is writing to it', async () => {
    const path = tmp.path('new.sqlite');
    const first = openLedger(path);
    expect(first.unusedNewFile()).toBe(true);
    // a second import opening the same new ledger at once: not its file to remove
    const second = openLedger(path);
    expect(second.unusedNewFile()).toBe(false);
    // while the second writes, the first leaves the file alone
    second.db.exec('BEGIN IMMEDIATE');
    expect(first.unusedNewFile()).toBe(false);
    second.db.exec('ROLLBACK');
    expect(first.unusedNewFile()).toBe(true);
    // and once the second has imported
    await importFile(second, tmp.write('e.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n'));
    expect(first.unusedNewFile()).toBe(false);
    second.close();
    first.close();
    // an in-memory ledger (the command line's dry run) leaves no file named so
    openLedger(':memory:').close();
    expect(existsSync(':memory:')).toBe(false);
  });

  it('the handles are branded: a plain Database is neither, a readable one does not write', () => {
    const plain = new Database(':memory:');
    // @ts-expect-error a database some other code opened is not a ledger handle
    const readable: ReadableLedger = plain;
    // @ts-expect-error nor a writable one
    const writable: WritableLedger = plain;
    const ledger = openLedger(tmp.path('l.sqlite'));
    // @ts-expect-error a readable handle is not a writable one
    const fromReadable: WritableLedger = ledger.db;
    expect([readable, writable, fromReadable].every((d) => typeof d.prepare === 'function')).toBe(true);
    ledger.close();
    plain.close();
  });
});
