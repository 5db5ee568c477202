import { copyName } from '../src/modeling/names.ts';
import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, createHistory, edit, isDirty, markSaved, redo, redoLabel, sameData, undo, undoLabel } from '../src/modeling/plan-history.ts';
import { applyCaps, programmaticBlockedReason, setKeyCaps, setSpendLimit, setTriggerLimit, setTriggerMode, setWorkspace } from '../src/modeling/plan-edits.ts';
import { compareScenarios, planChanges } from '../src/modeling/scenarios.ts';
import { PlanError, validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType, type EventColumns } from '../src/engine/events.ts';
import { simulate } from '../src/engine/simulate.ts';
import { viewOf } from '../src/modeling/project.ts';
import { DAY, HOUR } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 0, 5);
const base = validatePlan({
  workspace: { name: 'Acme', seats: 1, messagesPerSeatPerDay: 2, spendLimits: [] },
  apiKeys: [{ id: 'k1', capUsd: 10 }, { id: 'k2', capUsd: null }],
  triggers: [{ id: 'wh', kind: 'webhook', limitPer24h: 1 }, { id: 'cron', kind: 'scheduled' }],
});

describe('plan history: undo and redo of plan edits', () => {
  it('undoes and redoes edits in order, with their labels', () => {
    let h = createHistory(base);
    expect(canUndo(h)).toBe(false);
    h = edit(h, setKeyCaps(base, ['k1'], 20), 'set cap');
    h = edit(h, setWorkspace(h.present, { seats: 3 }), 'seats');
    expect(h.present.workspace.seats).toBe(3);
    expect(undoLabel(h)).toBe('seats');
    h = undo(h);
    expect(h.present.workspace.seats).toBe(1);
    expect(h.present.apiKeys[0]?.capUsd).toBe(20);
    expect(redoLabel(h)).toBe('seats');
    h = undo(h);
    expect(h.present).toEqual(base);
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(redo(h));
    expect(h.present.workspace.seats).toBe(3);
    expect(canRedo(h)).toBe(false);
  });

  it('a new edit after undo drops the redo branch; an edit that changes nothing is no step', () => {
    let h = edit(createHistory(base), setWorkspace(base, { seats: 5 }), 'a');
    h = undo(h);
    h = edit(h, setWorkspace(h.present, { seats: 7 }), 'b');
    expect(canRedo(h)).toBe(false);
    expect(edit(h, setWorkspace(h.present, { seats: 7 }))).toBe(h);
    expect(h.past).toHaveLength(1);
  });

  it('coalesces keystrokes in one field into one step', () => {
    let h = createHistory(base);
    for (const seats of [1, 12, 123].map((n) => n + 1)) h = edit(h, setWorkspace(h.present, { seats }), 'seats', 'workspace.seats');
    expect(h.past).toHaveLength(1);
    expect(undo(h).present.workspace.seats).toBe(1);
  });

  it('knows when there are unsaved changes, and undoing back clears it', () => {
    let h = edit(createHistory(base), setKeyCaps(base, ['k2'], 5), 'cap');
    expect(isDirty(h)).toBe(true);
    expect(isDirty(undo(h))).toBe(false);
    h = markSaved(h);
    expect(isDirty(h)).toBe(false);
    expect(isDirty(undo(h))).toBe(true);
  });

  it('keeps at most `limit` steps and never mutates the history it was given', () => {
    let h = createHistory(base, 3);
    const first = h;
    for (let s = 2; s < 10; s++) h = edit(h, setWorkspace(h.present, { seats: s }), `s${s}`);
    expect(h.past).toHaveLength(3);
    expect(h.labels).toEqual(['s7', 's8', 's9']);
    expect(first.present.workspace.seats).toBe(1);
    expect(base.workspace.seats).toBe(1);
  });

  it('compares plans structurally, whatever the key order', () => {
    expect(sameData({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toBe(true);
    expect(sameData({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameData([1, 2], [2, 1])).toBe(false);
  });
});

describe('plan edits', () => {
  it('sets one cap on several keys, adding keys seen only in the events', () => {
    const p = setKeyCaps(base, ['k1', 'k_new'], 50);
    expect(p.apiKeys.map((k) => [k.id, k.capUsd])).toEqual([['k1', 50], ['k2', null], ['k_new', 50]]);
    expect(validatePlan(p)).toEqual(p);
    expect(setKeyCaps(p, ['k1'], null).apiKeys[0]?.capUsd).toBeNull();
  });

  it('applies per-key caps (the recommended ones)', () => {
    const p = applyCaps(base, new Map([['k2', 30], ['k3', 40]]));
    expect(p.apiKeys.map((k) => k.capUsd)).toEqual([10, 30, 40]);
  });

  it('refuses a negative cap, fractional seats and programmatic on a scheduled trigger, naming the field', () => {
    expect(() => setKeyCaps(base, ['k1'], -1)).toThrow(PlanError);
    expect(() => setWorkspace(base, { seats: 1.5 })).toThrow(/workspace\.seats/);
    expect(() => setTriggerMode(base, 'cron', 'programmatic')).toThrow(/triggers\[1\]\.mode/);
    expect(programmaticBlockedReason('scheduled')).toMatch(/only webhook/);
    expect(programmaticBlockedReason('webhook')).toBeNull();
  });

  it('changes trigger modes and limits, and spend limits', () => {
    let p = setTriggerMode(base, 'wh', 'programmatic');
    p = setTriggerLimit(p, 'wh', 100);
    expect(p.triggers[0]).toMatchObject({ mode: 'programmatic', limitPer24h: 100 });
    p = setTriggerLimit(p, 'seen_only', -1, { kind: 'scheduled' });
    expect(p.triggers[2]).toMatchObject({ id: 'seen_only', kind: 'scheduled', limitPer24h: -1 });
    const withLimit = validatePlan({ ...base, workspace: { ...base.workspace, spendLimits: [{ id: 'd', amountUsd: 5, window: 'utc-day' }] } });
    expect(setSpendLimit(withLimit, 0, { amountUsd: 9 }).workspace.spendLimits[0]?.amountUsd).toBe(9);
    expect(() => setSpendLimit(withLimit, 3, { amountUsd: 9 })).toThrow(PlanError);
  });
});

function events(rows: [number, 'api' | 'trigger' | 'message', string, number][]) {
  const b = new EventColumnsBuilder();
  for (const [t, type, subject, usd] of rows) b.push(t, EventType[type], subject, Math.round(usd * 1e6));
  return b.build();
}

describe('comparing scenarios over the same events', () => {
  const ev = events([
    [T0, 'api', 'k1', 6],
    [T0 + HOUR, 'api', 'k1', 6],
    [T0 + 2 * HOUR, 'api', 'k1', 6.5],
    [T0 + 3 * HOUR, 'trigger', 'wh', 0],
    [T0 + 4 * HOUR, 'trigger', 'wh', 0],
    [T0 + 5 * HOUR, 'message', 'u1', 0],
    [T0 + 6 * HOUR, 'message', 'u1', 0],
    [T0 + 7 * HOUR, 'message', 'u1', 0],
  ]);

  it('gives each plan its blocked requests, denied spend, delayed runs and blocked messages', () => {
    const loose = setWorkspace(setTriggerLimit(setKeyCaps(base, ['k1'], null), 'wh', 10), { seats: 5 });
    const c = compareScenarios(ev, [
      { name: 'current', plan: base },
      { name: 'loose', plan: loose },
    ]);
    const m = Object.fromEntries(c.metrics.map((x) => [x.id, x]));
    // cap 10, check "spent": 0 and 6 are under it (the crossing request completes), 12 >= 10 blocks.
    expect(m.blockedRequests?.values).toEqual([1, 0]);
    expect(m.deniedSpendUsd?.values).toEqual([6.5, 0]);
    expect(m.deniedSpendUsd?.deltas).toEqual([0, -6.5]);
    expect(m.keysCappedOut?.values).toEqual([1, 0]);
    // The second webhook run waits 24 h for the limit of 1 (allowance 2 is shared with messages).
    expect(m.delayedRuns?.values[0]).toBe(1);
    expect(m.delayedRuns?.values[1]).toBe(0);
    expect(m.blockedMessages?.values[1]).toBe(0);
    expect(m.blockedRequests?.best).toEqual([1]);
    expect(m.blockedRequests?.differs).toBe(true);
    expect(c.entities.find((e) => e.kind === 'key' && e.id === 'k1')?.values).toEqual([1, 0]);
    expect(c.changes[0]).toEqual([]);
    expect(c.changes[1]?.map((x) => x.path)).toEqual(['workspace.seats', 'apiKeys.k1.capUsd', 'triggers.wh.limitPer24h']);
  });

  it('counts programmatic spend and marks identical plans as not differing', () => {
    const prog = setTriggerMode(base, 'wh', 'programmatic');
    const ev2 = events([[T0, 'trigger', 'wh', 2.25], [T0 + DAY * 2, 'trigger', 'wh', 1]]);
    const c = compareScenarios(ev2, [
      { name: 'a', plan: prog },
      { name: 'b', plan: structuredClone(prog) },
    ]);
    const spend = c.metrics.find((x) => x.id === 'programmaticSpendUsd');
    expect(spend?.values).toEqual([3.25, 3.25]);
    expect(c.metrics.every((x) => !x.differs)).toBe(true);
    expect(c.entities).toEqual([]);
  });

  it('says how close each plan comes to the allowance and the pool when seats alone differ and nothing is refused', () => {
    // 5 seats × 2 = an allowance of 10 a day, 20 seats: 40; 3 messages and 2 fair-use runs a day
    const five = setWorkspace(setTriggerLimit(base, 'wh', 10), { seats: 5 });
    const twenty = setWorkspace(five, { seats: 20 });
    const c = compareScenarios(ev, [
      { name: '5 seats', plan: five },
      { name: '20 seats', plan: twenty },
    ]);
    const m = Object.fromEntries(c.metrics.map((x) => [x.id, x]));
    // what "what breaks with fewer seats?" needs: the counts are the same...
    expect(m.blockedMessages?.values).toEqual([0, 0]);
    expect(m.delayedRuns?.values).toEqual([0, 0]);
    // ...how near the limit each plan runs is not: 5 of 10, 5 of 40; 2 runs of a pool of 5 and of 20
    expect(m.allowancePeakShare?.values).toEqual([0.5, 0.125]);
    expect(m.allowancePeakShare?.unit).toBe('share');
    expect(m.allowancePeakShare?.differs).toBe(true);
    expect(m.allowancePeakShare?.best).toEqual([1]);
    expect(m.poolPeakShare?.values).toEqual([0.4, 0.1]);
  });

  it('matches keys by id, so reordering a plan is no change', () => {
    const reordered = { ...base, apiKeys: [...base.apiKeys].reverse() };
    expect(planChanges(base, reordered)).toEqual([]);
    expect(planChanges(base, setKeyCaps(base, ['k9'], 1))).toEqual([{ path: 'apiKeys.k9', from: null, to: { id: 'k9', capUsd: 1 } }]);
  });
});

describe('naming a duplicated scenario', () => {
  it('never takes a name already saved, so a second duplicate does not replace the first', () => {
    expect(copyName('Baseline', ['Baseline'])).toBe('Baseline (copy)');
    expect(copyName('Baseline', ['Baseline', 'Baseline (copy)'])).toBe('Baseline (copy 2)');
    expect(copyName('Baseline', ['Baseline', 'Baseline (copy)', 'Baseline (copy 2)'])).toBe('Baseline (copy 3)');
  });
});

describe("a trigger's runs per day in the modeling view", () => {
  it('follow the events: the same trigger over other histories, and the first again', () => {
    const plan = validatePlan({
      workspace: { name: 'Acme', seats: 1, messagesPerSeatPerDay: 2, spendLimits: [] },
      apiKeys: [],
      triggers: [{ id: 'wh', kind: 'webhook', limitPer24h: null }],
    });
    // wh: 1, 3 and 2 runs on three days; then 5 on one day; then the first history again
    const days = (perDay: number[]): EventColumns => events(perDay.flatMap((runs, d) => Array.from({ length: runs }, (_, i): [number, 'trigger', string, number] => [T0 + d * DAY + i * HOUR, 'trigger', 'wh', 0])));
    const first = days([1, 3, 2]);
    const runsOf = (ev: EventColumns): unknown => viewOf(plan, ev, simulate(plan, ev)).triggers.find((t) => t.id === 'wh')?.runsPerDay;
    expect(runsOf(first)).toEqual({ median: 2, p95: 3, max: 3, days: 3 });
    // seats edited: the same rows
    expect(viewOf({ ...plan, workspace: { ...plan.workspace, seats: 3 } }, first, simulate(plan, first)).triggers[0]?.runsPerDay).toEqual({ median: 2, p95: 3, max: 3, days: 3 });
    expect(runsOf(days([5]))).toEqual({ median: 5, p95: 5, max: 5, days: 1 });
    expect(runsOf(days([4, 0, 4]))).toEqual({ median: 4, p95: 4, max: 4, days: 3 });
    expect(runsOf(first)).toEqual({ median: 2, p95: 3, max: 3, days: 3 });
  });
});
