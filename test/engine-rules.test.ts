/**
 * One test per rule of SPEC §4, at its edges. Each runs the real engine AND the reference
 * (test/support/reference-engine.ts): `runBoth` fails with a row-by-row diff when they disagree,
 * then the hand-written expectations below pin what both must say.
 *
 * Decisions read as `outcome[@admittedAt] [reason]`: `admitted` = admitted on arrival,
 * `admitted@2026-01-06T00:00:00.000Z trigger_limit` = waited in the queue, then admitted.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/engine/simulate.ts';
import { parseUsdToMicros } from '../src/engine/units.ts';
import { InputError } from '../src/errors.ts';
import { referenceSimulate } from './support/reference-engine.ts';
import { DAY, MINUTE, events, h, iso, isoOf, plan, runBoth } from './support/scenario.ts';
import type { Row } from './support/scenario.ts';

const at = (hours: number) => isoOf(h(hours));

describe('SPEC §1 units', () => {
  it('an entry stops counting at exactly s + W, not a millisecond before', () => {
    const p = plan({
      apiKeys: [{ id: 'k', capUsd: 1 }],
      triggers: [{ id: 'a', limitPer24h: 1 }],
      enforcement: { keyCapWindowDays: 1, webhookWhenLimited: 'drop' },
    });
    const r = runBoth(
      p,
      events([
        [h(0), 'trigger', 'a'],
        [h(24) - 1, 'trigger', 'a'],
        [h(24), 'trigger', 'a'],
        [h(0), 'api', 'k', '1'],
        [h(24) - 1, 'api', 'k', '1'],
        [h(24), 'api', 'k', '1'],
      ]),
    );
    expect(r.text).toEqual(['admitted', 'dropped trigger_limit', 'admitted', 'admitted', 'blocked key_cap', 'admitted']);
  });

  it('equal timestamps are decided in input order; unsorted input is decided in time order', () => {
    const p = plan({
      apiKeys: [{ id: 'k', capUsd: 1 }],
      triggers: [{ id: 'a', limitPer24h: 2 }],
      enforcement: { webhookWhenLimited: 'drop' },
    });
    const r = runBoth(
      p,
      events([
        [h(5), 'trigger', 'a'],
        [h(5), 'trigger', 'a'],
        [h(4), 'trigger', 'a'],
        [h(9), 'api', 'k', '1'],
        [h(9), 'api', 'k', '0'],
      ]),
    );
    expect(r.text).toEqual(['admitted', 'dropped trigger_limit', 'admitted', 'admitted', 'blocked key_cap']);
  });

  it('money is rounded half away from zero to whole µUSD', () => {
    expect(parseUsdToMicros('0.0000005')).toBe(1);
    expect(parseUsdToMicros('0.0000004999')).toBe(0);
    expect(parseUsdToMicros('-0.0000005')).toBe(-1);
    expect(parseUsdToMicros('2.675')).toBe(2_675_000);
    expect(parseUsdToMicros('1.0000015')).toBe(1_000_002);

    // a cap of 0.0000005 USD is 1 µUSD
    const p = plan({ apiKeys: [{ id: 'k', capUsd: 0.0000005 }], enforcement: { capCheck: 'spent_plus_cost' } });
    const r = runBoth(
      p,
      events([
        [h(0), 'api', 'k', '0.000001'], // 0 + 1 <= 1
        [h(1), 'api', 'k', '0.0000005'], // 1 µUSD: 1 + 1 > 1
        [h(2), 'api', 'k', '0.0000004'], // rounds to 0: 1 + 0 <= 1
      ]),
    );
    expect(r.engine.plan.keys[0]!.capMicros).toBe(1);
    expect(r.text).toEqual(['admitted', 'blocked key_cap', 'admitted']);
  });
});

describe('SPEC §2 limits', () => {
  it('pool = ceil(fairUseShare × A) computed exactly: 0.1 × 30 messages is 3', () => {
    const p = plan({
      workspace: { seats: 3, messagesPerSeatPerDay: 10, fairUseShare: 0.1 },
      triggers: [{ id: 'a', limitPer24h: -1 }],
      enforcement: { webhookWhenLimited: 'drop' },
    });
    const r = runBoth(p, events([0, 1, 2, 3].map((i): Row => [h(i), 'trigger', 'a'])));
    expect(r.engine.plan.allowance).toBe(30);
    expect(r.engine.plan.pool).toBe(3);
    expect(r.text).toEqual(['admitted', 'admitted', 'admitted', 'dropped pool']);
  });

  it('limitPer24h: null is 42 on fair use and unlimited on programmatic; -1 unlimited; 0 never', () => {
    const p = plan({
      triggers: [
        { id: 'dflt', limitPer24h: null },
        { id: 'unl', limitPer24h: -1 },
        { id: 'never', limitPer24h: 0 },
        { id: 'prog', mode: 'programmatic', limitPer24h: null },
      ],
      enforcement: { webhookWhenLimited: 'drop' },
    });
    const rows: Row[] = [];
    for (let i = 0; i < 50; i++) for (const t of ['dflt', 'unl', 'never', 'prog']) rows.push([h(0) + i * MINUTE, 'trigger', t]);
    const r = runBoth(p, events(rows));
    const tally = (subject: string) => {
      const counts: Record<string, number> = {};
      r.text.forEach((text, i) => {
        if (rows[i]![2] === subject) counts[text] = (counts[text] ?? 0) + 1;
      });
      return counts;
    };
    expect(tally('dflt')).toEqual({ admitted: 42, 'dropped trigger_limit': 8 });
    expect(tally('unl')).toEqual({ admitted: 50 });
    expect(tally('never')).toEqual({ 'dropped trigger_limit': 50 });
    expect(tally('prog')).toEqual({ admitted: 50 });
    // the 43rd default run is the first one refused
    expect(r.text[42 * 4]).toBe('dropped trigger_limit');
    expect(r.text[41 * 4]).toBe('admitted');
  });

  it('a cap of 0 blocks every request, even a free one, under "spent"', () => {
    const p = plan({
      apiKeys: [{ id: 'k', capUsd: 0 }],
      workspace: { spendLimits: [{ id: 'zero', amountUsd: 0, window: 'utc-day' }] },
      triggers: [{ id: 'p', mode: 'programmatic' }],
      enforcement: { webhookWhenLimited: 'drop' },
    });
    const r = runBoth(
      p,
      events([
        [h(0), 'api', 'k', '0'],
        [h(1), 'api', 'k', '5'],
        [h(2), 'api', 'free', '0'],
        [h(3), 'trigger', 'p', '0'],
        [h(40), 'api', 'k', '0'],
      ]),
    );
    expect(r.text).toEqual(['blocked key_cap', 'blocked key_cap', 'blocked spend_limit:zero', 'dropped spend_limit:zero', 'blocked key_cap']);
  });

  it('"spent" lets the request that crosses the cap complete; "spent_plus_cost" refuses it', () => {
    const rows: Row[] = [
      [h(0), 'api', 'k', '6'],
      [h(1), 'api', 'k', '6'],
      [h(2), 'api', 'k', '1'],
    ];
    const spent = runBoth(plan({ apiKeys: [{ id: 'k', capUsd: 10 }] }), events(rows));
    expect(spent.text).toEqual(['admitted', 'admitted', 'blocked key_cap']);
    const plus = runBoth(plan({ apiKeys: [{ id: 'k', capUsd: 10 }], enforcement: { capCheck: 'spent_plus_cost' } }), events(rows));
    expect(plus.text).toEqual(['admitted', 'blocked key_cap', 'admitted']);
  });
});

describe('SPEC §4 checks', () => {
  it('checks run in order: key_cap before spend limits, spend limits in plan order', () => {
    const p = plan({
      apiKeys: [{ id: 'k', capUsd: 1 }, { id: 'j' }],
      workspace: {
        spendLimits: [
          { id: 'month', amountUsd: 3, window: 'calendar-month' },
          { id: 'day', amountUsd: 2, window: 'utc-day' },
        ],
      },
    });
    const r = runBoth(
      p,
      events([
        [h(0), 'api', 'k', '1'], // k 1, day 1, month 1
        [h(1), 'api', 'k', '1'], // k full: key_cap although day is fine too
        [h(2), 'api', 'j', '1'], // day 2, month 2
        [h(3), 'api', 'j', '1'], // day full
        [h(24), 'api', 'j', '2'], // new day: day 2, month 4
        [h(25), 'api', 'j', '1'], // both full: the first in plan order
        [h(26), 'api', 'k', '1'], // all three full: key_cap
      ]),
    );
    expect(r.text).toEqual([
      'admitted',
      'blocked key_cap',
      'admitted',
      'blocked spend_limit:day',
      'admitted',
      'blocked spend_limit:month',
      'blocked key_cap',
    ]);
  });

  it('fair use: trigger_limit before pool before allowance; fair-use runs use the allowance', () => {
    // A = 2 × 2 = 4, P = 2
    const p = plan({
      workspace: { seats: 2, messagesPerSeatPerDay: 2, fairUseShare: 0.5 },
      triggers: [{ id: 'a', limitPer24h: 1 }, { id: 'b' }],
      enforcement: { webhookWhenLimited: 'drop' },
    });
    const r = runBoth(
      p,
      events([
        [h(0), 'trigger', 'a'], // pool 1, allowance 1
        [h(1), 'message', 'u1'], // allowance 2
        [h(2), 'trigger', 'b'], // pool 2, allowance 3
        [h(3), 'trigger', 'a'], // trigger a full, pool full too: trigger_limit
        [h(4), 'trigger', 'b'], // pool full
        [h(5), 'message', 'u2'], // allowance 4
        [h(6), 'message', 'u1'], // allowance full
        [h(24), 'trigger', 'b'], // a's run expired: pool 1 of 2, allowance 3 of 4
        [h(24), 'message', 'u3'], // allowance full (h1, h2, h5, h24)
        [h(24) + 1, 'trigger', 'b'], // pool and allowance both full: pool is checked first
      ]),
    );
    expect(r.text).toEqual([
      'admitted',
      'admitted',
      'admitted',
      'dropped trigger_limit',
      'dropped pool',
      'admitted',
      'blocked allowance',
      'admitted',
      'blocked allowance',
      'dropped pool',
    ]);
  });

  it('messages: the allowance over a sliding 24 h, a seat count of 0 blocks all', () => {
    const rows: Row[] = [
      [h(0), 'message', 'u'],
      [h(1), 'message', 'u'],
      [h(2), 'message', 'v'],
      [h(24), 'message', 'u'],
    ];
    const two = runBoth(plan({ workspace: { seats: 1, messagesPerSeatPerDay: 2 } }), events(rows));
    expect(two.text).toEqual(['admitted', 'admitted', 'blocked allowance', 'admitted']);
    const none = runBoth(plan({ workspace: { seats: 0, messagesPerSeatPerDay: 100 } }), events(rows));
    expect(none.text).toEqual(['blocked allowance', 'blocked allowance', 'blocked allowance', 'blocked allowance']);
    const unlimited = runBoth(plan({ workspace: { seats: 0, messagesPerSeatPerDay: null } }), events(rows));
    expect(unlimited.text).toEqual(['admitted', 'admitted', 'admitted', 'admitted']);
  });

  it('programmatic runs skip pool and allowance but count against spend limits', () => {
    // A = 2, P = 1
    const p = plan({
      workspace: { seats: 1, messagesPerSeatPerDay: 2, spendLimits: [{ id: 'm', amountUsd: 5, window: 'rolling-30d' }] },
      triggers: [{ id: 'f' }, { id: 'p', mode: 'programmatic', limitPer24h: 5 }],
      enforcement: { webhookWhenLimited: 'drop' },
    });
    const r = runBoth(
      p,
      events([
        [h(0), 'message', 'u'], // allowance 1
        [h(1), 'trigger', 'p', '5'], // not in pool or allowance; spend 5
        [h(2), 'message', 'u'], // allowance 2
        [h(3), 'trigger', 'f'], // pool 0 of 1 but allowance full
        [h(4), 'trigger', 'p', '1'], // spend 5 >= 5
        [h(5), 'api', 'k', '1'], // the API shares the workspace limit
        [h(1) + 30 * DAY, 'trigger', 'p', '1'], // the 5 rolled out exactly now
      ]),
    );
    expect(r.text).toEqual([
      'admitted',
      'admitted',
      'admitted',
      'dropped allowance',
      'dropped spend_limit:m',
      'blocked spend_limit:m',
      'admitted',
    ]);
  });

  it('scheduled triggers are skipped when limited, even when webhooks queue', () => {
    const p = plan({ triggers: [{ id: 's', kind: 'scheduled', limitPer24h: 1 }] });
    const r = runBoth(
      p,
      events([
        [h(0), 'trigger', 's'],
        [h(1), 'trigger', 's'],
        [h(24), 'trigger', 's'],
      ]),
    );
    expect(r.text).toEqual(['admitted', 'skipped trigger_limit', 'admitted']);
  });
});

describe('SPEC §4 spend limit windows', () => {
  it('utc-day resets at 00:00 UTC, calendar-month on the 1st, rolling-30d after exactly 30 days', () => {
    const p = plan({
      workspace: {
        spendLimits: [
          { id: 'day', amountUsd: 10, window: 'utc-day' },
          { id: 'month', amountUsd: 20, window: 'calendar-month' },
          { id: 'roll', amountUsd: 30, window: 'rolling-30d' },
        ],
      },
      triggers: [{ id: 'p', mode: 'programmatic' }],
    });
    const r = runBoth(
      p,
      events([
        ['2026-01-30T23:00:00.000Z', 'api', 'k', '10'], // day 10, month 10, roll 10
        ['2026-01-30T23:59:59.999Z', 'api', 'k', '1'], // day full
        ['2026-01-31T00:00:00.000Z', 'api', 'k', '10'], // new day: day 10, month 20, roll 20
        ['2026-01-31T01:00:00.000Z', 'trigger', 'p', '1'], // day full: waits
        ['2026-01-31T23:59:59.999Z', 'api', 'k', '1'], // day full
        // 2026-02-01 00:00: the run is released (day 1, month 1, roll 21)
        ['2026-02-01T00:00:00.000Z', 'api', 'k', '9'], // day 10, month 10, roll 30
        ['2026-02-02T00:00:00.000Z', 'api', 'k', '1'], // roll full until Jan 30 23:00 + 30 d
        ['2026-03-01T22:59:59.999Z', 'api', 'k', '1'],
        ['2026-03-01T23:00:00.000Z', 'api', 'k', '1'], // the first 10 rolled out
      ]),
    );
    expect(r.text).toEqual([
      'admitted',
      'blocked spend_limit:day',
      'admitted',
      'admitted@2026-02-01T00:00:00.000Z spend_limit:day',
      'blocked spend_limit:day',
      'admitted',
      'blocked spend_limit:roll',
      'blocked spend_limit:roll',
      'admitted',
    ]);
  });

  it('calendar-month holds a queued programmatic run until the 1st, through the midnights before', () => {
    const p = plan({
      workspace: { spendLimits: [{ id: 'month', amountUsd: 10, window: 'calendar-month' }] },
      triggers: [{ id: 'p', mode: 'programmatic' }],
    });
    const r = runBoth(
      p,
      events([
        ['2026-01-29T12:00:00.000Z', 'api', 'k', '10'],
        ['2026-01-29T13:00:00.000Z', 'trigger', 'p', '1'],
        ['2026-01-31T23:59:59.999Z', 'api', 'k', '0'],
        ['2026-02-01T00:00:00.000Z', 'api', 'k', '9'], // after the released run: 1 + 9
        ['2026-02-01T00:00:00.000Z', 'api', 'k', '1'], // 10 >= 10
      ]),
    );
    expect(r.text).toEqual([
      'admitted',
      'admitted@2026-02-01T00:00:00.000Z spend_limit:month',
      'blocked spend_limit:month',
      'admitted',
      'blocked spend_limit:month',
    ]);
  });
});

describe('SPEC §4 the webhook queue', () => {
  it("a trigger's queue holds its own later runs (FIFO) while another trigger passes", () => {
    const p = plan({ triggers: [{ id: 'a', limitPer24h: 1 }, { id: 'b', limitPer24h: 1 }] });
    const r = runBoth(
      p,
      events([
        [h(0), 'trigger', 'a'],
        [h(1), 'trigger', 'a'], // waits; a's h(0) run expires at h(24)
        [h(2), 'trigger', 'b'],
        [h(3), 'trigger', 'a'], // behind h(1); admitted when the h(24) run expires
        [h(26), 'trigger', 'b'], // b's h(2) run expires exactly now
      ]),
    );
    expect(r.text).toEqual([
      'admitted',
      `admitted@${at(24)} trigger_limit`,
      'admitted',
      `admitted@${at(48)} trigger_limit`,
      'admitted',
    ]);
  });

  it('a new arrival behind a waiting run joins the queue and takes its reason when nothing fails for it', () => {
    const p = plan({
      workspace: { spendLimits: [{ id: 'd', amountUsd: 10, window: 'utc-day' }] },
      triggers: [{ id: 'p', mode: 'programmatic' }, { id: 'q', mode: 'programmatic' }],
      enforcement: { capCheck: 'spent_plus_cost' },
    });
    const r = runBoth(
      p,
      events([
        [h(1), 'trigger', 'p', '8'],
        [h(2), 'trigger', 'p', '5'], // 8 + 5 > 10: waits
        [h(3), 'trigger', 'p', '1'], // 8 + 1 fits, but p has a waiting run
        [h(4), 'trigger', 'q', '2'], // q has no queue: 8 + 2 fits
        [h(5), 'trigger', 'p', '5'], // 10 + 5 > 10 now; at h(24) 5 + 1 + 5 > 10 still
      ]),
    );
    expect(r.text).toEqual([
      'admitted',
      `admitted@${at(24)} spend_limit:d`,
      `admitted@${at(24)} spend_limit:d`,
      'admitted',
      `admitted@${at(48)} spend_limit:d`,
    ]);
  });

  it('waiting runs are released oldest arrival first across triggers, input order breaking ties', () => {
    // A = 2, P = 1
    const p = plan({ workspace: { seats: 1, messagesPerSeatPerDay: 2 }, triggers: [{ id: 'a' }, { id: 'b' }] });
    const r = runBoth(
      p,
      events([
        [h(0), 'trigger', 'a'],
        [h(1), 'trigger', 'b'],
        [h(1), 'trigger', 'a'],
      ]),
    );
    expect(r.text).toEqual(['admitted', `admitted@${at(24)} pool`, `admitted@${at(48)} pool`]);
  });

  it('maxQueueWaitHours 0: a run limited on arrival is dropped', () => {
    const p = plan({ triggers: [{ id: 'a', limitPer24h: 1 }], enforcement: { maxQueueWaitHours: 0 } });
    const r = runBoth(
      p,
      events([
        [h(0), 'trigger', 'a'],
        [h(1), 'trigger', 'a'],
        [h(1), 'trigger', 'a'],
        [h(24), 'trigger', 'a'],
      ]),
    );
    expect(r.text).toEqual(['admitted', 'dropped trigger_limit', 'dropped trigger_limit', 'admitted']);
  });

  it('maxQueueWaitHours h: a run can still be admitted at arrival + h exactly, not after', () => {
    const p = plan({ triggers: [{ id: 'a', limitPer24h: 1 }, { id: 'b', limitPer24h: 1 }], enforcement: { maxQueueWaitHours: 1 } });
    const r = runBoth(
      p,
      events([
        [h(0), 'trigger', 'a'],
        [h(23), 'trigger', 'a'], // capacity back at h(24) = arrival + 1 h
        [h(0), 'trigger', 'b'],
        [h(22.5), 'trigger', 'b'], // deadline h(23.5)
      ]),
    );
    expect(r.text).toEqual(['admitted', `admitted@${at(24)} trigger_limit`, 'admitted', 'dropped trigger_limit']);
  });

  it('a run waiting for the pool is admitted at its deadline when the pool frees then, charts or not', () => {
    // P = ceil(0.34 × 2) = 1; the third run's wait ends at h(48) = the second one's pool unit leaving.
    // A chart bucket starting at that instant once emptied the pool window before the run was tried.
    const p = plan({
      workspace: { seats: 1, messagesPerSeatPerDay: 2, fairUseShare: 0.34 },
      triggers: [{ id: 'a', limitPer24h: 2 }],
      enforcement: { maxQueueWaitHours: 36 },
    });
    const ev = events([
      [h(0), 'trigger', 'x'],
      [h(0), 'trigger', 'a'],
      [h(12), 'trigger', 'a'],
    ]);
    const r = runBoth(p, ev, { until: h(60) });
    expect(r.text).toEqual(['admitted', `admitted@${at(24)} pool`, `admitted@${at(48)} pool`]);
    for (const buckets of [1, 5, 30]) {
      const charted = simulate(p, ev, { until: h(60), timelineBuckets: buckets });
      expect(Array.from(charted.admittedAt), `${buckets} buckets`).toEqual(Array.from(r.engine.admittedAt));
    }
  });

  it('webhooks with webhookWhenLimited "drop" are dropped, not queued', () => {
    const p = plan({ triggers: [{ id: 'a', limitPer24h: 1 }], enforcement: { webhookWhenLimited: 'drop' } });
    const r = runBoth(p, events([[h(0), 'trigger', 'a'], [h(1), 'trigger', 'a'], [h(24), 'trigger', 'a']]));
    expect(r.text).toEqual(['admitted', 'dropped trigger_limit', 'admitted']);
  });
});

describe('SPEC §4 the horizon', () => {
  const rows: Row[] = [
    [h(0), 'trigger', 'a'],
    [h(1), 'trigger', 'a'],
    [h(2), 'trigger', 'a'],
  ];
  const limited = (maxQueueWaitHours: number | null) =>
    plan({ triggers: [{ id: 'a', limitPer24h: 1 }], enforcement: { maxQueueWaitHours } });

  it('runs still waiting at the horizon are pending', () => {
    const r = runBoth(limited(null), events(rows), { until: h(10) });
    expect(r.engine.horizon).toBe(h(10));
    expect(r.text).toEqual(['admitted', 'pending trigger_limit', 'pending trigger_limit']);
  });

  it('the horizon instant itself is processed', () => {
    const r = runBoth(limited(null), events(rows), { until: h(24) });
    expect(r.text).toEqual(['admitted', `admitted@${at(24)} trigger_limit`, 'pending trigger_limit']);
  });

  it('runs whose wait limit ended before the horizon are dropped, the others pending', () => {
    // deadlines h(9.5) and h(10.5)
    const r = runBoth(limited(8.5), events(rows), { until: h(10) });
    expect(r.text).toEqual(['admitted', 'dropped trigger_limit', 'pending trigger_limit']);
    const early = runBoth(limited(8.5), events(rows), { until: h(9.5) });
    expect(early.text).toEqual(['admitted', 'pending trigger_limit', 'pending trigger_limit']);
  });

  it('by default the horizon is the last event + 30 days and queues drain', () => {
    const r = runBoth(limited(null), events(rows));
    expect(r.engine.horizon).toBe(h(2) + 30 * DAY);
    expect(r.text).toEqual(['admitted', `admitted@${at(24)} trigger_limit`, `admitted@${at(48)} trigger_limit`]);
  });

  it('an --until before the last event is an input error', () => {
    const p = limited(null);
    const ev = events(rows);
    expect(() => simulate(p, ev, { until: h(1) })).toThrow(InputError);
    expect(() => referenceSimulate(p, ev, { until: h(1) })).toThrow(InputError);
    expect(() => runBoth(p, ev, { until: h(2) })).not.toThrow();
  });
});

describe('SPEC §2 inferred entities', () => {
  it('keys and triggers named only by events get the defaults and are marked inferred', () => {
    const p = plan({ apiKeys: [{ id: 'k', capUsd: 1 }], enforcement: { webhookWhenLimited: 'drop' } });
    const rows: Row[] = [[h(0), 'api', 'new_key', '1000000']];
    for (let i = 0; i < 43; i++) rows.push([h(1) + i * MINUTE, 'trigger', 'new_trigger']);
    rows.push([h(2), 'api', 'new_trigger', '5']); // same name as the trigger: a distinct key
    rows.push([h(3), 'trigger', 'k']); // same name as the key: a distinct trigger
    const r = runBoth(p, events(rows));
    expect(r.text[0]).toBe('admitted');
    expect(r.text.slice(1, 43).every((t) => t === 'admitted')).toBe(true);
    expect(r.text[43]).toBe('dropped trigger_limit');
    expect(r.text.slice(44)).toEqual(['admitted', 'admitted']);

    const keys = r.engine.plan.keys.map((k) => [k.id, k.capMicros, k.inferred]);
    expect(keys).toEqual(
      expect.arrayContaining([
        ['k', 1_000_000, false],
        ['new_key', null, true],
        ['new_trigger', null, true],
      ]),
    );
    expect(keys).toHaveLength(3);
    const triggers = r.engine.plan.triggers.map((t) => [t.id, t.kind, t.mode, t.limit, t.inferred]);
    expect(triggers).toEqual(
      expect.arrayContaining([
        ['new_trigger', 'webhook', 'fair_use', 42, true],
        ['k', 'webhook', 'fair_use', 42, true],
      ]),
    );
    expect(triggers).toHaveLength(2);
    // every event points at the entity it names
    rows.forEach(([, type, subject], i) => {
      const list = type === 'api' ? r.engine.plan.keys : r.engine.plan.triggers;
      expect(list[r.engine.entity[i]!]!.id).toBe(subject);
    });
  });
});

describe('key statistics', () => {
  it('a capped-out episode lasts until enough spend has rolled out for the key to work again', () => {
    const p = plan({ apiKeys: [{ id: 'k', capUsd: 10 }], enforcement: { keyCapWindowDays: 1 } });
    const r = runBoth(
      p,
      events([
        [h(0), 'api', 'k', '6'],
        [h(6), 'api', 'k', '6'], // crosses: 12
        [h(7), 'api', 'k', '1'], // episode 1 starts
        [h(20), 'api', 'k', '1'], // same episode
        [h(24), 'api', 'k', '6'], // h(0) rolled out: 6 < 10; now 12 again
        [h(25), 'api', 'k', '1'], // episode 2 starts; h(6) rolls out at h(30)
      ]),
    );
    expect(r.text).toEqual(['admitted', 'admitted', 'blocked key_cap', 'blocked key_cap', 'admitted', 'blocked key_cap']);
    const expected = [
      { from: h(7), until: h(24) },
      { from: h(25), until: h(30) },
    ];
    expect(r.reference.episodes.get('k')).toEqual(expected);
    expect(r.engine.keyStats[0]!.episodes).toEqual(expected);
    if (!process.env.HEADROOM_REFERENCE_ONLY) expect(r.engine.keyStats[0]!.peakRollingMicros).toBe(12_000_000);
  });
});

describe('when a blocked key works again (report: usableAgainAt)', () => {
  it('follows the check that blocked the first request: the cap, a UTC day, a rolling window', () => {
    const p = plan({
      apiKeys: [
        { id: 'capped', capUsd: 10 },
        { id: 'free', capUsd: null },
      ],
      workspace: {
        spendLimits: [
          { id: 'roll', amountUsd: 100, window: 'rolling-30d' },
          { id: 'day', amountUsd: 15, window: 'utc-day' },
        ],
      },
      enforcement: { keyCapWindowDays: 1 },
    });
    const r = runBoth(
      p,
      events([
        [h(1), 'api', 'capped', '12'], // crosses its cap: blocked until h(25)
        [h(2), 'api', 'capped', '1'], // key_cap
        [h(3), 'api', 'free', '4'], // day: 16 of 15
        [h(4), 'api', 'free', '1'], // spend_limit:day, until next midnight h(24)
        [h(30), 'api', 'free', '90'], // a new day; roll: 12 + 4 + 90 = 106 of 100
        [h(31), 'api', 'free', '1'], // spend_limit:roll (checked first)
      ]),
    );
    expect(r.text).toEqual(['admitted', 'blocked key_cap', 'admitted', 'blocked spend_limit:day', 'admitted', 'blocked spend_limit:roll']);
    if (process.env.HEADROOM_REFERENCE_ONLY) return;
    expect(r.engine.keyStats[0]!.firstBlock).toEqual({ from: h(2), until: h(25) });
    expect(r.engine.keyStats[1]!.firstBlock).toEqual({ from: h(4), until: h(24) });
    const late = simulate(p, events([[h(1), 'api', 'free', '12'], [h(30), 'api', 'free', '90'], [h(31), 'api', 'free', '1']]));
    // rolling 30 days: 12 + 90 = 102 of 100; it drops below 100 when h(1)'s 12 leaves, 30 days on
    expect(late.keyStats[1]!.firstBlock).toEqual({ from: h(31), until: h(1) + 30 * DAY });
  });
});

describe('key statistics under spent_plus_cost', () => {
  it('an episode lasts until the blocked request would fit; a bigger one blocked after an admission extends it', () => {
    const p = plan({ apiKeys: [{ id: 'k', capUsd: 10 }], enforcement: { keyCapWindowDays: 1, capCheck: 'spent_plus_cost' } });
    const r = runBoth(
      p,
      events([
        [h(0), 'api', 'k', '6'],
        [h(6), 'api', 'k', '6'], // 12 > 10: episode opens; 6 fits once h(0) rolls out at h(24)
        [h(7), 'api', 'k', '4'], // 10: fits
        [h(8), 'api', 'k', '7'], // 17 > 10: 7 fits only once h(7) rolls out too, at h(31)
        [h(25), 'api', 'k', '1'], // 4 + 1
      ]),
    );
    expect(r.text).toEqual(['admitted', 'blocked key_cap', 'admitted', 'blocked key_cap', 'admitted']);
    const expected = [{ from: h(6), until: h(31) }];
    expect(r.reference.episodes.get('k')).toEqual(expected);
    expect(r.engine.keyStats[0]!.episodes).toEqual(expected);
  });
});

it('the scenario helper reads ISO times and decimal dollars exactly', () => {
  const ev = events([['2026-01-05T00:00:00.000Z', 'api', 'k', '0.1']]);
  expect(ev.time[0]).toBe(iso('2026-01-05T00:00:00Z'));
  expect(ev.cost[0]).toBe(100_000);
});

// Bug 1 in /work/team/engine-bugs.md (fixed): a dropped head unblocks its trigger's queue at
// the next instant, not only at the head's own release time.
describe('SPEC §4 the queue after a dropped head', () => {
  // a head that can never fit (2 > 1) and a free run behind it
  const p = (maxQueueWaitHours: number) =>
    plan({
      apiKeys: [{ id: 'k', capUsd: 5 }],
      workspace: { spendLimits: [{ id: 'd', amountUsd: 1, window: 'rolling-30d' }] },
      triggers: [{ id: 'p', mode: 'programmatic' }],
      enforcement: { capCheck: 'spent_plus_cost', keyCapWindowDays: 1, maxQueueWaitHours },
    });

  it('the run behind a dropped head is tried at the next UTC midnight', () => {
    const r = runBoth(
      p(0.5),
      events([
        [h(23), 'trigger', 'p', '2'], // deadline h(23.5)
        [h(23.5), 'trigger', 'p', '0'], // deadline h(24), inclusive
      ]),
    );
    expect(r.text).toEqual(['dropped spend_limit:d', `admitted@${at(24)} spend_limit:d`]);
  });

  it('the run behind a dropped head is tried when an entry of a limited window expires', () => {
    const r = runBoth(
      p(1.5),
      events([
        [h(-21), 'api', 'k', '0'], // its key entry expires at h(3)
        [h(1), 'trigger', 'p', '2'], // deadline h(2.5)
        [h(2), 'trigger', 'p', '0'], // deadline h(3.5)
      ]),
    );
    expect(r.text).toEqual(['admitted', 'dropped spend_limit:d', `admitted@${at(3)} spend_limit:d`]);
  });

  it('an entry leaving a window without a limit (uncapped key) is not an instant', () => {
    const r = runBoth(
      p(1.5),
      events([
        [h(-21), 'api', 'uncapped', '0'], // expires at h(3), but returns no capacity
        [h(1), 'trigger', 'p', '2'],
        [h(2), 'trigger', 'p', '0'], // the next instant is midnight h(24): past its deadline
      ]),
    );
    expect(r.text).toEqual(['admitted', 'dropped spend_limit:d', 'dropped spend_limit:d']);
  });
});

describe('an unlimited allowance (messagesPerSeatPerDay null)', () => {
  it('checks nothing but still measures the 24 h peaks of messages and fair-use runs', () => {
    const p = plan({ workspace: { seats: 1, messagesPerSeatPerDay: null }, triggers: [{ id: 't' }] });
    const r = runBoth(
      p,
      events([
        [h(0), 'message', 'u', '0'],
        [h(1), 'message', 'u', '0'],
        [h(2), 'trigger', 't', '0'],
        [h(30), 'message', 'u', '0'],
      ]),
    );
    expect(r.text).toEqual(['admitted', 'admitted', 'admitted', 'admitted']);
    if (process.env.HEADROOM_REFERENCE_ONLY) return;
    expect(r.engine.allowancePeak).toBe(3);
    expect(r.engine.poolPeak).toBe(1);
  });
});
