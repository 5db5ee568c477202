import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEventsCsv } from '../src/csv/read-events.ts';
import { InputError } from '../src/errors.ts';
import { runCli } from './support/run-cli.ts';

/** Regression tests of issue 15's findings 1 (times at the edge) and 8 (one reader, one verdict). */

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-edges-'));
  writeFileSync(join(dir, 'plan.json'), '{}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const H = 'timestamp,type,subject,cost_usd,id';

describe('finding 1: a time outside 1970..2199 is refused where it enters', () => {
  for (const [what, ts] of [
    ['year 9999', '9999-12-31T23:59:59Z'],
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['the largest JS date in ms', '8640000000000000'],
    ['a 14-digit epoch typo', '17000000000000'],
    ['a time before 1970', '1969-12-31T23:59:59Z'],
    ['2200-01-01 itself', '2200-01-01T00:00:00Z'],
  ] as const) {
    it(`CSV: ${what} names its line, column and value`, () => {
      let caught: unknown;
      try {
        readEventsCsv(`${H}\n2026-01-05T10:00:00Z,api,k,1,a\n${ts},api,k,1,b\n`, { file: 'e.csv' });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(InputError);
      expect((caught as InputError).details[0]).toMatchObject({ line: 3, column: 'timestamp', value: ts });
      expect((caught as InputError).message).toContain('between 1970-01-01 and 2199-12-31');
    });
  }

  it('CSV: the ends of the range are accepted', () => {
    const ev = readEventsCsv(`${H}\n1970-01-01T00:00:00Z,api,k,1,a\n2199-12-31T23:59:59.999Z,api,k,1,b\n0,api,k,1,c\n`);
    expect(ev.count).toBe(3);
  });

  it('import refuses the row with its line and leaves the ledger as it was', async () => {
    const db = join(dir, 'l.sqlite');
    expect((await runCli('import', file('ok.csv', `${H}\n2026-01-05T10:00:00Z,api,k,1,a\n`), '--db', db)).code).toBe(0);
    const before = readFileSync(db);
    const r = await runCli('import', file('far.csv', `${H}\n2026-01-05T11:00:00Z,api,k,1,b\n9999-01-01T00:00:00Z,api,k,1,c\n`), '--db', db);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/far\.csv:3: timestamp "9999-01-01T00:00:00Z" is outside the supported range/);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('CLI: --until, --from and --to outside the range exit 2 naming the option', async () => {
    const csv = file('e.csv', `${H}\n2026-01-05T10:00:00Z,api,k,1,a\n`);
    const until = await runCli('simulate', join(dir, 'plan.json'), csv, '--until', '9999-01-01');
    expect(until.code).toBe(2);
    expect(until.stderr).toContain('--until "9999-01-01" is outside the supported range');
    const db = join(dir, 'l.sqlite');
    const from = await runCli('simulate', join(dir, 'plan.json'), '--db', db, '--from', '0000-01-01T00:00:00Z');
    expect(from.code).toBe(2);
    expect(from.stderr).toContain('--from');
    for (const command of ['recommend', 'forecast', 'export']) {
      const r = await runCli(command, '--db', db, '--to', '8640000000000000', ...(command === 'export' ? ['--out', join(dir, 'out')] : []));
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toContain('--to "8640000000000000" is outside the supported range');
    }
  });
});

describe('finding 8: simulate and import give the same verdict for the same bytes', () => {
  const cases: [string, string, 0 | 2][] = [
    ['a NUL byte in an id', `${H}\n2026-01-05T10:00:00Z,api,k1,1,a\u0000b\n`, 2],
    ['a NUL byte in a subject', `${H}\n2026-01-05T10:00:00Z,api,k\u00001,1,a\n`, 2],
    ['blank lines before the header', `\n\n${H}\n2026-01-05T10:00:00Z,api,k1,1,a\n`, 0],
    ['a line of spaces before the header', `   \n${H}\n2026-01-05T10:00:00Z,api,k1,1,a\n`, 0],
    ['a BOM mid-file (two exports joined)', `${H}\n2026-01-05T10:00:00Z,api,k1,1,a\n\uFEFF2026-01-06T10:00:00Z,api,k1,1,b\n`, 0],
    ['CR-only line ends', `${H}\r2026-01-05T10:00:00Z,api,k1,1,a\r2026-01-06T10:00:00Z,api,k1,1,b\r`, 2],
    ['CRLF line ends', `${H}\r\n2026-01-05T10:00:00Z,api,k1,1,a\r\n`, 0],
    ['a duplicate header column', `timestamp,type,subject,cost_usd,cost_usd\n2026-01-05T10:00:00Z,api,k1,1,2\n`, 2],
    ['an unbalanced quote', `${H}\n2026-01-05T10:00:00Z,api,"k1,1,a\n`, 2],
    // a header and no rows is a valid file of no events (SPEC §6 asks for rows only through the header)
    ['a header and no rows', `${H}\n`, 0],
    ['a header and blank lines only', `\n${H}\n\n\r\n\n`, 0],
    ['a line of spaces after the header (a row of one field)', `${H}\n  \n`, 2],
    // an id is an event's identity (SPEC §8): two rows with one id and different content are refused
    ['one id on two rows of different content', `${H}\n2026-01-05T10:00:00Z,api,k1,1,a\n2026-01-05T11:00:00Z,api,k1,2,a\n`, 2],
    ['one id on two rows of different content, across a quoted row', `${H}\n2026-01-05T10:00:00Z,api,"k\n1",1,a\n2026-01-05T10:00:00Z,api,k1,1,b\n2026-01-05T10:00:00Z,api,"k\n1",3,a\n`, 2],
    ['one id on two identical rows (one event given twice)', `${H}\n2026-01-05T10:00:00Z,api,k1,1,a\n2026-01-05T10:00:00Z,api,k1,1,a\n`, 0],
    ['a quoted subject and id with spaces', `${H}\n2026-01-05T10:00:00Z,api," k 1 ",1," a "\n`, 0],
    // the field limit (64 KiB) holds on every path, quoted or not, in characters (not UTF-8 bytes)
    ['a subject one character over 65,536', `${H}\n2026-01-05T10:00:00Z,api,${'k'.repeat(65_537)},1,a\n`, 2],
    ['a quoted subject of doubled quotes over 65,536 characters', `${H}\n2026-01-05T10:00:00Z,api,"${'""'.repeat(65_537)}",1,a\n`, 2],
    ['a subject of 65,536 two-byte characters (131,072 bytes) is within the limit', `${H}\n2026-01-05T10:00:00Z,api,${'é'.repeat(65_536)},1,a\n`, 0],
  ];
  for (const [what, text, expected] of cases) {
    it(what, async () => {
      const csv = file('case.csv', text);
      const sim = await runCli('simulate', join(dir, 'plan.json'), csv);
      expect(sim.code, sim.stderr).toBe(expected);
      if (expected === 2) expect(sim.stderr.split(': ').slice(-1)[0]!.length).toBeGreaterThan(10);
      // into an empty ledger and into one that holds events (the importer reads them by different paths)
      for (const holding of [false, true]) {
        const ledger = join(dir, `ledger-${holding}.sqlite`);
        rmSync(ledger, { force: true });
        if (holding) expect((await runCli('import', file('before.csv', `${H}\n2026-01-01T00:00:00Z,api,k0,1,z\n`), '--db', ledger)).code).toBe(0);
        const before = holding ? readFileSync(ledger) : null;
        const imp = await runCli('import', csv, '--db', ledger, '--format', 'events');
        expect(imp.code, `${holding ? 'holding' : 'empty'}: ${imp.stderr}`).toBe(expected);
        if (expected === 2 && before !== null) expect(readFileSync(ledger).equals(before)).toBe(true);
      }
    }, 120_000);
  }

  it('one id on two rows of different content: simulate names both lines, as the importer names the second', async () => {
    const csv = file('clash.csv', `${H}\n\n2026-01-05T10:00:00Z,api,k1,1,a\n2026-01-05T10:00:00Z,api,k1,1,b\n2026-01-05T11:00:00Z,api,k1,2,a\n`);
    const sim = await runCli('simulate', join(dir, 'plan.json'), csv);
    expect(sim.stderr).toContain('clash.csv:5: id "a" repeats the id of the row on line 3 with different content');
    const imp = await runCli('import', csv, '--db', join(dir, 'clash.sqlite'));
    expect(imp.stderr).toContain('clash.csv:5: id "a" repeats the id of an earlier row of this file');
  });

  it('a quoted subject and id keep their spaces on every path; unquoted ones are trimmed on every path', async () => {
    const text = `${H}\n2026-01-05T10:00:00Z,api," k 1 ",1," a "\n2026-01-05T11:00:00Z,api, k 2 ,1, b \n`;
    const csv = file('spaces.csv', text);
    const fromCsv = await runCli('simulate', join(dir, 'plan.json'), csv, '--json', '--decisions', join(dir, 'csv.ndjson'));
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    const keysOf = (stdout: string) => (JSON.parse(stdout) as { keys: { id: string }[] }).keys.map((k) => k.id).sort();
    const idsOf = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(keysOf(fromCsv.stdout)).toEqual([' k 1 ', 'k 2']);
    expect(idsOf(join(dir, 'csv.ndjson'))).toEqual([' a ', 'b']);
    for (const holding of [false, true]) {
      const ledger = join(dir, `spaces-${holding}.sqlite`);
      rmSync(ledger, { force: true });
      if (holding) await runCli('import', file('before.csv', `${H}\n2026-01-01T00:00:00Z,api,k0,1,z\n`), '--db', ledger);
      expect((await runCli('import', csv, '--db', ledger)).code).toBe(0);
      const fromDb = await runCli('simulate', join(dir, 'plan.json'), '--db', ledger, '--from', '2026-01-05', '--json', '--decisions', join(dir, 'db.ndjson'));
      expect(fromDb.code, fromDb.stderr).toBe(0);
      expect(keysOf(fromDb.stdout)).toEqual([' k 1 ', 'k 2']);
      expect(idsOf(join(dir, 'db.ndjson'))).toEqual([' a ', 'b']);
    }
  }, 120_000);

  it('a BOM mid-file trims off a value as the importer trims it: the same subject either way', async () => {
    const csv = file('bom.csv', `${H}\n2026-01-05T10:00:00Z,api,\uFEFFk1,1,a\n2026-01-05T11:00:00Z,api,k1,1,b\n`);
    const sim = await runCli('simulate', join(dir, 'plan.json'), csv, '--json');
    expect(sim.code).toBe(0);
    const report = JSON.parse(sim.stdout) as { keys: { id: string }[] };
    expect(report.keys.map((k) => k.id)).toEqual(['k1']);
  });
});

describe('finding 1: chart data is capped in points, not in time', () => {
  it('ten thousand capped-out episodes become at most one shaded span per chart point', async () => {
    const { mergedSpans } = await import('../src/projection/series.ts');
    const episodes = Array.from({ length: 10_000 }, (_, i) => ({ from: i * 60_000, until: i * 60_000 + 30_000 }));
    const width = 800;
    const bucketMs = (10_000 * 60_000) / width;
    const spans = mergedSpans(episodes, 10_000 * 60_000, bucketMs);
    expect(spans.length).toBeLessThanOrEqual(width);
    expect(spans[0]!.from).toBe(0);
    expect(spans[spans.length - 1]!.until).toBe(9_999 * 60_000 + 30_000);
    // spans a point or more apart stay apart
    expect(mergedSpans([{ from: 0, until: 10 }, { from: 5000, until: 6000 }], 10_000, 1000)).toHaveLength(2);
  });
});

describe('finding 3: reading a cost is linear in its length', () => {
  it('a cost of 60,000 digits (within the field limit) is refused by name, its value clipped (the old pattern took hours)', () => {
    let caught: unknown;
    try {
      readEventsCsv(`${H}\n2026-01-05T10:00:00Z,api,k,${'9'.repeat(60_000)},a\n`, { file: 'e.csv' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    const detail = (caught as InputError).details[0]!;
    expect(detail).toMatchObject({ line: 2, column: 'cost_usd', message: expect.stringContaining('too large') });
    expect(detail.value!.length).toBeLessThanOrEqual(80);
  });
});
