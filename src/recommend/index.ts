import { quantile } from 'simple-statistics';
import { counted } from '../engine/words.ts';
import { centsOfUsd, DAY, formatUsd, MICROS_PER_USD, usdNumberToMicros } from '../engine/units.ts';
import type { Micros } from '../engine/units.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { formatDuration, utcWhen } from '../engine/report.ts';
import { canonicalMode, codeOnlyTriggerLimit, keyId, profileOf, resolveTriggerLimit, triggerId, validatePlan } from '../engine/plan.ts';
import type { EnforcementProfile, KeyId, Plan, PlanTrigger, TriggerId } from '../engine/plan.ts';
import { CancelledError, InputError } from '../errors.ts';
import { buildHistory, requireHistory } from '../forecast/series.ts';
import type { DailySeries, History } from '../forecast/series.ts';
import { buildScenario, pathParts } from '../forecast/scenario.ts';
import type { Scenario } from '../forecast/scenario.ts';
import { censoredFromEngine } from '../forecast/censor.ts';
import { rememberCensored } from '../forecast/recorded-censor.ts';
import { impliedCapShort, impliedCapText, readCapShort, statedCapNotes } from '../forecast/implied-cap.ts';
import { batchCapFloorMicros, batchesPerWindow, batchFloorText, batchText } from '../forecast/batch-key.ts';
import type { ImpliedCap, StatedCapCheck } from '../forecast/implied-cap.ts';
import { completionSlack } from '../engine/completion-slack.ts';
import { allowanceHeldText, codeHeldDaysByTrigger, defaultHeldByTrigger, expectedVolume, HELD_DAYS_MIN, occasionalAcrossMidnight, heldAllowanceDays, heldDaysByTrigger, heldPaceText, heldPoolDays, heldText } from './held.ts';
import type { CodeHeldDays, DefaultHeldDays, HeldPace, HeldReading } from './held.ts';
import { poolForecast, poolHeldText, poolHeldTriggerText } from './pool-held.ts';
import type { PoolForecast } from './pool-held.ts';
import { defaultHeldBeforeText, defaultHeldInForce, defaultHeldSeen, heldAtDefaultOf, heldOnText, predatesAsk } from './default-held-advice.ts';
import type { HeldAtDefault } from './default-held-advice.ts';
import { DAYS_LOOKED_AT, lastDaysText } from './days-looked-at.ts';
import { capForRisk, capOutcome, cappedOutChance, chanceAtCap, DEFAULT_RISK } from '../forecast/cap-risk.ts';
import { summariseHistory } from '../forecast/index.ts';
import type { ForecastReport } from '../forecast/index.ts';
import { chanceText, roundCapUsd } from '../forecast/rounding.ts';
import { evidenceText, evidenceWarning, keyEvidence, PROVISIONAL_FACTOR, provisionalCapUsd, provisionalReason, revisitOn, THIN_ACTIVE_DAYS } from '../forecast/key-evidence.ts';
import type { KeyEvidence } from '../forecast/key-evidence.ts';
import { ordinaryHistory, outlierCeiling, SHORT_DAYS } from '../forecast/model.ts';
import type { ModelKind } from '../forecast/model.ts';
import { simulate } from '../engine/simulate.ts';
import { costRowDays } from '../engine/cost-rows.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';
import { atLeastPeople, atSeatsText, fewestSeats, hourlyLoad, peakOf, roll24, seatLoad, seatsSeen, seatsText } from './hourly.ts';
import { applyPlatformTriggerAdvice, byReasonText, limitRequest, recommendSeatsPlatform, recommendTriggersPlatform, replayAnnouncements, runsPer24h, triggerRunTimes, waitingAtHorizonText } from './triggers-platform.ts';
import type { ReplayAnnouncement } from './triggers-platform.ts';
import { triggerForecast, windowPeaks } from './busy-days.ts';
import type { TriggerForecast } from './busy-days.ts';

export { roundCapUsd, roundCount, capStepUsd } from '../forecast/rounding.ts';
export { DEFAULT_RISK, capForRisk, chanceAtCap } from '../forecast/cap-risk.ts';

export interface RecommendOptions {
  /** added on top before rounding (default 0.25 = 25 %): to the p99 window spend for the workspace spend limits, and to the busy days or runs per 24 h for every trigger limit asked of support (triggers-platform.ts limitRequest) */
  headroom?: number;
  /**
   * key caps: the capped-out chance over the next `days` the admin accepts (default 0.05 = 5 %);
   * trigger limits asked of support: the share of forecast paths with more runs than the ask in
   * some 24 h it accepts (busy-days.ts, triggers-platform.ts limitRequest)
   */
  risk?: number;
  /** days ahead for the projected throttle chance (default 30) */
  days?: number;
  /** forecast draws for the projected throttle chance (default 200) */
  paths?: number;
  seed?: number;
  /** checked by the replays (every 65,536 events) and between drawn paths; when aborted the call throws CancelledError */
  signal?: { readonly aborted: boolean };
  /**
   * The keys whose requests in the events are the platform's own export (the ledger's
   * `exportedKeys`): only of them does a note say the history went past the cap the plan states
   * (forecast/implied-cap.ts). Absent: none (the events are demand, as an events CSV's are).
   */
  exportedKeys?: ReadonlySet<string>;
}

export interface KeyRecommendation {
  id: KeyId;
  name: string;
  currentCapUsd: number | null;
  recommendedCapUsd: number;
  action: 'set' | 'raise' | 'lower' | 'keep';
  /**
   * rolling 30-day ORDINARY spend over the history, USD: runaway days clipped (see `incidents`).
   * `extrapolated`: the key has under 30 days of history, so no 30-day window: every figure is its
   * ordinary spend over those days scaled to 30 days, a rate, not a spend it has shown; what it
   * spent over them is `evidence.largest30dUsd` over `evidence.days`, the figure every output
   * gives for such a key (the report, keys.csv, the app's key advice: `spentOverHistory`)
   */
  rolling30: { p50: number; p90: number; p99: number; max: number; daysObserved: number; windows: number; extrapolated: boolean };
  /** runaway days left out of the cap (clipped to the ordinary ceiling), largest first */
  incidents: { date: string; requestedUsd: number; ordinaryCeilingUsd: number; blockedByCapUsd: number }[];
  /** ISO date: setting the recommended cap now blocks the key until then (the window already holds more); null = usable at once */
  blockedUntilIfSetNow: string | null;
  /** projected rolling 30-day peak over the next `days`, USD (P10/P50/P90 of the forecast draws) */
  projectedPeak: { p10: number; p50: number; p90: number };
  /**
   * share of forecast paths in which ordinary use reaches the recommended cap within `days` (≤ the
   * risk); for a provisional cap (`capBasis` observed_spend) the forecast's own chance, which reads
   * the key's few days as a daily rate, so above the risk and no basis for the cap
   */
  throttleChance: number;
  /** same for the current cap (null without a cap) */
  currentThrottleChance: number | null;
  /**
   * a key the plan gives no cap whose history reads as held by one (forecast/implied-cap.ts): that
   * cap, USD; its days at it were read as lower bounds, as the plan's own cap's would be. Absent otherwise
   */
  impliedCapUsd?: number;
  /**
   * a key whose spend is a regular batch (forecast/batch-key.ts): its cadence and amount, and how
   * many batches one cap window holds (the cap lets that many through). Absent otherwise
   */
  batch?: { cadence: 'monthly' | 'every'; dayOfMonth: number; everyDays: number; amountUsd: number; largestUsd: number; batches: number; perWindow: number };
  /** the risk the cap was sized for */
  risk: number;
  /** the forecast model behind the paths, and the history days a limit held down */
  model: ModelKind;
  censoredDays: number;
  /** runaway incidents: share of history days, and the mean runaway spend the recommended cap stops over `days` (USD) */
  runawayRate: number;
  runawayStoppedUsd: number;
  /** mean ordinary spend the recommended cap blocks over `days` (USD) */
  ordinaryBlockedUsd: number;
  /** the trade-off at other risks (and the current cap): what each cap blocks and stops */
  tradeoff: CapTradeoff[];
  reason: string;
  /**
   * What sized the recommended cap: the forecast's paths at the risk, or (a history too thin to
   * forecast, `evidence.thin`) the spend the key has shown, PROVISIONAL_FACTOR × its largest 30 days
   */
  capBasis: 'forecast' | 'observed_spend';
  /** how much of its own use the cap rests on: requests, days with spend, days since its first request */
  evidence: KeyEvidence;
  /** thin or short history: what the admin must know before setting the cap (shown wherever the cap is); null otherwise */
  warning: string | null;
  /** the enforcement profile the advice was computed under (the plan's) */
  profile?: EnforcementProfile;
}

export interface CapTradeoff {
  /** 'current', or the risk the cap was sized for */
  label: string;
  capUsd: number;
  /** chance ordinary use reaches it within `days` */
  cappedOutChance: number;
  /** mean over the paths, USD over `days` */
  ordinaryBlockedUsd: number;
  runawayStoppedUsd: number;
}

