import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCanonicalFields } from '../src/csv/canonical-row.ts';
import { readEventsCsv, readEventsCsvFile } from '../src/csv/read-events.ts';
import { scanEventsCsv } from '../src/csv/scan-events.ts';
import { parseTimestamp } from '../src/csv/timestamp.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { EventColumnsBuilder, EventType, idList, PackedIds } from '../src/engine/events.ts';
import { decisionAt, decisionsNdjson, formatDecisionLine } from '../src/engine/decisions.ts';
import { simulate } from '../src/engine/simulate.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { InputError } from '../src/errors.ts';
import type { InputErrorDetail } from '../src/errors.ts';

const HEADER = 'timestamp,type,subject,cost_usd';

function rows(ev: EventColumns) {
  return Array.from({ length: ev.count }, (_, i) => ({
    time: new Date(ev.time[i]).toISOString(),
    type: ev.type[i],
    subject: ev.subjects[ev.subject[i]],
    cost: ev.cost[i],
    id: ev.ids?.at(i) ?? null,
  }));
}

function errorsOf(text: string | Uint8Array, file = 'events.csv'): InputErrorDetail[] {
  try {
    readEventsCsv(text, { file });
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).details;
  }
  throw new Error('expected an InputError');
}

function messageOf(text: string | Uint8Array, file = 'events.csv'): string {
  try {
    readEventsCsv(text, { file });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('readEventsCsv: the common shape', () => {
  it('reads each type, keeps input order and parses money to integer micro-USD', () => {
    const ev = readEventsCsv(
      [HEADER, '2026-01-05T10:00:00.000Z,api,k1,0.25', '2026-01-05T09:00:00Z,trigger,t1,', '2026-01-05T11:00:00.5Z,message,alice,', ''].join('\n'),
    );
    expect(rows(ev)).toEqual([
      { time: '2026-01-05T10:00:00.000Z', type: EventType.api, subject: 'k1', cost: 250_000, id: null },
      { time: '2026-01-05T09:00:00.000Z', type: EventType.trigger, subject: 't1', cost: 0, id: null },
      { time: '2026-01-05T11:00:00.500Z', type: EventType.message, subject: 'alice', cost: 0, id: null },
    ]);
    expect(ev.ids).toBeNull();
  });

  it('accepts columns in any order, an id column, a BOM and CRLF line ends', () => {
    const text = '\uFEFFid,cost_usd,subject,type,timestamp\r\ne1,1.5,k1,api,2026-01-05T10:00:00Z\r\ne2,,t1,trigger,2026-01-05T10:00:01Z\r\n';
    expect(rows(readEventsCsv(text))).toEqual([
      { time: '2026-01-05T10:00:00.000Z', type: EventType.api, subject: 'k1', cost: 1_500_000, id: 'e1' },
      { time: '2026-01-05T10:00:01.000Z', type: EventType.trigger, subject: 't1', cost: 0, id: 'e2' },
    ]);
    // The same file as bytes.
    expect(rows(readEventsCsv(Buffer.from(text, 'utf8')))).toHaveLength(2);
  });

  it('rounds dollars half away from zero at the sixth decimal, on the digits', () => {
    const ev = readEventsCsv([HEADER, 'x,api,k,0.0000005', 'x,api,k,2.675', 'x,api,k,0.0000004999', 'x,api,k,.5', 'x,api,k,12'].join('\n').replaceAll('x,', '1767607200000,'));
    expect(Array.from(ev.cost)).toEqual([1, 2_675_000, 0, 500_000, 12_000_000]);
  });

  it('reads trigger costs (programmatic spend) and ignores whatever a message carries', () => {
    const ev = readEventsCsv([HEADER, '1767607200000,trigger,t,0.3', '1767607200000,message,u,not money'].join('\n'));
    expect(Array.from(ev.cost)).toEqual([300_000, 0]);
  });

  it('skips blank lines, and keeps non-ASCII subjects and ids', () => {
    const ev = readEventsCsv(`id,${HEADER}\n\nä1,2026-01-05T10:00:00Z,message,Zoë,\n\n`);
    expect(rows(ev)).toEqual([{ time: '2026-01-05T10:00:00.000Z', type: EventType.message, subject: 'Zoë', cost: 0, id: 'ä1' }]);
  });

  it('ignores unknown extra columns and surrounding spaces', () => {
    const ev = readEventsCsv('Timestamp, Type ,subject,cost_usd,note\n 2026-01-05T10:00:00Z , api , k1 , 1 ,hello\n');
    expect(rows(ev)).toEqual([{ time: '2026-01-05T10:00:00.000Z', type: EventType.api, subject: 'k1', cost: 1_000_000, id: null }]);
  });
});

describe('ids, kept packed', () => {
  const line = (id: string, i: number) => `${id},2026-01-05T10:00:0${i % 10}.000Z,api,k${i % 3},0.5`;
  const read = (ids: string[]) => readEventsCsv([`id,${HEADER}`, ...ids.map(line)].join('\n'));

  it.each([
    ['e<row> ids', ['e1', 'e2', 'e3']],
    ['row-number ids', ['1', '2', '3']],
    ['a pattern broken later', ['e1', 'e2', 'e4', 'e9']],
    ['a pattern broken by a missing id', ['e1', '', 'e3']],
    ['a missing first id', ['', 'e2', 'x']],
    ['leading zeros and other prefixes', ['e01', 'e2', 'f3']],
    ['non-ASCII, backslashes and control characters', ['ä1', 'a\\b', 'tab\there']],
    ['only missing ids', ['', '', '']],
  ])('gives back %s exactly', (_, ids) => {
    const ev = read(ids);
    const expected = ids.map((id) => (id === '' ? null : id));
    expect(idList(ev.ids)).toEqual(ids.every((id) => id === '') ? null : expected);
    // the decisions write them as JSON would, whatever the packing
    const result = simulate(validatePlan({}), ev);
    const lines = decisionsNdjson(ev, result).trimEnd().split('\n');
    expect(lines).toEqual(ids.map((_, i) => formatDecisionLine(decisionAt(ev, result, i))));
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(ids.map((_, i) => decisionAt(ev, result, i)));
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(expected.map((id, i) => id ?? String(i + 1)));
  });

  it('keeps ids right across quoted rows read by papaparse and across blocks', () => {
    const text = [`id,${HEADER}`, line('e1', 0), '"e2",2026-01-05T10:00:01Z,api,"k,1",1', line('e3', 2), line('z', 3), '"e5",2026-01-05T10:00:04Z,api,k1,1'].join('\n');
    expect(idList(readEventsCsv(text).ids)).toEqual(['e1', 'e2', 'e3', 'z', 'e5']);
  });

  it('stores nothing per row while ids are row numbers, and bytes otherwise', () => {
    const gen = read(Array.from({ length: 5000 }, (_, i) => `e${i + 1}`)).ids;
    expect(gen).toBeInstanceOf(PackedIds);
    expect((gen as PackedIds).rowPattern).toBe('e');
    expect((gen as PackedIds).bytes.length).toBe(0);
    expect(gen?.at(4999)).toBe('e5000');
    const other = read(['a', 'bb', 'ccc']).ids as PackedIds;
    expect(other.rowPattern).toBeNull();
    expect(other.at(1)).toBe('bb');
    expect([...other]).toEqual(['a', 'bb', 'ccc']);
  });

  it('hands every id out as strings at once, as at() reads them one by one', () => {
    const rowIds = new PackedIds();
    for (let i = 1; i <= 3; i++) rowIds.pushText(`e${i}`);
    expect(rowIds.strings()).toEqual(['e1', 'e2', 'e3']);
    for (const ids of [['a', null, 'ccc'], ['ké', null, 'ßx', '日本']]) {
      const packed = new PackedIds();
      for (const id of ids) packed.pushText(id);
      expect(packed.strings()).toEqual(ids);
      expect(packed.strings()).toEqual([...packed]);
    }
  });

  it('keeps every row and id when a builder outgrows what it reserved, or gets far less', () => {
    for (const [reserve, n] of [[10, 3000], [100_000, 5]]) {
      const b = new EventColumnsBuilder();
      b.reserve(reserve);
      for (let i = 0; i < n; i++) b.push(i, EventType.api, `k${i % 7}`, i, i % 5 === 0 ? null : `id${i}`);
      const ev = b.build();
      expect(ev.count).toBe(n);
      expect(Array.from(ev.time)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(ev.subjects[ev.subject[n - 1]]).toBe(`k${(n - 1) % 7}`);
      expect(idList(ev.ids)).toEqual(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `id${i}`)));
    }
  });
});

describe('timestamps', () => {
  it.each([
    ['2026-01-05T10:00:00.000Z', '2026-01-05T10:00:00.000Z'],
    ['2026-01-05T10:00:00Z', '2026-01-05T10:00:00.000Z'],
    ['2026-01-05T10:00Z', '2026-01-05T10:00:00.000Z'],
    ['2026-01-05 10:00:00Z', '2026-01-05T10:00:00.000Z'],
    ['2026-01-05T12:00:00+02:00', '2026-01-05T10:00:00.000Z'],
    ['2026-01-05T12:00:00.250+0200', '2026-01-05T10:00:00.250Z'],
    ['2026-01-05T05:30:00-04:30', '2026-01-05T10:00:00.000Z'],
    ['2026-01-05T10:00:00.123456789Z', '2026-01-05T10:00:00.123Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000Z'],
    ['1767607200000', '2026-01-05T10:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    const ms = parseTimestamp(text);
    expect(ms).not.toBeNull();
    expect(new Date(ms as number).toISOString()).toBe(iso);
  });

  it('agrees with Date.parse on many random instants and offsets', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }), fc.integer({ min: -14 * 60, max: 14 * 60 }), (ms, offset) => {
        const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
        const sign = offset < 0 ? '-' : '+';
        const abs = Math.abs(offset);
        const zone = offset === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(parseTimestamp(local + zone)).toBe(ms);
        expect(parseTimestamp(local + zone)).toBe(Date.parse(local + zone));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['2026-02-29T10:00:00Z', 'day outside 1-28'],
    ['2026-04-31T10:00:00Z', 'day outside 1-30'],
    ['2026-13-01T10:00:00Z', 'month outside 1-12'],
    ['2026-00-01T10:00:00Z', 'month outside 1-12'],
    ['2026-01-05T24:00:00Z', 'time of day out of range'],
    ['2026-01-05T10:60:00Z', 'time of day out of range'],
    ['2026-01-05T10:00:61.000Z', 'time of day out of range'],
    ['2026-01-05T10:00:00', 'no time zone'],
    ['2026-01-05', 'no time of day'],
    ['2026-01-05T10:00:00+25:00', 'invalid UTC offset'],
    ['yesterday', 'not an ISO 8601 time'],
    ['1767607200000.5', 'not an ISO 8601 time'],
    ['', 'is empty'],
  ])('rejects %j (%s)', (text, why) => {
    expect(parseTimestamp(text)).toBeNull();
    const [detail] = errorsOf(`${HEADER}\n${text},api,k,1\n`);
    expect(detail).toMatchObject({ file: 'events.csv', line: 2, column: 'timestamp', value: text });
    expect(detail.message).toContain(why);
  });
});

