/**
 * The command line's ledger commands read the plan together with what the ledger learned from the
 * platform's exports: spend without a key is a programmatic trigger whose spend counts against the
 * spend limits, not a fair-use webhook inferred with defaults.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import { planWithLedgerEntities } from '../src/ledger/read.ts';
import { tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';
import { runCli } from './support/run-cli.ts';

let tmp: TempDir | null = null;
afterEach(() => {
  tmp?.remove();
  tmp = null;
});

const run = runCli;

const COST = ['date,agent_name,api_key,source,total_spend_usd', '2026-11-01,Lead bot,N/A,trigger,50.00', '2026-11-01,Support,k1,api,10.00', ''].join('\n');
const PLAN = { workspace: { seats: 1, messagesPerSeatPerDay: 100, spendLimits: [{ id: 'daily', amountUsd: 1000, window: 'utc-day' }] } };

interface Report {
  triggers: { id: string; mode: string; admittedUsd: number }[];
  spendLimits: { id: string; peakUsd: number }[];
  pool: { peak: number };
}

describe('ledger commands read the exports’ facts into the plan', () => {
  it('spend without a key counts against the spend limits, as a programmatic trigger outside the pool', async () => {
    tmp = tempDir();
    const db = tmp.path('l.sqlite');
    expect((await run('import', tmp.write('cost.csv', COST), '--db', db)).code).toBe(0);
    const r = await run('simulate', tmp.write('plan.json', JSON.stringify(PLAN)), '--db', db, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const noKey = report.triggers.find((t) => t.id.startsWith('no-key:'));
    expect(noKey?.mode).toBe('programmatic');
    expect(noKey?.admittedUsd).toBe(50);
    // $50 without a key and $10 on k1, on the same UTC day
    expect(report.spendLimits[0]!.peakUsd).toBe(60);
    expect(report.pool.peak).toBe(0);
  });

  it('what the plan says wins, and a ledger of canonical events leaves the plan as it is', async () => {
    tmp = tempDir();
    const db = tmp.path('l.sqlite');
    expect((await run('import', tmp.write('cost.csv', COST), '--db', db)).code).toBe(0);
    const own = validatePlan({ ...PLAN, triggers: [{ id: 'no-key:Lead bot', name: 'Leads', kind: 'webhook', mode: 'fair_use', limitPer24h: 5 }] });
    const merged = planWithLedgerEntities(own, db);
    expect(merged.triggers.find((t) => t.id === 'no-key:Lead bot')).toMatchObject({ name: 'Leads', mode: 'fair_use', limitPer24h: 5 });

    const canonical = tmp.path('c.sqlite');
    const csv = tmp.write('events.csv', 'timestamp,type,subject,cost_usd\n2026-11-01T10:00:00Z,trigger,t_x,\n2026-11-01T10:00:00Z,api,k1,1\n');
    expect((await run('import', csv, '--db', canonical)).code).toBe(0);
    const plan = validatePlan(PLAN);
    expect(planWithLedgerEntities(plan, canonical)).toBe(plan);
  });
});
