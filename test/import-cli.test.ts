/**
 * `headroom import` as an admin runs it: the exact `--json` objects of SPEC §8, no ledger created
 * by a command that fails or only reads, schema creation under concurrency, and the messages.
 * (QA findings F11, F13, F17, F22 in /work/team/qa.md.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runImport } from '../src/cli/commands/import.ts';
import { inputRefusal } from './support/refusals.ts';
import { migrate, openLedger } from '../src/ledger/ledger.ts';
import { LATEST_VERSION } from '../src/ledger/schema.ts';
import { tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';

const ROOT = join(import.meta.dirname, '..');
const HEADER = 'timestamp,type,subject,cost_usd\n';
const SPEC_KEYS = ['file', 'format', 'batch', 'rows', 'imported', 'duplicates', 'rejected', 'errors'];
const ERROR_KEYS = ['line', 'column', 'value', 'message'];

let tmp: TempDir;

beforeEach(() => {
  tmp = tempDir('headroom-import-cli-');
});

afterEach(() => {
  tmp.remove();
});

function objects(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}


describe('import --json prints exactly the SPEC §8 keys (F13)', () => {
  it('for imported, refused and unrecognised files alike; errors never carry line 0', async () => {
    const ok = tmp.write('ok.csv', `${HEADER}2026-01-05T10:00:00Z,api,k1,1\n`);
    const dust = tmp.write('cost.csv', 'date,agent_name,api_key,source,total_spend_usd\n2026-01-05,Bot,k1,api,12.50\n');
    const unknown = tmp.write('unk.csv', 'when,what,who,how much\nyesterday,a thing,bob,lots\n');
    const empty = tmp.write('empty.csv', '');
    const out = await runImport([ok, dust, unknown, empty], { db: tmp.path('l.sqlite'), json: true });
    expect(out.exitCode).toBe(2);
    const objs = objects(out.stdout);
    expect(objs).toHaveLength(4);
    for (const o of objs) {
      expect(Object.keys(o)).toEqual(SPEC_KEYS);
      for (const e of o.errors as Record<string, unknown>[]) {
        expect(Object.keys(e)).toEqual(ERROR_KEYS);
        expect(e.line).toBeGreaterThanOrEqual(1);
      }
    }
    expect(objs.map((o) => [o.file, o.format, o.batch])).toEqual([
      [ok, 'events', 1],
      [dust, 'dust-cost', 2],
      // auto fell back to guessing a column mapping: that is the format that refused it
      [unknown, 'mapping', null],
      // nothing could be detected in an empty file
      [empty, null, null],
    ]);
    expect(objs[2]!.errors).toMatchObject([{ line: 1, value: 'when,what,who,how much' }]);
    // the unrecognised file is refused naming its header and the formats accepted
    expect(out.stderr).toContain('not a known export (header: when,what,who,how much)');
    expect(out.stderr).toMatch(/Accepted: events \(timestamp,type,subject,cost_usd\[,id\]\), dust-cost .*dust-consumption .*column mapping/);
  });

  it('keeps the event count of a daily cost export in the human-readable output only', async () => {
    const dust = tmp.write('cost.csv', 'date,agent_name,api_key,source,total_spend_usd\n2026-01-05,Bot,k1,api,12.50\n');
    const human = await runImport([dust], { db: tmp.path('l.sqlite') });
    expect(human.stdout).toMatch(/1 row, 1 imported, 0 duplicates, 0 rejected \(24 events, spread by the default hour-of-day profile\)/);
  });

  it('names each file as typed, so two files of the same name stay apart', async () => {
    mkdirSync(tmp.path('march'));
    mkdirSync(tmp.path('april'));
    const a = tmp.write('march/export.csv', `${HEADER}2026-03-05T10:00:00Z,api,k1,1\n`);
    const b = tmp.write('april/export.csv', `${HEADER}2026-04-05T10:00:00Z,api,k1,1\n`);
    const out = await runImport([a, b], { db: tmp.path('l.sqlite'), json: true });
    expect(objects(out.stdout).map((o) => o.file)).toEqual([a, b]);
    const ledger = openLedger(tmp.path('l.sqlite'));
    expect(ledger.listBatches().map((x) => x.fileName)).toEqual([a, b]);
    ledger.close();
  });

  it('reports --format events on another export as events, with an unglued header message (F17)', async () => {
    const dust = tmp.write('dc.csv', 'date,agent_name,api_key,source,total_spend_usd\n2026-01-05,Bot,k1,api,12.50\n');
    const out = await runImport([dust], { db: tmp.path('l.sqlite'), json: true, format: 'events' });
    expect(objects(out.stdout)[0]).toMatchObject({ format: 'events', batch: null, errors: [{ line: 1, column: 'timestamp' }] });
    expect(out.stderr).toContain(`${dust}:1: missing columns timestamp, type, subject, cost_usd`);
    expect(out.stderr).not.toContain('timestamp missing');
  });

  it('refuses an invalid --mapping before touching the ledger, naming the field', async () => {
    const mapping = tmp.write('m.json', JSON.stringify({ time: 'a', dateFormat: 'julian', type: { value: 'api' }, subject: 'b' }));
    const file = tmp.write('x.csv', 'a,b\n2026-01-05,k\n');
    const err = await inputRefusal(runImport([file], { db: tmp.path('l.sqlite'), json: true, mapping }));
    expect(err.message).toMatch(/invalid column mapping: mapping.dateFormat "julian" is not valid/);
    expect(existsSync(tmp.path('l.sqlite'))).toBe(false);
  });
});

describe('commands that only read, or fail, create no ledger (F11)', () => {
  it('--history, --undo, no file and a missing input file leave no file behind', async () => {
    const db = tmp.path('typo.sqlite');
    const ok = tmp.write('ok.csv', `${HEADER}2026-01-05T10:00:00Z,api,k1,1\n`);
    expect((await inputRefusal(runImport([], { db, history: true }))).message).toBe(`no ledger at ${db} (create one with headroom import FILE --db ${db})`);
    expect((await inputRefusal(runImport([], { db, undo: '1' }))).message).toMatch(/^no ledger at /);
    expect((await inputRefusal(runImport([ok], { db, undo: '1' }))).message).toMatch(/^no ledger at /);
    expect((await inputRefusal(runImport([], { db }))).message).toMatch(/no file to import/);
    // one missing file among good ones: nothing is imported, the command says which
    expect((await inputRefusal(runImport([ok, tmp.path('nothere.csv')], { db }))).message).toMatch(/nothere\.csv: cannot read the file \(ENOENT\); nothing was imported/);
    expect((await inputRefusal(runImport([tmp.dir], { db }))).message).toMatch(/not a file/);
    expect((await inputRefusal(runImport([ok], { db, undo: 'x' }))).message).toMatch(/--undo "x" must be a batch number/);
    expect(existsSync(db)).toBe(false);
  });

  it('--preview against a ledger that does not exist yet previews into an empty one and writes nothing', async () => {
    const db = tmp.path('new.sqlite');
    const ok = tmp.write('ok.csv', `${HEADER}2026-01-05T10:00:00Z,api,k1,1\n`);
    const out = await runImport([ok], { db, preview: true });
    expect(out.stdout).toMatch(/preview \(nothing written\), events: 1 row, 1 new, 0 duplicates, 0 rejected/);
    expect(existsSync(db)).toBe(false);
  });

  it("--preview of a file with a bad row is the import's dry run: refused in the same words, exit 2; with --skip-bad-rows, the good rows counted", async () => {
    const db = tmp.path('l.sqlite');
    const bad = tmp.write('bad.csv', `${HEADER}2026-01-05T10:00:00Z,api,k1,1\n2026-01-05T11:00:00Z,api,k1,abc\n`);
    const preview = await runImport([bad], { db, preview: true, json: true });
    const imported = await runImport([bad], { db, json: true });
    expect([preview.exitCode, imported.exitCode]).toEqual([2, 2]);
    expect(preview.stdout).toBe(imported.stdout);
    expect(preview.stderr).toBe(imported.stderr);
    expect(JSON.parse(preview.stdout)).toMatchObject({ rows: 2, imported: 0, rejected: 1, errors: [{ line: 3, column: 'cost_usd', value: 'abc' }] });
    expect(preview.stderr).toMatch(/bad\.csv: refused, 1 bad row; the ledger is unchanged \(use --skip-bad-rows/);
    const skipping = await runImport([bad], { db, preview: true, skipBadRows: true });
    expect(skipping.exitCode).toBe(0);
    expect(skipping.stdout).toMatch(/preview \(nothing written\), events: 2 rows, 1 new, 0 duplicates, 1 rejected/);
  });

  it('a file refused after others of the same command were imported says nothing of it was, not that the ledger is unchanged; its preview says the same', async () => {
    const db = tmp.path('l.sqlite');
    const ok = tmp.write('ok.csv', `${HEADER}2026-01-05T10:00:00Z,api,k1,1\n`);
    const bad = tmp.write('bad.csv', `${HEADER}2026-01-06T10:00:00Z,api,k1,1\n2026-01-06T11:00:00Z,api,k1,abc\n`);
    const preview = await runImport([ok, bad], { db, preview: true });
    const out = await runImport([ok, bad], { db });
    expect([preview.exitCode, out.exitCode]).toEqual([2, 2]);
    for (const r of [preview, out]) {
      expect(r.stderr).not.toMatch(/the ledger is unchanged/);
    }
    // naming the file that went in (test/import-cli-set-refused.test.ts)
    expect(out.stderr).toContain(`${bad}: refused, 1 bad row; nothing of it was imported (${ok}, before it, was: batch 1) (use --skip-bad-rows`);
    expect(preview.stderr).toContain(`${bad}: refused, 1 bad row; nothing of it would be imported (${ok}, before it, would be) (use --skip-bad-rows`);
    expect((await runImport([], { db, history: true })).stdout).toMatch(/the ledger holds 1 event /);
  });

  it('--history still lists an existing ledger', async () => {
    const db = tmp.path('l.sqlite');
    await runImport([tmp.write('ok.csv', `${HEADER}2026-01-05T10:00:00Z,api,k1,1\n`)], { db });
    const out = await runImport([], { db, history: true });
    expect(out.stdout).toMatch(/the ledger holds 1 event /);
  });
});

describe('messages (F17)', () => {
  it('a refused file with 1000 bad rows shows 5 and counts the rest', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `2026-01-05T10:00:00Z,api,k${i},abc`).join('\n');
    const file = tmp.write('bad.csv', `${HEADER}${rows}\n`);
    const out = await runImport([file], { db: tmp.path('l.sqlite') });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain('refused, 1000 bad rows');
    expect(out.stderr).toContain(`${file}:6: cost_usd "abc" is not a number\n... and 995 more bad rows`);
    expect(out.stderr).not.toContain(`${file}:7:`);
  });

  it('--undo of a batch already undone says so and is an input error', async () => {
    const db = tmp.path('l.sqlite');
    await runImport([tmp.write('ok.csv', `${HEADER}2026-01-05T10:00:00Z,api,k1,1\n`)], { db });
    expect((await runImport([], { db, undo: '1' })).stdout).toBe('batch 1 undone: 1 event removed\n');
    const err = await inputRefusal(runImport([], { db, undo: '1' }));
    expect(err.message).toMatch(/^import batch 1 was already undone at \d{4}-\d{2}-\d{2}T.*: nothing to remove$/);
    expect((await inputRefusal(runImport([], { db, undo: '7' }))).message).toBe('no import batch 7');
  });

  it('a mapped type word the mapping does not know points at typeValues', async () => {
    const mapping = tmp.write('m.json', JSON.stringify({ time: 'when', dateFormat: 'iso', type: { column: 'kind' }, subject: 'key', cost: 'usd' }));
    const file = tmp.write('x.csv', 'when,kind,key,usd\n2026-01-05T10:00:00Z,request,k1,1\n');
    const out = await runImport([file], { db: tmp.path('l.sqlite'), mapping, json: true });
    const message = (objects(out.stdout)[0]!.errors as { message: string }[])[0]!.message;
    expect(message).toContain('is not a known event type');
    expect(message).toContain('typeValues, e.g. "typeValues": {"request": "api"}');
  });
});

describe('creating a new ledger concurrently (F22)', () => {
  it('a migration started from a stale version (another process migrated meanwhile) is a no-op', () => {
    const path = tmp.path('l.sqlite');
    // process A opens the new file and reads version 0 ...
    const a = new Database(path);
    const stale = a.pragma('user_version', { simple: true }) as number;
    expect(stale).toBe(0);
    // ... process B creates the whole schema first ...
    openLedger(path).close();
    // ... then A migrates from what it read: no "table subjects already exists"
    expect(() => migrate(a, stale)).not.toThrow();
    expect(a.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    a.close();
  });

  it('two imports creating the same ledger at once both succeed', async () => {
    const db = tmp.path('new.sqlite');
    const files = [0, 1].map((k) => tmp.write(`e${k}.csv`, `${HEADER}${Array.from({ length: 200 }, (_, i) => `2026-01-0${k + 5}T10:00:${String(i % 60).padStart(2, '0')}Z,api,k${k},1`).join('\n')}\n`));
    const run = (file: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [join(ROOT, 'bin/headroom.js'), 'import', file, '--db', db], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all(files.map(run));
    // the second may find the ledger busy (a clear exit 2), never an internal error
    for (const r of results) expect(r.stderr).not.toMatch(/internal error|already exists/);
    expect(results.map((r) => r.code).filter((c) => c !== 0 && c !== 2)).toEqual([]);
    const ledger = openLedger(db);
    expect(ledger.version).toBe(LATEST_VERSION);
    ledger.close();
    // two Node processes started beside the other test files on two cores: once over 20 s
  }, 60_000);
});
