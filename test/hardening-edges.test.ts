import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEventsCsv } from '../src/engine/csv.ts';
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
  ];
  for (const [what, text, expected] of cases) {
    it(what, async () => {
      const csv = file('case.csv', text);
      const sim = await runCli('simulate', join(dir, 'plan.json'), csv);
      const empty = join(dir, `empty-${expected}.sqlite`);
      rmSync(empty, { force: true });
      const imp = await runCli('import', csv, '--db', empty, '--format', 'events');
      expect(sim.code, sim.stderr).toBe(expected);
      expect(imp.code, imp.stderr).toBe(expected);
      if (expected === 2) expect(sim.stderr.split(': ').slice(-1)[0]!.length).toBeGreaterThan(10);
    });
  }

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
  it('a cost of 300,000 digits is refused by name, its value clipped (the old pattern took hours)', () => {
    let caught: unknown;
    try {
      readEventsCsv(`${H}\n2026-01-05T10:00:00Z,api,k,${'9'.repeat(300_000)},a\n`, { file: 'e.csv' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    const detail = (caught as InputError).details[0]!;
    expect(detail).toMatchObject({ line: 2, column: 'cost_usd', message: expect.stringContaining('too large') });
    expect(detail.value!.length).toBeLessThanOrEqual(80);
  });
});
