/**
 * SPEC §9, the platform profile: one block per rule and per "reading pinned", at its edges.
 *
 * Every expectation below is computed by hand from the SPEC's text (the comment above each says
 * how), never read off either engine. Each scenario runs twice: against the reference
 * (test/support/reference-engine.ts, which reads the plan as written) and against the real engine
 * (`simulate`, the plan through the real schema); a few also go through the command line to pin
 * the reason strings of `--decisions`. Each documented counterpart shows what the rule changes.
 *
 * Decisions read as `outcome[@admittedAt] [reason]`, as in engine-rules.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { generateWorkspace } from '../src/demo/generator.ts';
import { decisionsNdjson } from '../src/engine/decisions.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { referenceSimulate } from './support/reference-engine.ts';
import { DAY, HOUR, MINUTE, T0, engineText, events, h, isoOf, rawPlan, referenceText } from './support/scenario.ts';
import type { RawPlan, Row } from './support/scenario.ts';

const at = (t: number) => isoOf(t);
const times = (n: string, text: string): string[] => Array.from({ length: Number(n) }, () => text);

/**
 * One scenario, two tests: the reference and the real engine must both give `want`. The engine
 * test fails until the engine implements the rule; the reference test pins the reading.
 */
function decides(name: string, p: RawPlan, rows: readonly Row[], want: readonly string[], options: { until?: number } = {}): void {
  describe(name, () => {
    const ev = events(rows);
    it('reference', () => expect(referenceText(p, ev, options)).toEqual(want));
    it('engine', () => expect(engineText(p, ev, options)).toEqual(want));
  });
}

// ---------------------------------------------------------------------------------------------
describe('§9 rule 1: an entry still counts at exactly s + W and stops at s + W + 1 ms', () => {
  // limit 1: the run at h(24) sees the h(0) entry (t - W <= s), the one at h(24) + 1 ms does not;
  // the refused run took no trigger unit (rule 4 records a unit only when its check passes)
  const rows: Row[] = [
    [h(0), 'trigger', 'a'],
    [h(24), 'trigger', 'a'],
    [h(24) + 1, 'trigger', 'a'],
  ];
  decides('trigger window, platform', rawPlan({ triggers: [{ id: 'a', limitPer24h: 1 }] }), rows, ['admitted', 'dropped trigger_limit', 'admitted']);
  // §1: the entry stops counting at exactly s + W, so h(24) is admitted and h(24) + 1 ms sees it
  decides('trigger window, documented (for contrast)', rawPlan({ triggers: [{ id: 'a', limitPer24h: 1 }], enforcement: { webhookWhenLimited: 'drop' } }, null), rows, [
    'admitted',
    'admitted',
    'dropped trigger_limit',
  ]);

  // pool P = ceil(0.5 × 1 × 2) = 1: b at h(24) sees a's pool entry of h(0)
  decides(
    'pool window',
    rawPlan({ workspace: { seats: 1, messagesPerSeatPerDay: 2 }, triggers: [{ id: 'a', limitPer24h: -1 }, { id: 'b', limitPer24h: -1 }] }),
    [
      [h(0), 'trigger', 'a'],
      [h(24), 'trigger', 'b'],
      [h(24) + 1, 'trigger', 'b'],
    ],
    ['admitted', 'dropped pool', 'admitted'],
  );

  // allowance A = 1
  decides(
    'allowance window',
    rawPlan({ workspace: { seats: 1, messagesPerSeatPerDay: 1 } }),
    [
      [h(0), 'message', 'u'],
      [h(24), 'message', 'u'],
      [h(24) + 1, 'message', 'u'],
    ],
    ['admitted', 'blocked allowance', 'admitted'],
  );

  // rolling-30d $1: the $1 of h(0) still counts at h(0) + 30 days
  decides(
    'rolling-30d spend limit',
    rawPlan({ workspace: { spendLimits: [{ id: 'r30', amountUsd: 1, window: 'rolling-30d' }] } }),
    [
      [h(0), 'api', 'k', '1'],
      [h(0) + 30 * DAY, 'api', 'k', '1'],
      [h(0) + 30 * DAY + 1, 'api', 'k', '1'],
    ],
    ['admitted', 'blocked spend_limit:r30', 'admitted'],
  );

  // an explicit queue retries at s + W + 1 ms: h(1) waits for h(0)'s entry to leave
  decides('a queued run is released at s + W + 1 ms', rawPlan({ triggers: [{ id: 'a', limitPer24h: 1 }], enforcement: { webhookWhenLimited: 'queue' } }), [
    [h(0), 'trigger', 'a'],
    [h(1), 'trigger', 'a'],
  ], ['admitted', `admitted@${at(h(24) + 1)} trigger_limit`]);
});

