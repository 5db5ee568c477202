/**
 * SPEC sections 1-4 and 9, statement by statement, through `headroom simulate`, under both
 * profiles. Every expected figure below is worked out by hand from the SPEC text (the reasoning
 * is in the comments), never from running the engine; docs/spec-checklist.md maps each
 * statement to its test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES, scenarioDir, series, simulateCli } from './fixtures/cli-scenario.ts';
import type { Profile, ScenarioPlan } from './fixtures/cli-scenario.ts';

let dir = { path: '', remove: () => {} };
beforeAll(() => {
  dir = scenarioDir();
});
afterAll(() => dir.remove());

const HOUR = 3_600_000;

async function decide(plan: ScenarioPlan, profile: Profile, rows: readonly string[], args: readonly string[] = []): Promise<string[]> {
  const r = await simulateCli(dir.path, plan, profile, rows, args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.decisions;
}

describe('§1 / §9.1 the sliding window edge (a trigger limit of 1 per 24 h)', () => {
  const plan: ScenarioPlan = { triggers: [{ id: 't', kind: 'webhook', mode: 'fair_use', limitPer24h: 1 }] };
  const rows = ['r1,2026-01-05T10:00:00.000Z,trigger,t,', 'r2,2026-01-06T10:00:00.000Z,trigger,t,'];

  it('documented: the run admitted at s stops counting at exactly s + 24 h', async () => {
    expect(await decide(plan, 'documented', rows)).toEqual(['r1 admitted', 'r2 admitted']);
  });

  it('platform: it still counts at s + 24 h (dropped by default), and a queue admits 1 ms later', async () => {
    expect(await decide(plan, 'platform', rows)).toEqual(['r1 admitted', 'r2 dropped trigger_limit']);
    const queued = { ...plan, enforcement: { webhookWhenLimited: 'queue' } };
    expect(await decide(queued, 'platform', rows)).toEqual(['r1 admitted', 'r2 admitted@2026-01-06T10:00:00.001Z trigger_limit']);
  });
});

describe('§2 the allowance: seats × messagesPerSeatPerDay over a sliding 24 h, not a UTC day', () => {
  // A = 1 × 2. m3 is on a new UTC day but within 24 h of m1 and m2: refused in both readings.
  // m4 at exactly m1 + 24 h: the docs let m1 go (2 - 1 = 1 < 2), the code still counts it.
  // m5 1 ms later: docs count m2 and m4 (2: refused); code counts m2 only (m4 was refused).
  const plan: ScenarioPlan = { workspace: { seats: 1, messagesPerSeatPerDay: 2 } };
  const rows = [
    'm1,2026-01-05T22:00:00.000Z,message,u1,',
    'm2,2026-01-05T23:00:00.000Z,message,u2,',
    'm3,2026-01-06T00:30:00.000Z,message,u1,',
    'm4,2026-01-06T22:00:00.000Z,message,u1,',
    'm5,2026-01-06T22:00:00.001Z,message,u2,',
  ];
  const want: Record<Profile, string[]> = {
    documented: ['m1 admitted', 'm2 admitted', 'm3 blocked allowance', 'm4 admitted', 'm5 blocked allowance'],
    platform: ['m1 admitted', 'm2 admitted', 'm3 blocked allowance', 'm4 blocked allowance', 'm5 admitted'],
  };
  for (const profile of PROFILES) {
    it(profile, async () => {
      const r = await simulateCli(dir.path, plan, profile, rows);
      expect(r.decisions).toEqual(want[profile]);
      expect(r.report?.allowance).toEqual({ limit: 2, peak: 2, messages: 5, blockedMessages: 2 });
      expect(r.report?.messagesBlockedBy).toEqual({ allowance: 2 });
    });
  }
});

describe('§2 / §4 the fair-use pool: ceil(share × A), fair-use runs use the allowance, programmatic runs neither', () => {
  // A = 1 × 3 = 3, P = ceil(0.5 × 3) = 2. f3 finds 2 fair-use runs in the pool (docs: after its
  // own limit of 42 passes; code: the pool first). p1-p3 are programmatic with no run limit: never
  // in the pool or the allowance. m1 sees 2 fair-use runs in the allowance (2 < 3); m2 sees 3.
  const plan: ScenarioPlan = {
    workspace: { seats: 1, messagesPerSeatPerDay: 3, fairUseShare: 0.5 },
    triggers: [
      { id: 'f', kind: 'webhook', mode: 'user_pool', limitPer24h: null },
      { id: 'p', kind: 'webhook', mode: 'workspace_pool', limitPer24h: -1 },
    ],
    enforcement: { webhookWhenLimited: 'drop' },
  };
  const rows = [
    'f1,2026-01-05T10:00:00Z,trigger,f,',
    'f2,2026-01-05T10:01:00Z,trigger,f,',
    'f3,2026-01-05T10:02:00Z,trigger,f,',
    'p1,2026-01-05T10:03:00Z,trigger,p,',
    'p2,2026-01-05T10:04:00Z,trigger,p,',
    'p3,2026-01-05T10:05:00Z,trigger,p,',
    'm1,2026-01-05T10:06:00Z,message,u,',
    'm2,2026-01-05T10:07:00Z,message,u,',
  ];
  for (const profile of PROFILES) {
    it(`${profile}: the newer mode names are read and kept`, async () => {
      const r = await simulateCli(dir.path, plan, profile, rows);
      expect(r.decisions).toEqual(['f1 admitted', 'f2 admitted', 'f3 dropped pool', 'p1 admitted', 'p2 admitted', 'p3 admitted', 'm1 admitted', 'm2 blocked allowance']);
      expect(r.report?.pool).toEqual({ limit: 2, peak: 2 });
      expect(r.report?.allowance).toMatchObject({ limit: 3, peak: 3, blockedMessages: 1 });
      expect(r.report?.triggers.map((t) => [t.id, t.mode, t.dropped])).toEqual([['f', 'user_pool', 1], ['p', 'workspace_pool', 0]]);
    });
  }

  it('P is computed on the decimal share: 0.1 × (3 seats × 10) is 3 runs, not 4', async () => {
    // four inferred fair-use webhooks, one run each: the fourth finds the pool full
    const small: ScenarioPlan = { workspace: { seats: 3, messagesPerSeatPerDay: 10, fairUseShare: 0.1 }, enforcement: { webhookWhenLimited: 'drop' } };
    const four = ['g1,2026-01-05T10:00:00Z,trigger,g1,', 'g2,2026-01-05T10:01:00Z,trigger,g2,', 'g3,2026-01-05T10:02:00Z,trigger,g3,', 'g4,2026-01-05T10:03:00Z,trigger,g4,'];
    for (const profile of PROFILES) {
      const r = await simulateCli(dir.path, small, profile, four);
      expect(r.decisions).toEqual(['g1 admitted', 'g2 admitted', 'g3 admitted', 'g4 dropped pool']);
      expect(r.report?.pool.limit).toBe(3);
    }
  });
});

describe('§2 / §9.2 limitPer24h null on a programmatic webhook: no limit (docs), 42 (code)', () => {
  const plan: ScenarioPlan = { triggers: [{ id: 'p', name: 'Lead enrichment', kind: 'webhook', mode: 'programmatic', limitPer24h: null }] };
  const rows = series(43, 'p', '2026-01-05T10:00:00Z', 60_000, 'trigger', () => 'p');

  it('documented: all 43 runs in 43 minutes go through', async () => {
    const r = await simulateCli(dir.path, plan, 'documented', rows);
    expect(r.decisions.every((d) => d.endsWith(' admitted'))).toBe(true);
    expect(r.report?.triggers[0]).toMatchObject({ limit: null, admitted: 43, dropped: 0, rateLimited: false });
  });

  it('platform: the 43rd is dropped by the trigger limit', async () => {
    const r = await simulateCli(dir.path, plan, 'platform', rows);
    expect(r.decisions.slice(40)).toEqual(['p41 admitted', 'p42 admitted', 'p43 dropped trigger_limit']);
    expect(r.report?.triggers[0]).toMatchObject({ limit: 42, limitChecked: true, admitted: 42, dropped: 1, limitedBy: { trigger_limit: 1 } });
  });
});

describe('§4 spend: key cap first, then each workspace limit in plan order; keys without a cap fall back to them', () => {
  // day: $1 per UTC day; month: $1.50 per calendar month. k1 capped at $0.50; k2 is in no plan
  // (inferred, no cap); p is programmatic, no run limit, its cost counted in the limits.
  //  1 k1 0.50 admitted (k1 .50, day .50, month .50)
  //  2 k1 0.10 key_cap (.50 >= .50), though day and month would pass
  //  3 p  0.40 admitted (day .90, month .90)
  //  4 k2 0.20 admitted: .90 < 1, the request that crosses completes (day 1.10, month 1.10)
  //  5 k2 0.01 spend_limit:day (1.10 >= 1)
  //  6 p  0.01 dropped spend_limit:day
  //  7 k2 0.40 at 00:00 UTC Jan 31: day 0, month 1.10 < 1.50: admitted (month 1.50)
  //  8 k2 0.01 spend_limit:month (1.50 >= 1.50); the day (.40) would pass
  //  9 k1 0.01 key_cap (its .50 of Jan 30 is still in the window), before the month
  // 10 k2 0.01 at 00:00 UTC Feb 1: a new day and a new month: admitted
  const plan: ScenarioPlan = {
    workspace: {
      spendLimits: [
        { id: 'day', amountUsd: 1, window: 'utc-day' },
        { id: 'month', amountUsd: 1.5, window: 'calendar-month' },
      ],
    },
    apiKeys: [{ id: 'k1', name: 'Marketing', capUsd: 0.5 }],
    triggers: [{ id: 'p', kind: 'webhook', mode: 'programmatic', limitPer24h: -1 }],
    enforcement: { webhookWhenLimited: 'drop' },
  };
  const rows = [
    'e1,2026-01-30T10:00:00Z,api,k1,0.50',
    'e2,2026-01-30T10:01:00Z,api,k1,0.10',
    'e3,2026-01-30T10:02:00Z,trigger,p,0.40',
    'e4,2026-01-30T10:03:00Z,api,k2,0.20',
    'e5,2026-01-30T10:04:00Z,api,k2,0.01',
    'e6,2026-01-30T10:05:00Z,trigger,p,0.01',
    'e7,2026-01-31T00:00:00Z,api,k2,0.40',
    'e8,2026-01-31T00:01:00Z,api,k2,0.01',
    'e9,2026-01-31T23:59:59.999Z,api,k1,0.01',
    'e10,2026-02-01T00:00:00Z,api,k2,0.01',
  ];
  const want = [
    'e1 admitted',
    'e2 blocked key_cap',
    'e3 admitted',
    'e4 admitted',
    'e5 blocked spend_limit:day',
    'e6 dropped spend_limit:day',
    'e7 admitted',
    'e8 blocked spend_limit:month',
    'e9 blocked key_cap',
    'e10 admitted',
  ];
  // k1's $0.50 of Jan 30 10:00 leaves a rolling 30-day window on Mar 1 10:00 (Feb 2026 has 28
  // days); re-based per UTC day, the spend of Jan 30 is freed at 00:00 UTC of Jan 30 + 30 = Mar 1.
  const usableAgain: Record<Profile, string> = { documented: '2026-03-01T10:00:00.000Z', platform: '2026-03-01T00:00:00.000Z' };
  for (const profile of PROFILES) {
    it(profile, async () => {
      const r = await simulateCli(dir.path, plan, profile, rows);
      expect(r.decisions).toEqual(want);
      const [k1, k2] = r.report?.keys ?? [];
      expect(k1).toMatchObject({ id: 'k1', capUsd: 0.5, requests: 3, admitted: 1, blocked: 2, admittedUsd: 0.5, blockedUsd: 0.11, peakRollingUsd: 0.5, firstBlockedAt: '2026-01-30T10:01:00.000Z', blockedBy: { key_cap: 2 } });
      expect(k1?.usableAgainAt).toBe(usableAgain[profile]);
      // blocked first by the UTC day: usable again at the next 00:00 UTC
      expect(k2).toMatchObject({ id: 'k2', capUsd: null, inferred: true, requests: 5, admitted: 3, blocked: 2, admittedUsd: 0.61, blockedUsd: 0.02, firstBlockedAt: '2026-01-30T10:04:00.000Z', usableAgainAt: '2026-01-31T00:00:00.000Z' });
      expect(k2?.blockedBy).toEqual({ 'spend_limit:day': 1, 'spend_limit:month': 1 });
      expect(r.report?.spendLimits.map((l) => [l.id, l.peakUsd, l.blocked])).toEqual([['day', 1.1, 2], ['month', 1.5, 1]]);
      expect(r.report?.triggers[0]).toMatchObject({ id: 'p', admitted: 1, dropped: 1, admittedUsd: 0.4 });
      expect(r.report?.inferred).toEqual({ keys: ['k2'], triggers: [] });
    });
  }

  it('a programmatic webhook refused by both its run limit and a spend limit: the docs name the run limit, the code the spend limit', async () => {
    const both: ScenarioPlan = {
      workspace: { spendLimits: [{ id: 'd', amountUsd: 1, window: 'utc-day' }] },
      triggers: [{ id: 'p', kind: 'webhook', mode: 'programmatic', limitPer24h: 1 }],
    };
    const rows = ['p1,2026-01-05T10:00:00Z,trigger,p,1', 'p2,2026-01-05T11:00:00Z,trigger,p,0.1'];
    // docs: run limit first; p2 waits past the new UTC day (its limit still full) until p1 leaves
    // at Jan 6 10:00, when the day's spend is 0. Code: spend limits first, then dropped.
    expect(await decide(both, 'documented', rows)).toEqual(['p1 admitted', 'p2 admitted@2026-01-06T10:00:00.000Z trigger_limit']);
    expect(await decide(both, 'platform', rows)).toEqual(['p1 admitted', 'p2 dropped spend_limit:d']);
  });

  it('rolling-30d: an entry leaves at exactly s + 30 days (docs) or 1 ms later (code)', async () => {
    const rolling: ScenarioPlan = { workspace: { spendLimits: [{ id: 'r30', amountUsd: 1, window: 'rolling-30d' }] } };
    const edge = ['a,2026-01-05T10:00:00.000Z,api,k,1', 'b,2026-02-04T10:00:00.000Z,api,k,1', 'c,2026-02-04T10:00:00.001Z,api,k,1'];
    // docs: b finds nothing (a left at exactly +30 d) and is admitted; c then finds b: refused.
    // code: b still finds a: refused; c, 1 ms later, finds nothing.
    expect(await decide(rolling, 'documented', edge)).toEqual(['a admitted', 'b admitted', 'c blocked spend_limit:r30']);
    expect(await decide(rolling, 'platform', edge)).toEqual(['a admitted', 'b blocked spend_limit:r30', 'c admitted']);
  });
});

describe('§2 capCheck and §1 money: "spent" lets the crossing request complete; "spent_plus_cost" refuses it', () => {
  const rows = [
    'a,2026-01-05T10:00:00Z,api,k,0.6',
    'b,2026-01-05T10:01:00Z,api,k,0.6',
    'c,2026-01-05T10:02:00Z,api,k,0.4',
    'd,2026-01-05T10:03:00Z,api,k,0.000001',
    // 0.0000005 rounds half away from zero to 1 µUSD, which fills a 1 µUSD cap
    'e,2026-01-05T11:00:00Z,api,tiny,0.0000005',
    'f,2026-01-05T11:01:00Z,api,tiny,0',
    // 0.00000049 rounds to 0: the cap is still empty
    'g,2026-01-05T11:00:00Z,api,tiny2,0.00000049',
    'h,2026-01-05T11:01:00Z,api,tiny2,0',
  ];
  const keys = [
    { id: 'k', capUsd: 1 },
    { id: 'tiny', capUsd: 0.000001 },
    { id: 'tiny2', capUsd: 0.000001 },
  ];
  for (const profile of PROFILES) {
    it(profile, async () => {
      const spent = await decide({ apiKeys: keys }, profile, rows);
      // spent: a (0 < 1), b (0.6 < 1) run; c finds 1.2 >= 1
      expect(spent).toEqual(['a admitted', 'b admitted', 'c blocked key_cap', 'd blocked key_cap', 'e admitted', 'f blocked key_cap', 'g admitted', 'h admitted']);
      const plus = await decide({ apiKeys: keys, enforcement: { capCheck: 'spent_plus_cost' } }, profile, rows.slice(0, 4));
      // spent + cost > cap: b (1.2), then c fits exactly (0.6 + 0.4 = 1), then d (1.000001)
      expect(plus).toEqual(['a admitted', 'b blocked key_cap', 'c admitted', 'd blocked key_cap']);
    });
  }
});

describe('§2 key cap window: rolling keyCapWindowDays (docs), re-based per UTC day (code, §9.6)', () => {
  const rows = [
    'a,2026-01-05T10:00:00.000Z,api,k,1',
    'b,2026-02-03T23:59:59.999Z,api,k,0.5',
    'c,2026-02-04T00:00:00.000Z,api,k,0.5',
    'd,2026-02-04T09:59:59.999Z,api,k,0.5',
    'e,2026-02-04T10:00:00.000Z,api,k,0.5',
  ];
  // docs: a counts until exactly Jan 5 10:00 + 30 d = Feb 4 10:00: b, c, d refused, e admitted.
  // code: a (day Jan 5) counts through Feb 3 and is freed at 00:00 Feb 4: b refused, c and d
  // admitted (0.5 < 1), e finds c + d = 1: refused.
  const want: Record<Profile, string[]> = {
    documented: ['a admitted', 'b blocked key_cap', 'c blocked key_cap', 'd blocked key_cap', 'e admitted'],
    platform: ['a admitted', 'b blocked key_cap', 'c admitted', 'd admitted', 'e blocked key_cap'],
  };
  const usableAgain: Record<Profile, string> = { documented: '2026-02-04T10:00:00.000Z', platform: '2026-02-04T00:00:00.000Z' };
  for (const profile of PROFILES) {
    it(profile, async () => {
      const r = await simulateCli(dir.path, { apiKeys: [{ id: 'k', capUsd: 1 }] }, profile, rows);
      expect(r.decisions).toEqual(want[profile]);
      expect(r.report?.keys[0]).toMatchObject({ peakRollingUsd: 1, firstBlockedAt: '2026-02-03T23:59:59.999Z', usableAgainAt: usableAgain[profile] });
    });
  }

  it('keyCapWindowDays 1: the last 24 h (docs), today since 00:00 UTC (code)', async () => {
    const plan: ScenarioPlan = { apiKeys: [{ id: 'k', capUsd: 1 }], enforcement: { keyCapWindowDays: 1 } };
    const day = ['a,2026-01-05T23:00:00Z,api,k,1', 'b,2026-01-06T00:00:00Z,api,k,0.1', 'c,2026-01-06T23:00:00Z,api,k,0.1'];
    // docs: b finds a (1 h ago); c at exactly a + 24 h finds nothing. code: b starts a new day.
    expect(await decide(plan, 'documented', day)).toEqual(['a admitted', 'b blocked key_cap', 'c admitted']);
    expect(await decide(plan, 'platform', day)).toEqual(['a admitted', 'b admitted', 'c admitted']);
  });
});

describe('§4 / §9.3 scheduled triggers', () => {
  // A = 1 × 2 = 2, P = 2. A schedule with a run limit of 1, firing hourly.
  const plan: ScenarioPlan = {
    workspace: { seats: 1, messagesPerSeatPerDay: 2, fairUseShare: 1 },
    triggers: [{ id: 's', name: 'Digest', kind: 'scheduled', mode: 'fair_use', limitPer24h: 1 }],
  };
  const rows = ['s1,2026-01-05T10:00:00Z,trigger,s,', 's2,2026-01-05T11:00:00Z,trigger,s,', 's3,2026-01-05T12:00:00Z,trigger,s,'];

  it('documented: limited by its run limit, skipped (never queued, though webhooks queue)', async () => {
    const r = await simulateCli(dir.path, plan, 'documented', rows);
    expect(r.decisions).toEqual(['s1 admitted', 's2 skipped trigger_limit', 's3 skipped trigger_limit']);
    expect(r.report?.triggers[0]).toMatchObject({ skipped: 2, pending: 0, limit: 1, limitChecked: true });
  });

  it('platform: never checked against its run limit or the pool, only the allowance', async () => {
    const r = await simulateCli(dir.path, plan, 'platform', rows);
    expect(r.decisions).toEqual(['s1 admitted', 's2 admitted', 's3 skipped allowance']);
    expect(r.report?.triggers[0]).toMatchObject({ skipped: 1, limit: null, limitChecked: false });
    expect(r.report?.pool.peak).toBe(0);
  });

  it('a programmatic schedule: refused by the docs naming the field, checked against spend limits only by the code', async () => {
    const programmatic: ScenarioPlan = {
      workspace: { seats: 1, messagesPerSeatPerDay: 0, spendLimits: [{ id: 'd', amountUsd: 1, window: 'utc-day' }] },
      triggers: [{ id: 'q', kind: 'scheduled', mode: 'workspace_pool', limitPer24h: 0 }],
    };
    const runs = ['q1,2026-01-05T10:00:00Z,trigger,q,1', 'q2,2026-01-05T11:00:00Z,trigger,q,0.1'];
    const refused = await simulateCli(dir.path, programmatic, 'documented', runs);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('triggers[0].mode');
    // code: the limit of 0 and the allowance of 0 are not checked; the $1 day is
    expect(await decide(programmatic, 'platform', runs)).toEqual(['q1 admitted', 'q2 skipped spend_limit:d']);
  });
});

describe('§4 / §9.5 a limited webhook: queue (docs) or drop (code), and the explicit choice wins', () => {
  const plan = (enforcement: Record<string, unknown> = {}): ScenarioPlan => ({
    triggers: [{ id: 'w', name: 'PR review', kind: 'webhook', mode: 'fair_use', limitPer24h: 1 }],
    enforcement,
  });
  const rows = ['w1,2026-01-05T10:00:00Z,trigger,w,', 'w2,2026-01-05T11:00:00Z,trigger,w,', 'w3,2026-01-05T12:00:00Z,trigger,w,'];

  it('documented: runs wait first-in first-out; each keeps the reason it waited for', async () => {
    // w2 waits for w1 to leave (Jan 6 10:00, 23 h); w3 for w2 (Jan 7 10:00, 46 h)
    const r = await simulateCli(dir.path, plan(), 'documented', rows);
    expect(r.decisions).toEqual(['w1 admitted', 'w2 admitted@2026-01-06T10:00:00.000Z trigger_limit', 'w3 admitted@2026-01-07T10:00:00.000Z trigger_limit']);
    // p95 by nearest rank over [0, 23 h, 46 h]: rank ceil(2.85) = 3
    expect(r.report?.triggers[0]).toMatchObject({ arrivals: 3, admitted: 3, delayed: 2, dropped: 0, pending: 0, maxDelayMs: 46 * HOUR, p95DelayMs: 46 * HOUR, peakQueue: 2, rateLimited: true });
  });

  it('platform: dropped; with an explicit queue they wait, each 1 ms past the inclusive edge', async () => {
    expect(await decide(plan(), 'platform', rows)).toEqual(['w1 admitted', 'w2 dropped trigger_limit', 'w3 dropped trigger_limit']);
    expect(await decide(plan({ webhookWhenLimited: 'queue' }), 'platform', rows)).toEqual([
      'w1 admitted',
      'w2 admitted@2026-01-06T10:00:00.001Z trigger_limit',
      'w3 admitted@2026-01-07T10:00:00.002Z trigger_limit',
    ]);
  });

  it('documented with an explicit drop drops', async () => {
    expect(await decide(plan({ webhookWhenLimited: 'drop' }), 'documented', rows)).toEqual(['w1 admitted', 'w2 dropped trigger_limit', 'w3 dropped trigger_limit']);
  });

  it('maxQueueWaitHours: admitted at arrival + h exactly, dropped after', async () => {
    // docs: w2's deadline Jan 6 10:00 is when w1 leaves: admitted; w3's (Jan 6 11:00) passes.
    expect(await decide(plan({ maxQueueWaitHours: 23 }), 'documented', rows)).toEqual(['w1 admitted', 'w2 admitted@2026-01-06T10:00:00.000Z trigger_limit', 'w3 dropped trigger_limit']);
    // code + queue: w1 leaves 1 ms after w2's deadline, so w2 is dropped and w3 gets the room.
    expect(await decide(plan({ webhookWhenLimited: 'queue', maxQueueWaitHours: 23 }), 'platform', rows)).toEqual([
      'w1 admitted',
      'w2 dropped trigger_limit',
      'w3 admitted@2026-01-06T10:00:00.001Z trigger_limit',
    ]);
  });

  it('--until: a run still waiting at the horizon is pending', async () => {
    const r = await simulateCli(dir.path, plan(), 'documented', rows, ['--until', '2026-01-06T12:00:00Z']);
    expect(r.decisions).toEqual(['w1 admitted', 'w2 admitted@2026-01-06T10:00:00.000Z trigger_limit', 'w3 pending trigger_limit']);
    expect(r.report?.horizon).toBe('2026-01-06T12:00:00.000Z');
    expect(r.report?.triggers[0]).toMatchObject({ admitted: 2, pending: 1, maxDelayMs: 23 * HOUR });
    expect(r.report?.totals).toMatchObject({ events: 3, admitted: 2, delayed: 1, pending: 1 });
  });
});

describe('§9.4 fair-use webhooks: the code takes the pool unit before its own limit refuses', () => {
  // A = 4, P = 2. Trigger a has a run limit of 0; b has 42.
  const plan: ScenarioPlan = {
    workspace: { seats: 1, messagesPerSeatPerDay: 4, fairUseShare: 0.5 },
    triggers: [
      { id: 'a', kind: 'webhook', mode: 'fair_use', limitPer24h: 0 },
      { id: 'b', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 },
    ],
  };
  const rows = ['a1,2026-01-05T10:00:00Z,trigger,a,', 'a2,2026-01-05T10:01:00Z,trigger,a,', 'b1,2026-01-05T10:02:00Z,trigger,b,', 'm1,2026-01-05T10:03:00Z,message,u,'];

  it('documented: a waits for ever (pending at the horizon) and costs b nothing', async () => {
    const r = await simulateCli(dir.path, plan, 'documented', rows);
    expect(r.decisions).toEqual(['a1 pending trigger_limit', 'a2 pending trigger_limit', 'b1 admitted', 'm1 admitted']);
    expect(r.report?.pool.peak).toBe(1);
  });

  it('platform: each refused run of a burns a pool unit, so b finds the pool full', async () => {
    const r = await simulateCli(dir.path, plan, 'platform', rows);
    expect(r.decisions).toEqual(['a1 dropped trigger_limit', 'a2 dropped trigger_limit', 'b1 dropped pool', 'm1 admitted']);
    expect(r.report?.pool).toEqual({ limit: 2, peak: 2 });
  });

  it('an allowance refusal burns a pool and a trigger unit (code); an explicit queue takes nothing until it admits', async () => {
    // A = 1, P = 1, limit 1. m takes the allowance until Jan 6 09:00 (docs) / 09:00:00.001 (code).
    const one: ScenarioPlan = {
      workspace: { seats: 1, messagesPerSeatPerDay: 1, fairUseShare: 1 },
      triggers: [{ id: 'c', kind: 'webhook', mode: 'fair_use', limitPer24h: 1 }],
    };
    const runs = ['m,2026-01-05T09:00:00Z,message,u,', 'c1,2026-01-05T10:00:00Z,trigger,c,', 'c2,2026-01-06T09:30:00Z,trigger,c,'];
    // docs: c1 waits for the allowance (Jan 6 09:00); c2 then waits for its trigger limit
    // (c1 leaves its windows on Jan 7 09:00).
    expect(await decide(one, 'documented', runs)).toEqual(['m admitted', 'c1 admitted@2026-01-06T09:00:00.000Z allowance', 'c2 admitted@2026-01-07T09:00:00.000Z trigger_limit']);
    // code: c1 takes a pool and a trigger unit, then the allowance refuses it; c2 (Jan 6 09:30)
    // finds c1's pool unit of Jan 5 10:00: the pool refuses first.
    expect(await decide(one, 'platform', runs)).toEqual(['m admitted', 'c1 dropped allowance', 'c2 dropped pool']);
    // code + queue: c1 takes its units only when admitted (Jan 6 09:00:00.001); c2 then finds the
    // pool full until 1 ms after c1 + 24 h.
    expect(await decide({ ...one, enforcement: { webhookWhenLimited: 'queue' } }, 'platform', runs)).toEqual([
      'm admitted',
      'c1 admitted@2026-01-06T09:00:00.001Z allowance',
      'c2 admitted@2026-01-07T09:00:00.002Z pool',
    ]);
  });
});

describe('§9.7 throttles: on under the code, off under the docs unless the plan sets them', () => {
  it('actor_minute per API key: 100 admitted requests in the last 60 s, inclusive edge under the code', async () => {
    // 101 requests 100 ms apart from 10:00:00.000 (the 101st at 10:00:10.000), then x at
    // 10:01:00.000 and y at 10:01:00.001.
    const rows = [...series(101, 'r', '2026-01-05T10:00:00Z', 100, 'api', () => 'k', '0'), 'x,2026-01-05T10:01:00.000Z,api,k,0', 'y,2026-01-05T10:01:00.001Z,api,k,0'];
    const tail = (d: string[]) => d.slice(99);
    // code: r101 finds 100; x still finds r1 (exactly 60 s): 100; y finds r2..r100: 99.
    expect(tail(await decide({}, 'platform', rows))).toEqual(['r100 admitted', 'r101 blocked actor_minute', 'x blocked actor_minute', 'y admitted']);
    // docs: no throttle at all
    expect((await decide({}, 'documented', rows)).every((d) => d.endsWith(' admitted'))).toBe(true);
    // docs with the throttle set: honoured with the docs' edge. x no longer finds r1 (99 + x =
    // 100 admitted); y finds r2..r100 and x: 100.
    expect(tail(await decide({ enforcement: { actorPerMinute: 100 } }, 'documented', rows))).toEqual(['r100 admitted', 'r101 blocked actor_minute', 'x admitted', 'y blocked actor_minute']);
  });

  it('actor_hour per API key: the 3,001st request in an hour, 1 s apart (never 100 a minute)', async () => {
    const rows = series(3001, 'r', '2026-01-05T10:00:00Z', 1000, 'api', () => 'k', '0');
    expect((await decide({}, 'platform', rows)).slice(2999)).toEqual(['r3000 admitted', 'r3001 blocked actor_hour']);
    expect((await decide({}, 'documented', rows))[3000]).toBe('r3001 admitted');
  });

  it('messages: actor_minute per person, then workspace_minute (10 × seats), then the allowance', async () => {
    // 2 seats: 20 people's messages a minute; 21 people, one message each, 1 s apart.
    const crowd = series(21, 'm', '2026-01-05T10:00:00Z', 1000, 'message', (i) => `u${i}`);
    expect((await decide({ workspace: { seats: 2 } }, 'platform', crowd))[20]).toBe('m21 blocked workspace_minute');
    expect((await decide({ workspace: { seats: 2 } }, 'documented', crowd))[20]).toBe('m21 admitted');
    // one person, 101 messages 100 ms apart, 20 seats (200 a minute for the workspace)
    const one = series(101, 'n', '2026-01-05T10:00:00Z', 100, 'message', () => 'alice');
    const r = await simulateCli(dir.path, { workspace: { seats: 20 } }, 'platform', one);
    expect(r.decisions[100]).toBe('n101 blocked actor_minute');
    expect(r.report?.messagesBlockedBy).toEqual({ actor_minute: 1 });
  });

  it('0 seats: every message refused, by workspace_minute (code) or the allowance of 0 (docs)', async () => {
    const plan: ScenarioPlan = { workspace: { seats: 0, messagesPerSeatPerDay: 100 } };
    const rows = ['m1,2026-01-05T10:00:00Z,message,u,'];
    expect(await decide(plan, 'platform', rows)).toEqual(['m1 blocked workspace_minute']);
    expect(await decide(plan, 'documented', rows)).toEqual(['m1 blocked allowance']);
  });
});

describe('§2 inferred entities and §3 order', () => {
  it('a trigger only in the events is a fair-use webhook limited to 42: queued (docs) or dropped (code)', async () => {
    const rows = series(43, 'x', '2026-01-05T10:00:00Z', 60_000, 'trigger', () => 'mystery');
    const want: Record<Profile, string> = { documented: 'x43 admitted@2026-01-06T10:00:00.000Z trigger_limit', platform: 'x43 dropped trigger_limit' };
    for (const profile of PROFILES) {
      const r = await simulateCli(dir.path, {}, profile, rows);
      expect(r.decisions[42]).toBe(want[profile]);
      expect(r.report?.inferred).toEqual({ keys: [], triggers: ['mystery'] });
      expect(r.report?.triggers[0]).toMatchObject({ id: 'mystery', kind: 'webhook', mode: 'fair_use', limit: 42, inferred: true });
    }
  });

  it('events are decided in time order, equal times in input order; decisions come back in input order', async () => {
    // time order: b (10:00), c (10:00, after b in the file), a (12:00). b fills the $1 cap.
    const rows = ['a,2026-01-05T12:00:00Z,api,k,0.5', 'b,2026-01-05T10:00:00Z,api,k,1', 'c,2026-01-05T10:00:00Z,api,k,0.2'];
    for (const profile of PROFILES) {
      expect(await decide({ apiKeys: [{ id: 'k', capUsd: 1 }] }, profile, rows)).toEqual(['a blocked key_cap', 'b admitted', 'c blocked key_cap']);
    }
  });

  it('a timestamp with an offset is the same instant in UTC', async () => {
    // 11:00+01:00 is 10:00Z: at exactly the first run + 24 h (docs: free again)
    const rows = ['r1,2026-01-05T10:00:00Z,trigger,t,', 'r2,2026-01-06T11:00:00+01:00,trigger,t,'];
    const plan: ScenarioPlan = { triggers: [{ id: 't', kind: 'webhook', mode: 'fair_use', limitPer24h: 1 }] };
    expect(await decide(plan, 'documented', rows)).toEqual(['r1 admitted', 'r2 admitted']);
    expect(await decide(plan, 'platform', rows)).toEqual(['r1 admitted', 'r2 dropped trigger_limit']);
  });
});
