import type { EventColumns } from '../engine/events.ts';
import { buildReport } from '../engine/report.ts';
import type { SimulationResult } from '../engine/result.ts';
import type { CapacityFigure, KeyFigure, Overview, Status, TriggerFigure } from '../api/types.ts';

/** A key whose rolling spend reached this share of its cap is "near" it. */
export const NEAR_SHARE = 0.8;

function shareStatus(blocked: number, share: number | null): Status {
  if (blocked > 0) return 'limited';
  return share !== null && share >= NEAR_SHARE ? 'near' : 'ok';
}

export type OverviewBody = Omit<Overview, 'ledger'>;

const msOf = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/**
 * The figures behind "what will this plan throttle", from one simulation over the events: the
 * report's figures (src/engine/report.ts), with a status for each line.
 */
export function buildOverview(planName: string, events: EventColumns, result: SimulationResult): OverviewBody {
  const plan = result.plan;
  const report = buildReport(events, result);

  const keys: KeyFigure[] = report.keys.map((k, i) => {
    const cap = plan.keys[i].capMicros;
    const peak = result.keyStats[i]?.peakRollingMicros ?? 0;
    const share = cap === null ? null : cap === 0 ? (peak > 0 ? 1 : null) : peak / cap;
    return {
      id: k.id,
      name: k.name,
      inferred: k.inferred,
      capUsd: k.capUsd,
      peakRollingUsd: k.peakRollingUsd,
      peakShare: share,
      requests: k.requests,
      blocked: k.blocked,
      blockedByCap: k.blockedBy.key_cap ?? 0,
      blockedUsd: k.blockedUsd,
      firstBlocked: msOf(k.firstBlockedAt),
      usableAgain: msOf(k.usableAgainAt),
      episodes: k.cappedOut.length,
      status: shareStatus(k.blocked, share),
    };
  });

  const triggers: TriggerFigure[] = report.triggers.map((t) => ({
    id: t.id,
    name: t.name,
    kind: t.kind,
    mode: t.mode,
    inferred: t.inferred,
    limit: t.limit,
    arrivals: t.arrivals,
    admitted: t.admitted,
    delayed: t.delayed,
    dropped: t.dropped,
    skipped: t.skipped,
    pending: t.pending,
    maxDelayMs: t.maxDelayMs ?? 0,
    p95DelayMs: t.p95DelayMs ?? 0,
    peakQueue: t.peakQueue,
    status: t.rateLimited ? 'limited' : 'ok',
  }));

  const capacityOf = (id: string, label: string, limit: number | null, peak: number, blocked: number, unit: CapacityFigure['unit']): CapacityFigure => {
    const share = limit === null ? null : limit === 0 ? (peak > 0 ? 1 : 0) : peak / limit;
    return { id, label, limit, peak, peakShare: share, blocked, unit, status: shareStatus(blocked, share) };
  };
  const poolHeldBack = report.triggers.reduce((n, t) => n + (t.limitedBy.pool ?? 0), 0);
  const capacity: CapacityFigure[] = [
    capacityOf('allowance', 'Message allowance (24 h)', report.allowance.limit, report.allowance.peak, report.allowance.blockedMessages, 'messages'),
    capacityOf('pool', 'Fair-use pool (24 h)', report.pool.limit, report.pool.peak, poolHeldBack, 'runs'),
    ...report.spendLimits.map((l) => capacityOf(`spend:${l.id}`, `Spend limit "${l.id}" (${l.window})`, l.amountUsd, l.peakUsd, l.blocked, 'usd')),
  ];

  return {
    planName,
    horizon: result.horizon,
    events: result.count,
    keys,
    triggers,
    capacity,
    headline: {
      keysCapped: keys.filter((k) => k.blockedByCap > 0).length,
      keysLimited: keys.filter((k) => k.status === 'limited').length,
      keysNear: keys.filter((k) => k.status === 'near').length,
      triggersLimited: triggers.filter((t) => t.status === 'limited').length,
      blockedMessages: report.allowance.blockedMessages,
    },
  };
}
