/**
 * A trigger id under two agents in one consumption export. A trigger id names one trigger (SPEC
 * section 3: a run's subject is its trigger's id; section 4 and dust-facts: its limit counts that
 * trigger's runs), so the engine rightly counts both agents' runs against one limit; but the
 * platform never gives two agents' triggers one id, so the import says so, naming the file and the
 * line of the first row that does, where the admin can tell a renamed agent from a mislabelled export.
 */
import { describe, expect, it } from 'vitest';
import { CONSUMPTION_HEADER, consumptionLine } from './support/dust-exports.ts';
import { importFile } from '../src/import/importer.ts';
import { importFindings } from '../src/import/findings.ts';
import { readEntities } from '../src/ledger/entities.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';
import { runCli } from './support/run-cli.ts';

const scope = ledgerScope();
const MINUTE = 60_000;
const DAY0 = Date.UTC(2026, 9, 1);

/** A fair-use (or programmatic) run of `trigger` by `agent`, `i` × 10 minutes into 2026-10-01. */
const run = (i: number, trigger: string, agent: string, programmatic = false): string =>
  consumptionLine({
    completedAt: new Date(DAY0 + i * 10 * MINUTE).toISOString(),
    agentMessageId: `m${i}`,
    agentName: agent,
    userId: 'u1',
    triggerId: trigger,
    contextOrigin: 'triggered',
    totalCredits: '1.00',
    stepIndex: '0',
    ...(programmatic ? { usageType: 'programmatic' } : {}),
  });

/** 30 runs of t_shared by Triage (lines 2-31), then 20 by Support (lines 32-51), and 5 of t_own by Reviewer throughout. */
function exportFile(): string {
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) lines.push(run(i, 't_shared', 'Triage'));
  for (let i = 30; i < 50; i++) lines.push(run(i, 't_shared', 'Support'));
  for (let i = 50; i < 55; i++) lines.push(run(i, 't_own', 'Reviewer'));
  return `${CONSUMPTION_HEADER}\n${lines.join('\n')}\n`;
}

// a webhook (its runs' even rhythm would read as a schedule's, which the platform never limits)
const PLAN = JSON.stringify({ version: 1, workspace: { seats: 3 }, triggers: [{ id: 't_shared', kind: 'webhook' }], enforcement: { profile: 'platform' } });
const WARNING =
  ': trigger "t_shared" runs under agent "Support" here, but under agent "Triage" at line 2: ' +
  "a trigger id names one trigger, so both agents' runs are read as that trigger's, against one limit of runs per 24 h. " +
  `All of "Triage"'s lines come before all of "Support"'s, as when an agent is renamed within the export, for which that is right; ` +
  'two triggers never share an id on the platform, so if these are two, the export is mislabelled.';

describe('a trigger id under two agents in one consumption export', () => {
  it('is said by the import, naming the file and the line of the first row that gives it a second agent', async () => {
    const file = scope.tmp.write('consumption.csv', exportFile());
    const r = await runCli('import', file, '--db', scope.tmp.path('ledger.sqlite'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`  ${file}:32${WARNING}`);
  });

  it('is said on stderr with --json, whose stdout keeps SPEC section 8’s object', async () => {
    const file = scope.tmp.write('consumption.csv', exportFile());
    const r = await runCli('import', file, '--db', scope.tmp.path('ledger.sqlite'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${file}:32${WARNING}`);
    expect(Object.keys(JSON.parse(r.stdout.trim()) as object).sort()).toEqual(['batch', 'duplicates', 'errors', 'file', 'format', 'imported', 'rejected', 'rows']);
  });

  it('counts both agents’ runs against the one trigger’s limit, as the contract keys it', async () => {
    const db = scope.tmp.path('ledger.sqlite');
    await runCli('import', scope.tmp.write('consumption.csv', exportFile()), '--db', db);
    const r = await runCli('simulate', scope.tmp.write('plan.json', PLAN), '--db', db, '--json');
    expect(r.code, r.stderr).toBe(0);
    const t = (JSON.parse(r.stdout) as { triggers: { id: string; arrivals: number; dropped: number }[] }).triggers.find((x) => x.id === 't_shared');
    // 50 runs in 24 h of one trigger at the platform's default 42: 8 dropped
    expect(t).toMatchObject({ arrivals: 50, dropped: 8 });
  });

  it('is not said when each trigger id keeps one agent', async () => {
    const lines = [run(0, 't_a', 'Triage'), run(1, 't_b', 'Support'), run(2, 't_a', 'Triage')];
    const file = scope.tmp.write('consumption.csv', `${CONSUMPTION_HEADER}\n${lines.join('\n')}\n`);
    const r = await runCli('import', file, '--db', scope.tmp.path('ledger.sqlite'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('runs under agent');
  });
});

describe('a rename told apart from two agents’ lines interleaved, and the modes they give', () => {
  /** The reviewer's export: Alpha (fair use) and Beta (programmatic) take turns under one id. */
  const interleaved = (): string => {
    const lines = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? run(i, 'trg_x', 'Alpha') : run(i, 'trg_x', 'Beta', true)));
    return `${CONSUMPTION_HEADER}\n${lines.join('\n')}\n`;
  };

  it('interleaved: no rename, and which mode was taken from which line', async () => {
    const ledger = scope.open('ledger.sqlite');
    const r = await importFile(ledger, scope.tmp.write('cons.csv', interleaved()));
    expect(importFindings(r).triggerAgents).toBe(
      'cons.csv:3: trigger "trg_x" runs under agent "Beta" here, but under agent "Alpha" at line 2: ' +
        "a trigger id names one trigger, so both agents' runs are read as that trigger's, against one limit of runs per 24 h, and its spend as one trigger's. " +
        'Their lines alternate ("Alpha" again at line 4), which no rename does: two agents\' triggers under one id, which the platform never gives, so the export looks mislabelled. ' +
        '"Alpha"\'s lines give it fair use (line 2), "Beta"\'s programmatic (line 3): it is read as programmatic, from line 3, since any programmatic line makes its trigger programmatic.',
    );
    expect(readEntities(ledger.db).find((e) => e.subject === 'trg_x')?.mode).toBe('programmatic');
  });

  it('a rename of a programmatic trigger: its spend is one trigger’s, and no modes differ', async () => {
    const ledger = scope.open('ledger.sqlite');
    const lines = [run(0, 't', 'Old', true), run(1, 't', 'Old', true), run(2, 't', 'New', true), run(3, 't', 'New', true)];
    const r = await importFile(ledger, scope.tmp.write('cons.csv', `${CONSUMPTION_HEADER}\n${lines.join('\n')}\n`));
    const text = importFindings(r).triggerAgents;
    expect(text).toContain("against one limit of runs per 24 h, and its spend as one trigger's. All of \"Old\"'s lines come before all of \"New\"'s, as when an agent is renamed");
    expect(text).not.toContain('mode');
  });

  it('fair-use runs have no spend to speak of', async () => {
    const ledger = scope.open('ledger.sqlite');
    const r = await importFile(ledger, scope.tmp.write('cons.csv', exportFile()));
    expect(importFindings(r).triggerAgents).not.toContain('spend');
  });
});
