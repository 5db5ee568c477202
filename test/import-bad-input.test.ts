import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../src/ledger/ledger.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import { InputError } from '../src/errors.ts';
import type { InputErrorDetail } from '../src/errors.ts';
import { snapshot, tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';
import { importFile } from '../src/import/importer.ts';

let tmp: TempDir;
let ledger: Ledger;
let before: ReturnType<typeof snapshot>;

beforeAll(async () => {
  tmp = tempDir();
  ledger = openLedger(tmp.path('ledger.sqlite'));
  await importFile(ledger, tmp.write('seed.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n'));
  before = snapshot(ledger);
});

afterAll(() => {
  ledger.close();
  tmp.remove();
});

const HEADER = 'timestamp,type,subject,cost_usd\n';
const latin1 = (text: string) => Buffer.from(text, 'latin1');

/** name, file content, the one detail the refusal must carry */
type Expected = Omit<Partial<InputErrorDetail>, 'message'> & { message: string | RegExp };

const CASES: [string, string | Uint8Array, Expected][] = [
  [
    // UTF-8 (the é of line 2) then a Latin-1 byte: neither encoding reads the whole file
    'mixed encodings (UTF-8, then Latin-1)',
    Buffer.concat([Buffer.from(`${HEADER}2026-01-05T10:00:00Z,api,caf\u00e9,1\n`), latin1('2026-01-05T11:00:00Z,api,caf\u00e9,1\n')]),
    { line: 3, column: 'subject', value: '\\xE9', message: /is not UTF-8/ },
  ],
  ['a missing column', 'timestamp,type,subject\n2026-01-05T10:00:00Z,api,k1\n', { line: 1, column: 'cost_usd', message: /missing column cost_usd/ }],
  ['an unparseable date', `${HEADER}2026-01-05T10:00:00Z,api,k1,1\n05/01/2026 10:00,api,k1,1\n`, { line: 3, column: 'timestamp', value: '05/01/2026 10:00', message: /ISO 8601/ }],
  ['an impossible date', `${HEADER}2026-02-30T10:00:00Z,api,k1,1\n`, { line: 2, column: 'timestamp', value: '2026-02-30T10:00:00Z', message: /day outside/ }],
  ['an unparseable amount', `${HEADER}2026-01-05T10:00:00Z,api,k1,1.2.3\n`, { line: 2, column: 'cost_usd', value: '1.2.3', message: 'is not a number' }],
  ['a missing amount', `${HEADER}2026-01-05T10:00:00Z,api,k1,\n`, { line: 2, column: 'cost_usd', value: '', message: 'is required for api events' }],
  ['a negative cost', `${HEADER}2026-01-05T10:00:00Z,api,k1,-0.01\n`, { line: 2, column: 'cost_usd', value: '-0.01', message: 'must be >= 0' }],
  ['an unknown type', `${HEADER}2026-01-05T10:00:00Z,request,k1,1\n`, { line: 2, column: 'type', value: 'request', message: 'is not api, trigger or message' }],
  ['a ragged row (short)', `${HEADER}2026-01-05T10:00:00Z,api,k1,1\n2026-01-05T10:00:00Z,api\n`, { line: 3, column: 'subject', value: '2026-01-05T10:00:00Z,api', message: 'has 2 fields; the header has 4' }],
  ['a ragged row (long)', `${HEADER}2026-01-05T10:00:00Z,api,k1,1,extra\n`, { line: 2, message: 'has 5 fields; the header has 4' }],
  ['an unclosed quote', `${HEADER}2026-01-05T10:00:00Z,api,"k1,1\n`, { line: 2, message: /quoted field is never closed/ }],
  ['text after a closing quote', `${HEADER}2026-01-05T10:00:00Z,api,"k1"x,1\n`, { line: 2, message: /after a closing quote/ }],
  ['a 0-byte file', '', { line: 1, message: /empty \(0 bytes\)/ }],
  ['a blank file', '\n\r\n  \n', { line: 1, message: /empty/ }],
  ['a binary file', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]), { message: /binary file/ }],
  ['an .xlsx workbook renamed .csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]), { line: 1, message: /Excel workbook .*save it as CSV/ }],
  ['a header with an unnamed column', 'timestamp,,subject,cost_usd\n', { line: 1, message: /no name/ }],
  ['an unknown CSV whose columns cannot be guessed', 'foo,bar\n1,2\n', { line: 1, message: /could not be mapped/ }],
];

describe('bad input is refused with line, column, value and what was expected; the ledger unchanged', () => {
  it.each(CASES)('%s', async (name, content, expected) => {
    const file = tmp.write(`${name.replace(/\W+/g, '-')}.csv`, content);
    const err = await importFile(ledger, file).catch((e: unknown) => e);
    expect(err, name).toBeInstanceOf(InputError);
    const details = (err as InputError).details;
    expect(details.length).toBeGreaterThan(0);
    const { message, ...rest } = expected;
    expect(details[0]).toMatchObject(rest);
    if (typeof message === 'string') expect(details[0]!.message).toBe(message);
    else expect(details[0]!.message).toMatch(message);
    expect(snapshot(ledger)).toEqual(before);
  });

  it('a missing file is an input error', async () => {
    await expect(importFile(ledger, tmp.path('nope.csv'))).rejects.toThrow(/cannot read the file \(ENOENT\)/);
    expect(snapshot(ledger)).toEqual(before);
  });

  it('the dust exports refuse bad values the same way', async () => {
    const cost = tmp.write('cost.csv', 'date,agent_name,api_key,source,total_spend_usd\n2026-01-05,Bot,k1,api,12.50\n2026-13-01,Bot,k1,api,1\n2026-01-06,Bot,k1,api,-2\n2026-01-07,Bot,k1,api,twelve\n');
    const err = (await importFile(ledger, cost).catch((e: unknown) => e)) as InputError;
    expect(err.details.map((d) => [d.line, d.column, d.value])).toEqual([
      [3, 'date', '2026-13-01'],
      [4, 'total_spend_usd', '-2'],
      [5, 'total_spend_usd', 'twelve'],
    ]);
    const consumption = tmp.write(
      'consumption.csv',
      'completedAt,agentMessageId,contextOrigin,apiKeyName,triggerId,userId,totalCredits\n2026-01-05T10:00:00Z,m1,web,,,u1,abc\n',
    );
    const err2 = (await importFile(ledger, consumption).catch((e: unknown) => e)) as InputError;
    expect(err2.details[0]).toMatchObject({ line: 2, column: 'totalCredits', value: 'abc' });
    expect(snapshot(ledger)).toEqual(before);
  });
});