describe('RFC 4180 quoting (the general path)', () => {
  it('reads quoted fields with commas, quotes and newlines, and counts physical lines', () => {
    const text = [
      HEADER,
      '2026-01-05T10:00:00Z,api,k1,1',
      '"2026-01-05T10:00:01Z","api","key, with comma","2"',
      '2026-01-05T10:00:02Z,message,"multi',
      'line ""user""",',
      '2026-01-05T10:00:03Z,api,k1,abc',
    ].join('\r\n');
    const details = errorsOf(text);
    // The bad cost is on physical line 6 (the quoted newline spans lines 4-5).
    expect(details).toEqual([{ file: 'events.csv', line: 6, column: 'cost_usd', value: 'abc', message: 'is not a number' }]);
    const good = readEventsCsv(text.replace('abc', '3'));
    expect(rows(good).map((r) => r.subject)).toEqual(['k1', 'key, with comma', 'multi\r\nline "user"', 'k1']);
  });

  it('counts lines the same when quoted records are read one by one and when papaparse reads the rest', () => {
    // A few quoted records are read one at a time; past 64 papaparse takes the rest whole.
    for (const quoted of [3, 150]) {
      const body = Array.from({ length: quoted }, (_, i) => `2026-01-05T10:00:00Z,message,"user\n${i}",`);
      const text = [HEADER, ...body, '2026-01-05T10:00:00Z,api,k1,1', '2026-01-05T10:00:00Z,api,k1,oops', ''].join('\n');
      expect(errorsOf(text)).toEqual([{ file: 'events.csv', line: 2 + quoted * 2 + 1, column: 'cost_usd', value: 'oops', message: 'is not a number' }]);
      const ev = readEventsCsv(text.replace('oops', '2'));
      expect(ev.count).toBe(quoted + 2);
      expect(ev.subjects[ev.subject[quoted - 1]]).toBe(`user\n${quoted - 1}`);
    }
  });

  it('keeps a quoted subject and id exactly as given, and trims unquoted ones', () => {
    const quotedRow = (i: number) => `"  id ${i} ",2026-01-05T10:00:00Z,api," padded ",1`;
    for (const n of [1, 100]) {
      // 1 row: read on its own; 100: past the quoted records read one by one, papaparse reads the rest
      const text = [`id,${HEADER}`, 'u1 , 2026-01-05T10:00:00Z , api ,  plain  , 2', ...Array.from({ length: n }, (_, i) => quotedRow(i)), ''].join('\n');
      const ev = readEventsCsv(text);
      expect(rows(ev)[0]).toMatchObject({ subject: 'plain', id: 'u1', cost: 2_000_000 });
      expect(rows(ev).slice(1).map((r) => [r.subject, r.id])).toEqual(Array.from({ length: n }, (_, i) => [' padded ', `  id ${i} `]));
    }
    // a quoted time, type and cost are still read without their spaces
    expect(rows(readEventsCsv(`${HEADER}\n" 2026-01-05T10:00:00Z "," api ",k," 1.5 "\n`))[0]).toMatchObject({ time: '2026-01-05T10:00:00.000Z', type: EventType.api, cost: 1_500_000 });
  });

  it('reads a quoted header', () => {
    const ev = readEventsCsv('"timestamp","type","subject","cost_usd"\n2026-01-05T10:00:00Z,api,k,1\n');
    expect(ev.count).toBe(1);
  });

  it('reports a quote that is never closed', () => {
    const [detail] = errorsOf(`${HEADER}\n2026-01-05T10:00:00Z,api,"k1,1\n2026-01-05T10:00:00Z,api,k2,1\n`);
    expect(detail.line).toBe(2);
    expect(detail.message).toContain('never closed');
  });

  it('gives the same events as the fast path for any rows', () => {
    // no outer spaces: a quoted subject keeps them, an unquoted one does not
    const field = fc.stringMatching(/^[a-zA-Z0-9 _.:é-]{1,12}$/).filter((s) => s.trim().length > 0 && s.trim() === s);
    const row = fc.record({
      // not 1e9..1e11, which is refused as epoch seconds
      ms: fc.oneof(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 100_000_000_000, max: 4_102_444_800_000 })),
      type: fc.constantFrom('api', 'trigger', 'message'),
      subject: field,
      cents: fc.integer({ min: 0, max: 1_000_000 }),
      iso: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 30 }), (rs) => {
        const cells = rs.map((r) => [r.iso ? new Date(r.ms).toISOString() : String(r.ms), r.type, r.subject, (r.cents / 100).toFixed(2)]);
        const plain = [HEADER, ...cells.map((c) => c.join(','))].join('\n');
        const quoted = [HEADER, ...cells.map((c) => c.map((v) => `"${v}"`).join(','))].join('\n');
        expect(rows(readEventsCsv(quoted))).toEqual(rows(readEventsCsv(plain)));
        expect(rows(readEventsCsv(plain)).map((r) => r.cost)).toEqual(rs.map((r) => (r.type === 'message' ? 0 : r.cents * 10_000)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('bad input is named, never silently zero', () => {
  it('formats errors as file:line: column "value" message', () => {
    expect(messageOf(`${HEADER}\n2026-01-05T10:00:00Z,api,k1,abc\n`)).toBe('events.csv:2: cost_usd "abc" is not a number');
  });

  it('refuses epoch seconds, exponent notation and huge costs, each with its own reason (F18)', () => {
    const details = errorsOf(
      [
        HEADER,
        '1767607200,api,k1,1',
        '2026-01-05T10:00:00Z,api,k1,5e-06',
        '2026-01-05T10:00:00Z,api,k1,1E2',
        '2026-01-05T10:00:00Z,api,k1,1234567890123.1234567',
        '2026-01-05T10:00:00Z,api,k1,   ',
        '1767607200000,api,k1,1',
        '',
      ].join('\r\n'),
    );
    expect(details.map((d) => [d.line, d.column, d.value, d.message])).toEqual([
      [2, 'timestamp', '1767607200', 'looks like epoch seconds; epoch milliseconds expected (multiply by 1000)'],
      [3, 'cost_usd', '5e-06', 'uses exponent notation, which is not accepted; write 0.000005'],
      [4, 'cost_usd', '1E2', 'uses exponent notation, which is not accepted; write 100'],
      [5, 'cost_usd', '1234567890123.1234567', 'is too large (at most 9,007,199,254.740991 USD)'],
      [6, 'cost_usd', '   ', 'is required for api events'],
    ]);
    expect(parseTimestamp('1767607200')).toBeNull();
    expect(parseTimestamp('99999999')).toBe(99_999_999);
  });

  it('requires an api cost, and a non-negative one', () => {
    const details = errorsOf(`${HEADER}\n2026-01-05T10:00:00Z,api,k1,\n2026-01-05T10:00:00Z,api,k1,-1\n2026-01-05T10:00:00Z,trigger,t1,-0.5\n`);
    expect(details.map((d) => [d.line, d.column, d.value, d.message])).toEqual([
      [2, 'cost_usd', '', 'is required for api events'],
      [3, 'cost_usd', '-1', 'must be >= 0'],
      [4, 'cost_usd', '-0.5', 'must be >= 0'],
    ]);
  });

  it('names unknown types, empty subjects and ragged rows', () => {
    const details = errorsOf(`${HEADER}\n2026-01-05T10:00:00Z,webhook,t1,\n2026-01-05T10:00:00Z,api,,1\n2026-01-05T10:00:00Z,api,k1\n2026-01-05T10:00:00Z,api,k1,1,extra\n`);
    expect(details.map((d) => [d.line, d.column, d.message])).toEqual([
      [2, 'type', 'is not api, trigger or message'],
      [3, 'subject', 'is empty (expected the API key, trigger or user id)'],
      [4, undefined, 'has 3 fields; the header has 4'],
      [5, undefined, 'has 5 fields; the header has 4'],
    ]);
    expect(details[2].value).toBe('2026-01-05T10:00:00Z,api,k1');
  });

  it('reports every bad value of a row', () => {
    const details = errorsOf(`${HEADER}\nnope,api,k1,abc\n`);
    expect(details.map((d) => d.column)).toEqual(['timestamp', 'cost_usd']);
  });

  it('names missing and duplicated columns', () => {
    expect(errorsOf('timestamp,type,cost\n2026-01-05T10:00:00Z,api,1\n')).toEqual([
      expect.objectContaining({ file: 'events.csv', line: 1, column: 'subject', message: expect.stringContaining('missing columns subject, cost_usd') }),
    ]);
    expect(errorsOf('timestamp,type,subject,cost_usd,type\n')[0].message).toContain('appears twice');
  });

  it('refuses an empty file; a header without rows is a file of no events (as import reads it)', () => {
    expect(messageOf('', 'e.csv')).toBe('e.csv:1: is empty (expected a header line: timestamp,type,subject,cost_usd)');
    expect(messageOf('\uFEFF\n  \n')).toContain('is empty');
    expect(readEventsCsv(`${HEADER}\n`).count).toBe(0);
    expect(readEventsCsv(`\n${HEADER}\n\n`).count).toBe(0);
  });

  it('refuses bytes that are not UTF-8, naming the line', () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\n2026-01-05T10:00:00Z,message,ok,\n2026-01-05T10:00:00Z,message,`), Buffer.from([0xe9, 0x0a])]);
    const [detail] = errorsOf(bytes);
    expect(detail).toMatchObject({ file: 'events.csv', line: 3 });
    expect(detail.message).toContain('not valid UTF-8');
  });

  it('stops after 20 errors and says so', () => {
    const bad = Array.from({ length: 50 }, (_, i) => `2026-01-05T10:00:00Z,api,k${i},x`);
    let err: InputError | null = null;
    try {
      readEventsCsv([HEADER, ...bad].join('\n'));
    } catch (e) {
      err = e as InputError;
    }
    expect(err?.details).toHaveLength(20);
    expect(err?.details[19].line).toBe(21);
    expect(err?.message.split('\n').at(-1)).toBe('events.csv: stopped after 20 errors');
  });
});

describe('row-level API for importers', () => {
  it('parses one row given as values', () => {
    expect(parseCanonicalFields('2026-01-05T12:00:00+02:00', 'api', 'k1', '0.1', 'e9')).toEqual({
      time: Date.UTC(2026, 0, 5, 10),
      type: EventType.api,
      subject: 'k1',
      costMicros: 100_000,
      id: 'e9',
    });
    expect(parseCanonicalFields('bad', 'api', 'k1', 'x')).toEqual([
      expect.objectContaining({ column: 'timestamp', value: 'bad' }),
      expect.objectContaining({ column: 'cost_usd', value: 'x', message: 'is not a number' }),
    ]);
  });

  it('streams rows with their physical lines and keeps going past bad rows', () => {
    const seen: [string, number][] = [];
    const errors: number[] = [];
    scanEventsCsv(`${HEADER}\n2026-01-05T10:00:00Z,api,a,1\n2026-01-05T10:00:00Z,api,b,x\n2026-01-05T10:00:00Z,api,"c\nc",1\n2026-01-05T10:00:00Z,api,d,1\n`, 'f.csv', {
      row(_t, _type, subject, _cost, _id, line) {
        seen.push([subject, line]);
      },
      error(d) {
        errors.push(d.line ?? -1);
        return true;
      },
    });
    expect(seen).toEqual([
      ['a', 2],
      ['c\nc', 4],
      ['d', 6],
    ]);
    expect(errors).toEqual([3]);
  });
});

describe('readEventsCsvFile: the file read in blocks', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-csv-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function outcome(read: () => EventColumns) {
    try {
      return { rows: rows(read()) };
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      return { errors: err.details };
    }
  }

  it('gives what reading it whole gives, whatever the block size and content', () => {
    const line = fc.oneof(
      fc.constantFrom(
        '2026-01-05T10:00:00.000Z,api,k1,0.5',
        '2026-01-05T12:00:00+02:00,trigger,t1,',
        '1767607200000,message,Zoë,',
        '2026-01-05T10:00:00Z,api,"key, quoted",1',
        '2026-01-05T10:00:00Z,message,"two\nlines",',
        '2026-01-05T10:00:00Z,api,k1,abc',
        '2026-02-30T10:00:00Z,api,k1,1',
        '2026-01-05T10:00:00Z,api,k1',
        '',
        '2026-01-05T10:00:00Z,message,ünïcödé-üser-with-a-long-name,',
      ),
    );
    let n = 0;
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 4, max: 64 }), (lines, bom, crlf, last, block) => {
        const eol = crlf ? '\r\n' : '\n';
        const text = (bom ? '\uFEFF' : '') + [HEADER, ...lines].join(eol) + (last ? eol : '');
        const path = join(dir, `f${n++}.csv`);
        writeFileSync(path, text);
        const whole = outcome(() => readEventsCsv(Buffer.from(text, 'utf8'), { file: basename(path) }));
        const blocks = outcome(() => readEventsCsvFile(path, { blockBytes: block }));
        expect(blocks).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });

  it('names a file that does not exist, and refuses bad UTF-8 deep in the file with its line', () => {
    expect(() => readEventsCsvFile(join(dir, 'missing.csv'))).toThrow(/missing\.csv: does not exist/);
    const path = join(dir, 'latin1.csv');
    const good = Array.from({ length: 200 }, () => '2026-01-05T10:00:00Z,message,a,').join('\n');
    writeFileSync(path, Buffer.concat([Buffer.from(`${HEADER}\n${good}\n2026-01-05T10:00:00Z,message,`), Buffer.from([0xe9]), Buffer.from(',\n')]));
    expect(() => readEventsCsvFile(path, { blockBytes: 256 })).toThrow(/^latin1\.csv:202: is not valid UTF-8/);
  });
});
