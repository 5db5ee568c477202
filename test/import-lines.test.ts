import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { migrate, openLedger } from '../src/ledger/ledger.ts';
import { LATEST_VERSION } from '../src/ledger/schema.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { CONSUMPTION_HEADER, consumptionLine, dustWorkspace } from './support/dust-exports.ts';
import type { DustWorkspace } from './support/dust-exports.ts';
import { countedSpend, sortedSpend } from './support/counted-spend.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const line = consumptionLine;

/** Step `step` of API message `msg` of key-a, costing `credits`. */
function step(msg: string, s: number, credits: number, time = `2026-09-01T10:00:0${s}.000Z`): string {
  return line({ completedAt: time, agentMessageId: msg, contextOrigin: 'api', apiKeyName: 'key-a', agentName: 'Bot', usageType: 'programmatic', totalCredits: `${credits}.00`, stepIndex: String(s), modelId: 'claude' });
}

function file(name: string, lines: string[]): string {
  return scope.tmp.write(name, `${CONSUMPTION_HEADER}\n${lines.join('\n')}\n`);
}

/** The counted events as [id, cost in µUSD], by id (events at one millisecond keep their import order). */
function messages(l: Ledger): [string | null, number][] {
  return eventsOf(l)
    .map((e): [string | null, number] => [e.id, e.cost])
    .sort(([a], [b]) => ((a ?? '') < (b ?? '') ? -1 : 1));
}