export interface TriggerRecommendation {
  id: TriggerId;
  name: string;
  kind: PlanTrigger['kind'];
  mode: PlanTrigger['mode'];
  /** limit per 24 h now; null = no limit */
  limit: number | null;
  /**
   * per UTC day over the last 28 (daysAtLimit: the days its limit held, counted as `headroom
   * simulate` counts them: a 24 h window ending at one of its runs the replay admitted held the
   * limit's runs, and the replay refused none of it beyond the completion times' slack; held.ts)
   */
  daily: { p50: number; p90: number; p99: number; max: number; daysObserved: number; daysAboveLimit: number; daysAtLimit: number };
  /**
   * expected runs per day: the forecast's P90 of its paths' daily means over the next 30 days (at
   * least the history's p90 day); with `expectedFrom` 'held_pace', a trigger its limit held whose
   * pace while admitted is its demand: that pace, the figure the forecast draws the trigger's days
   * around (forecast/held-demand.ts)
   */
  expectedDailyVolume: number;
  /** 'held_pace': `expectedDailyVolume` is `heldPace.perDay`, the demand the forecast draws the trigger's days around, not a P90 of the forecast */
  expectedFrom?: 'held_pace';
  /**
   * runs on the forecast's busy days, what a limit counted over any 24 h must hold: per UTC
   * weekday the P90 of its runs over the paths and the horizon's days, the busiest weekday's (at
   * least the history's p90 day and `expectedDailyVolume`; busy-days.ts). Every limit requested
   * is sized on it too, and stepped up until the forecast has a day above it in at most the
   * advice's risk of paths (triggers-platform.ts limitRequest). A webhook busy on weekdays reads
   * its weekdays here, where `expectedDailyVolume` averages them with its quiet weekends
   */
  busyDayVolume: number;
  /** the weekdays `busyDayVolume` is read on, in words ("Monday to Friday", "every day") */
  busyDays: string;
  /**
   * how far `busyDayVolume` is evidence, when it is not (triggers-platform.ts limitRequest):
   * 'assumed_spread', its limit held it every day, so the band above it is assumed and the ask is
   * sized on its pace; 'extrapolated_growth', a growth fitted on held days runs past the busiest
   * day it ever ran, and the ask rests on that extrapolation
   */
  forecastCaveat?: ForecastCaveat;
  action: 'none' | 'programmatic' | 'override' | 'cannot_move';
  /** limitPer24h to request (override and cannot_move) */
  requestedLimit: number | null;
  /** what sized requestedLimit, in the words of a request to support (triggers-platform.ts limitRequest) */
  requestBasis?: string;
  reason: string;
  /** for scheduled triggers that cannot move: what to do instead */
  alternatives: string[];
  /** the enforcement profile the advice was computed under (the plan's; SPEC section 9) */
  profile: EnforcementProfile;
  /**
   * the fair-use pool it shares held the history (days of the last 28) and the forecast puts the
   * pool above its limit in more than the risk's share of paths: the pool, not its own limit, holds
   * it back; `seats`: the seats that would hold it (the recommended plan's), null when none would
   */
  heldByPool?: { days: number; seats: number | null };
  /** what the recommended plan, replayed over the history under that profile, still refuses (drops or skips) of this trigger (null: nothing) */
  stillRefused: { runs: number; byReason: Record<string, number> } | null;
  /** runs of it the same replay still holds waiting at simulate's horizon (pending: not refused, SPEC section 4) */
  stillWaiting?: number;
  /** runs of it the same replay admits only after a wait: by what they waited for, and the longest wait (ms) */
  stillDelayed?: { runs: number; byReason: Record<string, number>; longestWaitMs: number };
  /** held by its limit: the pace its runs came at while admitted (held.ts), what the requested limit is sized on */
  heldPace?: HeldPace;
  /**
   * a programmatic trigger the docs set no limit that the platform's code held at its default on
   * days before the days looked at only (daysAtLimit 0): those days over the whole history and the
   * last of them (ISO date), which the override it is asked rests on
   */
  codeHeldBefore?: { days: number; lastDay: string };
  /**
   * a webhook held at the platform's default of 42 before the plan's higher `limit` (an override
   * the history predates, in whole or until `stepOn`: forecast/default-hold.ts), read as the
   * forecast and simulate read it: how, and on how many of `daily.daysAtLimit` at the default
   */
  heldAtDefault?: HeldAtDefault;
}

export type ForecastCaveat = 'assumed_spread' | 'extrapolated_growth';

export interface SeatsRecommendation {
  currentSeats: number;
  /** seats at which fair-use triggers stop queueing on the pool and allowance (null = not reachable with seats) */
  seatsNeeded: number | null;
  /** same, once the recommended mode changes are made */
  seatsNeededAfterChanges: number | null;
  peakFairUseRuns24h: number;
  peakFairUseRuns24hAfterChanges: number;
  peakMessages24h: number;
  /** distinct people who sent messages over the days the advice looks at (the last 28): neither seat figure goes below it, as each of them holds an active seat */
  peopleWhoSentMessages: number;
  reason: string;
  /** the enforcement profile the advice was computed under (the plan's) */
  profile: EnforcementProfile;
  /** platform profile: pool units taken in the busiest 24 h by runs their own limit then refused */
  burnedPoolUnits24h?: number;
  /**
   * UTC days of the last 28 the fair-use pool held the triggers' runs, counted as `headroom simulate`
   * counts a held limit's (held.ts heldPoolDays): the seat figures are then sized on the forecast's
   * days (pool-held.ts), not on the history's busiest 24 h, which are the pool itself
   */
  poolHeldDays?: number;
  /** UTC days of the last 28 the allowance held people's messages, counted as `headroom simulate` counts a held limit's (held.ts heldAllowanceDays) */
  allowanceHeldDays?: number;
}

export interface SpendLimitCheck {
  id: string;
  window: 'utc-day' | 'calendar-month' | 'rolling-30d';
  amountUsd: number;
  /** the recommended plan replayed over the history by the engine: what this limit blocks */
  blockedRequests: number;
  blockedRuns: number;
  blockedUsd: number;
  daysWithBlocks: number;
  /** workspace spend per window (keys within their recommended caps + programmatic runs, runaway days clipped), USD */
  ordinary: { p50: number; p99: number; max: number };
  /** highest window of the next `days` in the forecast draws, each key's spend held to its recommended cap (P10/P50/P90, USD), and the share of draws above the limit */
  projectedPeak: { p10: number; p50: number; p90: number };
  projectedChanceAbove: number;
  action: 'keep' | 'raise';
  /** the amount to set (= amountUsd when kept); not written into the recommended plan */
  recommendedAmountUsd: number;
  reason: string;
}

export interface RecoveryStep {
  date: string;
  freesUsd: number;
  rollingAfterUsd: number;
}

export interface KeyRecovery {
  id: KeyId;
  capUsd: number;
  /** spend the engine ADMITTED for the key in the cap window ending with the history */
  rollingSpendUsd: number;
  /** ISO time when the key works again (rolling spend below the cap); null = never under this cap (a $0 cap blocks every request, as `simulate`'s usableAgainAt null) */
  usableAgain: string | null;
  schedule: RecoveryStep[];
  summary: string;
}

export interface RecommendReport {
  history: ForecastReport['history'];
  headroom: number;
  /** key caps: capped-out chance accepted over `days`; trigger limits asked: the share of paths with more runs than the ask in some 24 h */
  risk: number;
  days: number;
  keys: KeyRecommendation[];
  triggers: TriggerRecommendation[];
  seats: SeatsRecommendation;
  /** the workspace spend limits checked against the recommended plan */
  spendLimits: SpendLimitCheck[];
  recovery: KeyRecovery[];
  /** the plan with the recommended caps and modes (validates with validatePlan) */
  plan: Plan;
  notes: string[];
  /** the enforcement profile every recommendation here was computed under (the plan's) */
  profile: EnforcementProfile;
  /** what the recommended plan, replayed over the history under that profile, still refuses */
  replay: ReplayAnnouncement;
}

/** a workspace spend limit should block ordinary use in at most this share of 30-day forecasts */
const MAX_THROTTLE_CHANCE = 0.1;
/** risks shown beside the chosen one in each key's trade-off */
const TRADEOFF_RISKS = [0.01, 0.05, 0.1, 0.25];

