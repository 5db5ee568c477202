import { z } from 'zod';
import { canonicalMode } from './plan-rules.ts';

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

// the rules a plan is resolved by, in a module of their own (no zod); re-exported for callers that validate too
export { allowanceOf, canonicalMode, codeOnlyTriggerLimit, DEFAULT_TRIGGER_LIMIT, keyId, PLATFORM_THROTTLES, poolOf, profileOf, resolvePlan, resolveTriggerLimit, triggerId, UNLIMITED } from './plan-rules.ts';
export type { KeyId, ResolvedPlan, TriggerId } from './plan-rules.ts';
