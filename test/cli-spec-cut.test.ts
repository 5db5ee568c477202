/**
 * A history the platform's own limits already cut: its exports hold only what it admitted. The
 * replay of such a history under the same plan reproduces the cut (refuses nothing, and the limits
 * sit exactly at their ceilings), and `headroom simulate` says the limits were full rather than
 * leaving "nothing hit a limit" to read as room to spare.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeldLimit } from '../src/cli/held-limits.ts';
import { PROFILES, scenarioDir, series, simulateCli } from './fixtures/cli-scenario.ts';
import type { ScenarioPlan } from './fixtures/cli-scenario.ts';

let dir = { path: '', remove: () => {} };
beforeAll(() => {
  dir = scenarioDir();
});
afterAll(() => dir.remove());

function heldOf(report: unknown): string[] {
  return ((report as { heldAtLimit?: HeldLimit[] }).heldAtLimit ?? []).map((h) => h.text);
}

describe('limits the history reached with nothing refused', () => {
  // cap $1: two $0.50 requests reach it exactly. t (limit 2): two runs in 24 h. A = 1 × 3 = 3:
  // one message and two fair-use runs fill it; P = ceil(0.5 × 3) = 2: the two runs fill it.
  const plan: ScenarioPlan = {
    workspace: { seats: 1, messagesPerSeatPerDay: 3, fairUseShare: 0.5 },
    apiKeys: [
      { id: 'k', name: 'Pipeline', capUsd: 1 },
      { id: 'k2', name: 'Website', capUsd: 10 },
    ],
    triggers: [
      { id: 't', name: 'PR review', kind: 'webhook', mode: 'fair_use', limitPer24h: 2 },
      { id: 'q', name: 'Quiet', kind: 'webhook', mode: 'fair_use', limitPer24h: 5 },
    ],
  };
  const full = [
    'a1,2026-01-05T09:00:00Z,api,k,0.50',
    'a2,2026-01-05T10:00:00Z,api,k,0.50',
    'b1,2026-01-05T10:30:00Z,api,k2,1',
    't1,2026-01-05T11:00:00Z,trigger,t,',
    't2,2026-01-05T12:00:00Z,trigger,t,',
    'm1,2026-01-05T13:00:00Z,message,u,',
  ];
  for (const profile of PROFILES) {
    it(`${profile}: every full limit is named, in --json and under the summary`, async () => {
      const r = await simulateCli(dir.path, plan, profile, full);
      expect(r.decisions.every((d) => d.endsWith(' admitted'))).toBe(true);
      expect(heldOf(r.report)).toEqual([
        'Pipeline (k): spend reached $1.00 of its $1.00 cap',
        'PR review (t): 2 runs in 24 h, its limit',
        'the message allowance: 3 of 3 messages and fair-use runs in 24 h',
        'the fair-use pool: 2 of 2 runs in 24 h',
      ]);
    });
  }

  it('a limit that refused something, or one a run short, is not listed', async () => {
    // a3 is refused by the cap (the replay saw demand beyond it: it came 20 min after the spend
    // that reached the cap, not within the minutes a request in flight takes); t's second run is
    // 24 h + 1 s after the first, so no 24 h holds two; m2 is refused by the allowance.
    const rows = [
      'a1,2026-01-05T09:00:00Z,api,k,0.50',
      'a2,2026-01-05T10:00:00Z,api,k,0.50',
      'a3,2026-01-05T10:20:00Z,api,k,0.50',
      't1,2026-01-05T11:00:00Z,trigger,t,',
      't2,2026-01-06T11:00:01Z,trigger,t,',
      'm1,2026-01-06T12:00:00Z,message,u,',
      'm2,2026-01-06T12:01:00Z,message,u,',
      'm3,2026-01-06T12:02:00Z,message,u,',
    ];
    for (const profile of PROFILES) {
      const r = await simulateCli(dir.path, plan, profile, rows);
      expect(r.decisions).toContain('a3 blocked key_cap');
      expect(r.decisions).toContain('m3 blocked allowance');
      expect(heldOf(r.report)).toEqual([]);
    }
  });

  it("two runs exactly 24 h apart fill a limit of 2 under the code's inclusive edge, not under the docs'", async () => {
    const rows = ['t1,2026-01-05T10:00:00Z,trigger,t,', 't2,2026-01-06T10:00:00Z,trigger,t,'];
    const docs = await simulateCli(dir.path, plan, 'documented', rows);
    const code = await simulateCli(dir.path, plan, 'platform', rows);
    expect([...docs.decisions, ...code.decisions]).toEqual(['t1 admitted', 't2 admitted', 't1 admitted', 't2 admitted']);
    expect(heldOf(docs.report)).toEqual([]);
    // the pool (P = 2) counts the same two runs at that instant
    expect(heldOf(code.report)).toEqual(['PR review (t): 2 runs in 24 h, its limit', 'the fair-use pool: 2 of 2 runs in 24 h']);
  });

  it('a run its limit refuses only by the seconds its completion took is still a held history; minutes inside the window are demand', async () => {
    // the platform admitted t3 at 11:00:00 on the 6th, 24 h after t1's admission; the export times
    // runs when they completed: t1 took 30 s, t3 10 s, so the replay finds t3 20 s inside t1's 24 h
    // (a pool of 15, so that the code's pool, checked first, has room for t3)
    const roomy: ScenarioPlan = { ...plan, workspace: { seats: 10, messagesPerSeatPerDay: 3, fairUseShare: 0.5 } };
    const rows = ['t1,2026-01-05T11:00:30Z,trigger,t,', 't2,2026-01-05T12:00:05Z,trigger,t,', 't3,2026-01-06T11:00:10Z,trigger,t,'];
    const docs = await simulateCli(dir.path, roomy, 'documented', rows);
    const code = await simulateCli(dir.path, roomy, 'platform', rows);
    expect(code.decisions).toContain('t3 dropped trigger_limit');
    const why = 'each within 15 min of a run\'s 24 h ending: the export times runs when they completed, after the platform admitted them)';
    expect(heldOf(docs.report)).toContain(`PR review (t): 2 runs in 24 h, its limit (the replay delays 1 run of it by its limit, ${why}`);
    expect(heldOf(code.report)).toContain(`PR review (t): 2 runs in 24 h, its limit (the replay refuses 1 run of it by its limit, ${why}`);
    // two hours inside the window: a third run the platform would have refused, so demand beyond the limit
    const beyond = ['t1,2026-01-05T11:00:30Z,trigger,t,', 't2,2026-01-05T12:00:05Z,trigger,t,', 't3,2026-01-06T09:00:00Z,trigger,t,'];
    for (const profile of PROFILES) expect(heldOf((await simulateCli(dir.path, roomy, profile, beyond)).report).filter((t) => t.startsWith('PR review'))).toEqual([]);
  });

  it('a message the allowance blocks only by the seconds its completion took leaves the allowance held; hours inside the window are demand', async () => {
    const two: ScenarioPlan = { workspace: { seats: 1, messagesPerSeatPerDay: 2 } };
    const rows = ['m1,2026-01-05T10:00:30Z,message,u,', 'm2,2026-01-05T11:00:00Z,message,u,', 'm3,2026-01-06T10:00:10Z,message,u,'];
    for (const profile of PROFILES) {
      const r = await simulateCli(dir.path, two, profile, rows);
      expect(r.decisions).toContain('m3 blocked allowance');
      expect(heldOf(r.report)).toEqual([
        "the message allowance: 2 of 2 messages and fair-use runs in 24 h (the replay blocks 1 message by it, each within 15 min of an entry's 24 h ending: the export times messages when they completed, after the platform admitted them)",
      ]);
      const beyond = await simulateCli(dir.path, two, profile, [...rows.slice(0, 2), 'm3,2026-01-06T08:00:00Z,message,u,']);
      expect(heldOf(beyond.report)).toEqual([]);
    }
  });

  it('a request its cap blocks only because it was in flight when the cap was reached leaves the key held; an hour later it is demand', async () => {
    // a2 (admitted 10:00:00 with $0.50 spent) and a3 (admitted 10:00:10, a2 still running) both
    // passed the platform's check; a2 completed first and crossed the $1 cap, a3 completed after it
    const capped: ScenarioPlan = { workspace: { seats: 1 }, apiKeys: [{ id: 'k', name: 'Pipeline', capUsd: 1 }] };
    const rows = ['a1,2026-01-05T09:00:00Z,api,k,0.50', 'a2,2026-01-05T10:00:20Z,api,k,0.60', 'a3,2026-01-05T10:00:50Z,api,k,0.30'];
    for (const profile of PROFILES) {
      const r = await simulateCli(dir.path, capped, profile, rows);
      expect(r.decisions).toContain('a3 blocked key_cap');
      expect(heldOf(r.report)).toEqual([
        'Pipeline (k): spend reached $1.10 of its $1.00 cap (the replay blocks 1 request by it, each within 15 min of requests that reached it: in flight when the platform checked the cap, which adds a request\'s cost when it completes)',
      ]);
      const later = await simulateCli(dir.path, capped, profile, [...rows.slice(0, 2), 'a3,2026-01-05T11:00:00Z,api,k,0.30']);
      expect(heldOf(later.report)).toEqual([]);
    }
  });

  it('the readable summary says so after the tables', async () => {
    const r = await simulateCli(dir.path, plan, 'platform', full, ['--no-compare']);
    expect(r.code).toBe(0);
    // simulateCli asks for --json; the summary is checked on the same plan through the text path
    const { runCli } = await import('./support/run-cli.ts');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { planFile } = await import('./fixtures/cli-scenario.ts');
    const planPath = join(dir.path, 'held-plan.json');
    const csvPath = join(dir.path, 'held.csv');
    writeFileSync(planPath, JSON.stringify(planFile(plan, 'platform')));
    writeFileSync(csvPath, ['id,timestamp,type,subject,cost_usd', ...full, ''].join('\n'));
    const { stdout } = await runCli('simulate', planPath, csvPath, '--no-compare');
    expect(stdout).toContain('Held at a limit? These limits were full although the replay refused nothing there.');
    expect(stdout).toContain('  - PR review (t): 2 runs in 24 h, its limit.\n');
    // the headline must not read as room to spare
    expect(stdout).not.toContain('nothing hit a limit');
    expect(stdout.split('\n')[0]).toMatch(/^OK: all .* went through at once, but 4 limits were full \(see "Held at a limit\?" below\)\.$/);
  });
});

describe('the replay of an export the platform cut reproduces the cut', () => {
  // Three days of demand under the platform's code: a $10 cap met by $1 requests (15 a day), a
  // webhook with 50 deliveries a day (every 20 min from 06:00) against its default 42. Day 1 drops
  // runs 43-50; day 2's 06:00 run still finds day 1's 06:00 run (inclusive edge) and is dropped,
  // 06:20 finds 41: every 24 h of the export holds exactly 42 runs. (Unlimited messages: the
  // allowance's case is above; here a run it refused would hide the trigger's own limit.)
  const plan: ScenarioPlan = {
    apiKeys: [{ id: 'k', name: 'Pipeline', capUsd: 10 }],
    triggers: [{ id: 't', name: 'PR review', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
  };
  const demand: string[] = [];
  for (let d = 0; d < 3; d++) {
    const day = `2026-01-0${5 + d}`;
    demand.push(...series(15, `a${d}-`, `${day}T08:00:00Z`, 1_800_000, 'api', () => 'k', '1'));
    demand.push(...series(50, `t${d}-`, `${day}T06:00:00Z`, 1_200_000, 'trigger', () => 't'));
  }
  demand.sort((x, y) => x.split(',')[1]!.localeCompare(y.split(',')[1]!));

  it('platform: the admitted events alone are all admitted again, and their limits are full', async () => {
    const first = await simulateCli(dir.path, plan, 'platform', demand);
    // the demand was cut: the cap (10 of the 15 first-day requests, then none), the trigger limit
    expect(first.report?.keys[0]).toMatchObject({ admitted: 10, blockedBy: { key_cap: 35 } });
    expect(first.report?.triggers[0]).toMatchObject({ admitted: 126, dropped: 24, limitedBy: { trigger_limit: 24 } });
    const exported = demand.filter((_, i) => first.decisions[i]!.endsWith(' admitted'));
    const again = await simulateCli(dir.path, plan, 'platform', exported);
    expect(again.decisions.every((d) => d.endsWith(' admitted'))).toBe(true);
    expect(heldOf(again.report)).toEqual([
      'Pipeline (k): spend reached $10.00 of its $10.00 cap',
      'PR review (t): 42 runs in 24 h, its limit',
    ]);
  });
});
