/**
 * A webhook its default limit held in the exports (held-out pass 3, .tmp/heldout3): fed every 15
 * minutes (96 a day), the export holds 42 runs in 10.25 h, a pause until the window frees, 42
 * more. Its days all read 42, so the advice sized the limit on 42 (+25 %: 60), and the moved
 * trigger still dropped a third of its runs. The pace of its runs while admitted says 96.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { heldPace } from '../src/recommend/held.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, MINUTE } from '../src/engine/units.ts';
import { supportRequests } from '../src/export/index.ts';

const T0 = Date.UTC(2026, 8, 1);

/** Runs admitted of a feed every `every` ms for `days`, by a limit of 42 per 24 h at the platform's edge, each completing 20-110 s later. */
function heldRuns(every: number, days: number): number[] {
  const admitted: number[] = [];
  for (let t = T0; t < T0 + days * DAY; t += every) {
    let inWindow = 0;
    for (let k = admitted.length - 1; k >= 0 && admitted[k]! >= t - DAY; k--) inWindow++;
    if (inWindow < 42) admitted.push(t);
  }
  return admitted.map((t, i) => t + 20_000 + ((i * 7919) % 90_000));
}

function history(times: number[]) {
  const b = new EventColumnsBuilder();
  for (const t of times) b.push(t, EventType.trigger, 'pager', 0);
  return b.build();
}

describe('a trigger its limit held: demand from the pace of its runs while admitted', () => {
  it('reads 96 a day from 42 runs in 10.25 h that resume as the window frees', () => {
    const p = heldPace(heldRuns(15 * MINUTE, 40), 42);
    expect(p).not.toBeNull();
    expect(p!.perDay).toBeGreaterThanOrEqual(94);
    expect(p!.perDay).toBeLessThanOrEqual(98);
    expect(p!.hours).toBeCloseTo(10.3, 0);
  });

  it('reads nothing from a trigger within its limit, or from runs that do not resume as the window frees', () => {
    // 30 a day, every 48 minutes: never held
    expect(heldPace(heldRuns(48 * MINUTE, 40), 42)).toBeNull();
    // 42 runs a minute apart every other day: the window is full, but the runs come back a day
    // after it frees, so nothing was waiting through the pause (a batch job, not a held feed)
    const batches: number[] = [];
    for (let d = 0; d < 20; d += 2) for (let k = 0; k < 42; k++) batches.push(T0 + d * DAY + 8 * 3_600_000 + k * MINUTE);
    expect(heldPace(batches, 42)).toBeNull();
    // the same batches daily resume as the window frees: read as held (the export cannot tell them apart; the advice says so)
    const daily: number[] = [];
    for (let d = 0; d < 10; d++) for (let k = 0; k < 42; k++) daily.push(T0 + d * DAY + 8 * 3_600_000 + k * MINUTE + (d > 0 && k === 0 ? 1 : 0));
    expect(heldPace(daily, 42)).not.toBeNull();
  });

  for (const profile of ['platform', 'documented'] as const) {
    it(`${profile}: asks for a limit sized on that pace, not on the 42 the export shows`, () => {
      const plan = validatePlan({ workspace: { spendLimits: [] }, triggers: [{ id: 'pager', name: 'Pager', kind: 'webhook', mode: 'fair_use' }], enforcement: { profile } });
      const r = recommend(history(heldRuns(15 * MINUTE, 40)), plan);
      const t = r.triggers.find((x) => x.id === 'pager')!;
      expect(t.daily.max).toBeLessThanOrEqual(42);
      expect(t.heldPace?.perDay).toBeGreaterThanOrEqual(94);
      expect(t.reason).toMatch(/while admitted its runs came at 9\d per 24 h/);
      if (profile === 'platform') {
        // 96 + 25 % = 120, on the ladder support is asked in
        expect(t.requestedLimit).toBeGreaterThanOrEqual(120);
        const [request] = supportRequests(r, 'Acme');
        expect(request!.body).toMatch(/While the limit let them through, our runs came at 9\d per 24 hours/);
      } else {
        expect(t.action).toBe('programmatic');
        expect(t.reason).toMatch(/expect about 9\d runs a day/);
      }
    });
  }
});
