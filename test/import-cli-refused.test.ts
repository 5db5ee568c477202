/**
 * A refused import leaves nothing behind: into a ledger that did not exist, no empty ledger file
 * (as a mistyped path creates none); into an existing one, the same bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.ts';
import { tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';

let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir('headroom-import-refused-');
});
afterEach(() => tmp.remove());

const GOOD = 'date,agent_name,api_key,source,total_spend_usd\n2026-09-01,Bot,key-a,api,1.00\n';
const BAD = 'date,agent_name,api_key,source,total_spend_usd\n2026-09-01,Bot,key-a,api,abc\n';

describe('import: a refused file into a new ledger', () => {
  it('leaves no ledger file when every file is refused, and names the row on stderr', async () => {
    const db = tmp.path('new.sqlite');
    const r = await runCli('import', tmp.write('cost.csv', BAD), '--db', db);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cost.csv:2: total_spend_usd "abc" is not an amount');
    expect(existsSync(db)).toBe(false);
    expect(existsSync(`${db}-wal`)).toBe(false);
  });

  it('also for a file read as the wrong format', async () => {
    const db = tmp.path('new.sqlite');
    const r = await runCli('import', tmp.write('cost.csv', GOOD), '--db', db, '--format', 'dust-consumption', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'dust-consumption', batch: null, errors: [{ line: 1, column: 'completedAt' }] });
    // the file is named for what it is, with the option that reads it
    expect(r.stderr).toContain("this is the platform's cost export, not the platform's consumption export: import it with --format dust-cost or auto");
    expect(existsSync(db)).toBe(false);
  });

  it('keeps the new ledger when one of the files went in', async () => {
    const db = tmp.path('new.sqlite');
    const r = await runCli('import', tmp.write('good.csv', GOOD), tmp.write('bad.csv', BAD), '--db', db);
    expect(r.code).toBe(2);
    expect(existsSync(db)).toBe(true);
  });

  it('leaves an existing ledger byte for byte as it was', async () => {
    const db = tmp.path('ledger.sqlite');
    expect((await runCli('import', tmp.write('good.csv', GOOD), '--db', db)).code).toBe(0);
    const before = readFileSync(db);
    expect((await runCli('import', tmp.write('bad.csv', BAD), '--db', db)).code).toBe(2);
    expect(readFileSync(db).equals(before)).toBe(true);
  });
});
