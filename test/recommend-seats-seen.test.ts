/**
 * People's messages grow with seats from the seats the history was made with: at least one per
 * person who sent messages (each held an active seat). Scaled from a plan that says fewer seats
 * than there were people, 50 people's 30 messages a day read as 150 a seat, and recommend said no
 * seat count could hold them, while its own export wrote 50 seats into the plan.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 9, 1);

function fiftyPeople() {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 30; d++) for (let m = 0; m < 30; m++) for (let u = 0; u < 50; u++) b.push(T0 + d * DAY + 8 * HOUR + m * 10 * 60_000 + u * 1000, EventType.message, `user-${u}`, 0);
  return b.build();
}

describe('seats advice when more people sent messages than the plan has seats', () => {
  for (const profile of ['documented', 'platform'] as const) {
    it(`${profile}: at least one seat a person, and their messages scaled from those seats`, () => {
      const events = fiftyPeople();
      const plan = validatePlan({ workspace: { name: 'A', seats: 10, messagesPerSeatPerDay: 100 }, enforcement: { profile } });
      const r = recommend(events, plan, { paths: 10 });
      expect(r.seats.peopleWhoSentMessages).toBe(50);
      expect(r.seats.seatsNeeded).toBe(50);
      expect(r.seats.reason).not.toContain('seats cannot stop');
      expect(r.seats.reason).toContain('at 50 seats (the 50 people who sent messages each held one; the plan says 10)');
      expect(r.plan.workspace.seats).toBe(50);
    });
  }

  it('messages above the allowance of the people\'s seats still say so, per seat they held', () => {
    // 50 people at 150 messages a day each: no seat count holds them
    const b = new EventColumnsBuilder();
    for (let d = 0; d < 30; d++) for (let m = 0; m < 150; m++) for (let u = 0; u < 50; u++) b.push(T0 + d * DAY + m * 9 * 60_000 + u * 1000, EventType.message, `user-${u}`, 0);
    const r = recommend(b.build(), validatePlan({ workspace: { name: 'A', seats: 10, messagesPerSeatPerDay: 100 } }), { paths: 10 });
    expect(r.seats.reason).toContain('150 per seat in the busiest 24 h at 50 seats');
  });
});
