/**
 * Seats are active members who use the workspace (dust-facts.md): the seat advice never goes
 * below the people who sent messages over the days it looks at, neither now nor after the
 * recommended changes, and says so. The pool and allowance alone scale people's messages down
 * with the seats and came out at 1 seat, then 0 after moving the busy webhook, for 5 people.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { fewestSeats, seatsText } from '../src/recommend/hourly.ts';
import { describeRecommend } from '../src/cli/commands/recommend.ts';
import { buildExport } from '../src/export/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 2, 1);

/** 40 days: u0..u4 send 10 messages a day each; the webhook t1 fires 60 times a day, evenly */
function fivePeople() {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 40; d++) {
    for (let i = 0; i < 60; i++) b.push(T0 + d * DAY + i * 24 * 60_000, EventType.trigger, 't1', 0);
    for (let u = 0; u < 5; u++) for (let m = 0; m < 10; m++) b.push(T0 + d * DAY + (9 + m) * HOUR + u * 60_000, EventType.message, `u${u}`, 0);
  }
  return b.build();
}

describe('seat advice and the people who use the workspace', () => {
  for (const profile of ['documented', 'platform'] as const) {
    it(`${profile}: never fewer seats than the 5 people who sent messages, before or after the changes`, () => {
      const plan = validatePlan({
        workspace: { name: 'Cut', seats: 5, messagesPerSeatPerDay: 100, spendLimits: [] },
        triggers: [{ id: 't1', name: 'T1', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
        enforcement: { profile },
      });
      const r = recommend(fivePeople(), plan, { paths: 20 });
      // the webhook runs 60 a day against 42: it moves to programmatic, so no fair-use run is left
      expect(r.triggers[0]!.action).toBe('programmatic');
      expect(r.seats.peakFairUseRuns24hAfterChanges).toBe(0);
      expect(r.seats.peopleWhoSentMessages).toBe(5);
      expect(r.seats.seatsNeeded).toBe(5);
      expect(r.seats.seatsNeededAfterChanges).toBe(5);
      expect(r.seats.reason).toContain('at least 5 seats all the same: the 5 people who sent messages over the last 28 days each use an active seat (already enough)');
      expect(r.seats.reason).not.toMatch(/\b0 seats\b/);
      expect(describeRecommend(r)).toContain('at least 5 seats all the same: the 5 people who sent messages');
      const json = JSON.parse(JSON.stringify(r)).seats;
      expect([json.seatsNeeded, json.seatsNeededAfterChanges, json.peopleWhoSentMessages]).toEqual([5, 5, 5]);
      const report = buildExport(r, null).find((f) => f.path === 'report.md')!.content;
      expect(report.slice(report.indexOf('## Seats'))).toContain('at least 5 seats all the same: the 5 people who sent messages');
    });

    it(`${profile}: with unlimited messages the advice is still at least the people`, () => {
      const plan = validatePlan({ workspace: { seats: 5, messagesPerSeatPerDay: null, spendLimits: [] }, triggers: [{ id: 't1', kind: 'webhook' }], enforcement: { profile } });
      const r = recommend(fivePeople(), plan, { paths: 20 });
      expect([r.seats.seatsNeeded, r.seats.seatsNeededAfterChanges]).toEqual([5, 5]);
      expect(r.seats.reason).toContain('seats: at least 5 seats, the 5 people who sent messages over the last 28 days');
    });
  }

  it('leaves the advice alone where the pool and allowance need more seats than there are people', () => {
    // one person: the 60 runs a day need 2 seats' pool under the platform's code (each attempt takes a unit)
    const b = new EventColumnsBuilder();
    for (let d = 0; d < 20; d++) {
      for (let i = 0; i < 60; i++) b.push(T0 + d * DAY + i * 24 * 60_000, EventType.trigger, 'hook', 0);
      for (let m = 0; m < 10; m++) b.push(T0 + d * DAY + (9 + m) * HOUR, EventType.message, 'u', 0);
    }
    const plan = validatePlan({ workspace: { seats: 2, messagesPerSeatPerDay: 100, spendLimits: [] }, triggers: [{ id: 'hook', limitPer24h: 42 }], enforcement: { profile: 'platform' } });
    const r = recommend(b.build(), plan, { paths: 20 });
    expect(r.seats.peopleWhoSentMessages).toBe(1);
    expect(r.seats.seatsNeeded).toBe(2);
    expect(r.seats.reason).toContain('hold them from 2 seats (already enough)');
    expect(r.seats.reason).not.toContain('all the same');
  });
});

describe('the seat floor in words', () => {
  it('one person uses a seat; several each use one', () => {
    expect(seatsText(0, null, 1, 28, 0, 'trigger')).toContain('at least 1 seat all the same: the 1 person who sent messages over the last 28 days uses an active seat');
    expect(seatsText(0, null, 3, 28, 5, 'trigger')).toContain('the 3 people who sent messages over the last 28 days each use an active seat (already enough)');
  });
});

describe('seats from none', () => {
  it("at 0 seats people's messages are the demand as it is, not scaled to nothing: one message needs a seat", () => {
    const msgRoll = Float64Array.from([1, 1]);
    const none = new Float64Array(2);
    expect(fewestSeats(msgRoll, none, none, { seats: 0, messagesPerSeatPerDay: 100, fairUseShare: 0.5 })).toBe(1);
    // from 5 seats, 150 messages scale with the seats (30 a seat): beside 60 fair-use runs, 1 seat holds 30 + 60 under 100
    expect(fewestSeats(Float64Array.from([150]), Float64Array.from([40]), Float64Array.from([60]), { seats: 5, messagesPerSeatPerDay: 100, fairUseShare: 0.5 })).toBe(1);
  });
});
