import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Ledger } from '../src/ledger/ledger.ts';
import { DEFAULT_HOUR_PROFILE, splitByLargestRemainder } from '../src/import/profile.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { importFile, previewImport } from '../src/import/importer.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const DAY = 86_400_000;

function dayTotals(events: ReturnType<typeof eventsOf>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    const k = `${e.time.slice(0, 10)} ${e.subject}`;
    out[k] = (out[k] ?? 0) + e.cost;
  }
  return out;
}

describe('largest remainder split', () => {
  it('gives integer parts that sum exactly to the total, in proportion to the weights', () => {
    expect(splitByLargestRemainder(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitByLargestRemainder(5, [0, 1, 0])).toEqual([0, 5, 0]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 13 }), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 24, maxLength: 24 }), (total, w) => {
        fc.pre(w.some((x) => x > 0));
        const parts = splitByLargestRemainder(total, w);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        const sum = w.reduce((a, b) => a + b, 0);
        parts.forEach((p, i) => {
          expect(Number.isInteger(p)).toBe(true);
          expect(Math.abs(p - (total * w[i]!) / sum)).toBeLessThan(1.0001);
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('the daily programmatic cost export (dust-cost)', () => {
  const HEADER = 'date,agent_name,api_key,source,total_spend_usd\r\n';

  it("spreads each row over its UTC day by the default profile; each day's total stays exact", async () => {
    const file = scope.tmp.write(
      'cost.csv',
      `\uFEFF${HEADER}2026-01-05,Support bot,k1,api,"1,234.57"\r\n2026-01-05,Support bot,k1,cli,0.05\r\n2026-01-06,"Agent, Inc.",k2,api,$10.00\r\n2026-01-07,Idle,k2,api,0.00\r\n2026-01-07,Orphan,,api,0.03\r\n`,
    );
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ format: 'dust-cost', rows: 5, imported: 5, duplicates: 0, rejected: 0, profile: 'default' });
    const events = eventsOf(ledger);
    // a row without a key is the agent's spend without a key (a programmatic pseudo-trigger), never a key
    expect(events.every((e) => (e.subject === 'no-key:Orphan' ? e.type === 'trigger' : e.type === 'api'))).toBe(true);
    expect(dayTotals(events)).toEqual({
      '2026-01-05 k1': 1_234_620_000,
      '2026-01-06 k2': 10_000_000,
      '2026-01-07 no-key:Orphan': 30_000,
    });
    // mid-hour events, shaped like the default profile: the busiest hour gets the biggest share
    const k2 = events.filter((e) => e.subject === 'k2');
    expect(k2).toHaveLength(24);
    expect(k2.every((e) => e.time.endsWith(':30:00.000Z'))).toBe(true);
    const maxW = Math.max(...DEFAULT_HOUR_PROFILE);
    const peak = k2.reduce((a, b) => (b.cost > a.cost ? b : a));
    expect(DEFAULT_HOUR_PROFILE[Number(peak.time.slice(11, 13))]).toBe(maxW);
    expect(k2.every((e) => e.time.startsWith('2026-01-06'))).toBe(true);
  });

  it('learns the hour-of-day profile from event-level API data in the ledger', async () => {
    const lines = ['timestamp,type,subject,cost_usd'];
    for (let i = 0; i < 300; i++) lines.push(`${Date.UTC(2026, 0, 1) + (i % 20) * DAY + 14 * 3_600_000 + i * 1000},api,k1,1`);
    await importFile(ledger, scope.tmp.write('events.csv', lines.join('\n')));
    const r = await importFile(ledger, scope.tmp.write('cost.csv', `${HEADER}2026-02-01,Bot,k9,api,100\n`));
    expect(r.profile).toBe('ledger');
    const k9 = eventsOf(ledger).filter((e) => e.subject === 'k9');
    expect(k9.reduce((a, e) => a + e.cost, 0)).toBe(100_000_000);
    const at14 = k9.find((e) => e.time === '2026-02-01T14:30:00.000Z')!;
    expect(at14.cost).toBeGreaterThan(90_000_000);
  });

  it('uses date + agent + key + source as identity: overlapping exports add nothing twice', async () => {
    await importFile(ledger, scope.tmp.write('a.csv', `${HEADER}2026-01-05,Bot,k1,api,1.00\n2026-01-06,Bot,k1,api,2.00\n`));
    const r = await importFile(ledger, scope.tmp.write('b.csv', `${HEADER}2026-01-06,Bot,k1,api,2.00\n2026-01-07,Bot,k1,api,3.00\n2026-01-07,Other,k1,api,3.00\n`));
    expect(r).toMatchObject({ rows: 3, imported: 2, duplicates: 1 });
    expect(dayTotals(eventsOf(ledger))).toEqual({ '2026-01-05 k1': 1_000_000, '2026-01-06 k1': 2_000_000, '2026-01-07 k1': 6_000_000 });
  });
});

const CONSUMPTION_COLUMNS =
  'completedAt,conversationId,spaceId,agentMessageId,consumptionType,agentId,agentName,agentVersion,agentTagIds,agentRootId,agentParentId,agentDepth,modelProviderId,modelId,modelName,modelReasoningEffort,modelResolutionMethod,userId,userName,userGroupIds,userGroupNames,triggerId,contextOrigin,apiKeyName,toolName,toolServerName,toolDisplayName,toolParentServerName,toolActionId,attributedSkillIds,attributedSkillNames,creditsSystem,creditsInput,creditsOutput,creditsReasoning,creditsAction,totalCredits,usageType,status,stepIndex,executionTimeMs'.split(
    ',',
  );

function consumptionCsv(lines: Record<string, string>[]): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const body = lines.map((l) => CONSUMPTION_COLUMNS.map((c) => q(l[c] ?? '')).join(','));
  return `${CONSUMPTION_COLUMNS.join(',')}\r\n${body.join('\r\n')}\r\n`;
}

describe('the consumption export (dust-consumption)', () => {
  const line = (over: Record<string, string>) => ({
    conversationId: 'c1',
    spaceId: 's1',
    consumptionType: 'model',
    agentName: 'Helper, the "good" one',
    modelId: 'gpt',
    status: 'succeeded',
    ...over,
  });

  it('folds lines into one event per agent message and decides api, trigger or message', async () => {
    const file = scope.tmp.write(
      'consumption.csv',
      consumptionCsv([
        line({ completedAt: '2026-01-05T10:00:05.000Z', agentMessageId: 'm1', contextOrigin: 'web', userId: 'u1', totalCredits: '1.50' }),
        line({ completedAt: '2026-01-05T10:01:00.000Z', agentMessageId: 'm2', contextOrigin: 'api', apiKeyName: 'Marketing', totalCredits: '12.34' }),
        line({ completedAt: '2026-01-05T10:00:01.000Z', agentMessageId: 'm1', contextOrigin: 'web', userId: 'u1', consumptionType: 'tool', toolName: 'search\nweb', totalCredits: '0.25' }),
        line({ completedAt: '2026-01-05T10:01:30.000Z', agentMessageId: 'm2', contextOrigin: 'api', apiKeyName: 'Marketing', totalCredits: '0.01' }),
        line({ completedAt: '2026-01-05T11:00:00.000Z', agentMessageId: 'm3', contextOrigin: 'triggered', triggerId: 't_pr', userId: 'u2', totalCredits: '3' }),
        line({ completedAt: '2026-01-05T12:00:00.000Z', agentMessageId: 'm4', contextOrigin: 'triggered_programmatic', triggerId: 't_sync', totalCredits: '1,000.00'.replace(',', '') }),
        line({ completedAt: '2026-01-05T13:00:00.000Z', agentMessageId: 'm5', contextOrigin: 'slack', userId: '', userName: 'Ana', totalCredits: '0' }),
      ]),
    );
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ format: 'dust-consumption', rows: 7, imported: 7, duplicates: 0, events: 5 });
    expect(eventsOf(ledger)).toEqual([
      { time: '2026-01-05T10:00:01.000Z', type: 'message', subject: 'u1', cost: 0, id: 'dust-msg:m1' },
      { time: '2026-01-05T10:01:00.000Z', type: 'api', subject: 'Marketing', cost: 123_500, id: 'dust-msg:m2' },
      { time: '2026-01-05T11:00:00.000Z', type: 'trigger', subject: 't_pr', cost: 30_000, id: 'dust-msg:m3' },
      { time: '2026-01-05T12:00:00.000Z', type: 'trigger', subject: 't_sync', cost: 10_000_000, id: 'dust-msg:m4' },
      { time: '2026-01-05T13:00:00.000Z', type: 'message', subject: 'Ana', cost: 0, id: 'dust-msg:m5' },
    ]);
    const again = await importFile(ledger, file);
    expect(again).toMatchObject({ rows: 7, imported: 0, duplicates: 7, events: 0 });
    expect(ledger.summary().events).toBe(5);
  });

  it('is detected from its header; --format overrides detection', async () => {
    const file = scope.tmp.write('x.csv', consumptionCsv([line({ completedAt: '2026-01-05T10:00:00Z', agentMessageId: 'm1', contextOrigin: 'web', userId: 'u1', totalCredits: '1' })]));
    const p = await previewImport(ledger, file);
    expect(p.format).toBe('dust-consumption');
    await expect(importFile(ledger, file, { format: 'dust-cost' })).rejects.toThrow(/missing column "date"/);
  });
});
