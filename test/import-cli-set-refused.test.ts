/**
 * `headroom import A B …` where one file is refused and others go in: each is its own batch,
 * committed one by one, so the refusal says exactly what of the command was imported and what was
 * not, wherever the refused file stands. Found by a review (round 5, F7): a refused first file said
 * "the ledger is unchanged" above the batch of the file after it, and one refused for a `--dates`
 * its rows contradict exited 2 without a word of the file that went in.
 */
import { describe, expect, it } from 'vitest';
import { runImport } from '../src/cli/commands/import.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();

const COST = 'date,agent_name,api_key,source,total_spend_usd';
const ok = (name: string, day: string): string => scope.tmp.write(name, `${COST}\n${day},Bot,key-a,api,1.00\n`);
const BAD = `${COST}\n2026-09-05,Bot,key-a,api,1.00\n2026-09-06,Bot,key-a,api,abc\n`;
/** a day-first re-save: 13/08 contradicts --dates mdy */
const DAY_FIRST = `${COST}\n01/08/2026,Bot,key-a,api,1.00\n13/08/2026,Bot,key-a,api,1.00\n`;

async function history(db: string): Promise<string> {
  return (await runImport([], { db, history: true })).stdout;
}

describe('a file refused among others of one command says what went in', () => {
  it('refused first: nothing of it was imported, and the file after it was, with its batch', async () => {
    const bad = scope.tmp.write('bad.csv', BAD);
    const good = ok('good.csv', '2026-09-01');
    const db = scope.tmp.path('l.sqlite');
    const out = await runImport([bad, good], { db });
    expect(out.exitCode).toBe(2);
    expect(out.stdout).toMatch(/good\.csv: dust-cost, batch 1: 1 row, 1 imported/);
    expect(out.stderr).toContain(`${bad}: refused, 1 bad row; nothing of it was imported (${good}, after it, was: batch 1) (use --skip-bad-rows to import the good rows)`);
    expect(out.stderr).not.toMatch(/the ledger is unchanged/);
    expect(await history(db)).toMatch(/good\.csv {2}1 row, 1 imported/);
  });

  it('refused second: the file before it was, with its batch', async () => {
    const good = ok('good.csv', '2026-09-01');
    const bad = scope.tmp.write('bad.csv', BAD);
    const out = await runImport([good, bad], { db: scope.tmp.path('l.sqlite') });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain(`${bad}: refused, 1 bad row; nothing of it was imported (${good}, before it, was: batch 1) (use --skip-bad-rows`);
  });

  it('refused between two: both named, before and after it; another refused file is not among those imported', async () => {
    const a = ok('a.csv', '2026-09-01');
    const bad = scope.tmp.write('bad.csv', BAD);
    const bad2 = scope.tmp.write('bad2.csv', BAD.replace(/2026-09-0/g, '2026-10-0'));
    const c = ok('c.csv', '2026-09-03');
    const out = await runImport([a, bad, c, bad2], { db: scope.tmp.path('l.sqlite') });
    expect(out.stderr).toContain(`${bad}: refused, 1 bad row; nothing of it was imported (${a}, before it, was: batch 1; ${c}, after it, was: batch 2)`);
    expect(out.stderr).toContain(`${bad2}: refused, 1 bad row; nothing of it was imported (${a} and ${c}, before it, were: batches 1 and 2)`);
  });

  it('every file refused: the ledger is unchanged, and none is made', async () => {
    const bad = scope.tmp.write('bad.csv', BAD);
    const bad2 = scope.tmp.write('bad2.csv', BAD);
    const out = await runImport([bad, bad2], { db: scope.tmp.path('none.sqlite') });
    expect(out.stderr).toContain(`${bad}: refused, 1 bad row; the ledger is unchanged`);
    expect(out.stderr).toContain(`${bad2}: refused, 1 bad row; the ledger is unchanged`);
  });

  it('refused for a --dates its rows contradict: the message, then what went in, before or after it', async () => {
    const eu = scope.tmp.write('eu.csv', DAY_FIRST);
    const iso = ok('iso.csv', '2026-09-01');
    const first = await runImport([eu, iso], { db: scope.tmp.path('a.sqlite'), dates: 'mdy' });
    expect(first.exitCode).toBe(2);
    expect(first.stderr).toBe(
      `${eu}:3: "13/08/2026" has 13 where --dates mdy puts the month: this file writes its dates day first; drop --dates or give --dates dmy\n` +
        `${eu}: refused; nothing of it was imported (${iso}, after it, was: batch 1)\n`,
    );
    const second = await runImport([iso, eu], { db: scope.tmp.path('b.sqlite'), dates: 'mdy' });
    expect(second.stderr).toContain(`${eu}: refused; nothing of it was imported (${iso}, before it, was: batch 1)`);
    // alone, it says what it always said
    const alone = await runImport([eu], { db: scope.tmp.path('c.sqlite'), dates: 'mdy' });
    expect(alone.stderr).not.toMatch(/nothing of it/);
  });

  it('the preview, the import\'s dry run, says what would go in, in the same places', async () => {
    const bad = scope.tmp.write('bad.csv', BAD);
    const good = ok('good.csv', '2026-09-01');
    const out = await runImport([bad, good], { db: scope.tmp.path('l.sqlite'), preview: true });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain(`${bad}: refused, 1 bad row; nothing of it would be imported (${good}, after it, would be) (use --skip-bad-rows`);
  });
});
