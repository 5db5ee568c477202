/**
 * People's messages the platform's allowance held (held-out pass 3, .tmp/heldout3): 960 messages a
 * day wanted, 500 per 24 h admitted, the rest refused and not in the export. The busiest 24 h then
 * show the allowance itself, and the seats advice said "already enough".
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY } from '../src/engine/units.ts';

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
      expect(r.seats.seatsNeeded).toBeNull();
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
