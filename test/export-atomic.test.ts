import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../src/ledger/ledger.ts';
import { runExport, writeExportFiles } from '../src/cli/commands/export.ts';
import { safeFileName, uniqueFileNames } from '../src/export/file-names.ts';
import { synthHistory } from './forecast-helpers.ts';
import { EVENT_TYPE_NAMES } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { importFile } from '../src/import/importer.ts';

/** Exports are whole or absent, one file per id (issue 15, finding 4). */

function toCsv(ev: EventColumns): string {
  const lines = ['timestamp,type,subject,cost_usd'];
  for (let i = 0; i < ev.count; i++) {
    lines.push(`${new Date(ev.time[i]).toISOString()},${EVENT_TYPE_NAMES[ev.type[i]]},"${ev.subjects[ev.subject[i]]}",${(ev.cost[i] / 1e6).toFixed(6)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

describe('file names for ids', () => {
  it('gives ids that make the same name a file each, the same whatever their order', () => {
    const ids = ['t/pr', 't_pr', 't:pr', 'T_PR', 't_cron'];
    const names = uniqueFileNames(ids);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(ids.length);
    expect(names[4]).toBe('t_cron');
    expect(names.slice(0, 4).every((n) => /^t_pr-[0-9a-f]{8}$/i.test(n))).toBe(true);
    expect(uniqueFileNames([...ids].reverse()).reverse()).toEqual(names);
    expect(safeFileName('CON')).toBe('_CON');
    expect(safeFileName('..')).toBe('_');
    expect(safeFileName('')).toBe('_');
  });
});

describe('export with colliding trigger ids', () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-export-ids-'));
    // three webhooks over their fair-use limit whose ids make the same file name
    const ev = synthHistory(35, [
      { type: 'api', subject: 'k_mkt', daily: () => 8_000_000, costPerRequest: 400_000 },
      { type: 'trigger', subject: 't/pr', daily: () => 70 },
      { type: 'trigger', subject: 't_pr', daily: () => 70 },
      { type: 'trigger', subject: 't:pr', daily: () => 70 },
    ]);
    writeFileSync(join(dir, 'events.csv'), toCsv(ev));
    const ledger = openLedger(join(dir, 'ledger.sqlite'));
    await importFile(ledger, join(dir, 'events.csv'));
    ledger.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one support draft per trigger and no temporary files', async () => {
    const out = join(dir, 'out');
    const files = await runExport(undefined, { db: join(dir, 'ledger.sqlite'), out, paths: '0', workers: '0' });
    const drafts = files.filter((f) => f.includes('/support/'));
    expect(drafts).toHaveLength(3);
    const bodies = drafts.map((f) => readFileSync(f, 'utf8'));
    for (const id of ['t/pr', 't_pr', 't:pr']) expect(bodies.filter((b) => b.includes(id)).length).toBeGreaterThan(0);
    expect(tree(out)).toEqual(files.map((f) => f.slice(out.length + 1)).sort());
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('writing an export', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-export-write-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('into an existing folder keeps what was there and leaves no temporary folder', () => {
    const out = join(dir, 'existing');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeExportFiles(out, [
      { path: 'plan.json', content: '{}' },
      { path: 'support/a.txt', content: 'a' },
    ]);
    expect(tree(out)).toEqual(['notes.txt', 'plan.json', 'support/a.txt']);
  });

  it('refuses two files of one name and leaves nothing of the export behind', () => {
    const out = join(dir, 'fresh');
    expect(() =>
      writeExportFiles(out, [
        { path: 'support/t_pr.txt', content: 'one' },
        { path: 'support/T_PR.txt', content: 'two' },
      ]),
    ).toThrow(/cannot write the export/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('fresh'))).toEqual([]);
  });

  it('a write that fails midway leaves an existing folder as it was', () => {
    if (process.getuid?.() === 0) {
      // root writes through permissions: make the second file's folder a file instead
      const out = join(dir, 'blocked');
      mkdirSync(out);
      writeFileSync(join(out, 'keep.txt'), 'mine');
      expect(() =>
        writeExportFiles(out, [
          { path: 'plan.json', content: '{}' },
          { path: 'plan.json/inner.txt', content: 'x' },
        ]),
      ).toThrow(/cannot write the export/);
      expect(tree(out)).toEqual(['keep.txt']);
      return;
    }
    const out = join(dir, 'readonly');
    mkdirSync(out);
    chmodSync(out, 0o500);
    expect(() => writeExportFiles(out, [{ path: 'plan.json', content: '{}' }])).toThrow(/cannot write the export/);
    chmodSync(out, 0o700);
    expect(tree(out)).toEqual([]);
  });
});
