/**
 * A re-saved export whose first rows all read both ways is read in the order their dates lie
 * closest in; a later row with a day above 12 then tells that order. Found by a review: a US cost
 * export whose line 59 is `9/13/2026` was said to be "guessed from how close together the rows'
 * dates lie: no day above 12 … tells". The "read as" line names the row that told it, and keeps the
 * guess's words only when no row of the file does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import { importFindings } from '../src/import/findings.ts';
import { runImport } from '../src/cli/commands/import.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const COST = 'Date,Agent,API Key,Source,Spend (USD)';
/** 57 rows of 9/1 … 9/12 (every day part up to 12, closer month first), from line 2 */
const early = Array.from({ length: 57 }, (_, i) => `9/${1 + (i % 12)}/2026,Support,key-${i},api,1.00`);

describe('an export whose first rows read both ways', () => {
  it('a later row with a day above 12 is named as what told the order, in the preview and the import', async () => {
    const file = scope.tmp.write('cost_us.csv', `${COST}\n${early.join('\n')}\n9/13/2026,Support,key-x,api,2.50\n`);
    const preview = await previewImport(ledger, file);
    expect(preview.guessed).toMatchObject({ dayOrder: 'mdy', dayOrderBy: 'rows', dayOrderToldBy: { value: '9/13/2026', line: 59 } });
    const words = 'dates month first (mm/dd/yyyy, told by "9/13/2026" at line 59)';
    expect(importFindings(preview).readAs).toContain(words);
    expect(importFindings(preview).readAs).not.toContain('no day above 12');
    const out = await runImport([file], { db: scope.tmp.path('cli.sqlite'), preview: true });
    expect(out.stdout).toContain(words);
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 58, rejected: 0 });
    expect(importFindings(r).readAs).toContain(words);
  });

  it('the same in a consumption export, read day first, with its line', async () => {
    const header = 'completedAt,agentMessageId,contextOrigin,apiKeyName,userId,agentName,usageType,stepIndex,totalCredits';
    const line = (time: string, msg: string): string => [time, msg, 'API', 'key-a', '', 'Bot', 'programmatic', '0', '1.5'].join(',');
    const rows = Array.from({ length: 55 }, (_, i) => line(`${String(1 + (i % 3)).padStart(2, '0')}/10/2026 10:${String(i).padStart(2, '0')}`, `m${i}`));
    const file = scope.tmp.write('cons.csv', `${header}\n${rows.join('\n')}\n${line('20/10/2026 09:00', 'mx')}\n`);
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 56, rejected: 0, guessed: { dayOrder: 'dmy', dayOrderToldBy: { value: '20/10/2026 09:00', line: 57 } } });
    expect(importFindings(r).readAs).toContain('dates day first (dd/mm/yyyy, told by "20/10/2026 09:00" at line 57)');
  });

  it('when no row of the file tells, the guess keeps its words', async () => {
    const file = scope.tmp.write('cost_close.csv', `${COST}\n${early.join('\n')}\n`);
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 57, guessed: { dayOrder: 'mdy', dayOrderBy: 'nearness' } });
    expect(r.guessed?.dayOrderToldBy).toBeUndefined();
    expect(importFindings(r).readAs).toContain("guessed from how close together the rows' dates lie: no day above 12 nor decimal comma tells");
  });
});