// ---------------------------------------------------------------------------------------------
describe('§9 rule 2: limitPer24h null is 42 in every mode', () => {
  const rows: Row[] = Array.from({ length: 43 }, (_, i): Row => [h(0) + i * MINUTE, 'trigger', 'p', 0]);
  decides('a programmatic webhook with limitPer24h null: the 43rd run in 24 h is refused', rawPlan({ triggers: [{ id: 'p', mode: 'programmatic', limitPer24h: null }] }), rows, [
    ...times('42', 'admitted'),
    'dropped trigger_limit',
  ]);
  decides('the same under the newer name workspace_pool', rawPlan({ triggers: [{ id: 'p', mode: 'workspace_pool' }] }), rows, [...times('42', 'admitted'), 'dropped trigger_limit']);
  decides('-1 is still no limit', rawPlan({ triggers: [{ id: 'p', mode: 'programmatic', limitPer24h: -1 }] }), rows, times('43', 'admitted'));
  decides('documented: a programmatic trigger without a limit runs 43 times', rawPlan({ triggers: [{ id: 'p', mode: 'programmatic' }], enforcement: { webhookWhenLimited: 'drop' } }, null), rows, times('43', 'admitted'));
  decides('documented: workspace_pool means programmatic there too', rawPlan({ triggers: [{ id: 'p', mode: 'workspace_pool' }], enforcement: { webhookWhenLimited: 'drop' } }, null), rows, times('43', 'admitted'));
  decides('documented: user_pool means fair_use (42)', rawPlan({ triggers: [{ id: 'p', mode: 'user_pool' }], enforcement: { webhookWhenLimited: 'drop' } }, null), rows, [
    ...times('42', 'admitted'),
    'dropped trigger_limit',
  ]);
});

// ---------------------------------------------------------------------------------------------
describe('§9 rule 3: scheduled runs skip the trigger limit and the pool; schedules may be programmatic', () => {
  // A = 2, P = 1. s (limit 0) is checked against the allowance only: two runs fill it, the third
  // is skipped; they took no pool unit, so w passes the pool (taking a unit) and is refused by the allowance.
  const p = {
    workspace: { seats: 1, messagesPerSeatPerDay: 2 },
    triggers: [
      { id: 's', kind: 'scheduled', limitPer24h: 0 },
      { id: 'w', limitPer24h: -1 },
    ],
  };
  const rows: Row[] = [
    [h(0), 'trigger', 's'],
    [h(1), 'trigger', 's'],
    [h(2), 'trigger', 's'],
    [h(3), 'trigger', 'w'],
  ];
  decides('a fair-use schedule with limit 0, platform', rawPlan(p), rows, ['admitted', 'admitted', 'skipped allowance', 'dropped allowance']);
  decides('documented: the same schedule is skipped by its limit of 0', rawPlan({ ...p, enforcement: { webhookWhenLimited: 'drop' } }, null), rows, [
    'skipped trigger_limit',
    'skipped trigger_limit',
    'skipped trigger_limit',
    'admitted',
  ]);

  // programmatic schedule, limit 0 ignored; $1 a UTC day: the second run is skipped, the next day's admitted
  const prog = {
    workspace: { spendLimits: [{ id: 'd', amountUsd: 1, window: 'utc-day' }] },
    triggers: [{ id: 'cron', kind: 'scheduled', mode: 'programmatic', limitPer24h: 0 }],
  };
  decides('a programmatic schedule is checked against the spend limits only', rawPlan(prog), [
    [h(0), 'trigger', 'cron', '1'],
    [h(1), 'trigger', 'cron', '1'],
    [h(24), 'trigger', 'cron', '1'],
  ], ['admitted', 'skipped spend_limit:d', 'admitted']);

  it('documented still rejects a programmatic schedule, naming the field; platform accepts it', () => {
    expect(() => validatePlan(rawPlan(prog, null))).toThrow(/triggers\[0\]\.mode/);
    expect(() => validatePlan(rawPlan({ triggers: [{ id: 'cron', kind: 'scheduled', mode: 'workspace_pool' }] }, 'documented'))).toThrow(/triggers\[0\]\.mode/);
    expect(() => validatePlan(rawPlan(prog))).not.toThrow();
  });

  // an explicit queue never holds a scheduled run
  decides('scheduled runs are skipped, never queued', rawPlan({ workspace: { seats: 1, messagesPerSeatPerDay: 1 }, triggers: [{ id: 's', kind: 'scheduled' }], enforcement: { webhookWhenLimited: 'queue' } }), [
    [h(0), 'message', 'u'],
    [h(1), 'trigger', 's'],
  ], ['admitted', 'skipped allowance']);
});

