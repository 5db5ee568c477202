import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { previewImport } from '../src/import/importer.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '../src/ledger/ledger.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import { LedgerStore } from '../src/api/ledger-store.ts';

/**
 * Issue 16: the preview reads only what it needs. A CSV whose columns the app cannot map yet is
 * previewed from its first rows (the mapping step needs no more); once mapped, the whole file.
 */
const ROWS = 60_000;

function spreadsheet(): string {
  const lines = ['Occurred;Category;Who;Amount'];
  for (let i = 0; i < ROWS; i++) lines.push(`2026-10-${String(1 + (i % 28)).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00Z;usage;person ${i % 40};${(i % 7) + 1},50`);
  return lines.join('\n') + '\n';
}

describe('the preview of a CSV to map', () => {
  let dir: string;
  let file: string;
  let ledger: Ledger;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-preview-'));
    file = join(dir, 'usage.csv');
    writeFileSync(file, spreadsheet());
    ledger = openLedger(join(dir, 'ledger.sqlite'));
  });
  afterEach(() => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops after the first rows while the columns are undecided, and reads all of it once mapped', async () => {
    const first = await previewImport(ledger, file, { audience: 'app' });
    expect(first.format).toBe('mapping');
    expect(first.missing.length).toBeGreaterThan(0);
    expect(first.header).toEqual(['Occurred', 'Category', 'Who', 'Amount']);
    expect(first.sampleRows.length).toBeGreaterThan(0);
    expect(first.readWhole).toBe(false);
    expect(first.rows).toBeLessThan(ROWS);
    const mapping = { time: 'Occurred', dateFormat: 'iso', type: { value: 'message' }, subject: 'Who', cost: 'Amount', decimal: ',' };
    const mapped = await previewImport(ledger, file, { audience: 'app', mapping });
    expect(mapped.readWhole).toBe(true);
    expect(mapped.rows).toBe(ROWS);
    expect(ledger.summary().events).toBe(0);
  });

  it('the app says the count is not known rather than show the first rows’ count', async () => {
    const store = new LedgerStore(join(dir, 'ledger.sqlite'));
    try {
      const p = await store.preview({ path: file }, 'auto');
      expect(p.totalRows).toBeNull();
      expect(p.fileHeader).toEqual(['Occurred', 'Category', 'Who', 'Amount']);
    } finally {
      store.close();
    }
  });
});