const usd = (micros: number) => Math.round(micros) / MICROS_PER_USD;
// whole dollars stay whole ($350); anything else shows cents ($267.30, not $267.3), rounded as
// the report's and keys.csv's money cells round the same figure (engine/units.ts centsOf): on its
// micro-dollars, not its binary float (x * 100 put $58.465 at $58.46 here, $58.47 in the table)
const fmt = (x: number) => {
  const cents = centsOfUsd(x);
  return cents % 100 === 0 ? `${cents < 0 ? '-' : ''}$${Math.abs(cents / 100).toLocaleString('en-US')}` : formatUsd(cents * 10_000);
};
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function recommend(events: EventColumns, plan: Plan, options: RecommendOptions = {}): RecommendReport {
  const headroom = options.headroom ?? 0.25;
  if (!(headroom >= 0 && headroom <= 10)) throw new InputError(`--headroom must be a share from 0 to 10 (0.25 = 25 %), not ${headroom}`);
  const risk = options.risk ?? DEFAULT_RISK;
  if (!(risk > 0 && risk < 1)) throw new InputError(`--risk must be a share above 0 and below 100 % (5% or 0.05), not ${risk}`);
  const history = buildHistory(events);
  requireHistory(history);
  const days = options.days ?? 30;
  const paths = options.paths ?? 200;
  const seed = options.seed ?? 1;
  // the current plan replayed over the history: what it admitted, what its caps blocked, and
  // which days a limit held the history down (lower bounds for the forecast). Up to simulate's
  // horizon (the last event + 30 days, SPEC section 4): queued runs keep being released after the
  // history ends, and stopping at its end counted runs simulate admits as lost
  const current = simulate(plan, events, { signal: options.signal });
  const censored = censoredFromEngine(events, current, history, options.exportedKeys);
  // the export's forecast judges the history by this plan too: it reads these days, not a replay
  rememberCensored(events, plan, censored, options.exportedKeys);
  const scenario = buildScenario(history, plan, days, {}, censored.days, undefined, options.signal, censored.heldDemand);
  const ordinaryDraws: Float64Array[][] = [];
  const runawayDraws: Float64Array[][] = [];
  const draws: Float64Array[][] = [];
  // each path's block (`pathBlock`), which the trigger asks are checked on as the forecast runs them
  const blocks: Float64Array[] = [];
  for (let p = 0; p < paths; p++) {
    if (options.signal?.aborted) throw new CancelledError();
    const { ordinary, runaway, block } = pathParts(scenario, seed, p);
    blocks.push(block);
    ordinaryDraws.push(ordinary);
    runawayDraws.push(runaway);
    draws.push(ordinary.map((o, j) => o.map((v, h) => v + runaway[j][h])));
  }
  const seriesIndex = new Map(scenario.series.map((s, j) => [`${s.kind}:${s.id}`, j]));
  // a held trigger's pace, read once with the forecast's, and whether the forecast draws its days
  // around it (forecast/held-demand.ts): the advice gives that pace as its expected volume exactly then
  const paced = new Set(scenario.series.filter((s) => s.kind === 'trigger_runs' && s.model.heldDemand !== undefined).map((s) => s.id));
  const held = (id: string): HeldReading => ({ pace: censored.heldDemand.get(id) ?? null, isDemand: paced.has(id) });
  const profile = profileOf(plan);
  const keys = recommendKeys(history, plan, risk, { scenario, ordinary: ordinaryDraws, runaway: runawayDraws }, seriesIndex, capBlockedByDay(events, history, current), censored.impliedCaps, costRowDays(events), censored.heldAtReading).map((k) => ({
    ...k,
    profile,
  }));
  // the days a trigger's limit held over the last 28, counted as `headroom simulate` counts them
  const slack = completionSlack(events, current);
  const heldDays = heldDaysByTrigger(events, current, slack.triggers, history.end - DAYS_LOOKED_AT * DAY);
  // trigger, seat and pool advice under the platform's code: src/recommend/triggers-platform.ts
  // webhooks held at the platform's default before the plan's higher limit, read once for either profile's advice
  const defaultHeld = defaultHeldByTrigger(events, current, slack.triggers, history.end - DAYS_LOOKED_AT * DAY);
  // what the forecast says of each trigger, one reading for either profile's advice (busy-days.ts):
  // its average day, and the busy days its limit must hold at the risk the key caps take
  // each trigger's busiest 24 h per path, as the forecast's Monte Carlo places its runs (the
  // history's last day leading in, at the plan's window edge): read when its ask is checked
  const peaks = windowPeaks(scenario, blocks, seed, DAY + current.plan.edgeMs);
  const forecastOf = (id: string, recent: number[]): TriggerForecast => {
    const j = seriesIndex.get(`trigger_runs:${id}`);
    const lead = () => triggerRunTimes(events, id, scenario.from - 2 * DAY, scenario.from);
    const m = j === undefined ? undefined : scenario.series[j]!.model;
    const fit = m === undefined ? undefined : { heldEveryDay: m.heldEveryDay, kind: m.kind, censoredDays: m.censoredDays, maxDay: m.maxDay };
    return triggerForecast(draws, j, scenario.from, recent, risk, () => (j === undefined ? undefined : peaks(j, lead())), fit);
  };
  const triggers =
    profile === 'platform'
      ? recommendTriggersPlatform(events, history, plan, headroom, current, forecastOf, heldDays, slack, held, defaultHeld)
      : recommendTriggers(events, history, plan, headroom, forecastOf, heldDays, codeHeldDaysByTrigger(events, current, history.end - DAYS_LOOKED_AT * DAY), current.plan.edgeMs, held, defaultHeld);
  // a trigger left at "none" is checked on the forecast's paths against its own limit as an ask is:
  // the pool-held webhooks forecast at 47 a day above their own 42 were told "within its limit"
  // while the recommended plan's forecast dropped their runs in 86–100 % of paths
  const ownLimit = ownLimitAsks(events, history, triggers, headroom, risk, profile, forecastOf);
  const recommended = profile === 'platform' ? applyPlatformTriggerAdvice(applyRecommendations(plan, keys, []), triggers) : applyRecommendations(plan, keys, triggers);
  const seats = profile === 'platform' ? recommendSeatsPlatform(events, history, plan, recommended) : recommendSeats(events, history, plan, recommended);
  // held at the pool, the busiest 24 h show the pool itself: seats sized on them said "already
  // enough" beside a forecast that drops runs for it in every path. Its held days counted as
  // simulate counts a held limit's (held.ts); the seats sized on the forecast's days (pool-held.ts)
  const poolHeldDays = heldPoolDays(events, current, history.end - DAYS_LOOKED_AT * DAY) ?? 0;
  let poolHeld: { days: number; forecast: PoolForecast } | null = null;
  if (poolHeldDays >= HELD_DAYS_MIN && plan.workspace.messagesPerSeatPerDay !== null) {
    const people = seats.peopleWhoSentMessages;
    const seen = seatsSeen(plan.workspace.seats, people);
    const f = poolForecast(draws, scenario, plan, seen, risk);
    const fAfter = poolForecast(draws, scenario, recommended, seen, risk);
    // never below what the history's own 24 h need, nor the people who each hold a seat
    const atLeast = (forecastSeats: number | null, historySeats: number | null): number | null => (forecastSeats === null || historySeats === null ? null : Math.max(forecastSeats, historySeats, people));
    const sized = { before: atLeast(f.seats, seats.seatsNeeded), after: atLeast(fAfter.seats, seats.seatsNeededAfterChanges) };
    const busiest = `${counted(seats.peakFairUseRuns24h, 'fair-use run')} and ${counted(seats.peakMessages24h, "person's message", "people's messages")} ${atSeatsText(plan.workspace.seats, people)}`;
    seats.poolHeldDays = poolHeldDays;
    seats.seatsNeeded = sized.before;
    seats.seatsNeededAfterChanges = sized.after;
    seats.reason = `${profile === 'platform' ? "under the platform's code, " : ''}${poolHeldText(plan, poolHeldDays, history.days, busiest, f, sized, risk)}`;
    poolHeld = { days: poolHeldDays, forecast: f };
  }
  // held at the allowance, the busiest 24 h show the allowance itself: seats sized on them would say
  // "already enough"; its held days counted as simulate counts a held limit's (held.ts)
  const allowanceHeld = heldAllowanceDays(events, current, slack.allowance, history.end - DAYS_LOOKED_AT * DAY) ?? 0;
  if (allowanceHeld >= HELD_DAYS_MIN && plan.workspace.messagesPerSeatPerDay !== null) {
    seats.allowanceHeldDays = allowanceHeld;
    // how many seats stop the queueing cannot be read from a held history, but each person who sent
    // messages holds an active seat whatever it shows: the floor stands, as on the other path
    const people = seats.peopleWhoSentMessages;
    const floor = people > plan.workspace.seats ? people : null;
    seats.seatsNeeded = floor;
    seats.seatsNeededAfterChanges = floor;
    // how many seats the pool needs cannot be read either when the allowance held people's messages too
    poolHeld = null;
    seats.reason = allowanceHeldText(plan.workspace.seats * plan.workspace.messagesPerSeatPerDay, plan.workspace.messagesPerSeatPerDay, allowanceHeld, history.days);
    if (floor !== null) seats.reason += `; at least ${counted(people, 'seat')} all the same: the ${counted(people, 'person', 'people')} who sent messages over ${lastDaysText(DAYS_LOOKED_AT, history.days)} each use an active seat`;
  }
  // the pool held the history: the seats its forecast needs go into the recommended plan (and the
  // report's forecast of it), as the seats advice says
  const poolSeats = poolHeld === null ? null : seats.seatsNeededAfterChanges;
  const poolSeatsRaised = poolSeats !== null && poolSeats > recommended.workspace.seats;
  if (poolSeatsRaised) recommended.workspace.seats = poolSeats;
  if (poolHeld !== null) {
    // a trigger that still shares the pool: not "no change needed", the pool holds it back
    const platform = profile === 'platform';
    for (const t of triggers) {
      const pt = recommended.triggers.find((x) => x.id === t.id);
      const inPool = canonicalMode(pt?.mode ?? t.mode) === 'fair_use' && !(platform && (pt?.kind ?? t.kind) === 'scheduled');
      if (!inPool || !history.triggers.some((x) => x.id === t.id) || poolHeld.forecast.aboveShare <= risk) continue;
      t.heldByPool = { days: poolHeld.days, seats: poolSeats };
      t.reason += poolHeldTriggerText(plan, poolHeld.days, history.days, poolHeld.forecast, poolSeats);
    }
  }
  // said after the pool's words: its own limit holds it once the pool has room
  for (const t of triggers) {
    const text = ownLimit.get(t.id);
    if (text !== undefined) t.reason += text(t.heldByPool !== undefined);
  }
  // a plan with fewer seats than the people who use the workspace misdescribes it (each holds an
  // active seat): the recommended plan, and the replay of it below, hold them all
  const seatsRaised = recommended.workspace.seats < seats.peopleWhoSentMessages;
  if (seatsRaised) recommended.workspace.seats = seats.peopleWhoSentMessages;
  // to simulate's horizon too, so what it still refuses is what `headroom simulate` of the recommended plan says
  const after = simulate(recommended, events, { signal: options.signal });
  const replay = replayAnnouncements(events, after);
  for (const t of triggers) {
    const still = replay.triggers.find((x) => x.id === t.id);
    if (!still) continue;
    if (still.refused > 0) {
      t.stillRefused = { runs: still.refused, byReason: still.byReason };
      t.reason += `; the recommended plan replayed over the history still refuses ${still.refused.toLocaleString('en-US')} of its runs (${byReasonText(still.byReason, 'trigger')})`;
    }
    if (still.delayed > 0) {
      t.stillDelayed = { runs: still.delayed, byReason: still.delayedByReason, longestWaitMs: still.longestWaitMs };
      t.reason += `; the recommended plan replayed over the history still delays ${still.delayed.toLocaleString('en-US')} of its runs (${byReasonText(still.delayedByReason, 'trigger')}), up to ${formatDuration(still.longestWaitMs)}`;
      // the plan keeps the admin's seats (a cost): say how many would hold what the pool or the allowance delays
      const byWorkspace = (still.delayedByReason.pool ?? 0) + (still.delayedByReason.allowance ?? 0);
      const enough = seats.seatsNeededAfterChanges;
      if (byWorkspace > 0 && enough !== null && enough > recommended.workspace.seats) t.reason += ` (${counted(enough, 'seat')} would hold them: see Seats)`;
    }
    if (still.waiting > 0) {
      t.stillWaiting = still.waiting;
      t.reason += `; ${waitingAtHorizonText(still.waiting, 'the recommended plan replayed over the history')}`;
    }
  }
  const spendLimits = checkSpendLimits(events, history, recommended, after, headroom, { draws, scenario });
  const recovery = recoverySchedules(events, history, plan, current);
  const notes: string[] = [];
  // no key has a 30-day window: its figures are what it spent over its days, said as such (rolling30 keeps the rate, marked extrapolated)
  if (history.days < 30) notes.push(`only ${counted(history.days, 'day')} of history, so no key has a 30-day window: each key's spend is given over the days it has ("N days of history"), not scaled up to 30 days`);
  for (const note of evidenceNotes(keys)) notes.push(note);
  // a key held by a cap the plan does not state is said apart: the plan's own cap did not hold it
  const censoredKeys = censored.series.filter((c) => c.kind === 'key_spend' && !censored.impliedCaps.has(c.id) && !censored.heldAtReading.has(c.id));
  const heldByImplied = censored.series.filter((x) => x.kind === 'key_spend' && censored.impliedCaps.has(x.id));
  for (const c of heldByImplied.slice(0, 10)) {
    notes.push(
      `${impliedCapText(c.id, censored.impliedCaps.get(c.id)!)}; ` +
        `its ${c.days} of the history's ${counted(history.days, 'day')} at that cap are read as lower bounds on demand, as if the plan stated it, and its cap is sized on that demand, not on what the cap let through`,
    );
  }
  if (heldByImplied.length > 10) {
    const more = heldByImplied.slice(10).map((c) => c.id);
    notes.push(`${more.length} more keys look held by caps the plan does not state, read and sized the same way (each key's advice names its cap): ${more.slice(0, 20).join(', ')}${more.length > 20 ? ', …' : ''}`);
  }
  // a cap the plan states that the history contradicts, said where the caps it does not state are
  // a key judged at the level its history reads as held at, not at the plan's cap, says so there
  const readDays = new Map(censored.series.filter((c) => c.kind === 'key_spend' && censored.heldAtReading.has(c.id)).map((c) => [c.id, c.days]));
  const readBounds = (c: StatedCapCheck) => {
    const n = readDays.get(c.id);
    return n === undefined
      ? ''
      : `; its ${n} of the history's ${counted(history.days, 'day')} at that level are read as lower bounds on demand, and its cap is sized on that demand, not on what held it`;
  };
  for (const note of statedCapNotes(censored.statedCaps, readBounds)) notes.push(note);
  if (censoredKeys.length) {
    notes.push(
      `spend held at the cap on ${censoredKeys.map((c) => `${c.id} (${c.days} of the history's ${counted(history.days, 'day')})`).join(', ')}: ` +
        'those days show what the cap let through, not demand; they are forecast as lower bounds and the band widened',
    );
  }
  if (seatsRaised) {
    const people = seats.peopleWhoSentMessages;
    notes.push(`the recommended plan holds ${counted(people, 'seat')}, not ${plan.workspace.seats}: the ${counted(people, 'person', 'people')} who sent messages over ${lastDaysText(DAYS_LOOKED_AT, history.days)} each use an active seat`);
  }
  if (poolSeatsRaised) {
    notes.push(`the recommended plan holds ${counted(recommended.workspace.seats, 'seat')}, not ${plan.workspace.seats}: the fair-use pool held the history on ${poolHeld?.days ?? 0} of ${lastDaysText(DAYS_LOOKED_AT, history.days)}, and the forecast needs them (see Seats)`);
  }
  if (seats.allowanceHeldDays !== undefined) {
    notes.push(`people's messages held at the allowance on ${seats.allowanceHeldDays} of ${lastDaysText(DAYS_LOOKED_AT, history.days)}: those days show what the allowance let through, not demand (see Seats)`);
  }
  for (const l of spendLimits.filter((x) => x.action === 'raise')) notes.push(`spend limit ${l.id}: ${l.reason}`);
  if (profile === 'platform') notes.push("computed under the platform's code (enforcement.profile platform)");
  // an explicit field wins over the profile (SPEC section 9): said, as simulate says it
  if (profile === 'platform' && plan.enforcement.webhookWhenLimited === 'queue' && plan.triggers.some((t) => t.kind === 'webhook')) {
    notes.push('limited webhooks wait here because the plan sets enforcement.webhookWhenLimited "queue": a what-if; the platform\'s code drops them (leave the field out, or set "drop", for what it does)');
  }
  // under either profile: a recommended cap below what the history spent blocks requests the
  // advice must announce (docs/platform-profile.md: it throttles nothing it does not say)
  for (const sentence of replay.sentences) notes.push(sentence);
  return { history: summariseHistory(history), headroom, risk, days, keys, triggers, seats, spendLimits, recovery, plan: recommended, notes, profile, replay };
}

interface KeyPaths {
  scenario: Scenario;
  ordinary: Float64Array[][];
  runaway: Float64Array[][];
}

function recommendKeys(
  history: History,
  plan: Plan,
  risk: number,
  paths: KeyPaths,
  seriesIndex: Map<string, number>,
  byDay: { blocked: Map<string, Float64Array>; admitted: Map<string, Float64Array> },
  implied: ReadonlyMap<string, ImpliedCap>,
  /** by key, its days that hold the cost export's daily rows, which count no requests (engine/cost-rows.ts) */
  costDays: ReadonlyMap<string, ReadonlyMap<number, number>>,
  /** keys the plan gives a cap judged at the level their history reads as held at (CensorSummary.heldAtReading) */
  heldAtReading: ReadonlyMap<string, StatedCapCheck>,
): KeyRecommendation[] {
  const capBlocked = byDay.blocked;
  const days = paths.scenario.days;
  const out: KeyRecommendation[] = [];
  for (const s of history.keys) {
    const pk = plan.apiKeys.find((k) => k.id === s.id);
    const j = seriesIndex.get(`key_spend:${s.id}`);
    if (j === undefined) continue;
    const model = paths.scenario.series[j].model;
    // A cap is sized for ordinary use: a runaway day (a looping script) is an incident the cap
    // exists to stop, so it counts at the model's ordinary value for that day, not at all as demand.
    const ceiling = outlierCeiling(s.values);
    const ordinary = ordinaryHistory(s.values, model);
    const blocked = capBlocked.get(s.id);
    const dayOffset = Math.round((s.start - history.start) / DAY);
    const incidents = s.values
      .map((v, d) => ({ d, v }))
      .filter((x) => x.v > ceiling)
      .sort((a, b) => b.v - a.v)
      .map((x) => ({ date: day(s.start + x.d * DAY), requestedUsd: usd(x.v), ordinaryCeilingUsd: usd(ceiling), blockedByCapUsd: usd(blocked?.[dayOffset + x.d] ?? 0) }));
    const roll = rolling30(ordinary);
    const [p50, p90, p99] = quantile(roll.sums, [0.5, 0.9, 0.99]);
    let maxRoll = 0;
    for (const x of roll.sums) if (x > maxRoll) maxRoll = x;
    const last29 = ordinary.slice(-29);
    const ordPaths = paths.ordinary.map((d) => d[j]);
    const runPaths = paths.runaway.map((d) => d[j]);
    // A forecast fitted to days held at the cap (lower bounds) can run away from anything the
    // history shows: a cap from such paths would be no advice (and past what micro-USD can count).
    // It is held to PLAUSIBLE_FACTOR times the most the key spent in 30 days or its current cap.
    const current = pk?.capUsd ?? null;
    const plausible = roundCapUsdMicros(PLAUSIBLE_FACTOR * Math.max(maxRoll, current === null ? 0 : usdNumberToMicros(current), MICROS_PER_USD));
    let clamped = false;
    const bounded = (c: { cap: number; chance: number; peaks: number[] }) => {
      if (c.cap <= plausible) return c;
      clamped = true;
      return { ...c, cap: plausible, chance: chanceAtCap(c.peaks, plausible) };
    };
    // a batch key's cap lets through as many batches as one cap window holds (batch-key.ts), which
    // the horizon's paths may not show (February's and March's batches 28 days apart)
    const batch = paths.scenario.series[j].batch;
    const floor = batch === undefined ? 0 : batchCapFloorMicros(batch, plan.enforcement.keyCapWindowDays);
    const roundUp = floor > 0 ? (m: number) => Math.max(roundCapUsdMicros(m), roundCapUsdMicros(floor)) : roundCapUsdMicros;
    const sized = bounded(capForRisk(last29, ordPaths, risk, roundUp));
    const peaks = sized.peaks;
    const [q10, q50, q90] = peaks.length ? quantile(peaks, [0.1, 0.5, 0.9]) : [0, 0, 0];
    const cap = sized.cap / MICROS_PER_USD;
    const currentChance = current === null ? null : cappedOutChance(last29, ordPaths, usdNumberToMicros(current));
    const outcome = (capMicros: number) => capOutcome(last29, ordPaths, runPaths, capMicros);
    const chosen = outcome(sized.cap);
    const tradeoff: CapTradeoff[] = [];
    for (const r of TRADEOFF_RISKS) {
      const c = r === risk ? sized : bounded(capForRisk(last29, ordPaths, r, roundUp));
      const o = r === risk ? chosen : outcome(c.cap);
      tradeoff.push({ label: `${chanceText(r)} risk`, capUsd: c.cap / MICROS_PER_USD, cappedOutChance: c.chance, ordinaryBlockedUsd: o.ordinaryBlockedUsd, runawayStoppedUsd: o.runawayStoppedUsd });
    }
    if (!TRADEOFF_RISKS.includes(risk)) tradeoff.push({ label: `${chanceText(risk)} risk`, capUsd: cap, cappedOutChance: sized.chance, ...chosen });
    if (current !== null) {
      const o = outcome(usdNumberToMicros(current));
      tradeoff.push({ label: 'current', capUsd: current, cappedOutChance: currentChance ?? 0, ordinaryBlockedUsd: o.ordinaryBlockedUsd, runawayStoppedUsd: o.runawayStoppedUsd });
    }
    tradeoff.sort((a, b) => a.capUsd - b.capUsd);
    const impliedCap = current === null && model.censoredDays > 0 ? implied.get(s.id) : undefined;
    const readCap = model.censoredDays > 0 ? heldAtReading.get(s.id) : undefined;
    const heldBy = impliedCap !== undefined ? `${impliedCapShort(impliedCap)} (see the notes),` : readCap !== undefined ? `${readCapShort(readCap)} (see the notes),` : 'the cap';
    const modelText =
      `model: ${batch !== undefined ? `${batchText(batch)}, its next batches on that cadence` : MODEL_TEXT[model.kind]}${model.shiftAt !== null ? `, fitted after a level shift on ${day(model.shiftAt)}` : ''}` +
      `${model.censoredDays ? `, ${model.censoredDays} day${model.censoredDays === 1 ? '' : 's'} held at ${heldBy} read as lower bounds` : ''}`;
    const projected = `projected peak rolling 30-day ordinary spend P50 ${fmt(usd(q50))}, P90 ${fmt(usd(q90))}`;
    let reason = clamped
      ? `the forecast's paths over the next ${counted(days, 'day')} (${modelText}) run far past anything this key's history shows, so no cap it would size is advice: ` +
        `${fmt(cap)} is ${PLAUSIBLE_FACTOR} × the higher of its largest 30-day spend and its current cap, reached in ${chanceText(sized.chance)} of ${counted(peaks.length, 'path')}; ${projected}; ` +
        `the exports hold only what the platform admitted and cannot show demand beyond a cap, so raise it in steps and watch`
      : `the smallest round cap that ordinary use reaches in at most ${chanceText(risk)} of ${peaks.length} forecast paths over the next ${counted(days, 'day')} (${modelText}): ` +
        `${fmt(cap)}, reached in ${chanceText(sized.chance)}; ${projected}`;
    if (batch !== undefined && !clamped) {
      // the floor, not the horizon's paths, sized it: said as such
      const free = capForRisk(last29, ordPaths, risk, roundCapUsdMicros).cap;
      if (sized.cap > free) {
        reason =
          `the forecast's paths over the next ${counted(days, 'day')} (${modelText}) need ${fmt(free / MICROS_PER_USD)} at ${chanceText(risk)} risk; ${projected}; ` +
          `${batchFloorText(batch, plan.enforcement.keyCapWindowDays, fmt(cap))}, reached in ${chanceText(sized.chance)} of ${counted(peaks.length, 'path')}`;
      }
    }
    if (incidents.length) {
      const top = incidents[0];
      const blockedTotal = incidents.reduce((a, x) => a + x.blockedByCapUsd, 0);
      reason =
        `${incidents.length} runaway day${incidents.length === 1 ? '' : 's'} left out of ordinary use as incident${incidents.length === 1 ? '' : 's'} ` +
        `(largest ${fmt(top.requestedUsd)} requested on ${top.date}` +
        `${blockedTotal > 0 ? `; the current cap blocked ${fmt(Math.round(blockedTotal * 100) / 100)} of it, which is the cap doing its job` : ''}); ` +
        `at their rate this cap stops about ${fmt(chosen.runawayStoppedUsd)} of runaway spend in ${counted(days, 'day')} ` +
        `and blocks about ${fmt(chosen.ordinaryBlockedUsd)} of ordinary use; ` +
        reason;
    }
    // A key seen on a few days gives the forecast those days to read as its daily rate: its cap is
    // sized on the spend it has shown instead (src/forecast/key-evidence.ts), and said so
    const evidence = keyEvidence(s, costDays.get(s.id));
    const warning = evidenceWarning(evidence);
    let action: KeyRecommendation['action'];
    let recommendedCap = cap;
    if (evidence.thin) {
      const provisional = provisionalCapUsd(evidence);
      recommendedCap = provisional;
      reason = provisionalReason(evidence, provisional, cap);
      if (current === null) action = 'set';
      else if (current >= provisional && current <= provisional * 1.25) {
        action = 'keep';
        recommendedCap = current;
        reason += `; the current cap of ${fmt(current)} allows as much and not far more: keep it`;
      } else if (current < provisional) {
        action = 'raise';
        reason += `; the current cap of ${fmt(current)} leaves less room than that`;
      } else {
        action = 'lower';
        reason += `; the current cap of ${fmt(current)} lets it spend far more than it has ever shown`;
      }
    } else if (current === null) action = 'set';
    else if ((currentChance ?? 0) <= risk && current <= cap * 1.25) {
      // within the risk and not much looser than needed: no reason to move it
      action = 'keep';
      recommendedCap = current;
      reason += `; the current cap of ${fmt(current)} is reached in ${chanceText(currentChance ?? 0)} of paths, within the risk: keep it`;
    } else if (current < cap) {
      action = 'raise';
      reason += `; the current cap of ${fmt(current)} is reached by ordinary use in ${chanceText(currentChance ?? 0)} of paths, above the ${chanceText(risk)} risk`;
    } else {
      action = 'lower';
      reason += `; the current cap of ${fmt(current)} is far above what ordinary use needs at this risk`;
    }
    if (evidence.short) reason = `${warning ?? ''}; ${reason}`;
    // the one computation of a capped-out chance (forecast/cap-risk.ts): the report's Monte Carlo
    // table gives the same for the same paths beside what its simulation blocks
    const throttle = cappedOutChance(last29, ordPaths, usdNumberToMicros(recommendedCap));
    const final = recommendedCap === cap ? chosen : outcome(usdNumberToMicros(recommendedCap));
    const stuckUntil = action === 'keep' ? null : blockedUntilIfSetNow(byDay.admitted.get(s.id), history, plan.enforcement.keyCapWindowDays, usdNumberToMicros(recommendedCap));
    if (stuckUntil) {
      reason += `; note: the last ${counted(plan.enforcement.keyCapWindowDays, 'day')} already ${plan.enforcement.keyCapWindowDays === 1 ? 'holds' : 'hold'} more than ${fmt(recommendedCap)} of admitted spend${incidents.length ? ' (the runaway day included)' : ''}, so once this cap is set the key is blocked until about ${stuckUntil}`;
    }
    out.push({
      id: keyId(s.id),
      name: pk?.name ?? s.id,
      currentCapUsd: current,
      recommendedCapUsd: recommendedCap,
      action,
      incidents,
      blockedUntilIfSetNow: stuckUntil,
      rolling30: { p50: usd(p50), p90: usd(p90), p99: usd(p99), max: usd(maxRoll), daysObserved: roll.daysObserved, windows: roll.sums.length, extrapolated: roll.extrapolated },
      projectedPeak: { p10: usd(q10), p50: usd(q50), p90: usd(q90) },
      throttleChance: throttle,
      currentThrottleChance: currentChance,
      ...(impliedCap === undefined ? {} : { impliedCapUsd: impliedCap.capMicros / MICROS_PER_USD }),
      ...(batch === undefined
        ? {}
        : {
            batch: {
              cadence: batch.kind,
              dayOfMonth: batch.dayOfMonth,
              everyDays: batch.everyDays,
              amountUsd: usd(batch.amount),
              largestUsd: usd(batch.largest),
              batches: batch.batches,
              perWindow: batchesPerWindow(batch, plan.enforcement.keyCapWindowDays),
            },
          }),
      risk,
      model: model.kind,
      censoredDays: model.censoredDays,
      runawayRate: model.runaway.rate,
      runawayStoppedUsd: final.runawayStoppedUsd,
      ordinaryBlockedUsd: final.ordinaryBlockedUsd,
      tradeoff,
      reason,
      capBasis: evidence.thin ? 'observed_spend' : 'forecast',
      evidence,
      warning,
    });
  }
  return out;
}

/** The keys whose cap rests on a thin or short history, said once for the whole recommendation. */
function evidenceNotes(keys: readonly KeyRecommendation[]): string[] {
  const notes: string[] = [];
  const thin = keys.filter((k) => k.evidence.thin);
  if (thin.length) {
    notes.push(
      `${counted(thin.length, 'API key')} with a history too thin to forecast (spend on fewer than ${THIN_ACTIVE_DAYS} days): ` +
        `${thin.slice(0, 10).map((k) => `${k.id} (${evidenceText(k.evidence)}; provisional cap ${fmt(k.recommendedCapUsd)})`).join(', ')}${thin.length > 10 ? `, … ${thin.length - 10} more` : ''}; ` +
        `each cap is ${PROVISIONAL_FACTOR} × the most the key has spent in any 30 days, a starting budget rather than a forecast: revisit it once the key has spent on ${THIN_ACTIVE_DAYS} days`,
    );
  }
  const short = keys.filter((k) => k.evidence.short);
  if (short.length) {
    notes.push(
      `${counted(short.length, 'API key')} first used fewer than ${SHORT_DAYS} days before the history ends: ` +
        `${short.slice(0, 10).map((k) => `${k.id} (${counted(k.evidence.days, 'day')} of history, revisit after ${revisitOn(k.evidence)})`).join(', ')}${short.length > 10 ? `, … ${short.length - 10} more` : ''}; ` +
        'their caps rest on a forecast from those few days, with a widened band',
    );
  }
  return notes;
}

const MODEL_TEXT: Record<ModelKind, string> = {
  level: 'local level',
  trend: 'linear trend',
  growth: 'compounding growth',
  flat: 'mean of a short history',
};

/** A recommended cap is at most this many times the key's largest 30-day spend or its current cap. */
const PLAUSIBLE_FACTOR = 10;

function roundCapUsdMicros(micros: number): number {
  return roundCapUsd(micros) * MICROS_PER_USD;
}



function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

/** Rolling 30-day sums ending on each day; with under 30 days, the total scaled to 30 days. */
export function rolling30(values: readonly number[]): { sums: number[]; daysObserved: number; extrapolated: boolean } {
  const n = values.length;
  if (n < 30) {
    const total = values.reduce((a, b) => a + b, 0);
    return { sums: [n ? (total * 30) / n : 0], daysObserved: n, extrapolated: true };
  }
  const sums: number[] = [];
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += values[i];
    if (i >= 30) acc -= values[i - 30];
    if (i >= 29) sums.push(acc);
  }
  return { sums, daysObserved: n, extrapolated: false };
}