// ---------------------------------------------------------------------------------------------
describe('§9 rule 4: fair-use webhooks take each unit as its check passes', () => {
  // P = 1. a (limit 0) passes the pool (a unit at h(0)), then fails its limit: the unit stays and
  // blocks b until h(0) + 24 h + 1 ms.
  const burn = { workspace: { seats: 1, messagesPerSeatPerDay: 2 }, triggers: [{ id: 'a', limitPer24h: 0 }, { id: 'b', limitPer24h: -1 }] };
  const burnRows: Row[] = [
    [h(0), 'trigger', 'a'],
    [h(1), 'trigger', 'b'],
    [h(24), 'trigger', 'b'],
    [h(24) + 1, 'trigger', 'b'],
  ];
  decides('a pool unit burned by a trigger-limit refusal', rawPlan(burn), burnRows, ['dropped trigger_limit', 'dropped pool', 'dropped pool', 'admitted']);
  decides('documented: the refusal takes nothing, b gets the pool', rawPlan({ ...burn, enforcement: { webhookWhenLimited: 'drop' } }, null), burnRows, [
    'dropped trigger_limit',
    'admitted',
    'dropped pool',
    'dropped pool',
  ]);
  it('the reference counts the burned units', () => {
    expect(referenceSimulate(rawPlan(burn), events(burnRows)).burned).toEqual({ pool: 1, trigger: 0 });
  });

  // A = 2, P = 2 (share 1). Two messages fill the allowance. a at h(1): pool passes (unit), its
  // limit 1 passes (unit), the allowance refuses: both units stay. At h(24) + 1 ms the messages
  // are gone but a's trigger unit of h(1) still counts: refused by its limit (a second pool unit
  // taken). b then finds the pool full (h(1), h(24) + 1 ms). At h(25) + 1 ms the h(1) units are
  // gone: a is admitted.
  const kept = {
    workspace: { seats: 1, messagesPerSeatPerDay: 2, fairUseShare: 1 },
    triggers: [{ id: 'a', limitPer24h: 1 }, { id: 'b', limitPer24h: -1 }],
  };
  const keptRows: Row[] = [
    [h(0), 'message', 'u'],
    [h(0), 'message', 'u'],
    [h(1), 'trigger', 'a'],
    [h(24) + 1, 'trigger', 'a'],
    [h(24) + 2, 'trigger', 'b'],
    [h(25) + 1, 'trigger', 'a'],
  ];
  decides('an allowance refusal after pool and trigger passed keeps both units', rawPlan(kept), keptRows, [
    'admitted',
    'admitted',
    'dropped allowance',
    'dropped trigger_limit',
    'dropped pool',
    'admitted',
  ]);
  decides('documented: the same refusals take nothing', rawPlan({ ...kept, enforcement: { webhookWhenLimited: 'drop' } }, null), keptRows, [
    'admitted',
    'admitted',
    'dropped allowance',
    'admitted',
    'admitted',
    'dropped trigger_limit',
  ]);
  it('the reference counts the burned units', () => {
    expect(referenceSimulate(rawPlan(kept), events(keptRows)).burned).toEqual({ pool: 2, trigger: 1 });
  });

  // limit 0 takes a pool unit at each attempt while the pool has room (P = 2)
  decides(
    'a fair-use webhook with limitPer24h 0 takes a pool unit per attempt',
    rawPlan({ workspace: { seats: 1, messagesPerSeatPerDay: 4 }, triggers: [{ id: 'zero', limitPer24h: 0 }, { id: 'b', limitPer24h: -1 }] }),
    [
      [h(0), 'trigger', 'zero'],
      [h(1), 'trigger', 'zero'],
      [h(2), 'trigger', 'zero'],
      [h(3), 'trigger', 'b'],
    ],
    ['dropped trigger_limit', 'dropped trigger_limit', 'dropped pool', 'dropped pool'],
  );

  // with messagesPerSeatPerDay null there is no pool: a refused run takes no pool unit (there is none)
  decides('no pool without an allowance', rawPlan({ triggers: [{ id: 'zero', limitPer24h: 0 }, { id: 'b', limitPer24h: -1 }] }), [
    [h(0), 'trigger', 'zero'],
    [h(1), 'trigger', 'b'],
  ], ['dropped trigger_limit', 'admitted']);

  // programmatic: spend limits, then the trigger limit, all-or-nothing. $1 a UTC day, limit 1.
  // h(1): both refuse → the spend limit is reported. h(24) (a new day): spend passes, the limit
  // refuses (h(0) still counts): nothing recorded, so h(24) + 1 ms finds $0 spent and h(0) gone.
  const prog = { workspace: { spendLimits: [{ id: 'd', amountUsd: 1, window: 'utc-day' }] }, triggers: [{ id: 'p', mode: 'programmatic', limitPer24h: 1 }] };
  const progRows: Row[] = [
    [h(0), 'trigger', 'p', '1'],
    [h(1), 'trigger', 'p', '1'],
    [h(24), 'trigger', 'p', '1'],
    [h(24) + 1, 'trigger', 'p', '1'],
    [h(24) + 2, 'trigger', 'p', '0'],
  ];
  decides('a programmatic webhook: spend limits first, then its limit, nothing recorded unless both pass', rawPlan(prog), progRows, [
    'admitted',
    'dropped spend_limit:d',
    'dropped trigger_limit',
    'admitted',
    'dropped spend_limit:d',
  ]);
  decides('documented: the trigger limit is checked first', rawPlan({ ...prog, enforcement: { webhookWhenLimited: 'drop' } }, null), progRows, [
    'admitted',
    'dropped trigger_limit',
    'admitted',
    'dropped trigger_limit',
    'dropped trigger_limit',
  ]);
});

