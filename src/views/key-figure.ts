/**
 * One `KeyFigure`: the line every screen shows for an API key (Overview's table, the Projection's
 * chart caption, the API keys table, the key detail), built once from the engine's report.
 */
import type { EventColumns } from '../engine/events.ts';
import type { Report } from '../engine/report.ts';
import type { SimulationResult } from '../engine/result.ts';
import { talliesOf } from '../engine/report-tallies.ts';
import { keyStatus, shareOf } from './status.ts';
import type { Status } from './status.ts';

export interface KeyFigure {
  id: string;
  name: string;
  /** found in the events, not written in the plan */
  inferred: boolean;
  capUsd: number | null;
  /** highest spend in the key's rolling cap window, USD */
  peakUsd: number;
  /** peak / cap; null without a cap */
  peakShare: number | null;
  requests: number;
  /** blocked requests, whatever blocked them */
  blocked: number;
  /** blocked by the key's own cap */
  blockedByCap: number;
  /** blocked by its per-minute or per-hour throttle (SPEC section 9 rule 7); the rest of `blocked` by a workspace spend limit */
  blockedByThrottle: number;
  blockedUsd: number;
  firstBlocked: number | null;
  usableAgain: number | null;
  /** capped-out stretches; the last one's start and end ("capped out until D") */
  episodes: number;
  cappedFrom: number | null;
  cappedUntil: number | null;
  /** the key's last request, ms; null when it made none */
  lastUsed: number | null;
  status: Status;
}

const msOf = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));
const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

/** Each key's last request (index as in `result.plan.keys`), and the events' last time. */
export function lastUse(events: EventColumns, result: SimulationResult): { lastUsed: (number | null)[]; dataEnd: number | null } {
  const { keys, maxTime } = talliesOf(events, result);
  const lastUsed = result.plan.keys.map((_k, i) => (i < keys.count && Number.isFinite(keys.lastUsed[i]) ? keys.lastUsed[i] : null));
  return { lastUsed, dataEnd: Number.isFinite(maxTime) ? maxTime : null };
}

export function keyFigures(events: EventColumns, result: SimulationResult, report: Report): KeyFigure[] {
  const { lastUsed, dataEnd } = lastUse(events, result);
  return report.keys.map((k, i) => {
    const peakShare = shareOf(k.peakRollingUsd, k.capUsd);
    const episodes = result.keyStats[i]?.episodes ?? [];
    const lastEpisode = episodes[episodes.length - 1];
    const figure = {
      id: k.id,
      name: k.name,
      inferred: k.inferred,
      capUsd: k.capUsd,
      peakUsd: k.peakRollingUsd,
      peakShare,
      requests: k.requests,
      blocked: k.blocked,
      blockedByCap: k.blockedBy.key_cap ?? 0,
      blockedByThrottle: (k.blockedBy.actor_minute ?? 0) + (k.blockedBy.actor_hour ?? 0),
      blockedUsd: k.blockedUsd,
      firstBlocked: msOf(k.firstBlockedAt),
      usableAgain: msOf(k.usableAgainAt),
      episodes: episodes.length,
      cappedFrom: lastEpisode ? lastEpisode.from : null,
      cappedUntil: lastEpisode ? finite(lastEpisode.until) : null,
      lastUsed: lastUsed[i] ?? null,
    };
    return { ...figure, status: keyStatus(figure, dataEnd) };
  });
}

/**
 * Statuses without the whole report, for the projection: the same `keyStatus` over the blocked
 * counts and last use of the decisions' tallies (kept per part: an edit tallies only the part it
 * simulated again), with the events' last time, which the projection's axis needs as well.
 */
export function keyStatuses(events: EventColumns, result: SimulationResult): { statuses: Status[]; dataEnd: number | null } {
  const { lastUsed, dataEnd } = lastUse(events, result);
  const { keys: kt } = talliesOf(events, result);
  const statuses = result.plan.keys.map((k, i) => {
    const capUsd = k.capMicros === null ? null : k.capMicros / 1_000_000;
    const peakUsd = (result.keyStats[i]?.peakRollingMicros ?? 0) / 1_000_000;
    const blocked = i < kt.count ? kt.requests[i] - kt.admitted[i] : 0;
    return keyStatus({ blocked, capUsd, peakShare: shareOf(peakUsd, capUsd), lastUsed: lastUsed[i] ?? null }, dataEnd);
  });
  return { statuses, dataEnd };
}
