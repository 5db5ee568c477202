import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { readCsvFile } from '../src/csv/read-file.ts';
import { readEventsCsv } from '../src/csv/read-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'csv-utf8-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The importer's reader's refusal of `bytes`, or null when it read them. */
async function importerRefusal(bytes: Buffer): Promise<InputError | null> {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, bytes);
  try {
    await readCsvFile(path, 'f.csv', () => undefined);
    return null;
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
}

const HEADER = 'timestamp,type,subject,cost_usd\n';

describe('one UTF-8 check for both readers', () => {
  // An encoded surrogate (ED A0 80, as CESU-8 writes characters past U+FFFF) is not UTF-8: the
  // decoders refuse it. The importer must name that byte, not the first byte of the chunk.
  const bytes = Buffer.concat([
    Buffer.from(`${HEADER}2026-01-05T10:00:00Z,api,café,1\n2026-01-05T10:00:00Z,api,k`, 'utf8'),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from(',1\n', 'utf8'),
  ]);
  const offset = bytes.indexOf(0xed);

  it('the importer names the byte, its offset, line and column', async () => {
    const err = await importerRefusal(bytes);
    expect(err?.details).toEqual([{ file: 'f.csv', line: 3, column: 'subject', value: '\\xED', message: `byte \\xED at offset ${offset} is not UTF-8; export or save the file as UTF-8` }]);
  });

  it('simulate names the same line and byte', () => {
    expect(() => readEventsCsv(bytes, { file: 'f.csv' })).toThrow(`f.csv:3: is not valid UTF-8 (byte 0xed at offset ${offset}); save the file as UTF-8`);
  });
});