// ---------------------------------------------------------------------------------------------
describe('§9 rule 5: drop by default; an explicit queue is all-or-nothing in rule 4 order', () => {
  const rows: Row[] = [
    [h(0), 'trigger', 'a'],
    [h(1), 'trigger', 'a'],
    [h(2), 'trigger', 'a'],
  ];
  decides('drop by default', rawPlan({ triggers: [{ id: 'a', limitPer24h: 1 }] }), rows, ['admitted', 'dropped trigger_limit', 'dropped trigger_limit']);
  // h(1) waits until h(0) + 24 h + 1 ms; h(2) then until that admission + 24 h + 1 ms
  decides('an explicit queue wins over the profile', rawPlan({ triggers: [{ id: 'a', limitPer24h: 1 }], enforcement: { webhookWhenLimited: 'queue' } }), rows, [
    'admitted',
    `admitted@${at(h(24) + 1)} trigger_limit`,
    `admitted@${at(h(48) + 2)} trigger_limit`,
  ]);

  // P = 2 (share 1, A = 2). a (limit 1) at h(1) is refused by its limit: queued, it takes no pool
  // unit, so b passes the pool; dropped, it would have burned one and b would find the pool full.
  const base = { workspace: { seats: 1, messagesPerSeatPerDay: 2, fairUseShare: 1 }, triggers: [{ id: 'a', limitPer24h: 1 }, { id: 'b', limitPer24h: -1 }] };
  const mix: Row[] = [
    [h(0), 'trigger', 'a'],
    [h(1), 'trigger', 'a'],
    [h(2), 'trigger', 'b'],
  ];
  decides('queued: a waiting run takes no unit', rawPlan({ ...base, enforcement: { webhookWhenLimited: 'queue' } }), mix, ['admitted', `admitted@${at(h(24) + 1)} trigger_limit`, 'admitted']);
  decides('dropped: the refused run burns a pool unit', rawPlan(base), mix, ['admitted', 'dropped trigger_limit', 'dropped pool']);

  // P = 1, A = 2. a (limit 1) at h(1) fails the pool first in rule 4's order (the docs' order
  // would name its trigger limit); b waits for the pool too, behind nobody of its own trigger.
  const order = { workspace: { seats: 1, messagesPerSeatPerDay: 2 }, triggers: [{ id: 'a', limitPer24h: 1 }, { id: 'b', limitPer24h: -1 }], enforcement: { webhookWhenLimited: 'queue' } };
  decides('a waiting run keeps the first failure in rule 4 order', rawPlan(order), mix, ['admitted', `admitted@${at(h(24) + 1)} pool`, `admitted@${at(h(48) + 2)} pool`]);
  decides('documented: the same queue in section 4 order and edge', rawPlan(order, null), mix, ['admitted', `admitted@${at(h(24))} trigger_limit`, `admitted@${at(h(48))} pool`]);
});

