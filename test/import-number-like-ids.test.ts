/**
 * Ids and names of digits in the platform's exports, after a spreadsheet saved them again: it
 * reads such a cell as a number, so `00042` comes back as `42` and a long digit string as
 * `9.06923E+15`. The first keeps its digits (the re-saved copy is the same rows); the second has
 * lost them, and reading it would fold other messages' lines into one message.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile } from '../src/import/importer.ts';
import { eventsOf, ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';
import { CONSUMPTION_HEADER, consumptionLine } from './support/dust-exports.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const line = consumptionLine;

function consumption(name: string, lines: string[]): string {
  return scope.tmp.write(name, `${CONSUMPTION_HEADER}\n${lines.join('\n')}\n`);
}

/** Two lines of a person's message, an API request and a trigger run, with the ids given. */
function lines(ids: { msg: string[]; user: string; key: string; trigger: string }, time: (s: number) => string): string[] {
  const common = { agentName: 'Bot', modelId: 'claude', totalCredits: '1.50' };
  return [
    line({ ...common, completedAt: time(0), agentMessageId: ids.msg[0]!, contextOrigin: 'web', userId: ids.user, userName: 'Ada', usageType: 'user', stepIndex: '0' }),
    line({ ...common, completedAt: time(1), agentMessageId: ids.msg[0]!, contextOrigin: 'web', userId: ids.user, userName: 'Ada', usageType: 'user', stepIndex: '1' }),
    line({ ...common, completedAt: time(2), agentMessageId: ids.msg[1]!, contextOrigin: 'api', apiKeyName: ids.key, usageType: 'programmatic', stepIndex: '0' }),
    line({ ...common, completedAt: time(3), agentMessageId: ids.msg[2]!, contextOrigin: 'triggered', triggerId: ids.trigger, usageType: 'user', stepIndex: '0' }),
  ];
}

const exported = (s: number): string => `2026-09-01T10:00:0${s}.${s}23Z`;
/** what a spreadsheet saves the same times as: to the minute, without a zone */
const resaved = (): string => '2026-09-01 10:00';

describe('ids of digits that a spreadsheet saved as numbers', () => {
  it('reads a re-saved copy whose ids lost their leading zeros as the same rows: nothing added, nothing counted twice', async () => {
    const ids = { msg: ['000123', '0098', '0000001'], user: '00042', key: '0007', trigger: '000981' };
    const first = await importFile(ledger, consumption('export.csv', lines(ids, exported)));
    expect(first).toMatchObject({ imported: 4, events: 3 });
    const before = snapshot(ledger);
    const copy = lines({ msg: ['123', '98', '1'], user: '42', key: '7', trigger: '981' }, resaved);
    const again = await importFile(ledger, consumption('export-resaved.csv', copy));
    expect(again).toMatchObject({ rows: 4, imported: 0, duplicates: 4, rejected: 0 });
    expect(again.completedMessages ?? 0).toBe(0);
    expect(snapshot(ledger).events).toBe(before.events);
    // the events keep the export's own spelling
    expect(eventsOf(ledger).map((e) => e.subject).sort()).toEqual(['00042', '0007', '000981']);
  });

  it('refuses a copy whose long ids a spreadsheet wrote in exponent notation, naming the line, column and value; the ledger is unchanged', async () => {
    const before = snapshot(ledger);
    const copy = lines({ msg: ['9.06923E+15', '9.06923E+15', '1.46809E+15'], user: 'u1', key: 'key-a', trigger: 't1' }, resaved);
    await expect(importFile(ledger, consumption('resaved.csv', copy))).rejects.toThrow(
      /resaved\.csv:2: agentMessageId "9\.06923E\+15" is in exponent notation, as a spreadsheet writes a long number: the digits it dropped are lost/,
    );
    expect(snapshot(ledger)).toEqual(before);
  });

  it.each([
    ['userId', { msg: ['m1', 'm2', 'm3'], user: '1.23457E+16', key: 'key-a', trigger: 't1' }, 2],
    ['apiKeyName', { msg: ['m1', 'm2', 'm3'], user: 'u1', key: '1.23457E+15', trigger: 't1' }, 4],
    ['triggerId', { msg: ['m1', 'm2', 'm3'], user: 'u1', key: 'key-a', trigger: '9.87654E+15' }, 5],
  ])('refuses %s in exponent notation (other ids would read as one)', async (column, ids, at) => {
    await expect(importFile(ledger, consumption('resaved.csv', lines(ids, exported)))).rejects.toThrow(new RegExp(`resaved\\.csv:${at}: ${column} "[^"]+" is in exponent notation`));
    expect(snapshot(ledger).events).toBe(0);
  });
});

describe('the consumption export\'s other ids in exponent notation', () => {
  it('refuses a conversationId a spreadsheet wrote as 1.23457E+15, naming it', async () => {
    const text = line({ completedAt: '2026-09-01T10:00:00.000Z', conversationId: '1.23457E+15', agentMessageId: 'm1', contextOrigin: 'web', userId: 'u1', totalCredits: '1.00', stepIndex: '0' });
    await expect(importFile(ledger, consumption('resaved.csv', [text]))).rejects.toThrow(
      /resaved\.csv:2: conversationId "1\.23457E\+15" is in exponent notation, as a spreadsheet writes a long number: the digits it dropped are lost, so lines of different conversationId values would read as one/,
    );
  });
});

describe("the cost export's key names of digits", () => {
  const HEADER = 'date,agent_name,api_key,source,total_spend_usd';

  it('reads a re-saved row whose key lost its leading zeros as the row already imported', async () => {
    await importFile(ledger, scope.tmp.write('cost.csv', `${HEADER}\n2026-09-01,Bot,0007,api,2.50\n2026-09-01,Bot,key-b,api,1.00\n`));
    const before = snapshot(ledger);
    const again = await importFile(ledger, scope.tmp.write('cost-resaved.csv', `${HEADER}\n2026-09-01,Bot,7,api,2.5\n2026-09-01,Bot,key-b,api,1\n`));
    expect(again).toMatchObject({ rows: 2, imported: 0, duplicates: 2 });
    expect(snapshot(ledger)).toEqual({ ...before, batches: before.batches + 1, digest: expect.any(String) });
    expect(snapshot(ledger).events).toBe(before.events);
  });

  it('refuses a key name in exponent notation with its line', async () => {
    await expect(importFile(ledger, scope.tmp.write('cost.csv', `${HEADER}\n2026-09-01,Bot,1.23457E+15,api,2.50\n`))).rejects.toThrow(
      /cost\.csv:2: api_key "1\.23457E\+15" is in exponent notation/,
    );
  });
});
