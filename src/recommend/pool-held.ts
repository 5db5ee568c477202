/**
 * Seats when the fair-use pool held the history. The platform's exports hold only the runs it
 * admitted, so a pool that held the fair-use triggers shows as 24 h at exactly the pool, never
 * above it: the busiest 24 h are the pool itself, and seats sized on them come out "already
 * enough" beside a forecast that drops runs for the pool in every path. The demand beyond the pool
 * is read from the forecast instead (its trigger days, a held trigger's at the pace it came at while
 * admitted): the seats at which the pool and the allowance hold every forecast day, in all but the
 * risk's share of the paths. Days the pool cut are still lower bounds on the triggers that share
 * it, so that figure is the least the demand needs, and the advice says so.
 */
import { counted } from '../engine/words.ts';
import { poolOf } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';
import type { Scenario } from '../forecast/scenario.ts';
import { fewestSeats, peakOf, seatLoad } from './hourly.ts';
import { DAYS_LOOKED_AT, lastDaysText } from './days-looked-at.ts';

/** What the forecast's paths say of the pool a plan's fair-use triggers share. */
export interface PoolForecast {
  /**
   * the fewest seats at which the pool and the allowance hold every day of a path (people's
   * messages growing with seats), in all but `risk` of the paths; null when no seat count does
   */
  seats: number | null;
  /** the pool's runs on each path's busiest day: P50 / P90 over the paths */
  busiestDay: { p50: number; p90: number };
  /** share of the paths with a day above the pool at the plan's seats */
  aboveShare: number;
  paths: number;
}

/** Nearest-rank quantile of values sorted ascending (Infinity for "none"). */
function rank(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]! : 0;
}

/**
 * The pool `plan`'s fair-use triggers share, over the forecast's `draws` (per path, per series of
 * `scenario`, its days): what each day takes of the pool and the allowance (seatLoad, as the seats
 * advice reads the history's 24 h), the busiest day, and the seats that hold every day in all but
 * `risk` of the paths. `seen`: the seats the history was made with (people's messages grow from it).
 */