// ---------------------------------------------------------------------------------------------
describe('§9 rule 6: key caps re-based once per UTC day', () => {
  // D = 2026-01-05. $1 at 10:00 on D counts through D + 29 (23:59:59.999 of Feb 3) and is freed
  // at 00:00 UTC of D + 30 (Feb 4); a sliding 30 days would keep it until 10:00 on Feb 4.
  const rows: Row[] = [
    [h(10), 'api', 'k', '1'],
    [T0 + 30 * DAY - 1, 'api', 'k', '1'],
    [T0 + 30 * DAY, 'api', 'k', '1'],
  ];
  const capped = { apiKeys: [{ id: 'k', capUsd: 1 }] };
  decides("a key's spend of day D is freed at 00:00 UTC of D + 30", rawPlan(capped), rows, ['admitted', 'blocked key_cap', 'admitted']);
  decides('documented: freed at s + 30 days', rawPlan(capped, null), rows, ['admitted', 'blocked key_cap', 'blocked key_cap']);

  // spent_plus_cost, keyCapWindowDays 1 = today since 00:00 UTC. Cap $2: $1 + $1 fits, $0.01 more
  // does not; at midnight the day's spend is gone (a sliding day would still hold both).
  const day = { apiKeys: [{ id: 'k', capUsd: 2 }], enforcement: { capCheck: 'spent_plus_cost', keyCapWindowDays: 1 } };
  const dayRows: Row[] = [
    [h(1), 'api', 'k', '1'],
    [h(23), 'api', 'k', '1'],
    [h(23.5), 'api', 'k', '0.01'],
    [h(24), 'api', 'k', '1'],
  ];
  decides('spent_plus_cost with keyCapWindowDays 1', rawPlan(day), dayRows, ['admitted', 'admitted', 'blocked key_cap', 'admitted']);
  decides('documented: a sliding day', rawPlan(day, null), dayRows, ['admitted', 'admitted', 'blocked key_cap', 'blocked key_cap']);
});