function recommendTriggers(
  events: EventColumns,
  history: History,
  plan: Plan,
  headroom: number,
  forecastOf: (id: string, recent: number[]) => TriggerForecast,
  heldDays: ReadonlyMap<string, number>,
  codeHeldDays: ReadonlyMap<string, CodeHeldDays>,
  edgeMs: number,
  held: (id: string) => HeldReading,
  defaultHeld: ReadonlyMap<string, DefaultHeldDays> = new Map(),
): TriggerRecommendation[] {
  const to = Math.max(history.end, history.lastEvent + 1);
  const ids = new Set<string>([...plan.triggers.map((t) => t.id), ...history.triggers.map((t) => t.id)]);
  const out: TriggerRecommendation[] = [];
  for (const id of ids) {
    const pt = plan.triggers.find((t) => t.id === id);
    const kind = pt?.kind ?? 'webhook';
    const modeName = pt?.mode ?? 'fair_use';
    const mode = canonicalMode(modeName);
    const limitN = resolveTriggerLimit(pt?.limitPer24h ?? null, mode);
    const limit = Number.isFinite(limitN) ? limitN : null;
    const s: DailySeries | undefined = history.triggers.find((t) => t.id === id);
    const recent = s ? s.values.slice(-DAYS_LOOKED_AT) : [];
    const [p50, p90, p99] = recent.length ? quantile(recent, [0.5, 0.9, 0.99]) : [0, 0, 0];
    const max = recent.reduce((a, b) => Math.max(a, b), recent.length ? -Infinity : 0);
    const above = limit === null ? 0 : recent.filter((v) => v > limit).length;
    // held at the platform's default before the plan's higher limit (the forecast's and simulate's
    // reading): its days are held at the limit then in force, 42, or the later one after a step
    const byDefault = limit === null ? undefined : defaultHeld.get(id);
    const atLimit = limit === null ? 0 : byDefault !== undefined ? byDefault.days : (heldDays.get(id) ?? 0);
    const fc = forecastOf(id, recent);
    const expected = fc.expected;
    // the limit counts a sliding 24 h (SPEC section 4), at the edge the replay counts it: 40 runs
    // each side of midnight never put a calendar day above 42, but the limit delays half of them
    const slid = limit === null || !s ? null : runsPer24h(events, id, to, edgeMs);
    const aboveWindow = slid !== null && limit !== null && slid.max > limit;
    const base: TriggerRecommendation = {
      id: triggerId(id),
      name: pt?.name ?? id,
      kind,
      mode: modeName,
      limit,
      daily: { p50, p90, p99, max, daysObserved: recent.length, daysAboveLimit: above, daysAtLimit: atLimit },
      expectedDailyVolume: expected,
      busyDayVolume: Math.max(fc.busy.runs, expected),
      busyDays: fc.busy.days,
      action: 'none',
      requestedLimit: null,
      reason: s ? `within its limit: at most ${runsText(max)} a day over ${lastDaysText(recent.length, history.days)}` : 'no runs in the history',
      alternatives: [],
      profile: 'documented',
      stillRefused: null,
    };
    if (byDefault !== undefined) base.heldAtDefault = heldAtDefaultOf(byDefault);
    // A day its 24 h window held the limit is held, not within: the platform refused the rest, and
    // the exports hold only the runs it admitted (censored history). Only days above it were not
    // (the docs' queue, or a sliding window spanning two days).
    if (limit === null || slid === null || recent.length === 0 || (!aboveWindow && atLimit < HELD_DAYS_MIN)) {
      if (limit === null && s) base.reason = `no per-trigger limit; up to ${runsText(max)} a day`;
      // held at the default only before the days looked at: said, as simulate names it held
      if (byDefault !== undefined) base.reason += defaultHeldBeforeText(byDefault, recent.length, history.days);
      // The docs set a programmatic trigger no limit, but the platform's code holds it at 42 per
      // 24 h without an override (SPEC section 9 rule 2): runs at exactly 42 in 24 h and never more
      // are that limit, not the demand (simulate names it held too). The override is asked for.
      const code = codeOnlyTriggerLimit(pt?.limitPer24h ?? null, modeName, 'documented');
      // held as simulate reads it (held.ts codeHeldDaysByTrigger, at the replay's window edge): a
      // run exactly 24 h after another made the platform's inclusive edge read 43 here while
      // simulate named the trigger held at 42
      const codeDays = codeHeldDays.get(id);
      if (limit === null && s && code !== null && codeDays !== undefined) {
        const window = runsPer24h(events, id, to);
        // its demand, read once with the forecast's (forecast/held-demand.ts): the forecast draws
        // its days around the same figure the advice, the table and the support draft give
        const reading = held(id);
        const pace = reading.pace;
        const volume = expectedVolume(expected, pace, reading.isDemand);
        const { wanted, ask, basis, caveat } = limitRequest(window, volume, pace, code, headroom, history.days, fc);
        if (caveat !== undefined) base.forecastCaveat = caveat;
        base.requestBasis = basis;
        base.action = 'override';
        base.requestedLimit = wanted;
        base.daily.daysAtLimit = codeDays.days;
        base.expectedDailyVolume = volume;
        base.busyDayVolume = Math.max(fc.busy.runs, volume);
        if (pace !== null && reading.isDemand) base.expectedFrom = 'held_pace';
        if (pace !== null) base.heldPace = pace;
        // held only before the days looked at: the override rests on those days (as simulate's
        // held limit does, over the whole replay), so they are said, not "0 of the last 28"
        const heldWhen =
          codeDays.days > 0
            ? `held there on ${codeDays.days} of ${lastDaysText(recent.length, history.days)}: the history was held there`
            : `held there on ${counted(codeDays.allDays, 'day')} of the history, the last on ${day(codeDays.lastDay)}, none of them in ${lastDaysText(DAYS_LOOKED_AT, history.days)}, when it ran at most ${runsText(max)} a day: the history was held there then`;
        if (codeDays.days === 0) base.codeHeldBefore = { days: codeDays.allDays, lastDay: day(codeDays.lastDay) };
        base.reason =
          `no per-trigger limit under the docs, but the platform's code holds a programmatic trigger at ${code} runs per 24 h unless support sets an override, ` +
          `and its runs reached exactly ${code} in 24 h and never more (${heldWhen}, demand beyond it is not in it): request ${ask}`;
      }
      out.push(base);
      continue;
    }
    // held by its limit, its days show the limit itself: the pace its runs came at while admitted says how much more it needs
    // held at the platform's default first, the limit the history ends under is 42 or the later one
    const inForce = byDefault !== undefined ? defaultHeldInForce(byDefault) : limit;
    const reading = held(id);
    const pace = atLimit >= HELD_DAYS_MIN ? reading.pace : null;
    const volume = expectedVolume(expected, pace, reading.isDemand);
    base.expectedDailyVolume = volume;
    base.busyDayVolume = Math.max(fc.busy.runs, volume);
    if (pace !== null && reading.isDemand) base.expectedFrom = 'held_pace';
    if (pace !== null) base.heldPace = pace;
    // the ask is sized on the platform's count (its window holds a run exactly 24 h old, SPEC
    // section 9 rule 1), the figures here on the docs': two p95s in one sentence, each named
    const askWindow = runsPer24h(events, id, to);
    const codeCount = askWindow.p95 !== slid.p95 ? `; ${n(askWindow.p95)} counted as the platform's code counts a 24 h window, a run exactly 24 h old still in it, which the ask is sized on` : '';
    const figures = `(median ${fmtN(p50)}, p90 ${fmtN(p90)}, max ${max} a day)${pace !== null ? `; ${heldPaceText(pace, inForce)}` : ''}`;
    let seen =
      byDefault !== undefined
        ? defaultHeldSeen(byDefault, atLimit, recent.length, history.days, figures, 'documented')
        : (aboveWindow
            ? `up to ${runsText(slid.max)} in 24 h against its limit of ${limit} (p95 ${n(slid.p95)} per 24 h over ${lastDaysText(recent.length, history.days)}${codeCount}); above it within one calendar day (UTC) on ${above} of them`
            : `above its limit of ${counted(limit, 'run')} per 24 h on ${above} of ${lastDaysText(recent.length, history.days)}`) +
          `${atLimit > 0 ? ` and held at it on ${atLimit} (${heldText(limit)})` : ''} ${figures}`;
    const consistently = Math.min(recent.length, above + atLimit) / recent.length >= 0.5;
    // one rule under both profiles for every limit asked of support (p95 of the runs per 24 h, the
    // forecast or the held pace, + the headroom): the same trigger gets the same ask whichever
    // reading the plan takes. The window is the platform's (its edge inclusive), as support's
    // override is enforced by the platform's code. Sized against the limit the history was held at:
    // a plan's higher limit the history predates is no evidence of room
    // the plan's limit an override the history predates: the plan's stays when it is enough (default-held-advice.ts)
    const request = limitRequest(askWindow, volume, pace, inForce, headroom, history.days, fc);
    if (request.caveat !== undefined) base.forecastCaveat = request.caveat;
    const { wanted, ask, basis, note } = byDefault !== undefined ? predatesAsk(byDefault, request, limit, volume) : { ...request, note: '' };
    base.requestBasis = basis;
    seen += note;
    if (mode === 'programmatic') {
      out.push({ ...base, action: 'override', requestedLimit: wanted, reason: `${seen}: ask support to raise its programmatic limit: request ${ask}` });
    } else if (consistently && kind === 'webhook') {
      // the docs lift the run limit of a programmatic trigger, the platform's code does not (SPEC
      // section 9 rule 2): the admin is told both
      out.push({
        ...base,
        action: 'programmatic',
        requestedLimit: wanted,
        reason:
          `${seen}: it runs 42+ times a day consistently, so move it to programmatic mode (billed as programmatic usage, outside the fair-use pool; expect about ${counted(volume, 'run')} a day) AND request ${ask}: ` +
          "the docs lift the run limit in programmatic mode, but the platform's code limits programmatic triggers to 42 per 24 h unless overridden, so on the platform the move alone drops the same runs",
      });
    } else if (consistently) {
      out.push({
        ...base,
        action: 'cannot_move',
        requestedLimit: wanted,
        // the docs limit a schedule like any trigger; the platform's code never checks one against
        // its own limit or the pool (SPEC section 9 rule 3), and an export that holds more than the
        // limit's runs in 24 h shows it: the admin is told both before asking support
        reason:
          `${seen}: scheduled triggers stay on fair use and cannot move to programmatic mode under the docs; ` +
          `but the platform's code never checks a schedule against its own run limit or the fair-use pool (only the message allowance)` +
          (aboveWindow ? `, and the history agrees: the exports hold up to ${runsText(slid.max)} of it in 24 h, which the platform admitted` : '') +
          `: on the platform nothing needs changing (the newest code also lets a schedule use programmatic mode, workspace_pool); the steps below matter where the documented limit is enforced`,
        alternatives: [
          `ask support to raise its fair-use limit: request ${ask}`,
          `fire it less often: at most ${counted(limit, 'time')} a day (every ${counted(Math.ceil((24 * 60) / limit), 'minute')} or more)`,
          'or batch the work so one run handles several items',
        ],
      });
    } else {
      // no day above its limit: its case for more is the days its limit held, not peaks above it
      const why = !aboveWindow ? heldOnText(byDefault !== undefined, atLimit) : above === 0 ? occasionalAcrossMidnight : 'occasional peaks';
      out.push({ ...base, action: 'override', requestedLimit: wanted, reason: `${seen}: ${why}, so request ${ask} on fair use rather than programmatic mode` });
    }
  }
  return out;
}

