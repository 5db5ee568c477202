import type { EventColumns } from '../engine/events.ts';
import { buildReport } from '../engine/report.ts';
import type { SimulationResult } from '../engine/result.ts';
import type { CapacityFigure, Overview, TriggerFigure } from '../api/types.ts';
import { heldLimitFigures } from '../views/held-limits.ts';
import { keyFigures } from '../views/key-figure.ts';
import { limitStatus, shareOf, triggerStatus } from '../views/status.ts';
import { WINDOW_WORDS } from './window-words.ts';

export type OverviewBody = Omit<Overview, 'ledger'>;

/**
 * The figures behind "what will this plan throttle", from one simulation over the events: the
 * report's figures (src/engine/report.ts), with a status for each line.
 */
export function buildOverview(planName: string, events: EventColumns, result: SimulationResult): OverviewBody {
  const report = buildReport(events, result);

  const keys = keyFigures(events, result, report);

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
    status: triggerStatus(t.rateLimited, t.limit),
  }));

  const capacityOf = (id: string, label: string, limit: number | null, peak: number, blocked: number, unit: CapacityFigure['unit']): CapacityFigure => {
    const share = shareOf(peak, limit);
    return { id, label, limit, peak, peakShare: share, blocked, unit, status: limitStatus(blocked, share) };
  };
  const poolHeldBack = report.triggers.reduce((n, t) => n + (t.limitedBy.pool ?? 0), 0);
  const capacity: CapacityFigure[] = [
    capacityOf('allowance', 'Message allowance (24 h)', report.allowance.limit, report.allowance.peak, report.allowance.blockedMessages, 'messages'),
    capacityOf('pool', 'Fair-use pool (24 h)', report.pool.limit, report.pool.peak, poolHeldBack, 'runs'),
    ...report.spendLimits.map((l) => capacityOf(`spend:${l.id}`, `Spend limit "${l.id}" (${WINDOW_WORDS[l.window]})`, l.amountUsd, l.peakUsd, l.blocked, 'usd')),
  ];

  return {
    planName,
    horizon: result.horizon,
    events: result.count,
    keys,
    triggers,
    capacity,
    held: heldLimitFigures(events, result, report),
    headline: {
      keysCapped: keys.filter((k) => k.blockedByCap > 0).length,
      // a key its throttle refused was refused all the same: counted, as the summary's verdict counts it
      keysThrottled: keys.filter((k) => k.blockedByThrottle > 0).length,
      keysLimited: keys.filter((k) => k.status === 'limited').length,
      keysNear: keys.filter((k) => k.status === 'near').length,
      triggersLimited: triggers.filter((t) => t.status === 'limited').length,
      blockedMessages: report.allowance.blockedMessages,
    },
  };
}