// ---------------------------------------------------------------------------------------------
describe('§9 rule 7: throttles per key, per user and per workspace', () => {
  // 101 requests of k, 100 ms apart: the 101st (at +10 s) is refused actor_minute; another key is
  // not counted. At T0 + 60 s the request of T0 still counts; at T0 + 60 s + 1 ms it does not.
  const burst: Row[] = [
    ...Array.from({ length: 101 }, (_, i): Row => [T0 + i * 100, 'api', 'k', 0]),
    [T0 + 10_000, 'api', 'k2', 0],
    [T0 + 60_000, 'api', 'k', 0],
    [T0 + 60_001, 'api', 'k', 0],
  ];
  decides('the 101st request of a key within 60 s', rawPlan(), burst, [...times('100', 'admitted'), 'blocked actor_minute', 'admitted', 'blocked actor_minute', 'admitted']);
  decides('documented: no throttle unless the plan sets one', rawPlan({}, null), burst, times('104', 'admitted'));
  // set explicitly under documented: honoured with §1's edge. At +60 s the T0 request is gone (99
  // left); at +60 s + 1 ms the +100 ms one still counts, with the one just admitted: 100.
  decides('documented with actorPerMinute set: section 1 edge', rawPlan({ enforcement: { actorPerMinute: 100 } }, null), burst, [
    ...times('100', 'admitted'),
    'blocked actor_minute',
    'admitted',
    'admitted',
    'blocked actor_minute',
  ]);

  // 3,000 requests a second apart (at most 61 in any minute), then the 3,001st at +50 min:
  // actor_hour; still at T0 + 1 h (the first one counts at exactly s + W); admitted 1 ms later
  const hour: Row[] = [
    ...Array.from({ length: 3000 }, (_, i): Row => [T0 + i * 1000, 'api', 'k', 0]),
    [T0 + 3_000_000, 'api', 'k', 0],
    [T0 + HOUR, 'api', 'k', 0],
    [T0 + HOUR + 1, 'api', 'k', 0],
  ];
  decides('the 3,001st request of a key within an hour', rawPlan(), hour, [...times('3000', 'admitted'), 'blocked actor_hour', 'blocked actor_hour', 'admitted']);
  decides('actorPerHour set lower', rawPlan({ enforcement: { actorPerHour: 2 } }), [
    [h(0), 'api', 'k', 0],
    [h(0.5), 'api', 'k', 0],
    [h(0.75), 'api', 'k', 0],
    [h(1), 'api', 'k', 0],
    [h(1) + 1, 'api', 'k', 0],
  ], ['admitted', 'admitted', 'blocked actor_hour', 'blocked actor_hour', 'admitted']);

  // API throttles come after the key and spend checks
  decides('key_cap is reported before actor_minute', rawPlan({ apiKeys: [{ id: 'k', capUsd: 1 }], enforcement: { actorPerMinute: 1 } }), [
    [T0, 'api', 'k', '1'],
    [T0 + 1, 'api', 'k', '1'],
    [T0 + 2, 'api', 'k2', '0'],
    [T0 + 3, 'api', 'k2', '0'],
  ], ['admitted', 'blocked key_cap', 'admitted', 'blocked actor_minute']);

  // messages: per user the same numbers
  decides('a user: the 101st message within 60 s', rawPlan({ workspace: { seats: 20 } }), [
    ...Array.from({ length: 101 }, (_, i): Row => [T0 + i * 10, 'message', 'ann']),
    [T0 + 1000, 'message', 'bob'],
  ], [...times('100', 'admitted'), 'blocked actor_minute', 'admitted']);

  // workspace_minute = 10 × seats people's messages in 60 s. Seats 2: 20 from five people pass,
  // the 21st is refused, and so is every try while the T0 message counts (through T0 + 60 s); refusals
  // are not recorded, so at T0 + 60 s + 1 ms the window holds 19.
  const crowd: Row[] = [
    ...Array.from({ length: 20 }, (_, i): Row => [T0 + i, 'message', `u${i % 5}`]),
    [T0 + 1000, 'message', 'u5'],
    [T0 + 60_000 - 1, 'message', 'u5'],
    [T0 + 60_000, 'message', 'u5'],
    [T0 + 60_001, 'message', 'u5'],
  ];
  decides('workspace_minute at 10 × seats', rawPlan({ workspace: { seats: 2 } }), crowd, [
    ...times('20', 'admitted'),
    'blocked workspace_minute',
    'blocked workspace_minute',
    'blocked workspace_minute',
    'admitted',
  ]);
  decides('workspacePerSeatPerMinute set to 1 (2 a minute with 2 seats)', rawPlan({ workspace: { seats: 2 }, enforcement: { workspacePerSeatPerMinute: 1 } }), [
    [T0, 'message', 'a'],
    [T0 + 1, 'message', 'b'],
    [T0 + 2, 'message', 'c'],
  ], ['admitted', 'admitted', 'blocked workspace_minute']);
  decides('seats 0: every message is refused workspace_minute', rawPlan({ workspace: { seats: 0 } }), [
    [T0, 'message', 'a'],
    [h(5), 'message', 'b'],
  ], ['blocked workspace_minute', 'blocked workspace_minute']);
  decides('seats 0 with workspacePerSeatPerMinute null: admitted (no allowance either)', rawPlan({ workspace: { seats: 0 }, enforcement: { workspacePerSeatPerMinute: null } }), [[T0, 'message', 'a']], [
    'admitted',
  ]);
  // order: the user's throttles, then the workspace's, then the allowance (A = 1 here)
  decides('the allowance is checked after the throttles', rawPlan({ workspace: { seats: 1, messagesPerSeatPerDay: 1 }, enforcement: { actorPerMinute: 1 } }), [
    [T0, 'message', 'a'],
    [T0 + 1, 'message', 'a'],
    [T0 + 2, 'message', 'b'],
  ], ['admitted', 'blocked actor_minute', 'blocked allowance']);
  // Reading pinned by the reference (SPEC §4 "an entry expiring" is an instant; the throttles
  // are limits like a key cap): the API request's actor_hour entry leaves at T0 + 1 h + 1 ms. The
  // head run (refused for good by the $0 day limit) passes its 1 h wait limit at T0 + 1 h; at that
  // next instant it is dropped and the $0 run behind it is admitted.
  decides(
    'a throttle entry expiring is an instant for the queue',
    rawPlan({
      workspace: { spendLimits: [{ id: 'L0', amountUsd: 0, window: 'utc-day' }] },
      triggers: [{ id: 'p', mode: 'programmatic' }],
      enforcement: { webhookWhenLimited: 'queue', maxQueueWaitHours: 1, capCheck: 'spent_plus_cost' },
    }),
    [
      [T0, 'trigger', 'p', '2'],
      [T0 + 1, 'trigger', 'p', '0'],
      [T0, 'api', 'k', '0'],
    ],
    ['dropped spend_limit:L0', `admitted@${at(T0 + HOUR + 1)} spend_limit:L0`, 'admitted'],
  );
  // trigger runs are not people's messages: they never count toward workspace_minute
  decides('trigger runs do not count toward workspace_minute', rawPlan({ workspace: { seats: 1 }, triggers: [{ id: 'a', limitPer24h: -1 }] }), [
    ...Array.from({ length: 12 }, (_, i): Row => [T0 + i, 'trigger', 'a']),
    [T0 + 20, 'message', 'u'],
  ], times('13', 'admitted'));
});