export function poolForecast(draws: readonly Float64Array[][], scenario: Scenario, plan: Plan, seen: number, risk: number): PoolForecast {
  const triggers = scenario.series.flatMap((s, j) => (s.kind === 'trigger_runs' ? [[s.id, j] as const] : []));
  const messages = scenario.series.findIndex((s) => s.kind === 'messages');
  const none = new Float64Array(scenario.days);
  const perSeat = plan.workspace.messagesPerSeatPerDay;
  const poolNow = perSeat === null ? Number.POSITIVE_INFINITY : poolOf(plan.workspace.fairUseShare, plan.workspace.seats * perSeat);
  const seats: number[] = [];
  const busiest: number[] = [];
  let above = 0;
  for (const d of draws) {
    const load = seatLoad(
      plan,
      triggers.map(([id, j]) => [id, d[j]!] as const),
      scenario.days,
    );
    const peak = peakOf(load.pool);
    busiest.push(peak);
    if (peak > poolNow) above++;
    seats.push(fewestSeats(messages >= 0 ? d[messages]! : none, load.pool, load.allowance, { ...plan.workspace, seats: seen }) ?? Number.POSITIVE_INFINITY);
  }
  seats.sort((a, b) => a - b);
  busiest.sort((a, b) => a - b);
  const need = rank(seats, 1 - risk);
  return {
    seats: Number.isFinite(need) ? need : null,
    busiestDay: { p50: Math.round(rank(busiest, 0.5)), p90: Math.round(rank(busiest, 0.9)) },
    aboveShare: draws.length ? above / draws.length : 0,
    paths: draws.length,
  };
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10} %`;

/** The pool at `seats` seats in words: "100 runs per 24 h at 2 seats". */
function poolAt(plan: Plan, seats: number): string {
  const perSeat = plan.workspace.messagesPerSeatPerDay ?? 0;
  return `${counted(poolOf(plan.workspace.fairUseShare, seats * perSeat), 'run')} per 24 h at ${counted(seats, 'seat')}`;
}

/** The seats a pool-held history needs (`poolHeldText`), before and after the recommended trigger changes; null: no seat count. */
export interface PoolHeldSeats {
  before: number | null;
  after: number | null;
}

/**
 * The seats advice of a history the pool held on `days` of the days looked at: not "already
 * enough", but what the forecast needs (`f`, and `seats`: its figure, at least the history's and
 * the people's), and why the history cannot say it. `busiest`: the history's busiest 24 h as the
 * seats advice reads them, in words.
 */
export function poolHeldText(plan: Plan, days: number, historyDays: number, busiest: string, f: PoolForecast, seats: PoolHeldSeats, risk: number): string {
  const perSeat = plan.workspace.messagesPerSeatPerDay ?? 0;
  const held =
    `the fair-use pool (${Math.round(plan.workspace.fairUseShare * 100)} % of ${counted(perSeat, 'message')} a seat: ${poolAt(plan, plan.workspace.seats)}) held the fair-use triggers' runs on ${days} of ${lastDaysText(DAYS_LOOKED_AT, historyDays)}: ` +
    `the exports hold only the runs the platform admitted, so the busiest 24 h (${busiest}) are the pool itself, not the demand, and cannot say the seats are enough`;
  const forecast =
    `the forecast (the triggers' days from that history; a trigger its own limit held, at the pace its runs came at while admitted) puts the pool's busiest day at P50 / P90 ${f.busiestDay.p50.toLocaleString('en-US')} / ${f.busiestDay.p90.toLocaleString('en-US')} runs, ` +
    `above the pool in ${pct(f.aboveShare)} of ${counted(f.paths, 'path')}`;
  const sized =
    seats.before === null
      ? `no seat count holds it in ${pct(1 - risk)} of the paths (people's messages fill the allowance as seats grow): move fair-use triggers to programmatic mode (with their limit overrides) to free their pool units`
      : `${counted(seats.before, 'seat')} (a pool of ${counted(poolOf(plan.workspace.fairUseShare, seats.before * perSeat), 'run')} per 24 h) give the pool and the allowance room for every forecast day in ${pct(1 - risk)} of the paths (the risk the key caps are sized at; people's messages assumed to grow with seats, and never fewer seats than the history's or the people who sent messages)` +
        (seats.after !== null && seats.after !== seats.before ? `; after the recommended trigger changes, ${counted(seats.after, 'seat')}` : '') +
        (seats.after !== null && seats.after > plan.workspace.seats ? `; the recommended plan holds ${counted(seats.after, 'seat')}` : '');
  const bound = 'the days the pool cut are lower bounds on the demand of the triggers that share it, so that is the least it needs: watch for runs the pool refuses once the seats are set';
  return `${held}; ${forecast}: ${sized}; ${bound}`;
}

/** A pooled trigger's advice when the pool held the history: the pool holds it back, and the seats that give it room. */
export function poolHeldTriggerText(plan: Plan, days: number, historyDays: number, f: PoolForecast, seats: number | null): string {
  const who =
    seats === null
      ? 'no seat count gives the pool room for them (see Seats)'
      : `${counted(seats, 'seat')} would give the pool room for them (see Seats${seats > plan.workspace.seats ? '; the recommended plan holds them' : ''})`;
  return (
    `; the fair-use pool it shares (${poolAt(plan, plan.workspace.seats)}) held the fair-use runs on ${days} of ${lastDaysText(DAYS_LOOKED_AT, historyDays)} ` +
    `(the exports hold only the runs the platform admitted, so its days here are what the pool let through, not its demand), and the forecast puts the pool above its limit on some day in ${pct(f.aboveShare)} of ${counted(f.paths, 'path')}: ` +
    `the pool holds its runs back: ${who}`
  );
}