describe('a message split across two overlapping consumption exports', () => {
  // m1 has three lines; the first export was cut after its second
  const first = (): string => file('first.csv', [step('m0', 0, 5), step('m1', 0, 10), step('m1', 1, 20)]);
  const second = (): string => file('second.csv', [step('m1', 0, 10), step('m1', 1, 20), step('m1', 2, 40), step('m2', 0, 7)]);

  it('takes the lines the first export lacked: one event per message, its whole cost', async () => {
    await importFile(ledger, first());
    const r = await importFile(ledger, second());
    expect(r).toMatchObject({ rows: 4, imported: 2, duplicates: 2, rejected: 0 });
    expect(r.completedMessages).toEqual({ messages: 1, lines: 1 });
    // credits at $0.01: 70 credits = $0.70
    expect(messages(ledger)).toEqual([
      ['dust-msg:m0', 50_000],
      ['dust-msg:m1', 700_000],
      ['dust-msg:m2', 70_000],
    ]);
  });

  it('the other order, and the second half alone, give the same message', async () => {
    await importFile(ledger, second());
    await importFile(ledger, first());
    const other = scope.open('other.sqlite');
    await importFile(other, first());
    await importFile(other, file('rest.csv', [step('m1', 2, 40), step('m2', 0, 7)]));
    expect(messages(ledger)).toEqual(messages(other));
    expect(messages(ledger).find(([id]) => id === 'dust-msg:m1')![1]).toBe(700_000);
  });

  it('importing either file again adds nothing', async () => {
    await importFile(ledger, first());
    await importFile(ledger, second());
    const before = messages(ledger);
    expect(await importFile(ledger, first())).toMatchObject({ imported: 0, duplicates: 3 });
    expect(await importFile(ledger, second())).toMatchObject({ imported: 0, duplicates: 4 });
    expect(messages(ledger)).toEqual(before);
  });

  it("undo removes exactly the batch's lines, those it added to another batch's message included", async () => {
    await importFile(ledger, first());
    const b2 = (await importFile(ledger, second())).batch!;
    ledger.undoBatch(b2);
    expect(messages(ledger)).toEqual([
      ['dust-msg:m0', 50_000],
      ['dust-msg:m1', 300_000],
    ]);
    // and again: the same lines come back, nothing twice
    await importFile(ledger, second());
    expect(messages(ledger).find(([id]) => id === 'dust-msg:m1')![1]).toBe(700_000);
  });

  it('undoing the batch that made the message keeps the lines a later batch added to it', async () => {
    const b1 = (await importFile(ledger, first())).batch!;
    const b2 = (await importFile(ledger, second())).batch!;
    expect(ledger.undoBatch(b1)).toBe(1); // m0; m1 stays, with the line only the second export added
    expect(messages(ledger)).toEqual([
      ['dust-msg:m1', 400_000],
      ['dust-msg:m2', 70_000],
    ]);
    // the message now belongs to the second batch: undoing it leaves nothing
    ledger.undoBatch(b2);
    expect(messages(ledger)).toEqual([]);
    expect(ledger.db.prepare('SELECT count(*) FROM event_lines').pluck().get()).toBe(0);
    // the first file's lines are new again
    expect(await importFile(ledger, first())).toMatchObject({ imported: 3, duplicates: 0 });
  });

  it('identical lines of one file are told apart by their occurrence, as SPEC §8 says for rows without an id', async () => {
    const twice = step('m1', 0, 10);
    const r = await importFile(ledger, file('a.csv', [twice, twice]));
    expect(r).toMatchObject({ imported: 2, duplicates: 0 });
    expect(messages(ledger)).toEqual([['dust-msg:m1', 200_000]]);
    // a later export with the line three times adds the third only
    expect(await importFile(ledger, file('b.csv', [twice, twice, twice]))).toMatchObject({ imported: 1, duplicates: 2 });
    expect(messages(ledger)).toEqual([['dust-msg:m1', 300_000]]);
  });

  it('a spreadsheet’s copy of the export is the same lines: time to the minute, decimal comma, labels, columns in another order', async () => {
    await importFile(ledger, first());
    const header = ['totalCredits', 'agentMessageId', 'completedAt', 'contextOrigin', 'apiKeyName', 'agentName', 'usageType', 'stepIndex', 'modelId', 'userId'];
    const row = (msg: string, s: number, credits: string, day = '01'): string => [credits, msg, `${day}/09/2026 10:00`, 'API', 'key-a', 'Bot', 'programmatic', String(s), 'claude', ''].join(';');
    const lines = [row('m0', 0, '5'), row('m1', 0, '10,00'), row('m1', 1, '20'), row('m1', 2, '40,0'), row('m9', 0, '1', '13')];
    const saved = scope.tmp.write('saved.csv', `${header.join(';')}\r\n${lines.join('\r\n')}\r\n`);
    const r = await importFile(ledger, saved);
    expect(r).toMatchObject({ rows: 5, imported: 2, duplicates: 3 });
    expect(messages(ledger)).toEqual([
      ['dust-msg:m0', 50_000],
      ['dust-msg:m1', 700_000],
      ['dust-msg:m9', 10_000],
    ]);
  });

  it('a preview says what the import would add and writes nothing', async () => {
    await importFile(ledger, first());
    const before = messages(ledger);
    const p = await previewImport(ledger, second());
    expect(p).toMatchObject({ imported: 2, duplicates: 2 });
    expect(messages(ledger)).toEqual(before);
    expect(ledger.db.prepare('SELECT count(*) FROM event_lines').pluck().get()).toBe(3);
  });

  it("a preview's rows show a message already in the ledger at what its lines cost, not at nothing", async () => {
    await importFile(ledger, first());
    const stored = new Map(messages(ledger));
    const again = await previewImport(ledger, first());
    expect(again).toMatchObject({ imported: 0, duplicates: 3 });
    // each message as stored: m0's one line, m1's two
    expect(again.firstEvents.map((e) => [e.duplicate, e.costMicros])).toEqual([
      [true, stored.get(again.firstEvents[0]!.id)],
      [true, stored.get(again.firstEvents[1]!.id)],
    ]);
    expect(again.firstEvents.every((e) => e.costMicros > 0)).toBe(true);
  });
});

