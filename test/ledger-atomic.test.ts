import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openLedger } from '../src/ledger/ledger.ts';
import { snapshot, tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';
import { importFile } from '../src/import/importer.ts';

let tmp: TempDir;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  tmp.remove();
});

/** Runs the child import and SIGKILLs it once it has reported `afterChunks` chunks. */
function importAndKill(db: string, file: string, afterChunks: number): Promise<{ killed: boolean; chunks: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'import-child.ts'), db, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let chunks = 0;
    let done = false;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (line.startsWith('progress')) chunks++;
        if (line === 'done') done = true;
      }
      if (chunks >= afterChunks && !done) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL' && !done) reject(new Error(`child failed: ${stderr}`));
      else resolve({ killed: signal === 'SIGKILL', chunks });
    });
  });
}

describe('atomicity', () => {
  it('a process killed in the middle of an import leaves the ledger exactly as before', async () => {
    const db = tmp.path('l.sqlite');
    const ledger = openLedger(db);
    await importFile(ledger, tmp.write('seed.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n2026-01-05T10:00:00Z,message,u1,\n'));
    const before = snapshot(ledger);
    ledger.close();

    const lines = ['timestamp,type,subject,cost_usd'];
    for (let i = 0; i < 70_000; i++) lines.push(`${1767225600000 + i * 997},${i % 3 === 0 ? 'message' : 'api'},s_${i % 101},${(i % 997) / 100}`);
    const big = tmp.write('big.csv', `${lines.join('\n')}\n`);
    expect(statSync(big).size).toBeGreaterThan(2_000_000);

    const { killed, chunks } = await importAndKill(db, big, 1);
    expect(killed).toBe(true);
    expect(chunks).toBeGreaterThanOrEqual(1);
    // the uncommitted pages did reach the disk: the kill happened mid-transaction, not before it
    expect(existsSync(`${db}-wal`)).toBe(true);
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(50_000);

    const after = openLedger(db);
    expect(after.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(snapshot(after)).toEqual(before);
    // and the ledger still works: the same file imports whole
    const r = await importFile(after, big);
    expect(r).toMatchObject({ rows: 70_000, imported: 70_000 });
    after.close();
  });

  it('a process killed in the middle of the first import into an empty ledger (bulk path) leaves it empty and whole', async () => {
    const db = tmp.path('fresh.sqlite');
    openLedger(db).close();
    const lines = ['id,timestamp,type,subject,cost_usd'];
    for (let i = 0; i < 70_000; i++) lines.push(`e${i},${1767225600000 + i * 997},api,key_${i % 13},0.${i % 1000}`);
    const big = tmp.write('big.csv', `${lines.join('\n')}\n`);
    const { killed } = await importAndKill(db, big, 1);
    expect(killed).toBe(true);
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(50_000);
    const after = openLedger(db);
    expect(after.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(after.summary().events).toBe(0);
    expect(after.listBatches()).toEqual([]);
    // the identity index the bulk path dropped inside its transaction is back
    expect(after.db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'events_ident'").pluck().get()).toBe(1);
    after.close();
  });
});
