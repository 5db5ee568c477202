import { z } from 'zod';
import { poolOf } from './limits/pool.ts';
import { DAY, HOUR, asDurationMs, usdNumberToMicros } from './units.ts';
import type { DurationMs, Micros } from './units.ts';

/** What an admin writes: SPEC section 2. Missing fields take the defaults below. */
// Amounts become integer micro-USD; past $9e9 they would leave the range of exact integers.
const usd = z.number().finite().nonnegative('must not be negative').max(9_000_000_000, 'must be at most $9,000,000,000');
const id = z.string().min(1, 'must not be empty');

const spendLimitSchema = z.strictObject({
  id,
  amountUsd: usd,
  window: z.enum(['utc-day', 'calendar-month', 'rolling-30d']),
});

const apiKeySchema = z.strictObject({
  id,
  name: z.string().optional(),
  capUsd: usd.nullable().default(null),
});

const triggerSchema = z.strictObject({
  id,
  name: z.string().optional(),
  kind: z.enum(['webhook', 'scheduled']).default('webhook'),
  // user_pool / workspace_pool: the platform's newer names (SPEC section 9), kept as written
  mode: z.enum(['fair_use', 'programmatic', 'user_pool', 'workspace_pool']).default('fair_use'),
  limitPer24h: z.number().int().min(-1, 'must be -1 (no limit) or a count >= 0').nullable().default(null),
});

export const DEFAULT_SPEND_LIMITS = [{ id: 'daily', amountUsd: 1000, window: 'utc-day' as const }];

const workspaceSchema = z.strictObject({
  name: z.string().default('Workspace'),
  seats: z.number().int('must be a whole number').nonnegative('must not be negative').default(10),
  messagesPerSeatPerDay: z.number().int('must be a whole number').nonnegative('must not be negative').nullable().default(100),
  fairUseShare: z.number().min(0).max(1).default(0.5),
  spendLimits: z.array(spendLimitSchema).default(() => DEFAULT_SPEND_LIMITS.map((l) => ({ ...l }))),
});

/** A throttle's count: null turns it off; absent takes the profile's default (SPEC section 9 rule 7). */
const throttle = z.number().int('must be a whole number').nonnegative('must not be negative').nullable().optional();

const enforcementFields = z.strictObject({
  /** documented: SPEC sections 1-4 (the docs); platform: section 9 (the platform's code). Absent = documented. */
  profile: z.enum(['documented', 'platform']).optional(),
  keyCapWindowDays: z.number().int().positive().default(30),
  capCheck: z.enum(['spent', 'spent_plus_cost']).default('spent'),
  webhookWhenLimited: z.enum(['queue', 'drop']).default('queue'),
  maxQueueWaitHours: z.number().finite().nonnegative().nullable().default(null),
  actorPerMinute: throttle,
  actorPerHour: throttle,
  workspacePerSeatPerMinute: throttle,
});

/** Under the platform profile a limited webhook is dropped unless the plan says `queue` itself. */
const enforcementSchema = z.preprocess((value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const fields = value as Record<string, unknown>;
  return fields.profile === 'platform' && fields.webhookWhenLimited === undefined ? { ...fields, webhookWhenLimited: 'drop' } : value;
}, enforcementFields);

export const planSchema = z
  .strictObject({
    version: z.literal(1).default(1),
    workspace: workspaceSchema.default(() => workspaceSchema.parse({})),
    apiKeys: z.array(apiKeySchema).default([]),
    triggers: z.array(triggerSchema).default([]),
    enforcement: enforcementSchema.default(() => enforcementSchema.parse({})),
  })
  .superRefine((plan, ctx) => {
    const unique = (items: { id: string }[], path: string) => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [path, i, 'id'], message: `duplicate id "${item.id}"` });
        seen.add(item.id);
      });
    };
    unique(plan.apiKeys, 'apiKeys');
    unique(plan.triggers, 'triggers');
    const limits = new Set<string>();
    plan.workspace.spendLimits.forEach((l, i) => {
      if (limits.has(l.id)) ctx.addIssue({ code: 'custom', path: ['workspace', 'spendLimits', i, 'id'], message: `duplicate id "${l.id}"` });
      limits.add(l.id);
    });
    const platform = plan.enforcement.profile === 'platform';
    plan.triggers.forEach((t, i) => {
      if (!platform && t.kind === 'scheduled' && canonicalMode(t.mode) === 'programmatic') {
        ctx.addIssue({
          code: 'custom',
          path: ['triggers', i, 'mode'],
          message: 'programmatic mode applies only to webhook triggers; scheduled triggers stay on fair use',
        });
      }
    });
  });

/** A plan as written (defaults filled in): what is saved, exported and shown. */
export type Plan = z.output<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;
export type PlanApiKey = Plan['apiKeys'][number];
export type PlanTrigger = Plan['triggers'][number];
export type SpendLimitWindow = Plan['workspace']['spendLimits'][number]['window'];
/** A trigger mode as written: the documented names or the platform's newer ones. */
export type TriggerModeName = PlanTrigger['mode'];
export type TriggerMode = 'fair_use' | 'programmatic';
export type EnforcementProfile = 'documented' | 'platform';

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

export interface PlanIssue {
  path: string;
  message: string;
}

export class PlanError extends Error {
  readonly issues: PlanIssue[];
  constructor(issues: PlanIssue[], source?: string) {
    const where = source ? `${source}: ` : '';
    super(issues.map((i) => `${where}${i.path || '(plan)'}: ${i.message}`).join('\n'));
    this.name = 'PlanError';
    this.issues = issues;
  }
}

/** `['triggers', 2, 'mode']` → `triggers[2].mode`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function validatePlan(input: unknown, source?: string): Plan {
  const result = planSchema.safeParse(input);
  if (result.success) return result.data;
  throw new PlanError(
    result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    source,
  );
}

/** Parses plan JSON text; syntax errors name the line and column. */
export function parsePlanJson(text: string, source = 'plan'): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new PlanError([{ path: '', message: `not valid JSON (${msg})` }], source);
  }
  return validatePlan(raw, source);
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
    triggers: plan.triggers.map((t) => ({
      id: triggerId(t.id),
      name: t.name ?? t.id,
      kind: t.kind,
      mode: canonicalMode(t.mode),
      modeName: t.mode,
      limit: resolveTriggerLimit(t.limitPer24h, t.mode, profile),
      inferred: false,
    })),
  };
}
