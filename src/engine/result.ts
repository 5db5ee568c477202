import type { ResolvedPlan } from './plan.ts';
import type { QueueLevels } from './queue-log.ts';
import type { DurationMs, EpochMs, Micros } from './units.ts';

/** Outcome codes in `SimulationResult.outcome`. */
export const Outcome = { admitted: 0, blocked: 1, skipped: 2, dropped: 3, pending: 4 } as const;
export type OutcomeCode = (typeof Outcome)[keyof typeof Outcome];
export const OUTCOME_NAMES = ['admitted', 'blocked', 'skipped', 'dropped', 'pending'] as const;
export type OutcomeName = (typeof OUTCOME_NAMES)[number];

/** Fixed reason codes; spend limit j of the plan has code `REASON_SPEND_LIMIT_BASE + j`. */
export const Reason = {
  none: 0,
  key_cap: 1,
  trigger_limit: 2,
  pool: 3,
  allowance: 4,
  actor_minute: 5,
  actor_hour: 6,
  workspace_minute: 7,
} as const;
export const REASON_SPEND_LIMIT_BASE = 8;

/** Capacity over time, sampled per bucket, for charts (max within each bucket). */
export interface Timeline {
  start: EpochMs;
  bucketMs: DurationMs;
  buckets: number;
  allowanceUsed: Float64Array;
  poolUsed: Float64Array;
  /** waiting webhook runs, all triggers */
  queued: Float64Array;
  /** the longest wait, ms, of the queued runs admitted in each bucket (0 when none waited) */
  maxDelay: Float64Array;
  /** per key (index as in `plan.keys`): rolling spend in micro-USD */
  keySpend: Float64Array[];
  /** per spend limit: admitted spend in its window, micro-USD */
  spendLimitUsed: Float64Array[];
}

export interface KeyEpisode {
  /** first blocked request of the episode */
  from: EpochMs;
  /** the moment enough spend has rolled out of the window for the key to work again */
  until: EpochMs;
}

export interface SimulationResult {
  count: number;
  outcome: Uint8Array;
  /** epoch ms, NaN when not admitted */
  admittedAt: Float64Array;
  /** reason code per event; see `reasonName` */
  reason: Uint8Array;
  /** per event: index into plan.keys (api) or plan.triggers (trigger); -1 for messages */
  entity: Int32Array;
  /** the plan as simulated, with entities inferred from the events appended (inferred: true) */
  plan: ResolvedPlan;
  horizon: EpochMs;
  keyStats: {
    peakRollingMicros: Micros;
    episodes: KeyEpisode[];
    /** the key's first blocked request, whatever blocked it, and when that check passes again */
    firstBlock: KeyEpisode | null;
  }[];
  triggerStats: { peakQueue: number }[];
  allowancePeak: number;
  poolPeak: number;
  spendLimitPeakMicros: Micros[];
  /**
   * The highest value each limit's check compared with the limit (a count, or micro-USD: the
   * spend, plus the cost asked under spent_plus_cost), -Infinity if never checked; unlimited
   * ones included. Spend limits give a bound instead: their peak, plus under spent_plus_cost the
   * largest cost of a request or programmatic run (`SpendLimits.checkedBound`). Any limit this
   * value passes, like the one that saw it, decides every event the same: that is when a result
   * can answer for another value of the limit.
   */
  checked: {
    allowance: number;
    pool: number;
    spendLimits: number[];
    keys: number[];
    /** people's messages counted by the workspace_minute check (absent: never checked) */
    workspaceMinute?: number;
  };
  peakQueue: number;
  timeline: Timeline | null;
  /**
   * People's messages by reason code (`Reason.none`: admitted; a message is admitted or blocked),
   * counted by the pass: a tally can then skip the messages, most of the events. Absent from
   * results made otherwise.
   */
  messagesByReason?: Float64Array;
  /** with `logQueue`: the count of waiting runs after each change */
  queueLog?: QueueLevels;
}

export function reasonName(plan: ResolvedPlan, code: number): string | null {
  switch (code) {
    case Reason.none:
      return null;
    case Reason.key_cap:
      return 'key_cap';
    case Reason.trigger_limit:
      return 'trigger_limit';
    case Reason.pool:
      return 'pool';
    case Reason.allowance:
      return 'allowance';
    case Reason.actor_minute:
      return 'actor_minute';
    case Reason.actor_hour:
      return 'actor_hour';
    case Reason.workspace_minute:
      return 'workspace_minute';
    default: {
      const limit = plan.spendLimits[code - REASON_SPEND_LIMIT_BASE];
      if (!limit) throw new RangeError(`unknown reason code ${code}`);
      return `spend_limit:${limit.id}`;
    }
  }
}