const n = (x: number) => x.toLocaleString('en-US');

/**
 * Triggers whose advice is "none" that the forecast's paths put above their own limit in some
 * 24 h in more than `risk` of them. One whose average day (`expectedDailyVolume`) is above it too
 * is asked an override, sized and checked as every ask is (limitRequest), in place (action,
 * requestedLimit, requestBasis); one whose busiest days alone are keeps "none", and its advice says
 * its limit will hold back runs on them. Returned, by id, the words to add to its reason once the
 * rest of its advice (the pool's) is said. A schedule under the platform's code is never
 * checked against its limit (SPEC section 9 rule 3) and is left alone.
 */
function ownLimitAsks(
  events: EventColumns,
  history: History,
  triggers: TriggerRecommendation[],
  headroom: number,
  risk: number,
  profile: EnforcementProfile,
  forecastOf: (id: string, recent: number[]) => TriggerForecast,
): Map<string, (byPool: boolean) => string> {
  const out = new Map<string, (byPool: boolean) => string>();
  const to = Math.max(history.end, history.lastEvent + 1);
  for (const t of triggers) {
    if (t.action !== 'none' || t.limit === null || (profile === 'platform' && t.kind === 'scheduled')) continue;
    const s = history.triggers.find((x) => x.id === t.id);
    if (!s) continue;
    const fc = forecastOf(t.id, s.values.slice(-DAYS_LOOKED_AT));
    const chance = fc.busy.chanceAbove(t.limit);
    if (fc.busy.paths === 0 || chance <= risk) continue;
    const drops = profile === 'platform' && t.kind === 'webhook' ? 'drops' : 'delays';
    const limit = t.limit;
    const above = `the forecast has more than its own limit of ${counted(limit, 'run')} in some 24 h in ${chanceText(chance)} of its ${counted(fc.busy.paths, 'path')}, above the ${chanceText(risk)} risk`;
    if (t.expectedDailyVolume <= limit) {
      // an average day within its limit, only its busiest 24 h above it (a day's spread): said, not asked for
      out.set(t.id, (byPool) => `; ${above}: ${byPool ? 'once the seats give the pool room, ' : ''}its own limit ${drops} runs on its busiest days; if "Rate Limited" shows on its requests, ask support to raise it`);
      continue;
    }
    // its average day above its own limit: an ask, sized and checked as every ask is
    const { wanted, ask, basis, caveat } = limitRequest(runsPer24h(events, t.id, to), t.expectedDailyVolume, null, limit, headroom, history.days, fc);
    if (caveat !== undefined) t.forecastCaveat = caveat;
    t.action = 'override';
    t.requestedLimit = wanted;
    t.requestBasis = basis;
    // its history never went above its limit, but its forecast does: not "within" it
    t.reason = t.reason.replace(/^within its limit: /, 'below its limit in the history: ');
    out.set(
      t.id,
      (byPool) =>
        `; but ${above}, and its average day (${n(t.expectedDailyVolume)}) is above it: ` +
        `${byPool ? 'once the seats give the pool room, ' : ''}its own limit ${drops} those runs, so request ${ask} on fair use`,
    );
  }
  return out;
}

