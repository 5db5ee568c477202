/**
 * Two exports taken on different days (held-out pass 4): the cost export runs a week past the
 * consumption export, so the keys' spend goes on after the last person's message and trigger run.
 * Read to the latest event, messages and runs were 0 on those days and forecast 0 / 0 / 0 (a
 * level shift to nothing), and the seats advice built on them.
 */
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns, EventTypeCode } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { buildHistory, forecast } from '../src/forecast/index.ts';
import { makeRng, poisson } from '../src/forecast/rng.ts';
import { T0 } from './forecast-helpers.ts';

/** People's messages and a trigger's runs on days [0, consumptionDays), keys' spend (and spend without a key) on [0, costDays). */
function twoExports(consumptionDays: number, costDays: number): EventColumns {
  const rng = makeRng(11);
  const rows: [number, EventTypeCode, string, number][] = [];
  for (let d = 0; d < Math.max(consumptionDays, costDays); d++) {
    const at = (h: number) => T0 + d * DAY + h * HOUR + Math.floor(rng() * HOUR);
    if (d < consumptionDays) {
      for (let i = poisson(rng, 300); i > 0; i--) rows.push([at(8 + Math.floor(rng() * 10)), EventType.message, `u${Math.floor(rng() * 20)}`, 0]);
      for (let i = poisson(rng, 20); i > 0; i--) rows.push([at(Math.floor(rng() * 24)), EventType.trigger, 't_digest', 50_000]);
    }
    if (d < costDays) {
      for (let h = 0; h < 24; h++) rows.push([T0 + d * DAY + h * HOUR + 30 * 60_000, EventType.api, 'k_ops', 400_000 + Math.floor(rng() * 100_000)]);
      rows.push([T0 + d * DAY + 12 * HOUR + 30 * 60_000, EventType.trigger, 'no-key:Ops agent', 2_000_000]);
    }
  }
  rows.sort((a, b) => a[0] - b[0]);
  const b = new EventColumnsBuilder();
  for (const r of rows) b.push(...r);
  return b.build();
}

const plan = validatePlan({
  workspace: { seats: 20, messagesPerSeatPerDay: 100 },
  apiKeys: [{ id: 'k_ops', capUsd: 1000 }],
  triggers: [{ id: 't_digest', kind: 'scheduled', mode: 'fair_use' }],
});

describe('a cost export that runs past the consumption export', () => {
  it('ends the history with the consumption export, so messages and runs are forecast at their pace, not 0', async () => {
    const events = twoExports(60, 67);
    const h = buildHistory(events);
    expect(h.days).toBe(60);
    expect(h.end).toBe(T0 + 60 * DAY);
    expect(h.shorterExport?.eventsAfter).toBe(7 * 25);
    const r = await forecast(events, plan, { days: 30, paths: 0, workers: 0 });
    const messages = r.series.find((s) => s.kind === 'messages');
    const runs = r.series.find((s) => s.kind === 'trigger_runs' && s.id === 't_digest');
    // about 300 messages and 20 runs a day: once 0 / 0 / 0
    expect(messages?.total.p50).toBeGreaterThan(300 * 30 * 0.8);
    expect(runs?.total.p50).toBeGreaterThan(20 * 30 * 0.8);
    expect(messages?.levelShift ?? null).toBeNull();
    expect(r.notes.join('\n')).toMatch(/people's messages and trigger runs end on \d{4}-\d{2}-\d{2}, the keys' spend on \d{4}-\d{2}-\d{2} .*175 later events left out/);
  });

  it('leaves a history alone when every side ends together, or people and triggers fell quiet weeks before', () => {
    expect(buildHistory(twoExports(60, 60)).shorterExport).toBeNull();
    // one day's gap is an export taken in the morning, not a shorter export
    expect(buildHistory(twoExports(60, 61)).shorterExport).toBeNull();
    // four weeks of keys alone: the workspace's own history, not an export taken later
    expect(buildHistory(twoExports(40, 68)).shorterExport).toBeNull();
    const h = buildHistory(twoExports(60, 67));
    expect(h.shorterExport?.endedOn).toBe(new Date(T0 + 59 * DAY).toISOString().slice(0, 10));
  });
});
