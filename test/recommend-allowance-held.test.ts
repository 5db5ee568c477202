/**
 * People's messages the platform's allowance held (held-out pass 3, .tmp/heldout3): 960 messages a
 * day wanted, 500 per 24 h admitted, the rest refused and not in the export. The busiest 24 h then
 * show the allowance itself, and the seats advice said "already enough".
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR, MINUTE } from '../src/engine/units.ts';
import { buildExport, parsePlanYaml } from '../src/export/index.ts';
import { parsePlanJson } from '../src/engine/plan.ts';

const T0 = Date.UTC(2026, 8, 1);

/** A message every 90 s for `days`, admitted by an allowance of `allowance` per 24 h (the platform's edge). */
function heldMessages(allowance: number, days: number) {
  const b = new EventColumnsBuilder();
  const admitted: number[] = [];
  let lo = 0;
  for (let t = T0; t < T0 + days * DAY; t += 90_000) {
    while (lo < admitted.length && admitted[lo]! < t - DAY) lo++;
    if (admitted.length - lo >= allowance) continue;
    admitted.push(t);
    b.push(t, EventType.message, `u${Math.floor(t / 90_000) % 7}`, 0);
  }
  return b.build();
}

describe('a history the allowance held: the seats advice says so', () => {
  for (const profile of ['platform', 'documented'] as const) {
    it(`${profile}: never "already enough" from the busiest 24 h that are the allowance itself`, () => {
      const plan = validatePlan({ workspace: { seats: 5, messagesPerSeatPerDay: 100, spendLimits: [] }, enforcement: { profile } });
      const r = recommend(heldMessages(500, 40), plan);
      expect(r.seats.allowanceHeldDays).toBeGreaterThanOrEqual(20);
      // how many seats stop the queueing is not in a held history, but the 7 people who sent
      // messages each hold one: the advice is never below them
      expect(r.seats.seatsNeeded).toBe(7);
      expect(r.seats.reason).not.toContain('already enough');
      expect(r.seats.reason).toMatch(/held at the allowance of 500 per 24 h on \d+ of the last 28 days/);
      expect(r.notes.some((n) => n.startsWith("people's messages held at the allowance"))).toBe(true);
    });
  }

  it('says nothing of the kind for messages well within the allowance', () => {
    const plan = validatePlan({ workspace: { seats: 20, messagesPerSeatPerDay: 100, spendLimits: [] }, enforcement: { profile: 'platform' } });
    const r = recommend(heldMessages(500, 40), plan);
    expect(r.seats.allowanceHeldDays).toBeUndefined();
    expect(r.seats.seatsNeeded).not.toBeNull();
  });
});

/** u0, u1 and u2: 10 messages a day on five days, 4 on the others, 1 seat of 10 (the reviewer's c5) */
function threePeopleOneSeat() {
  const held = new Set([10, 15, 20, 25, 30]);
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 35; d++) {
    const n = held.has(d) ? 10 : 4;
    for (let k = 0; k < n; k++) b.push(T0 + d * DAY + 9 * HOUR + k * 17 * MINUTE + 7 * MINUTE * (d % 3), EventType.message, `u${k % 3}`, 0);
  }
  return b.build();
}

describe('the allowance held a workspace of 3 people on 1 seat', () => {
  for (const profile of ['platform', 'documented'] as const) {
    it(`${profile}: the seat advice and the exported plan hold the 3 people, not 1 seat`, () => {
      const plan = validatePlan({ workspace: { name: 'A', seats: 1, messagesPerSeatPerDay: 10 }, triggers: [], enforcement: { profile } });
      const r = recommend(threePeopleOneSeat(), plan, { paths: 20 });
      expect(r.seats.allowanceHeldDays).toBeGreaterThanOrEqual(3);
      expect(r.seats.peopleWhoSentMessages).toBe(3);
      expect(r.seats.seatsNeeded).toBe(3);
      expect(r.seats.seatsNeededAfterChanges).toBe(3);
      expect(r.seats.reason).toContain('at least 3 seats all the same: the 3 people who sent messages over the last 28 days each use an active seat');
      const files = buildExport(r, null);
      expect(parsePlanJson(files.find((f) => f.path === 'plan.json')!.content, 'plan.json').workspace.seats).toBe(3);
      expect(parsePlanYaml(files.find((f) => f.path === 'plan.yaml')!.content).workspace.seats).toBe(3);
      expect(r.notes).toContain('the recommended plan holds 3 seats, not 1: the 3 people who sent messages over the last 28 days each use an active seat');
    });
  }
});