function runsText(n: number): string {
  return `${n.toLocaleString('en-US')} run${n === 1 ? '' : 's'}`;
}

function fmtN(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** The plan with recommended caps and trigger modes; entities seen only in the ledger are added. */
export function applyRecommendations(plan: Plan, keys: KeyRecommendation[], triggers: TriggerRecommendation[]): Plan {
  const next = structuredClone(plan);
  for (const k of keys) {
    const pk = next.apiKeys.find((x) => x.id === k.id);
    if (pk) pk.capUsd = k.recommendedCapUsd;
    else next.apiKeys.push({ id: k.id, capUsd: k.recommendedCapUsd });
  }
  for (const t of triggers) {
    let pt = next.triggers.find((x) => x.id === t.id);
    if (!pt) {
      if (t.action === 'none') continue;
      pt = { id: t.id, kind: t.kind, mode: t.mode, limitPer24h: null };
      next.triggers.push(pt);
    }
    if (t.action === 'programmatic') {
      pt.mode = 'programmatic';
      // the override asked for with the move: the plan then holds under the platform's code too
      pt.limitPer24h = t.requestedLimit;
    } else if (t.action === 'override' || t.action === 'cannot_move') {
      pt.limitPer24h = t.requestedLimit;
    }
  }
  return validatePlan(next, 'recommended plan');
}

/**
 * Hourly counts over the last 28 days: rolling 24 h sums of people's messages and of each
 * fair-use trigger's runs, the latter capped at the trigger's own limit (runs above it wait for
 * the trigger's limit whatever the seats).
 */
function recommendSeats(events: EventColumns, history: History, before: Plan, after: Plan): SeatsRecommendation {
  const { hours, messages: msgs, perTrigger, people } = hourlyLoad(events, history, DAYS_LOOKED_AT);
  const msgRoll = roll24(msgs);
  // the docs' pool and allowance take the same runs: each trigger's up to its own limit (seatLoad)
  const rolled = [...perTrigger].map(([id, counts]) => [id, roll24(counts)] as const);
  const runsFor = (plan: Plan) => seatLoad(plan, rolled, hours).pool;
  const seats0 = before.workspace.seats;
  const perSeat = before.workspace.messagesPerSeatPerDay;
  const share = before.workspace.fairUseShare;
  const seen = seatsSeen(seats0, people);
  const need = (runs: Float64Array): number | null => fewestSeats(msgRoll, runs, runs, { ...before.workspace, seats: seen });
  const runsBefore = runsFor(before);
  const runsAfter = runsFor(after);
  const raw = need(runsBefore);
  const rawAfter = need(runsAfter);
  const seatsNeeded = atLeastPeople(raw, people);
  const seatsAfter = atLeastPeople(rawAfter, people);
  const peakRuns = peakOf(runsBefore);
  const peakAfter = peakOf(runsAfter);
  const peakMsgs = peakOf(msgRoll);
  let reason: string;
  if (perSeat === null)
    reason = `messages are unlimited on this plan: fair-use triggers never wait for the pool or the allowance${people > 0 ? `; seats: at least ${counted(people, 'seat')}, the ${counted(people, 'person', 'people')} who sent messages over ${lastDaysText(DAYS_LOOKED_AT, history.days)}` : ''}`;
  else if (raw === null)
    reason = `people's messages alone use the allowance as seats grow (${fmtN(peakMsgs / Math.max(seen, 1))} per seat in the busiest 24 h ${atSeatsText(seats0, people)}, against ${perSeat}): seats cannot stop the queueing; move triggers to programmatic mode`;
  else {
    reason =
      `busiest 24 h of ${lastDaysText(DAYS_LOOKED_AT, history.days)}: ${counted(peakRuns, 'fair-use run')} and ${counted(peakMsgs, "person's message", "people's messages")} ${atSeatsText(seats0, people)}; ` +
      `the pool (${Math.round(share * 100)} % of ${counted(perSeat, 'message')} a seat) and the allowance hold them from ${seatsText(raw, rawAfter, people, DAYS_LOOKED_AT, seats0, 'mode', history.days)}`;
  }
  return {
    currentSeats: seats0,
    seatsNeeded,
    seatsNeededAfterChanges: seatsAfter,
    peopleWhoSentMessages: people,
    peakFairUseRuns24h: peakRuns,
    peakFairUseRuns24hAfterChanges: peakAfter,
    peakMessages24h: peakMsgs,
    reason,
    profile: 'documented',
  };
}


/** µUSD the current plan's key caps blocked, per key and history day (from history.start). */
function capBlockedByDay(events: EventColumns, history: History, sim: SimulationResult): { blocked: Map<string, Float64Array>; admitted: Map<string, Float64Array> } {
  const blocked = new Map<string, Float64Array>();
  const admitted = new Map<string, Float64Array>();
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] !== EventType.api) continue;
    const isAdmitted = sim.outcome[i] === Outcome.admitted;
    if (!isAdmitted && sim.reason[i] !== Reason.key_cap) continue;
    const d = Math.floor((events.time[i] - history.start) / DAY);
    if (d < 0 || d >= history.days) continue;
    const id = events.subjects[events.subject[i]];
    const map = isAdmitted ? admitted : blocked;
    let a = map.get(id);
    if (!a) map.set(id, (a = new Float64Array(history.days)));
    a[d] += events.cost[i];
  }
  return { blocked, admitted };
}

