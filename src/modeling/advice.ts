/**
 * The recommendations behind the screens (recommended caps with their percentiles, trigger
 * advice with the support request drafts) and the export preview, from src/recommend and
 * src/export.
 */
import type { EventColumns } from '../engine/events.ts';
import type { Plan } from '../engine/plan.ts';
import { recommend } from '../recommend/index.ts';
import { spentOverHistory } from '../recommend/spent-over-history.ts';
import { buildExport, supportRequests } from '../export/index.ts';
import { simulate } from '../engine/simulate.ts';
import { EventType } from '../engine/events.ts';
import { Reason } from '../engine/result.ts';
import { MICROS_PER_USD } from '../engine/units.ts';
import type { Advice, ExportPreview } from './types.ts';

/** Few forecast draws: the screens need the caps and percentiles, the draws only the chances. */
const SCREEN_PATHS = 60;

/**
 * What the screens ask of `events`: `exportedKeys`, the keys whose requests there are the
 * platform's export (the ledger's `exportedKeys`; recommend's `RecommendOptions.exportedKeys`).
 */
export interface ScreenOptions {
  signal?: { readonly aborted: boolean };
  exportedKeys?: ReadonlySet<string>;
}

export function adviceFor(plan: Plan, events: EventColumns, options: ScreenOptions = {}): Advice {
  const { signal } = options;
  const rec = recommend(events, plan, { paths: SCREEN_PATHS, signal, ...(options.exportedKeys !== undefined ? { exportedKeys: options.exportedKeys } : {}) });
  const drafts = new Map(supportRequests(rec, plan.workspace.name).map((r) => [r.triggerId, r]));
  // What the recommended caps would have blocked over the same history (the detail view's
  // "current cap blocked N, the recommended one M").
  const after = simulate(rec.plan, events, { signal });
  const blocked = new Map<string, { n: number; usd: number }>();
  for (let i = 0; i < after.count; i++) {
    if (events.type[i] !== EventType.api || after.reason[i] !== Reason.key_cap) continue;
    const id = after.plan.keys[after.entity[i] ?? -1]?.id;
    if (id === undefined) continue;
    const b = blocked.get(id) ?? { n: 0, usd: 0 };
    b.n += 1;
    b.usd += (events.cost[i] ?? 0) / MICROS_PER_USD;
    blocked.set(id, b);
  }
  return {
    headroom: rec.headroom,
    keys: rec.keys.map((k) => ({
      id: k.id,
      recommendedCapUsd: k.recommendedCapUsd,
      action: k.action,
      rolling30: { p50: k.rolling30.p50, p90: k.rolling30.p90, p99: k.rolling30.p99, max: k.rolling30.max, daysObserved: k.rolling30.daysObserved, extrapolated: k.rolling30.extrapolated },
      spentOverHistory: spentOverHistory(k),
      projectedPeak: k.projectedPeak,
      throttleChance: k.throttleChance,
      currentThrottleChance: k.currentThrottleChance,
      incidents: k.incidents.map((x) => ({ date: x.date, requestedUsd: x.requestedUsd, ordinaryCeilingUsd: x.ordinaryCeilingUsd })),
      blockedIfRecommended: blocked.get(k.id)?.n ?? 0,
      blockedUsdIfRecommended: Math.round((blocked.get(k.id)?.usd ?? 0) * 100) / 100,
      blockedUntilIfSetNow: k.blockedUntilIfSetNow,
      reason: k.reason,
      capBasis: k.capBasis,
      warning: k.warning,
    })),
    triggers: rec.triggers.map((t) => {
      const d = drafts.get(t.id);
      return { id: t.id, action: t.action, requestedLimit: t.requestedLimit, reason: t.reason, alternatives: t.alternatives, request: d ? { subject: d.subject, body: d.body } : null };
    }),
    notes: rec.notes,
  };
}

/** Every file of the export for this plan: the recommended plan (JSON, YAML), keys CSV, drafts, report. */
export function exportPreview(plan: Plan, events: EventColumns, options: ScreenOptions = {}): ExportPreview {
  const rec = recommend(events, plan, { paths: SCREEN_PATHS, signal: options.signal, ...(options.exportedKeys !== undefined ? { exportedKeys: options.exportedKeys } : {}) });
  return { files: buildExport(rec, null) };
}
