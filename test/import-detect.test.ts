import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { guessDateFormat, parseMappedTime } from '../src/import/parse.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import { importFacts } from '../src/api/import-facts.ts';
import { runImport } from '../src/cli/commands/import.ts';
import { detectFormat, guessMapping } from '../src/import/formats.ts';
import { CONSUMPTION_HEADER } from './support/dust-exports.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

describe('a platform export with a column cut', () => {
  it('is the consumption export without agentMessageId: refused naming the column, never guessed as a mapping', async () => {
    const header = CONSUMPTION_HEADER.split(',').filter((c) => c !== 'agentMessageId');
    expect(detectFormat(header)).toBe('dust-consumption');
    expect(detectFormat(['completedAt', 'agentName', 'apiKeyName', 'totalCredits'])).toBe('dust-consumption');
    const file = scope.tmp.write('cons.csv', 'completedAt,agentName,apiKeyName,totalCredits\n2026-10-01T01:21:54.088Z,Digest,,18.40\n2026-10-01T02:00:00.000Z,Digest,N/A,2.00\n');
    await expect(importFile(ledger, file, { skipBadRows: true })).rejects.toThrow(/cons\.csv:1: missing column "agentMessageId"/);
    expect(ledger.summary().events).toBe(0);
  });

  it('a sheet of its own naming a few of the same words is still mapped', () => {
    expect(detectFormat(['date', 'agentName', 'userName', 'cost'])).toBeNull();
    expect(detectFormat(['timestamp', 'apiKeyName', 'amount'])).toBeNull();
    // three of the export's column names without its completedAt: an admin's own sheet, mapped
    expect(detectFormat(['Date', 'Team', 'Model name', 'Usage type', 'Total credits', 'Key'])).toBeNull();
    expect(detectFormat(['Date', 'Key', 'Amount', 'conversation_id', 'agent_id', 'tool_name'])).toBeNull();
    expect(detectFormat(['Date', 'API key name', 'Total credits', 'Status', 'Context origin', 'Model'])).toBeNull();
    // the export cut to four columns, its completedAt among them, is still the export
    expect(detectFormat(['completedAt', 'agentName', 'apiKeyName', 'totalCredits'])).toBe('dust-consumption');
  });
});

describe('--format mapping on a known export', () => {
  it('is refused naming the export, as --mapping says of a mapping that does not fit it', async () => {
    const file = scope.tmp.write('cost.csv', 'date,agent_name,api_key,source,total_spend_usd\n2026-10-01,Lead bot,CI,api,1.22\n2026-10-01,Lead bot,N/A,trigger,0.50\n');
    await expect(importFile(ledger, file, { format: 'mapping' })).rejects.toThrow(
      "cost.csv:1: this is the platform's cost export, not the CSV to map: import it with --format dust-cost or auto",
    );
    expect(ledger.summary().events).toBe(0);
    // the same words as a given mapping that does not fit the export
    await expect(importFile(ledger, file, { mapping: { time: 'When', dateFormat: 'ymd', type: { value: 'api' }, subject: 'Who', cost: 'Amount' } })).rejects.toThrow(
      "this is the platform's cost export, not the CSV to map: import it with --format dust-cost or auto",
    );
  });
});

describe('an id already in the ledger with other content', () => {
  const EV = 'id,timestamp,type,subject,cost_usd';
  it('is a duplicate (the ledger keeps its own) said in the preview, the result, the CLI and beside --json', async () => {
    await importFile(ledger, scope.tmp.write('ev1.csv', `${EV}\ne1,2026-10-01T10:00:00Z,api,k1,0.5\ne2,2026-10-01T11:00:00Z,api,k1,0.5\n`));
    const file = scope.tmp.write('ev2.csv', `${EV}\ne1,2026-10-01T10:00:00Z,api,k1,5.0\ne2,2026-10-01T11:00:00Z,api,k1,0.5\n`);
    const said = ['ev2.csv:2: id "e1" is already in the ledger with other content (2026-10-01T10:00:00Z api k1 $0.50 vs 2026-10-01T10:00:00Z api k1 $5.00): kept the ledger\'s'];
    const preview = importFacts(await previewImport(ledger, file), 'preview').findings.differing;
    expect(preview?.rows).toEqual(said);
    expect(preview?.summary).toMatch(/^1 row of this file has an id already in the ledger with other content/);
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ rows: 2, imported: 0, duplicates: 2, rejected: 0, errors: [] });
    expect(importFacts(r, 'imported').findings.differing?.rows).toEqual(said);
    ledger.close();
    const db = scope.tmp.path('ledger.sqlite');
    const cli = await runImport([file], { db, json: true });
    expect(cli.stderr).toContain(`${file}:2: id "e1" is already in the ledger with other content (2026-10-01T10:00:00Z api k1 $0.50 vs 2026-10-01T10:00:00Z api k1 $5.00): kept the ledger's`);
    expect(JSON.parse(cli.stdout.trim())).toMatchObject({ duplicates: 2, errors: [] });
  });
});

