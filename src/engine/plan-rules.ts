/**
 * The plan's rules the engine resolves a plan by: ids, modes, default limits, the allowance, the
 * resolved plan. Kept apart from the plan's schema (plan.ts, which loads zod): the Monte Carlo
 * workers and the part thread load the engine and this, never the validator (checked in
 * test/architecture.test.ts), since every worker loads its code while the forecast waits on it.
 */
import { poolOf } from './limits/pool.ts';
import { DAY, HOUR, asDurationMs, usdNumberToMicros } from './units.ts';
import type { DurationMs, Micros } from './units.ts';
import type { EnforcementProfile, Plan, PlanTrigger, SpendLimitWindow, TriggerMode, TriggerModeName } from './plan.ts';

/** `user_pool` is `fair_use`, `workspace_pool` is `programmatic` (SPEC section 9). */
export function canonicalMode(mode: TriggerModeName): TriggerMode {
  return mode === 'programmatic' || mode === 'workspace_pool' ? 'programmatic' : 'fair_use';
}

export function profileOf(plan: Plan): EnforcementProfile {
  return plan.enforcement.profile ?? 'documented';
}

/**
 * An API key's id as the resolved plan holds it. Ids of keys and triggers are both strings, and
 * one passed for the other finds nothing or the wrong entity: their types keep them apart. Made
 * only by resolvePlan and `keyId` (an id read from events or the ledger).
 */
export type KeyId = string & { readonly __id: 'key' };
/** A trigger's id as the resolved plan holds it (see KeyId). */
export type TriggerId = string & { readonly __id: 'trigger' };

/** A key's id from where keys are named: a plan, the events' subjects, the ledger. */
export function keyId(id: string): KeyId {
  return id as KeyId;
}

/** A trigger's id from where triggers are named: a plan, the events' subjects, the ledger. */
export function triggerId(id: string): TriggerId {
  return id as TriggerId;
}

export const UNLIMITED = Number.POSITIVE_INFINITY;
export const DEFAULT_TRIGGER_LIMIT = 42;

/**
 * `null` → 42 on fair use, unlimited on programmatic (42 in every mode under the platform
 * profile, SPEC section 9 rule 2); `-1` → unlimited.
 */
export function resolveTriggerLimit(limitPer24h: number | null, mode: TriggerModeName, profile: EnforcementProfile = 'documented'): number {
  if (limitPer24h === null) return profile === 'platform' || canonicalMode(mode) === 'fair_use' ? DEFAULT_TRIGGER_LIMIT : UNLIMITED;
  return limitPer24h === -1 ? UNLIMITED : limitPer24h;
}

/**
 * The run limit the platform's code holds a trigger to where the plan's own reading sets none: 42
 * for a programmatic trigger without a limit, read under the docs (SPEC section 9 rule 2); null
 * otherwise (a limit set, `-1` for an override to unlimited, or the platform's own reading).
 */
export function codeOnlyTriggerLimit(limitPer24h: number | null, mode: TriggerModeName, profile: EnforcementProfile): number | null {
  if (profile === 'platform' || resolveTriggerLimit(limitPer24h, mode, profile) !== UNLIMITED) return null;
  const code = resolveTriggerLimit(limitPer24h, mode, 'platform');
  return code === UNLIMITED ? null : code;
}

/** The platform's throttles (SPEC section 9 rule 7), used when a plan under that profile leaves them out. */
export const PLATFORM_THROTTLES = { actorPerMinute: 100, actorPerHour: 3000, workspacePerSeatPerMinute: 10 } as const;

/** Allowance A = seats × messages per seat; unlimited when messagesPerSeatPerDay is null. */
export function allowanceOf(plan: Plan): number {
  const perSeat = plan.workspace.messagesPerSeatPerDay;
  return perSeat === null ? UNLIMITED : plan.workspace.seats * perSeat;
}

// P = ceil(share × A) is part of the pool's rule, kept with it in limits/pool.ts
export { poolOf };