describe('overlapping consumption exports beside the cost export: one spend counted once', () => {
  const ws = dustWorkspace({ seed: 23, days: 20, start: Date.UTC(2026, 8, 1) });

  /** The consumption export as two overlapping downloads, each cut in the middle of a message. */
  function overlapping(w: DustWorkspace): [string, string] {
    const lines = w.consumption.trimEnd().split('\n');
    const header = lines.shift()!;
    const n = lines.length;
    const msgOf = (l: string): string => l.split(',')[3]!;
    // a cut after the first line of a message of several lines
    let a = Math.floor(n * 0.6);
    while (!(msgOf(lines[a - 1]!) === msgOf(lines[a]!) && (a < 2 || msgOf(lines[a - 2]!) !== msgOf(lines[a - 1]!)))) a++;
    let b = Math.floor(n * 0.4);
    while (!(msgOf(lines[b - 1]!) === msgOf(lines[b]!))) b++;
    return [`${header}\n${lines.slice(0, a).join('\n')}\n`, `${header}\n${lines.slice(b).join('\n')}\n`];
  }


  function totals(l: Ledger): number {
    return eventsOf(l).reduce((a, e) => a + e.cost, 0);
  }

  it('counts each message whole, in any order with the cost files, and undoing either download keeps the totals right', async () => {
    const [a, b] = overlapping(ws);
    const fa = scope.tmp.write('a.csv', a);
    const fb = scope.tmp.write('b.csv', b);
    const whole = scope.open('whole.sqlite');
    await importFile(whole, scope.tmp.write('whole.csv', ws.consumption));
    for (const c of ws.cost) await importFile(whole, scope.tmp.write('c.csv', c));
    const truth = messages(whole);

    for (const c of ws.cost) await importFile(ledger, scope.tmp.write('c.csv', c));
    const ra = await importFile(ledger, fa);
    const rb = await importFile(ledger, fb);
    expect(rb.completedMessages?.messages).toBeGreaterThan(0);
    expect(ra.imported + rb.imported).toBe(ws.lines);
    expect(messages(ledger)).toEqual(truth);
    expect(sortedSpend(countedSpend(ledger, ws))).toEqual(sortedSpend(ws.truth));
    expect(rb.overlap?.countedCost).toBe(0);

    const other = scope.open('other.sqlite');
    await importFile(other, fb);
    await importFile(other, fa);
    for (const c of ws.cost) await importFile(other, scope.tmp.write('c.csv', c));
    expect(totals(other)).toBe(totals(whole));

    // Undoing a download removes the lines it added (not those it had in common with the other,
    // which the other never added): the days it alone held count the cost export's rows again.
    ledger.undoBatch(ra.batch!);
    expect(sortedSpend(countedSpend(ledger, ws))).toEqual(sortedSpend(ws.truth));
    ledger.undoBatch(rb.batch!);
    expect(sortedSpend(countedSpend(ledger, ws))).toEqual(sortedSpend(ws.truth));
    expect(ledger.db.prepare('SELECT count(*) FROM event_lines').pluck().get()).toBe(0);
  });
});

describe('a ledger from before per-line identities (version 5)', () => {
  it('migrates without losing a message, and a folded message takes no line twice', async () => {
    const path = scope.tmp.path('v5.sqlite');
    const db = new Database(path);
    migrate(db, 0, 5);
    db.exec(`INSERT INTO subjects(id, name) VALUES (1, 'key-a');
      INSERT INTO batches(id, file_name, file_size, sha256, format, imported_at, rows, imported, duplicates, rejected, events, first_seq, last_seq)
        VALUES (1, 'old.csv', 10, 'ab', 'dust-consumption', 1, 2, 2, 0, 0, 1, 1, 1);
      INSERT INTO events(time, seq, type, subject, cost, ident) VALUES (${Date.UTC(2026, 8, 1, 10)}, 1, 0, 1, 300000, 'dust-msg:m1');`);
    db.close();
    const old = openLedger(path);
    expect(old.version).toBe(LATEST_VERSION);
    expect(messages(old)).toEqual([['dust-msg:m1', 300_000]]);
    // its lines are not known: the whole message, re-exported, adds nothing (as before version 6)
    const r = await importFile(old, file('again.csv', [step('m1', 0, 10), step('m1', 1, 20), step('m1', 2, 40), step('m2', 0, 7)]));
    expect(r).toMatchObject({ imported: 1, duplicates: 3 });
    expect(messages(old)).toEqual([
      ['dust-msg:m1', 300_000],
      ['dust-msg:m2', 70_000],
    ]);
    // undoing the old batch frees the message: its lines then come in one by one
    old.undoBatch(1);
    expect(await importFile(old, file('again2.csv', [step('m1', 0, 10), step('m1', 1, 20), step('m1', 2, 40)]))).toMatchObject({ imported: 3 });
    expect(messages(old)).toEqual([
      ['dust-msg:m1', 700_000],
      ['dust-msg:m2', 70_000],
    ]);
    old.close();
  });
});
