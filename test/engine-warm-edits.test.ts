/**
 * The warm-up the compute worker can run on idle after the first screen (src/engine/warm-edits.ts):
 * it is only worth its time if it runs the paths a user's first seats and cap edits take, under
 * both profiles, on its own made-up history and without touching anything else.
 */
import { describe, expect, it } from 'vitest';
import { quietestModeSwitch, warmEditPaths, warmEvents } from '../src/engine/warm-edits.ts';
import { validatePlan, type Plan } from '../src/engine/plan.ts';
import { readEventsCsv } from '../src/csv/read-events.ts';

describe('warming the edit paths', () => {
  it('opens with an allowance that never refuses, then re-simulates the allowance alone while it refuses, then one key alone, then a mode: the runs alone', () => {
    const seen: number[] = [];
    const { steps } = warmEditPaths({ timelineBuckets: 64, onResult: (_plan, events, result) => seen.push(result.count - events.count) });
    // each step's result reaches the caller, over the made-up events
    expect(seen).toEqual(steps.map(() => 0));
    for (const profile of ['documented', 'platform'] as const) {
      const mine = steps.filter((s) => s.profile === profile);
      expect(mine.map((s) => s.edit)).toEqual(['open', 'seats', 'seats', 'seats', 'seats', 'seats', 'cap', 'cap', 'mode', 'mode', 'mode']);
      const [open, ...edits] = mine;
      expect(open.simulated).toEqual(['spend', 'allowance']);
      expect(open.allowanceRefused).toBe(0);
      for (const s of edits.filter((e) => e.edit === 'seats')) {
        expect(s.simulated).toEqual(['allowance']);
        expect(s.allowanceRefused).toBeGreaterThan(0);
      }
      for (const s of edits.filter((e) => e.edit === 'cap')) {
        expect(s.simulated).toEqual(['spend']);
        expect(s.isolatedKey).toBe('k_warm_0');
      }
      // webhooks moved to programmatic: a new split each, its spend part's runs alone, the allowance part in full
      for (const s of edits.filter((e) => e.edit === 'mode')) {
        expect(s.simulated).toEqual(['spend', 'allowance']);
        expect(s.runsOnly).toBe(true);
      }
    }
  });

  it('keeps its events in shared memory, as the compute worker holds the ledger\'s, so the compiled code is the one they use', () => {
    const ev = warmEvents();
    for (const column of [ev.time, ev.type, ev.subject, ev.cost]) expect(column.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(new Set(ev.type)).toEqual(new Set([0, 1, 2]));
  });

  it('warms the seats and caps, or the modes, on their own: together they are the whole warm-up', () => {
    const edits = (only?: 'values' | 'modes') => warmEditPaths({ timelineBuckets: 64, only }).steps.map((s) => `${s.profile} ${s.edit} ${s.simulated.join('+')} ${s.runsOnly}`);
    const values = edits('values');
    const modes = edits('modes');
    expect(values.filter((s) => s.includes('mode'))).toEqual([]);
    expect(modes.filter((s) => !s.includes('open'))).toEqual(edits().filter((s) => s.includes(' mode ')));
    expect(modes.filter((s) => s.includes(' mode '))).toHaveLength(6);
  });

  it('stops between steps once cancelled', () => {
    const signal = { aborted: true };
    expect(warmEditPaths({ signal }).steps).toEqual([]);
  });
});

describe("the mode switch warmed at the ledger's own size", () => {
  const rows = (subject: string, n: number) => Array.from({ length: n }, (_, i) => `${1_790_000_000_000 + i * 60_000},trigger,${subject},0.01`);
  const ev = readEventsCsv(['timestamp,type,subject,cost_usd', ...rows('t_busy', 30), ...rows('t_quiet', 4), ...rows('t_daily', 2), '1790000000000,message,u_1,'].join('\n'));
  const plan = (quiet: 'fair_use' | 'programmatic' | 'workspace_pool' = 'fair_use', profile: 'documented' | 'platform' = 'documented') =>
    validatePlan({
      triggers: [
        { id: 't_busy', kind: 'webhook', mode: 'fair_use' },
        { id: 't_quiet', kind: 'webhook', mode: quiet },
        // fewer runs, but a schedule: its mode is not the one an admin switches on the Triggers page
        { id: 't_daily', kind: 'scheduled', mode: 'fair_use' },
        { id: 't_idle', kind: 'webhook', mode: 'fair_use' },
      ],
      enforcement: { profile },
    });
  const modes = (p: Plan | null) => p?.triggers.map((t) => `${t.id}:${t.mode}`);

  it("switches the webhook with the fewest runs (none is no webhook's), either way, under either profile's names", () => {
    expect(modes(quietestModeSwitch(plan(), ev))).toEqual(['t_busy:fair_use', 't_quiet:programmatic', 't_daily:fair_use', 't_idle:fair_use']);
    expect(modes(quietestModeSwitch(plan('programmatic'), ev))).toEqual(['t_busy:fair_use', 't_quiet:fair_use', 't_daily:fair_use', 't_idle:fair_use']);
    // the platform's name for programmatic
    expect(modes(quietestModeSwitch(plan('workspace_pool', 'platform'), ev))?.[1]).toBe('t_quiet:fair_use');
  });

  it('is null when no webhook of the plan has a run', () => {
    const none = validatePlan({ triggers: [{ id: 't_idle', kind: 'webhook' }, { id: 't_daily', kind: 'scheduled' }] });
    expect(quietestModeSwitch(none, ev)).toBeNull();
  });
});