/**
 * A new cap counts the spend already in the window: when the last W days hold more than the cap
 * (a runaway day admitted without a cap), the key stops the moment the cap is set, until that
 * spend rolls out. Returns that ISO date, or null.
 */
function blockedUntilIfSetNow(admitted: Float64Array | undefined, history: History, windowDays: number, capMicros: Micros): string | null {
  if (!admitted) return null;
  const from = Math.max(0, history.days - windowDays);
  let sum = 0;
  for (let i = from; i < history.days; i++) sum += admitted[i];
  if (sum < capMicros) return null;
  for (let i = from; i < history.days; i++) {
    sum -= admitted[i];
    if (sum < capMicros) return day(history.start + (i + windowDays + 1) * DAY);
  }
  return day(history.end + windowDays * DAY);
}

/**
 * The workspace spend limits (SPEC section 4: every key and programmatic run counts) checked
 * against the recommended plan: the engine replays it over the history, and the ordinary spend
 * per window (runaway days clipped as for the caps) says whether the limit fits ordinary use.
 * A key's spend counts only as far as the recommended plan's cap lets it through, in the history
 * and in each forecast path alike: a limit sized on demand the caps refuse anyway would be a
 * budget for spend that cannot happen (the demo's monthly limit was advised 9 × its history).
 */