describe('files that are no CSV text, said for what they are', () => {
  it('an .xlsx workbook renamed .csv is named as one, with what to do', async () => {
    const bytes = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]), Buffer.from('[Content_Types].xml')]);
    const file = scope.tmp.write('usage.csv', bytes);
    await expect(importFile(ledger, file)).rejects.toThrow(
      'usage.csv: is an Excel workbook (.xlsx: a zip archive, it starts with PK), not a CSV: open it in the spreadsheet and save it as CSV (File > Save As, "CSV UTF-8"), then import that file',
    );
    const xls = scope.tmp.write('old.csv', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00, 0x00]));
    await expect(importFile(ledger, xls)).rejects.toThrow('old.csv: is an Excel 97-2003 workbook (.xls), not a CSV');
    // other binary bytes are still just binary
    await expect(importFile(ledger, scope.tmp.write('bin.csv', Buffer.from([0x41, 0x42, 0x00, 0x43])))).rejects.toThrow('bin.csv: this is a binary file, not a CSV (NUL byte at offset 2)');
  });
});

describe('UTF-16 without a byte order mark', () => {
  const text = 'date,agent_name,api_key,source,total_spend_usd\r\n2026-10-01,Équipe bot,CI,api,1.22\r\n2026-10-02,Équipe bot,CI,api,0.50\r\n';
  const be = (s: string): Buffer => {
    const le = Buffer.from(s, 'utf16le');
    for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
    return le;
  };
  it('is told from the NUL bytes of its first characters, little- or big-endian, and read as the UTF-8 file is', async () => {
    const utf8 = await importFile(scope.open('utf8.sqlite'), scope.tmp.write('utf8.csv', text));
    for (const [name, bytes, encoding] of [['le.csv', Buffer.from(text, 'utf16le'), 'utf-16le'], ['be.csv', be(text), 'utf-16be']] as const) {
      const r = await importFile(scope.open(`${name}.sqlite`), scope.tmp.write(name, bytes));
      expect(r.form?.encoding).toBe(encoding);
      expect({ rows: r.rows, imported: r.imported, events: r.events, rejected: r.rejected }).toEqual({ rows: utf8.rows, imported: utf8.imported, events: utf8.events, rejected: 0 });
    }
    expect(ledger.summary().events).toBe(0);
  });

  it('with names in another script (no NUL on either side), or one character such as 一 (U+4E00), it is still UTF-16; 16-bit numbers stay binary', async () => {
    const cjk = 'date,agent_name,api_key,source,total_spend_usd\r\n' + Array.from({ length: 20 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')},営業支援ボット一,鍵${i},api,1.22\r\n`).join('');
    for (const [name, bytes] of [['cjk-le.csv', Buffer.from(cjk, 'utf16le')], ['cjk-be.csv', be(cjk)]] as const) {
      const r = await importFile(scope.open(`${name}.sqlite`), scope.tmp.write(name, bytes));
      expect(r).toMatchObject({ format: 'dust-cost', rows: 20, rejected: 0 });
    }
    const numbers = Buffer.alloc(512);
    for (let i = 0; i < 256; i++) numbers.writeUInt16LE((i % 200) + 1, 2 * i);
    await expect(importFile(ledger, scope.tmp.write('numbers.csv', numbers))).rejects.toThrow(/binary file/);
  });
});

describe('an events CSV saved with a decimal comma', () => {
  it('is refused as simulate refuses it, saying that the events CSV uses a decimal point and that a mapping imports the file', async () => {
    const file = scope.tmp.write('ev.csv', 'id;timestamp;type;subject;cost_usd\ne1;2026-09-03T00:00:27Z;api;k1;0,105338\ne2;2026-09-03T00:01:00Z;api;k1;1,234\n');
    const r = await importFile(ledger, file, { skipBadRows: true });
    expect(r.errors).toEqual([
      {
        line: 2,
        column: 'cost_usd',
        value: '0,105338',
        message: 'is not a number: the events CSV writes amounts with a decimal point and separates fields with "," (SPEC §6); this file has a decimal comma: import it through a column mapping (--mapping FILE.json with "decimal": ",", docs/imports.md)',
      },
      // a thousands comma or a decimal one: not told
      { line: 3, column: 'cost_usd', value: '1,234', message: 'is not a number' },
    ]);
    const app = await importFile(scope.open('app.sqlite'), file, { skipBadRows: true, audience: 'app' });
    expect(app.errors[0]!.message).toMatch(/this file has a decimal comma: save it again with a decimal point$/);
    const mapped = await importFile(scope.open('mapped.sqlite'), file, {
      mapping: { time: 'timestamp', dateFormat: 'iso', type: { column: 'type' }, subject: 'subject', cost: 'cost_usd', decimal: ',', id: 'id' },
    });
    expect(mapped).toMatchObject({ rows: 2, imported: 2, rejected: 0 });
  });
});

describe('Excel for Mac "CSV (Macintosh)": Mac Roman with lines ending in CR alone', () => {
  // Mac Roman: é is 0x8e, É is 0x83 (in Windows-1252, Ž and ƒ)
  const macRoman = (s: string): Buffer => Buffer.from([...s].map((c) => (c === 'é' ? 0x8e : c === 'É' ? 0x83 : c.charCodeAt(0))));
  const rows = ['date,agent_name,api_key,source,total_spend_usd', '2026-10-01,Équipe bot,Données clé,api,1.22', '2026-10-02,Équipe bot,Données clé,api,2.50'];
  it('is read as Mac Roman, said so, and its rows are the UTF-8 export’s (not counted twice)', async () => {
    const first = await importFile(ledger, scope.tmp.write('utf8.csv', `${rows.join('\n')}\n`));
    expect(first.imported).toBe(2);
    const mac = await importFile(ledger, scope.tmp.write('mac.csv', macRoman(`${rows.join('\r')}\r`)));
    expect(mac.form?.encoding).toBe('macintosh');
    expect(importFacts(mac, 'imported').findings.readAs).toMatch(/^Mac Roman \(not UTF-8; its accented letters read as Mac Roman’s/);
    expect(mac).toMatchObject({ rows: 2, imported: 0, duplicates: 2, rejected: 0 });
  });
  it('is told by its letters, not its line ends: Mac Roman with CR LF is Mac Roman, Windows-1252 with CR alone is Windows-1252', async () => {
    const mac = await importFile(scope.open('crlf.sqlite'), scope.tmp.write('mac-crlf.csv', macRoman(`${rows.join('\r\n')}\r\n`)));
    expect(mac.form?.encoding).toBe('macintosh');
    // Windows-1252: é is 0xe9, É is 0xc9 (in Mac Roman, È and …); a header ending in CR alone, then CR LF
    const windows = (s: string): Buffer => Buffer.from([...s].map((c) => (c === 'é' ? 0xe9 : c === 'É' ? 0xc9 : c.charCodeAt(0))));
    for (const [name, text] of [['win-cr.csv', `${rows.join('\r')}\r`], ['win-mixed.csv', `${rows[0]}\r${rows.slice(1).join('\r\n')}\r\n`]] as const) {
      const r = await importFile(scope.open(`${name}.sqlite`), scope.tmp.write(name, windows(text)));
      expect(r.form?.encoding, name).toBe('windows-1252');
    }
  });
});

describe('Excel date serials in a CSV to map', () => {
  it('are guessed as the date format when every time cell is a serial from 2000 to 2099, and read in the mapping’s zone', async () => {
    expect(guessDateFormat(['46329.5', '46330.25', ''])).toBe('excel-serial');
    // a serial out of range, or another date among them: not guessed
    expect(guessDateFormat(['46329.5', '12345'])).toBeNull();
    expect(parseMappedTime('46329.5', 'excel-serial', 'UTC')).toBe(Date.parse('2026-11-03T12:00:00Z'));
    expect(parseMappedTime('46329.5', 'excel-serial', 'Europe/Paris')).toBe(Date.parse('2026-11-03T11:00:00Z'));
    const file = scope.tmp.write('generic.csv', 'Date,Type,Key,Amount\n46329.5,api,k1,1.50\n46330.25,message,u1,\n');
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ format: 'mapping', rows: 2, imported: 2, rejected: 0 });
    expect(r.mapping?.dateFormat).toBe('excel-serial');
    expect(importFacts(r, 'imported').findings.readAs).toContain('dates as Excel date serials (days since 1899-12-30)');
    expect(eventsOf(ledger).map((e) => e.time)).toEqual(['2026-11-03T12:00:00.000Z', '2026-11-04T06:00:00.000Z']);
  });

  it('a serial that is no day from 2000 to 2099 leaves the date format undecided, saying what the cells look like', () => {
    const g = guessMapping(['Date', 'Type', 'Key', 'Amount'], [['46329.5', 'api', 'k1', '1.50'], ['12345', 'api', 'k1', '2']]);
    expect(g.mapping).toBeNull();
    expect(g.missing).toEqual(['dateFormat (the cells look like Excel date serials, days since 1899-12-30, but 12345 is no day from 2000 to 2099: format the column as yyyy-mm-dd and save again)']);
  });
});