// ---------------------------------------------------------------------------------------------
describe('§9: a plan without profile decides byte-identically to before', () => {
  // sha-256 of the decisions NDJSON written by the engine before §9 (commit c9d7f12) for the demo
  // workspace (21 days, seed 7, 44,638 events) under three plans
  const PINNED: Record<string, string> = {
    asIs: 'e100730a9ed3b85a4db0488bc67ef17158320997778b0f7d9b61e0defa28c821',
    drop: '68005fe53f37efc556cd02f15925e8d55a61fb9de9ef9136e2faa60e225b3f32',
    tight: 'c893640e2e689e81db09fb4c0005bb1bd606c1aba1289fc1145369aa2e781612',
  };
  const w = generateWorkspace({ days: 21, seed: 7 });
  const raw = JSON.parse(JSON.stringify(w.plan)) as RawPlan & { enforcement: Record<string, unknown>; workspace: Record<string, unknown> };
  const variants: Record<string, RawPlan> = {
    asIs: raw,
    drop: { ...raw, enforcement: { ...raw.enforcement, webhookWhenLimited: 'drop' } },
    tight: { ...raw, workspace: { ...raw.workspace, seats: 3 }, enforcement: { ...raw.enforcement, capCheck: 'spent_plus_cost', keyCapWindowDays: 2, maxQueueWaitHours: 6 } },
  };
  const sha = (p: RawPlan) => createHash('sha256').update(decisionsNdjson(w.events, simulate(validatePlan(p), w.events))).digest('hex');
  for (const [name, p] of Object.entries(variants)) {
    it(`${name}: without profile, and with "documented"`, () => {
      expect(sha(p)).toBe(PINNED[name]);
      expect(sha({ ...p, enforcement: { ...p.enforcement, profile: 'documented' } })).toBe(PINNED[name]);
    });
  }
  it('the platform profile decides that workspace differently (the pins are not vacuous)', () => {
    expect(sha({ ...raw, enforcement: { ...raw.enforcement, profile: 'platform' } })).not.toBe(PINNED.asIs);
  });
});