export function checkSpendLimits(
  events: EventColumns,
  history: History,
  plan: Plan,
  sim: SimulationResult,
  headroom: number,
  projection?: { draws: Float64Array[][]; scenario: ReturnType<typeof buildScenario> },
): SpendLimitCheck[] {
  const daily = new Float64Array(history.days);
  const addOrdinary = (values: readonly number[], start: number) => {
    const ceiling = outlierCeiling(values);
    const off = Math.round((start - history.start) / DAY);
    values.forEach((v, d) => (daily[off + d] += Math.min(v, ceiling)));
  };
  const windowDays = plan.enforcement.keyCapWindowDays;
  const capOf = (id: string): number | null => {
    const c = plan.apiKeys.find((k) => k.id === id)?.capUsd ?? null;
    return c === null ? null : usdNumberToMicros(c);
  };
  // each key's ordinary days as its recommended cap lets them through: the lead-in of its paths
  const passedByKey = new Map<string, number[]>();
  for (const k of history.keys) {
    const ceiling = outlierCeiling(k.values);
    const ordinary = k.values.map((v) => Math.min(v, ceiling));
    const cap = capOf(k.id);
    const passed = cap === null ? ordinary : withinCap(ordinary, cap, windowDays, []);
    passedByKey.set(k.id, passed);
    const off = Math.round((k.start - history.start) / DAY);
    passed.forEach((v, d) => (daily[off + d] += v));
  }
  for (const t of history.triggers) {
    const mode = plan.triggers.find((x) => x.id === t.id)?.mode ?? 'fair_use';
    if (mode === 'programmatic') addOrdinary(t.spend, t.start);
  }
  const windowSums = (len: number): number[] => {
    if (len === 1) return Array.from(daily);
    if (history.days < len) return [(daily.reduce((a, b) => a + b, 0) * len) / Math.max(history.days, 1)];
    const sums: number[] = [];
    let acc = 0;
    for (let i = 0; i < daily.length; i++) {
      acc += daily[i];
      if (i >= len) acc -= daily[i - len];
      if (i >= len - 1) sums.push(acc);
    }
    return sums;
  };
  // forecast workspace spend per path: keys' spend draws as their recommended caps let them through
  // (the history's last days leading in) + programmatic triggers' runs × cost per run
  const futureDaily: Float64Array[] = [];
  if (projection) {
    const { draws, scenario } = projection;
    const programmatic = new Set(plan.triggers.filter((t) => canonicalMode(t.mode) === 'programmatic').map((t) => t.id));
    for (const d of draws) {
      const f = new Float64Array(scenario.days);
      scenario.series.forEach((ss, j) => {
        if (ss.kind === 'key_spend') {
          const cap = capOf(ss.id);
          const passed = cap === null ? d[j] : withinCap(d[j], cap, windowDays, passedByKey.get(ss.id) ?? []);
          for (let h = 0; h < scenario.days; h++) f[h] += passed[h];
        } else if (ss.kind === 'trigger_runs' && programmatic.has(ss.id)) {
          for (let h = 0; h < scenario.days; h++) f[h] += d[j][h] * ss.meanCost;
        }
      });
      futureDaily.push(f);
    }
  }
  // a held programmatic trigger's runs are forecast at the demand its pace gives, the figure its
  // advice and support draft give (forecast/held-demand.ts), not at the limit its history shows: said
  const held = (projection?.scenario.series ?? []).filter((ss) => ss.kind === 'trigger_runs' && ss.model.heldDemand !== undefined && canonicalMode(plan.triggers.find((t) => t.id === ss.id)?.mode ?? 'fair_use') === 'programmatic');
  const heldRunsText = held.length ? `; held triggers' runs at the demand their pace while admitted gives: ${held.map((ss) => `${ss.id} ${counted(ss.model.heldDemand ?? 0, 'run')} a day`).join(', ')}` : '';
  return sim.plan.spendLimits.map((l, j) => {
    const code = REASON_SPEND_LIMIT_BASE + j;
    let requests = 0;
    let runs = 0;
    let micros = 0;
    const days = new Set<number>();
    for (let i = 0; i < events.count; i++) {
      if (sim.reason[i] !== code || sim.outcome[i] === Outcome.admitted) continue;
      if (events.type[i] === EventType.api) requests++;
      else runs++;
      micros += events.cost[i];
      days.add(Math.floor(events.time[i] / DAY));
    }
    // a calendar month is judged on the busiest 31 days, the longest month
    const len = l.window === 'utc-day' ? 1 : l.window === 'rolling-30d' ? 30 : 31;
    const sums = windowSums(len);
    const [p50, p99] = quantile(sums, [0.5, 0.99]);
    let max = 0;
    for (const x of sums) if (x > max) max = x;
    const amountUsd = usd(l.amountMicros);
    const per = l.window === 'utc-day' ? 'UTC day' : l.window === 'rolling-30d' ? 'rolling 30 days' : 'calendar month (busiest 31 days)';
    const blockedText =
      requests + runs > 0
        ? `replaying the recommended plan over the history, it blocks ${requests.toLocaleString('en-US')} requests and ${runs.toLocaleString('en-US')} programmatic runs (${fmt(usd(micros))} requested) on ${days.size} day${days.size === 1 ? '' : 's'}`
        : 'replaying the recommended plan over the history, it blocks nothing';
    const spendText = `ordinary workspace spend (keys within their recommended caps + programmatic runs, runaway days clipped) per ${per}: p50 ${fmt(usd(p50))}, p99 ${fmt(usd(p99))}, max ${fmt(usd(max))}`;
    const peaks = futureDaily.map((f) => windowPeak(daily, f, len));
    const [q10, q50, q90] = peaks.length ? quantile(peaks, [0.1, 0.5, 0.9]) : [0, 0, 0];
    const chanceAbove = peaks.length ? peaks.filter((x) => x > l.amountMicros).length / peaks.length : 0;
    const fitsHistory = p99 <= l.amountMicros;
    // paths far past anything the history shows (a forecast fitted to days a limit held down) are
    // no basis for a budget: the limit is then judged on the history alone, and says so
    const runaway = peaks.length > 0 && q90 > PLAUSIBLE_FACTOR * Math.max(max, l.amountMicros);
    const fitsForecast = runaway || chanceAbove <= MAX_THROTTLE_CHANCE;
    const fits = fitsHistory && fitsForecast;
    const recommendedAmountUsd = fits ? amountUsd : roundCapUsd(Math.max(p99, fitsForecast ? 0 : q90) * (1 + headroom));
    const forecastText = peaks.length
      ? `; over the next ${projection?.scenario.days ?? 0} days the forecast spend that passes the recommended key caps (each key held to its cap over ${counted(windowDays, 'day')}${heldRunsText}) puts the busiest window at P10/P50/P90 ${fmt(usd(q10))} / ${fmt(usd(q50))} / ${fmt(usd(q90))}, above the limit in ${pct(chanceAbove)} of draws` +
        (runaway ? ` (paths that run far past anything the history shows, so the limit is judged on the history alone)` : '')
      : '';
    const why = !fitsHistory ? 'is below ordinary use' : 'is likely to be reached as spend grows';
    const reason = fits
      ? `${fmt(amountUsd)} per ${per}: ${blockedText}; ${spendText}${forecastText}: the limit fits ordinary use${requests + runs > 0 ? ' (what it blocks are runaway days: the limit doing its job)' : ''}`
      : `${fmt(amountUsd)} per ${per} ${why}: ${blockedText}; ${spendText}${forecastText}: raise it to ${fmt(recommendedAmountUsd)} (${fitsHistory ? 'forecast P90' : 'p99'} + ${Math.round(headroom * 100)} %), or keep it and expect blocked requests and programmatic runs; not changed in the recommended plan, as it is a budget decision`;
    return {
      id: l.id,
      window: l.window,
      amountUsd,
      blockedRequests: requests,
      blockedRuns: runs,
      blockedUsd: usd(micros),
      daysWithBlocks: days.size,
      ordinary: { p50: usd(p50), p99: usd(p99), max: usd(max) },
      projectedPeak: { p10: usd(q10), p50: usd(q50), p90: usd(q90) },
      projectedChanceAbove: chanceAbove,
      action: fits ? 'keep' : 'raise',
      recommendedAmountUsd,
      reason,
    };
  });
}

/**
 * A key's daily spend as a cap over `windowDays` lets it through: each day admits what the
 * window still has room for (the days before it in `lead`, already admitted, count). Days, not
 * requests: the request that crosses the cap is left out, so this errs on the low side by one
 * request a window.
 */
function withinCap(values: ArrayLike<number>, cap: number, windowDays: number, lead: readonly number[]): number[] {
  const w = Math.max(1, windowDays);
  const all = w > 1 ? lead.slice(-(w - 1)) : [];
  const start = all.length;
  let acc = all.reduce((a, b) => a + b, 0);
  for (let i = 0; i < values.length; i++) {
    const at = start + i;
    const out = at - (w - 1);
    // the day leaving the window as this one enters
    if (out - 1 >= 0) acc -= all[out - 1];
    const passed = Math.min(values[i], Math.max(0, cap - acc));
    all.push(passed);
    acc += passed;
  }
  return all.slice(start);
}

/** Highest window sum over the forecast days, the history's last len − 1 days leading in. */
function windowPeak(hist: ArrayLike<number>, future: Float64Array, len: number): number {
  const lead = Math.min(len - 1, hist.length);
  const all = [...Array.from(hist).slice(hist.length - lead), ...future];
  let acc = 0;
  let peak = 0;
  for (let i = 0; i < all.length; i++) {
    acc += all[i];
    if (i >= len) acc -= all[i - len];
    if (i >= lead) peak = Math.max(peak, acc);
  }
  return peak;
}

/**
 * For keys at their cap when the history ends: when ADMITTED spend rolls out of the window, day
 * by day, until the key works again. The engine's replay of the plan decides what was admitted
 * (a blocked request never counts towards the cap) and when the capped-out episode ends. The
 * window is the plan's: rolling to the millisecond under the docs; under the platform's code
 * (SPEC section 9 rule 6) re-based per UTC day, so a day's spend frees all at once at 00:00 UTC
 * of that day + keyCapWindowDays.
 */
export function recoverySchedules(events: EventColumns, history: History, plan: Plan, sim: SimulationResult = simulate(plan, events, { until: Math.max(history.end, history.lastEvent + 1) })): KeyRecovery[] {
  const days = plan.enforcement.keyCapWindowDays;
  const W = days * DAY;
  const byDay = sim.plan.keyCapByDay;
  // now = the last event: a partial last day still counts towards the cap
  const end = Math.max(history.end, history.lastEvent);
  // the oldest admission still counted at `end`, and when an admission at `t` stops counting;
  // `end` is the exclusive end of the last day, so the code's day is the one that ends there
  const from = byDay ? Math.floor((end - 1) / DAY) * DAY - (days - 1) * DAY : end - W + 1;
  const freedAt = (t: number): number => (byDay ? Math.floor(t / DAY) * DAY + W : t + W);
  const out: KeyRecovery[] = [];
  sim.plan.keys.forEach((rk, ki) => {
    const k = plan.apiKeys.find((x) => x.id === rk.id);
    if (!k || k.capUsd === null || rk.capMicros === null) return;
    const cap = rk.capMicros;
    // admitted cost by the moment it stops counting (a whole UTC day at once under the code)
    const frees = new Map<number, number>();
    let total = 0;
    for (let i = 0; i < events.count; i++) {
      if (events.type[i] !== EventType.api || sim.entity[i] !== ki || sim.outcome[i] !== Outcome.admitted) continue;
      const t = sim.admittedAt[i];
      if (t >= from && t <= end) {
        const at = freedAt(t);
        frees.set(at, (frees.get(at) ?? 0) + events.cost[i]);
        total += events.cost[i];
      }
    }
    const episode = sim.keyStats[ki]?.episodes.find((e) => e.from <= end && e.until > end);
    if (total < cap && !episode) return;
    let rolling = total;
    let usableAt = end;
    const freedByDay = new Map<number, number>();
    for (const [at, c] of [...frees].sort((a, b) => a[0] - b[0])) {
      if (rolling < cap) break;
      rolling -= c;
      const d = Math.floor(at / DAY) * DAY;
      freedByDay.set(d, (freedByDay.get(d) ?? 0) + c);
      usableAt = at;
    }
    if (episode) usableAt = episode.until;
    const schedule: RecoveryStep[] = [];
    let left = total;
    for (const [d, freed] of [...freedByDay].sort((a, b) => a[0] - b[0])) {
      left -= freed;
      schedule.push({ date: day(d), freesUsd: usd(freed), rollingAfterUsd: usd(left) });
    }
    const steps = schedule.slice(0, 5).map((s) => `${fmt(s.freesUsd)} frees up ${byDay ? 'at 00:00 UTC on' : 'on'} ${s.date}`);
    const window = byDay ? `its cap window (the history's last UTC day and the ${days - 1} before: the platform's code re-bases caps per UTC day)` : `the last ${days} days`;
    // the engine's episode ends at Infinity when no spend rolling out can ever let a request
    // through (a $0 cap): that key never works again under this cap, and there is no date to print
    const usableAgain = Number.isFinite(usableAt) ? new Date(usableAt).toISOString() : null;
    const again =
      usableAgain === null
        ? `it never works again under this cap${cap <= 0 ? ` (a ${fmt(k.capUsd)} cap blocks every request)` : ''}: raise the cap to use the key`
        : `it works again at ${utcWhen(usableAgain)}`;
    out.push({
      id: rk.id,
      capUsd: k.capUsd,
      rollingSpendUsd: usd(total),
      usableAgain,
      schedule,
      summary: `${k.name ?? k.id} has spent ${fmt(usd(total))} (admitted by the engine) of its ${fmt(k.capUsd)} cap in ${window}: ${steps.length ? `${steps.join(', ')}${schedule.length > 5 ? ', …' : ''}; ` : ''}${again}`,
    });
  });
  return out;
}