/** The plan as the engine uses it: integers, resolved defaults, window lengths in ms. */
export interface ResolvedPlan {
  profile: EnforcementProfile;
  /**
   * How long past its admission an entry of a sliding window still counts, beyond the window's
   * length: 0 under the docs (`t - W < s`), 1 ms under the platform profile (`t - W <= s`).
   */
  edgeMs: DurationMs;
  /** key caps sum whole UTC days (SPEC section 9 rule 6) */
  keyCapByDay: boolean;
  allowance: number;
  pool: number;
  /** admitted requests per key, or messages per user, in 60 s; Infinity = off */
  actorPerMinute: number;
  /** the same in 3,600 s */
  actorPerHour: number;
  /** people's admitted messages in 60 s, workspace-wide; Infinity = off */
  workspacePerMinute: number;
  keyCapWindowMs: DurationMs;
  capCheckPlusCost: boolean;
  queueWebhooks: boolean;
  /** ms a queued run may wait; Infinity = without limit. */
  maxWaitMs: DurationMs;
  spendLimits: { id: string; amountMicros: Micros; window: SpendLimitWindow }[];
  keys: { id: KeyId; name: string; capMicros: Micros | null; inferred: boolean }[];
  triggers: {
    id: TriggerId;
    name: string;
    kind: PlanTrigger['kind'];
    mode: TriggerMode;
    /** the mode as the plan wrote it (`user_pool`, …), for reports and exports; absent = `mode` */
    modeName?: TriggerModeName;
    limit: number;
    /** codeOnlyTriggerLimit: set only where the platform's code holds a trigger this reading leaves unlimited */
    codeLimit?: number;
    /**
     * the plan names the trigger but no limit for it, so `limit` is the default its mode takes
     * (42 for a fair-use webhook): present only then. An engine-inferred trigger (`inferred`) is so too
     */
    limitByDefault?: true;
    inferred: boolean;
  }[];
}

export function resolvePlan(plan: Plan): ResolvedPlan {
  const allowance = allowanceOf(plan);
  const en = plan.enforcement;
  const hours = en.maxQueueWaitHours;
  const profile = profileOf(plan);
  const platform = profile === 'platform';
  // an explicit field wins; absent, the profile decides (the docs have no throttles)
  const throttleOf = (value: number | null | undefined, platformDefault: number): number => {
    const v = value === undefined ? (platform ? platformDefault : null) : value;
    return v === null ? UNLIMITED : v;
  };
  const perSeat = throttleOf(en.workspacePerSeatPerMinute, PLATFORM_THROTTLES.workspacePerSeatPerMinute);
  return {
    profile,
    edgeMs: asDurationMs(platform ? 1 : 0),
    keyCapByDay: platform,
    allowance,
    actorPerMinute: throttleOf(en.actorPerMinute, PLATFORM_THROTTLES.actorPerMinute),
    actorPerHour: throttleOf(en.actorPerHour, PLATFORM_THROTTLES.actorPerHour),
    workspacePerMinute: perSeat === UNLIMITED ? UNLIMITED : perSeat * plan.workspace.seats,
    pool: poolOf(plan.workspace.fairUseShare, allowance),
    keyCapWindowMs: asDurationMs(plan.enforcement.keyCapWindowDays * DAY),
    capCheckPlusCost: plan.enforcement.capCheck === 'spent_plus_cost',
    queueWebhooks: plan.enforcement.webhookWhenLimited === 'queue',
    maxWaitMs: asDurationMs(hours === null ? UNLIMITED : Math.round(hours * HOUR)),
    spendLimits: plan.workspace.spendLimits.map((l) => ({
      id: l.id,
      amountMicros: usdNumberToMicros(l.amountUsd),
      window: l.window,
    })),
    keys: plan.apiKeys.map((k) => ({
      id: keyId(k.id),
      name: k.name ?? k.id,
      capMicros: k.capUsd === null ? null : usdNumberToMicros(k.capUsd),
      inferred: false,
    })),
    triggers: plan.triggers.map((t) => {
      const codeLimit = codeOnlyTriggerLimit(t.limitPer24h, t.mode, profile);
      return {
        id: triggerId(t.id),
        name: t.name ?? t.id,
        kind: t.kind,
        mode: canonicalMode(t.mode),
        modeName: t.mode,
        limit: resolveTriggerLimit(t.limitPer24h, t.mode, profile),
        ...(codeLimit !== null ? { codeLimit } : {}),
        ...(t.limitPer24h === null ? { limitByDefault: true as const } : {}),
        inferred: false,
      };
    }),
  };
}
