import type { EventColumns } from '../engine/events.ts';
import { EventType } from '../engine/events.ts';
import { MICROS_PER_USD } from '../engine/units.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';
import type { CapacityFigure, KeyFigure, Overview, Status, TriggerFigure } from '../api/types.ts';

/** A key whose rolling spend reached this share of its cap is "near" it. */
export const NEAR_SHARE = 0.8;

const usd = (micros: number): number => micros / MICROS_PER_USD;
const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

function shareStatus(blocked: number, share: number | null): Status {
  if (blocked > 0) return 'limited';
  return share !== null && share >= NEAR_SHARE ? 'near' : 'ok';
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

export type OverviewBody = Omit<Overview, 'ledger'>;

/** The figures behind "what will this plan throttle", from one simulation over the events. */
export function buildOverview(planName: string, events: EventColumns, result: SimulationResult): OverviewBody {
  const plan = result.plan;
  const nk = plan.keys.length;
  const nt = plan.triggers.length;
  const keyReq = new Float64Array(nk);
  const keyBlocked = new Float64Array(nk);
  const keyCapBlocked = new Float64Array(nk);
  const keyBlockedMicros = new Float64Array(nk);
  const keyFirstBlocked = new Float64Array(nk).fill(Number.POSITIVE_INFINITY);
  const trig = Array.from({ length: nt }, () => ({ arrivals: 0, admitted: 0, delayed: 0, dropped: 0, skipped: 0, pending: 0, delays: [] as number[] }));
  let blockedMessages = 0;
  let poolBlocked = 0;
  const limitBlocked = new Float64Array(plan.spendLimits.length);

  for (let e = 0; e < result.count; e++) {
    const type = events.type[e];
    const outcome = result.outcome[e];
    const reason = result.reason[e] ?? 0;
    const entity = result.entity[e] ?? -1;
    if (reason >= REASON_SPEND_LIMIT_BASE && outcome !== Outcome.admitted) limitBlocked[reason - REASON_SPEND_LIMIT_BASE]! += 1;
    if (type === EventType.api && entity >= 0) {
      keyReq[entity]! += 1;
      if (outcome === Outcome.blocked) {
        keyBlocked[entity]! += 1;
        if (reason === Reason.key_cap) keyCapBlocked[entity]! += 1;
        keyBlockedMicros[entity]! += events.cost[e] ?? 0;
        keyFirstBlocked[entity] = Math.min(keyFirstBlocked[entity]!, events.time[e] ?? 0);
      }
    } else if (type === EventType.trigger && entity >= 0) {
      const t = trig[entity]!;
      t.arrivals++;
      if (reason === Reason.pool) poolBlocked++;
      if (outcome === Outcome.admitted) {
        t.admitted++;
        const delay = (result.admittedAt[e] ?? 0) - (events.time[e] ?? 0);
        t.delays.push(delay);
        if (delay > 0) t.delayed++;
      } else if (outcome === Outcome.dropped) t.dropped++;
      else if (outcome === Outcome.skipped) t.skipped++;
      else if (outcome === Outcome.pending) t.pending++;
    } else if (type === EventType.message && outcome === Outcome.blocked) {
      blockedMessages++;
    }
  }

  const keys: KeyFigure[] = plan.keys.map((k, i) => {
    const stats = result.keyStats[i];
    const peak = stats?.peakRollingMicros ?? 0;
    const share = k.capMicros === null || k.capMicros === 0 ? (k.capMicros === 0 && peak > 0 ? 1 : null) : peak / k.capMicros;
    const episodes = stats?.episodes ?? [];
    const blocked = keyBlocked[i] ?? 0;
    return {
      id: k.id,
      name: k.name,
      inferred: k.inferred,
      capUsd: k.capMicros === null ? null : usd(k.capMicros),
      peakRollingUsd: usd(peak),
      peakShare: share,
      requests: keyReq[i] ?? 0,
      blocked,
      blockedByCap: keyCapBlocked[i] ?? 0,
      blockedUsd: usd(keyBlockedMicros[i] ?? 0),
      firstBlocked: finite(keyFirstBlocked[i] ?? Number.POSITIVE_INFINITY),
      usableAgain: episodes[0]?.until ?? null,
      episodes: episodes.length,
      status: shareStatus(blocked, share),
    };
  });

  const triggers: TriggerFigure[] = plan.triggers.map((t, i) => {
    const f = trig[i]!;
    const sorted = f.delays.sort((a, b) => a - b);
    const throttled = f.delayed + f.dropped + f.skipped + f.pending;
    return {
      id: t.id,
      name: t.name,
      kind: t.kind,
      mode: t.mode,
      inferred: t.inferred,
      limit: finite(t.limit),
      arrivals: f.arrivals,
      admitted: f.admitted,
      delayed: f.delayed,
      dropped: f.dropped,
      skipped: f.skipped,
      pending: f.pending,
      maxDelayMs: sorted.length ? sorted[sorted.length - 1]! : 0,
      p95DelayMs: percentile(sorted, 0.95),
      peakQueue: result.triggerStats[i]?.peakQueue ?? 0,
      status: throttled > 0 ? 'limited' : 'ok',
    };
  });

  const cap = (id: string, label: string, limit: number, peak: number, blocked: number, unit: CapacityFigure['unit']): CapacityFigure => {
    const lim = finite(limit);
    const share = lim === null ? null : lim === 0 ? (peak > 0 ? 1 : 0) : peak / lim;
    return { id, label, limit: lim, peak, peakShare: share, blocked, unit, status: shareStatus(blocked, share) };
  };
  const capacity: CapacityFigure[] = [
    cap('allowance', 'Message allowance (24 h)', plan.allowance, result.allowancePeak, blockedMessages, 'messages'),
    cap('pool', 'Fair-use pool (24 h)', plan.pool, result.poolPeak, poolBlocked, 'runs'),
    ...plan.spendLimits.map((l, j) =>
      cap(`spend:${l.id}`, `Spend limit "${l.id}" (${l.window})`, usd(l.amountMicros), usd(result.spendLimitPeakMicros[j] ?? 0), limitBlocked[j] ?? 0, 'usd'),
    ),
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
      blockedMessages,
    },
  };
}
