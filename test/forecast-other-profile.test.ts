/**
 * Where the docs and the platform's code disagree, the forecast shows both: the same futures (the
 * same seed, the same draws) decided under the other profile. A webhook held at 42 a day was
 * "delayed with a chance of 100 %, dropped 0" under the docs, and the word "platform" appeared
 * nowhere, while the platform's code drops those runs.
 */
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { forecast } from '../src/forecast/index.ts';
import { describeForecast } from '../src/cli/commands/forecast.ts';
import { recommend } from '../src/recommend/index.ts';
import { buildExport } from '../src/export/index.ts';
import { profileDifferences } from '../src/forecast/profile-differences.ts';
import { T0 } from './forecast-helpers.ts';

/** a webhook wanting 96 runs a day, of which the exports hold the 42 a day its limit let through */
function heldWebhook() {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 40; d++) for (let k = 0; k < 42; k++) b.push(T0 + d * DAY + 6 * HOUR + k * 15 * 60_000, EventType.trigger, 't_pr', 0);
  return b.build();
}

const docsPlan = validatePlan({
  workspace: { seats: 50, messagesPerSeatPerDay: 100 },
  triggers: [{ id: 't_pr', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 }],
});

describe('forecast under both enforcement profiles', () => {
  it('runs the first paths again under the other profile, path for path, when asked', async () => {
    const r = await forecast(heldWebhook(), docsPlan, { days: 30, paths: 20, workers: 0, compare: { paths: 8 } });
    expect(r.profile).toBe('documented');
    const other = r.otherProfile!;
    expect(other.profile).toBe('platform');
    expect(other.paths).toBe(8);
    const code = other.triggers.find((t) => t.id === 't_pr')!;
    const docs = other.same.triggers.find((t) => t.id === 't_pr')!;
    // the docs queue a limited webhook, the code drops it
    expect(docs.delayed.p50).toBeGreaterThan(0);
    expect(docs.dropped.p90).toBe(0);
    expect(code.dropped.p50).toBeGreaterThan(0);
    expect(code.delayed.p90).toBe(0);
    const text = describeForecast(r);
    expect(text).toContain("Under the platform's code instead of the docs (the first 8 of the same paths");
    expect(text).toMatch(/trigger t_pr: dropped or skipped with a chance of 100 %.*\(under the docs: delayed [\d,]+ \/ [\d,]+ \/ [\d,]+, dropped 0 \/ 0 \/ 0/);
  });

  it("sets them side by side in the exported report too", async () => {
    const events = heldWebhook();
    const rec = recommend(events, docsPlan, { paths: 20 });
    // the report forecasts the plan as the admin has it here (no override asked of support yet)
    const fc = await forecast(events, docsPlan, { days: 30, paths: 20, workers: 0, compare: { paths: 8 } });
    const md = buildExport(rec, fc).find((f) => f.path === 'report.md')!.content;
    expect(md).toContain("The same futures under the platform's code");
    expect(md).toContain("The first 8 of the forecast's paths, decided as the platform's code decides them rather than as the docs");
    // the section's own row (the Monte Carlo table above has one for t_pr too)
    const section = md.slice(md.indexOf("## The same futures under the platform's code"));
    const row = section.split('\n').find((l) => l.startsWith('| t_pr |'));
    expect(row).toBeDefined();
    // delayed under the docs, dropped under the code
    const cells = row!.split('|').map((c) => c.trim()).filter((c) => c !== '');
    expect(Number(cells[1]!.split(' / ')[1]!.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(cells[2]).toBe('0 / 0 / 0');
    expect(cells[3]).toBe('0 / 0 / 0');
    expect(Number(cells[4]!.split(' / ')[1]!.replace(/,/g, ''))).toBeGreaterThan(0);
  });

  it('is not run unless asked (a second run of paths)', async () => {
    const r = await forecast(heldWebhook(), docsPlan, { days: 30, paths: 10, workers: 0 });
    expect(r.otherProfile).toBeNull();
    expect(describeForecast(r)).not.toContain('instead of the docs');
  });

  it('says so when the two readings agree', async () => {
    // 10 runs a day: neither reading holds any back
    const b = new EventColumnsBuilder();
    for (let d = 0; d < 40; d++) for (let k = 0; k < 10; k++) b.push(T0 + d * DAY + 6 * HOUR + k * HOUR, EventType.trigger, 't_pr', 0);
    const r = await forecast(b.build(), docsPlan, { days: 30, paths: 10, workers: 0, compare: { paths: 5 } });
    expect(describeForecast(r)).toContain("the same: no trigger's runs and no key's blocking by its cap fare differently");
  });
});

describe('which triggers fare differently', () => {
  const band = (p10: number, p50: number, p90: number) => ({ p10, p50, p90 });
  const zero = band(0, 0, 0);
  const trigger = (id: string, o: Partial<{ delayChance: number; dropChance: number; delayed: ReturnType<typeof band>; dropped: ReturnType<typeof band> }>) => ({
    id,
    mode: 'fair_use',
    delayChance: 0,
    dropChance: 0,
    causes: [],
    arrivals: band(100, 100, 100),
    delayed: zero,
    dropped: zero,
    skipped: zero,
    pending: zero,
    maxDelayHours: zero,
    p95DelayHours: zero,
    ...o,
  });
  it('include one held back in fewer than half the paths (the medians alike, the chances and tails not)', () => {
    const docs = trigger('t_alert', { delayChance: 0.38, delayed: band(0, 0, 60) });
    const code = trigger('t_alert', { dropChance: 0.38, dropped: band(0, 0, 12) });
    const same = trigger('t_quiet', {});
    const d = profileDifferences({ profile: 'platform', paths: 50, notes: [], keys: [], triggers: [code, same], same: { keys: [], triggers: [docs, same] } });
    expect(d.triggers.map((t) => t.id)).toEqual(['t_alert']);
  });
});