// ---------------------------------------------------------------------------------------------
describe('§9 through the command line: reason strings in --decisions', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-platform-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const plan = {
    version: 1,
    workspace: { seats: 1, messagesPerSeatPerDay: 2, fairUseShare: 1, spendLimits: [] },
    apiKeys: [{ id: 'k', capUsd: null }],
    triggers: [
      { id: 'a', kind: 'webhook', mode: 'user_pool', limitPer24h: 1 },
      { id: 'cron', kind: 'scheduled', mode: 'workspace_pool', limitPer24h: 0 },
    ],
    enforcement: { profile: 'platform', actorPerMinute: 2 },
  };
  const csv = [
    'id,timestamp,type,subject,cost_usd',
    'm1,2026-01-05T00:00:00.000Z,message,u,',
    'm2,2026-01-05T00:00:00.000Z,message,u,',
    'm3,2026-01-05T00:00:30.000Z,message,u,',
    'a1,2026-01-05T01:00:00.000Z,trigger,a,',
    'a2,2026-01-06T01:00:00.000Z,trigger,a,',
    'c1,2026-01-05T02:00:00.000Z,trigger,cron,0.5',
    'k1,2026-01-05T03:00:00.000Z,api,k,0',
    'k2,2026-01-05T03:00:00.500Z,api,k,0',
    'k3,2026-01-05T03:01:00.000Z,api,k,0',
    'k4,2026-01-05T03:01:00.001Z,api,k,0',
    '',
  ].join('\n');
  // m3: actor_minute (2 in the last minute). a1: pool and limit pass, the allowance (2 messages)
  // refuses. a2, 24 h later: the messages are gone, a1's trigger unit still counts (exactly s + W).
  // c1: a programmatic schedule, limit 0 ignored. k3 at exactly k1 + 60 s: still 2; k4: 1 ms later.
  const want = [
    ['m1', 'admitted', null],
    ['m2', 'admitted', null],
    ['m3', 'blocked', 'actor_minute'],
    ['a1', 'dropped', 'allowance'],
    ['a2', 'dropped', 'trigger_limit'],
    ['c1', 'admitted', null],
    ['k1', 'admitted', null],
    ['k2', 'admitted', null],
    ['k3', 'blocked', 'actor_minute'],
    ['k4', 'admitted', null],
  ];
  const read = (path: string) =>
    readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; outcome: string; reason: string | null })
      .map((d) => [d.id, d.outcome, d.reason]);

  it('the reference agrees with the hand-computed decisions', () => {
    const rows: Row[] = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line): Row => {
        const [, time, type, subject, cost] = line.split(',');
        return [time!, type as Row[1], subject!, cost === '' ? undefined : cost];
      });
    const outcomes = referenceText(plan, events(rows));
    expect(outcomes).toEqual(want.map(([, o, r]) => `${o}${r ? ` ${r}` : ''}`));
  });

  it('headroom simulate (in process) writes those reasons', async () => {
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
    writeFileSync(join(dir, 'events.csv'), csv);
    const out = join(dir, 'in-process.ndjson');
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const quietErr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await main(['node', 'headroom', 'simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--decisions', out]);
    } finally {
      quiet.mockRestore();
      quietErr.mockRestore();
    }
    expect(code).toBe(0);
    expect(read(out)).toEqual(want);
  });

  it('npx headroom simulate writes those reasons', () => {
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
    writeFileSync(join(dir, 'events.csv'), csv);
    const out = join(dir, 'spawned.ndjson');
    const root = resolve(import.meta.dirname, '..');
    const r = spawnSync('npx', ['headroom', 'simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--decisions', out], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(read(out)).toEqual(want);
  }, 60_000);
});
