/**
 * The platform streams a large consumption export page by page and, when a page fails or the
 * download times out, ends the file with its own error line (`ERROR: Export timed out.`), on
 * purpose no CSV row. The file is incomplete: that is what the refusal must say.
 */
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile } from '../src/import/importer.ts';
import { ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';
import { dustWorkspace } from './support/dust-exports.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

describe("the platform's error line at the end of a streamed export", () => {
  it.each(['ERROR: Export timed out.', 'ERROR: Internal server error.'])('refuses the file naming %s as the export stopped part-way; the good lines with --skip-bad-rows', async (trailer) => {
    const ws = dustWorkspace({ seed: 3, days: 3 });
    const lines = ws.consumption.split('\n').filter((l) => l !== '');
    const file = scope.tmp.write('consumption.csv.gz', gzipSync(`${lines.join('\n')}\n${trailer}`));
    const before = snapshot(ledger);
    const refused = await importFile(ledger, file).catch((e: unknown) => e);
    expect(String(refused)).toContain(`consumption.csv.gz:${lines.length + 1}: "${trailer}" is the platform's error line: its export stopped here`);
    expect(snapshot(ledger)).toEqual(before);
    const r = await importFile(ledger, file, { skipBadRows: true });
    expect(r).toMatchObject({ imported: lines.length - 1, rejected: 1 });
    expect(r.errors[0]).toMatchObject({ line: lines.length + 1, value: trailer });
  });
});
