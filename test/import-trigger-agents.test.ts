/**
 * A trigger id under two agents in one consumption export. A trigger id names one trigger (SPEC
 * section 3: a run's subject is its trigger's id; section 4 and dust-facts: its limit counts that
 * trigger's runs), so the engine rightly counts both agents' runs against one limit; but the
 * platform never gives two agents' triggers one id, so the import says so, naming the file and the
 * line of the first row that does, where the admin can tell a renamed agent from a mislabelled export.
 */
import { describe, expect, it } from 'vitest';
import { CONSUMPTION_HEADER, consumptionLine } from './support/dust-exports.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';
import { runCli } from './support/run-cli.ts';

const scope = ledgerScope();
const MINUTE = 60_000;
const DAY0 = Date.UTC(2026, 9, 1);

/** A fair-use run of `trigger` by `agent`, `i` × 10 minutes into 2026-10-01. */
const run = (i: number, trigger: string, agent: string): string =>
  consumptionLine({
    completedAt: new Date(DAY0 + i * 10 * MINUTE).toISOString(),
    agentMessageId: `m${i}`,
    agentName: agent,
    userId: 'u1',
    triggerId: trigger,
    contextOrigin: 'triggered',
    totalCredits: '1.00',
    stepIndex: '0',
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
  "a trigger id names one trigger, so both agents' runs are read as that trigger's, against one limit of runs per 24 h, and its spend as one trigger's. " +
  'That is right when the agent was renamed within the export; two triggers never share an id on the platform, so if these are two, the export is mislabelled.';

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
