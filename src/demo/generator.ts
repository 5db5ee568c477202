/**
 * Seeded generator of a believable workspace: a plan (SPEC §2) and its usage events, in time
 * order. The same options always give the same output.
 *
 * The story the default demo tells when simulated under its own plan:
 * - `k_data_pipeline`: a runaway script fires expensive requests for a few hours, caps the key
 *   out, and the key stays blocked until that spend leaves its 30-day window;
 * - `k_marketing` runs close to its cap, `k_support_bot` grows past its cap near the end;
 * - `k_analytics` has no cap; its backfill day runs into the workspace's daily spend limit;
 * - `t_pr_review` gets more than 42 deliveries a weekday on fair use, so its runs queue in the
 *   week and drain at night and on weekends (a candidate for programmatic mode);
 * - the fair-use triggers together come close to the pool (half the message allowance);
 * - people send messages in business hours, far fewer at weekends; a few send many more.
 */
import { EventColumnsBuilder, EventType } from '../engine/events.ts';
import type { EventColumns, EventTypeCode } from '../engine/events.ts';
import { validatePlan } from '../engine/plan.ts';
import type { Plan, PlanInput } from '../engine/plan.ts';
import { DAY, HOUR, MICROS_PER_USD, MINUTE } from '../engine/units.ts';
import { intBelow, logNormal, normal, poisson, rngFor, uniform } from './prng.ts';
import type { Rng } from './prng.ts';

export interface GenerateOptions {
  /** any integer; default 42 */
  seed?: number;
  /** length of the period in days; default 60 */
  days?: number;
  /** first day (epoch ms or ISO text), floored to 00:00 UTC; default `DEMO_END - days` */
  start?: number | string;
  /** active seats in the plan; default 25 */
  seats?: number;
  /** API keys; the first ones are the named demo keys, the rest `k_svc_0008`…; default 7 */
  keys?: number;
  /** triggers; named demo triggers first, then `t_hook_0013`…; default 12 */
  triggers?: number;
  /** people sending messages (`u_0001`…); default = seats */
  people?: number;
  /** multiplies every event rate (scheduled fires excepted); caps and limits follow; default 1 */
  scale?: number;
}

/** The demo's period ends here by default (a Monday, 00:00 UTC), so the output never drifts. */
export const DEMO_END = Date.UTC(2026, 10, 2);
export const DEFAULT_SEED = 42;
export const DEFAULT_DAYS = 60;
export const DEFAULT_SEATS = 25;

export interface GeneratedWorkspace {
  plan: Plan;
  events: EventColumns;
  start: number;
  end: number;
}

/** One hour of events in time order. Buffers are reused: copy what you keep. */
export interface EventChunk {
  count: number;
  time: Float64Array;
  type: Uint8Array;
  /** index into `WorkspaceModel.subjects` */
  subject: Uint32Array;
  cost: Float64Array;
}

// --- shapes of the day --------------------------------------------------------------------

function normalized(weights: number[]): Float64Array {
  const sum = weights.reduce((a, b) => a + b, 0);
  return Float64Array.from(weights, (w) => w / sum);
}

/** hour-of-day weights (UTC): office hours with a lunch dip, or round-the-clock services */
const PROFILES = {
  business: normalized([
    0.05, 0.03, 0.02, 0.02, 0.03, 0.08, 0.25, 0.7, 1.6, 2.4, 2.7, 2.5, 1.6, 2.1, 2.6, 2.5, 2.1, 1.5, 0.9, 0.6, 0.4,
    0.3, 0.2, 0.1,
  ]),
  dev: normalized([
    0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2.2, 2.6, 2.4, 1.7, 2.2, 2.6, 2.7, 2.5, 2.0, 1.4, 1.0, 0.7, 0.5,
    0.3, 0.2,
  ]),
  inbox: normalized([
    0.3, 0.25, 0.2, 0.2, 0.25, 0.4, 0.7, 1.1, 1.6, 1.9, 2.0, 1.9, 1.5, 1.7, 1.9, 1.8, 1.6, 1.3, 1.0, 0.8, 0.7, 0.6,
    0.5, 0.4,
  ]),
  flat: normalized([
    0.7, 0.65, 0.6, 0.6, 0.65, 0.75, 0.9, 1.05, 1.2, 1.3, 1.35, 1.35, 1.3, 1.35, 1.35, 1.3, 1.25, 1.2, 1.1, 1.0, 0.95,
    0.9, 0.8, 0.75,
  ]),
};
type ProfileName = keyof typeof PROFILES;

function isWeekend(dayStart: number): boolean {
  const wd = new Date(dayStart).getUTCDay();
  return wd === 0 || wd === 6;
}

// --- what the workspace holds ---------------------------------------------------------------

interface CostModel {
  medianUsd: number;
  sigma: number;
}

/** A stream of events of one subject (or of all people) following the day's rhythm. */
interface Process {
  name: string;
  type: EventTypeCode;
  /** subject index, or -1 for people's messages (picked by weight) */
  subject: number;
  /** expected events on a weekday at scale 1 with trend 1 */
  perDay: number;
  weekend: number;
  profile: Float64Array;
  /** rate multiplier at the end of the period (linear from 1 at the start) */
  trend: number;
  /** spread of the day-to-day noise (log scale) */
  dailySigma: number;
  cost: CostModel | null;
  /** a flat burst instead of the daily rhythm: active only in [from, to) */
  burst: { from: number; to: number; perHour: number } | null;
}

interface Scheduled {
  subject: number;
  /** minutes after 00:00 UTC for each fire in a day */
  minutes: number[];
  /** which days: every day, weekdays, or one weekday (0 = Sunday) */
  days: 'all' | 'weekdays' | number;
}

interface KeySpec {
  id: string;
  name: string;
  /** cap as a multiple of the key's expected ordinary 30-day spend; null = no cap */
  capRatio: number | null;
  perDay: number;
  weekend: number;
  profile: ProfileName;
  trend: number;
  cost: CostModel;
}

interface TriggerSpec {
  id: string;
  name: string;
  kind: 'webhook' | 'scheduled';
  mode: 'fair_use' | 'programmatic';
  /** explicit limit as a multiple of expected weekday arrivals; null = the plan's default */
  limitRatio: number | null;
  perDay: number;
  weekend: number;
  profile: ProfileName;
  cost: CostModel | null;
  schedule: Omit<Scheduled, 'subject'> | null;
}

const NAMED_KEYS: KeySpec[] = [
  {
    id: 'k_data_pipeline',
    name: 'Data pipeline (ETL)',
    capRatio: 2.2,
    perDay: 40,
    weekend: 0.8,
    profile: 'flat',
    trend: 1,
    cost: { medianUsd: 0.08, sigma: 0.6 },
  },
  {
    id: 'k_marketing',
    name: 'Marketing content',
    capRatio: 1.2,
    perDay: 70,
    weekend: 0.05,
    profile: 'business',
    trend: 1.1,
    cost: { medianUsd: 0.1, sigma: 0.9 },
  },
  {
    id: 'k_support_bot',
    name: 'Support assistant',
    capRatio: 1.1,
    perDay: 120,
    weekend: 0.5,
    profile: 'inbox',
    trend: 2.2,
    cost: { medianUsd: 0.05, sigma: 0.7 },
  },
  {
    id: 'k_analytics',
    name: 'Analytics (no cap)',
    capRatio: null,
    perDay: 90,
    weekend: 0.1,
    profile: 'business',
    trend: 1,
    cost: { medianUsd: 0.12, sigma: 0.8 },
  },
  {
    id: 'k_sales_assistant',
    name: 'Sales assistant',
    capRatio: 2.5,
    perDay: 25,
    weekend: 0.05,
    profile: 'business',
    trend: 1.2,
    cost: { medianUsd: 0.06, sigma: 0.7 },
  },
  {
    id: 'k_ci_bot',
    name: 'CI code checks',
    capRatio: 1.6,
    perDay: 45,
    weekend: 0.15,
    profile: 'dev',
    trend: 1,
    cost: { medianUsd: 0.2, sigma: 0.6 },
  },
  {
    id: 'k_dev_sandbox',
    name: 'Developer sandbox',
    capRatio: 3.5,
    perDay: 10,
    weekend: 0.2,
    profile: 'dev',
    trend: 1,
    cost: { medianUsd: 0.05, sigma: 1.0 },
  },
];

const NAMED_TRIGGERS: TriggerSpec[] = [
  {
    id: 't_pr_review',
    name: 'PR review',
    kind: 'webhook',
    mode: 'fair_use',
    limitRatio: null,
    perDay: 48,
    weekend: 0.15,
    profile: 'dev',
    cost: null,
    schedule: null,
  },
  {
    id: 't_inbox_router',
    name: 'Shared inbox router',
    kind: 'webhook',
    mode: 'fair_use',
    limitRatio: 1.3,
    perDay: 500,
    weekend: 0.35,
    profile: 'inbox',
    cost: null,
    schedule: null,
  },
  {
    id: 't_support_triage',
    name: 'Support ticket triage',
    kind: 'webhook',
    mode: 'fair_use',
    limitRatio: 1.3,
    perDay: 290,
    weekend: 0.5,
    profile: 'flat',
    cost: null,
    schedule: null,
  },
  {
    id: 't_alert_enricher',
    name: 'Monitoring alert enrichment',
    kind: 'webhook',
    mode: 'fair_use',
    limitRatio: 1.6,
    perDay: 90,
    weekend: 1,
    profile: 'flat',
    cost: null,
    schedule: null,
  },
  {
    id: 't_ci_failures',
    name: 'CI failure explainer',
    kind: 'webhook',
    mode: 'fair_use',
    limitRatio: null,
    perDay: 28,
    weekend: 0.1,
    profile: 'dev',
    cost: null,
    schedule: null,
  },
  {
    id: 't_lead_enrichment',
    name: 'Lead enrichment',
    kind: 'webhook',
    mode: 'programmatic',
    limitRatio: null,
    perDay: 60,
    weekend: 0.1,
    profile: 'business',
    cost: { medianUsd: 0.08, sigma: 0.6 },
    schedule: null,
  },
  scheduledSpec('t_digest_engineering', 'Engineering daily digest', [8 * 60], 'weekdays'),
  scheduledSpec('t_digest_sales', 'Sales daily digest', [8 * 60 + 30], 'weekdays'),
  scheduledSpec('t_standup_notes', 'Stand-up notes', [9 * 60 + 15], 'weekdays'),
  scheduledSpec('t_weekly_metrics', 'Weekly metrics report', [7 * 60], 1),
  scheduledSpec('t_nightly_summary', 'Nightly summary', [23 * 60], 'all'),
  scheduledSpec(
    't_health_check',
    'Hourly health check',
    Array.from({ length: 24 }, (_, h) => h * 60 + 5),
    'all',
  ),
];

function scheduledSpec(id: string, name: string, minutes: number[], days: Scheduled['days']): TriggerSpec {
  return {
    id,
    name,
    kind: 'scheduled',
    mode: 'fair_use',
    limitRatio: null,
    perDay: 0,
    weekend: 0,
    profile: 'flat',
    cost: null,
    schedule: { minutes, days },
  };
}

/** messages a person sends on a weekday, on average, before their personal weight */
const MESSAGES_PER_PERSON_PER_WEEKDAY = 24;
const PEOPLE_WEEKEND = 0.08;

const RUNAWAY = { key: 'k_data_pipeline', dayShare: 0.35, startHour: 13, hours: 3, perHour: 1500 };
const RUNAWAY_COST: CostModel = { medianUsd: 0.9, sigma: 0.5 };
const BACKFILL = { key: 'k_analytics', dayShare: 0.7, startHour: 10, hours: 5, perHour: 900 };
const BACKFILL_COST: CostModel = { medianUsd: 0.35, sigma: 0.6 };
const ALERT_STORM = { trigger: 't_alert_enricher', dayShare: 0.55, startHour: 3, hours: 1, perHour: 60 };

/** API calls cost between a tenth of a cent and a few dollars. */
const MIN_COST_USD = 0.001;
const MAX_COST_USD = 4.5;

function sampleCost(rng: Rng, model: CostModel): number {
  const usd = Math.min(MAX_COST_USD, Math.max(MIN_COST_USD, logNormal(rng, model.medianUsd, model.sigma)));
  return Math.round(usd * MICROS_PER_USD);
}

function meanCostUsd(model: CostModel): number {
  return model.medianUsd * Math.exp((model.sigma * model.sigma) / 2);
}

/** Two significant digits, so caps and limits read like numbers an admin would pick. */
function nice(x: number): number {
  if (!(x > 0)) return 0;
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(x)) - 1);
  return Math.max(1, Math.round(x / magnitude) * magnitude);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Everything the generator needs, resolved from the options. */
export interface WorkspaceModel {
  seed: number;
  start: number;
  days: number;
  scale: number;
  subjects: string[];
  planInput: PlanInput;
  processes: Process[];
  scheduled: Scheduled[];
  /** cumulative person weights for picking who sends a message */
  personCdf: Float64Array;
  /** subject index of person 0; people are consecutive */
  firstPerson: number;
}

function toStart(start: number | string | undefined, days: number): number {
  let ms: number;
  if (start === undefined) ms = DEMO_END - days * DAY;
  else if (typeof start === 'number') ms = start;
  else ms = Date.parse(start);
  if (!Number.isFinite(ms)) throw new RangeError(`start is not a date: ${String(start)}`);
  return Math.floor(ms / DAY) * DAY;
}

function positiveInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, not ${value}`);
  return value;
}

/** Mean of the weekday/weekend mix over a 30-day window, as a multiple of the weekday rate. */
const DAYS_PER_30 = 30 * (5 / 7) + 30 * (2 / 7);
function thirtyDayShare(weekend: number): number {
  return (DAYS_PER_30 * 5) / 7 + ((DAYS_PER_30 * 2) / 7) * weekend;
}

export function buildModel(options: GenerateOptions = {}): WorkspaceModel {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, not ${seed}`);
  const days = positiveInt('days', options.days ?? DEFAULT_DAYS, 1);
  const seats = positiveInt('seats', options.seats ?? DEFAULT_SEATS, 0);
  const people = positiveInt('people', options.people ?? seats, 0);
  const keyCount = positiveInt('keys', options.keys ?? NAMED_KEYS.length, 0);
  const triggerCount = positiveInt('triggers', options.triggers ?? NAMED_TRIGGERS.length, 0);
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive number, not ${scale}`);
  const start = toStart(options.start, days);
  const end = start + days * DAY;
  const shape = rngFor(seed, 'shape');

  const subjects: string[] = [];
  const processes: Process[] = [];
  const scheduled: Scheduled[] = [];
  const addSubject = (name: string) => subjects.push(name) - 1;
  const process = (p: Omit<Process, 'burst' | 'trend' | 'dailySigma'> & Partial<Process>): void => {
    processes.push({ trend: 1, dailySigma: 0.12, burst: null, ...p });
  };
  const burstWindow = (dayShare: number, startHour: number, hours: number) => {
    // the burst falls on a weekday, when someone is around to notice
    let day = start + Math.min(days - 1, Math.floor(days * dayShare)) * DAY;
    while (isWeekend(day) && day + DAY < end) day += DAY;
    const from = day + startHour * HOUR;
    return { from, to: Math.min(end, from + hours * HOUR) };
  };

  // API keys
  const keySpecs: KeySpec[] = NAMED_KEYS.slice(0, keyCount);
  const keyWidth = Math.max(4, String(keyCount).length);
  for (let i = keySpecs.length; i < keyCount; i++) {
    const capped = shape.next() >= 0.15;
    keySpecs.push({
      id: `k_svc_${pad(i + 1, keyWidth)}`,
      name: `Service ${i + 1}`,
      capRatio: capped ? uniform(shape, 0.7, 2.5) : null,
      perDay: logNormal(shape, 60, 0.7),
      weekend: shape.next() < 0.5 ? 0.1 : 0.8,
      profile: shape.next() < 0.5 ? 'business' : 'flat',
      trend: uniform(shape, 0.8, 1.5),
      cost: { medianUsd: logNormal(shape, 0.08, 0.6), sigma: uniform(shape, 0.4, 1.0) },
    });
  }
  const apiKeys: NonNullable<PlanInput['apiKeys']> = [];
  let dailySpendUsd = 0;
  for (const spec of keySpecs) {
    const subject = addSubject(spec.id);
    const meanTrend = (1 + spec.trend) / 2;
    const perDay = spec.perDay * scale;
    const thirtyDayUsd = perDay * thirtyDayShare(spec.weekend) * meanTrend * meanCostUsd(spec.cost);
    dailySpendUsd += thirtyDayUsd / 30;
    apiKeys.push({ id: spec.id, name: spec.name, capUsd: spec.capRatio === null ? null : nice(spec.capRatio * thirtyDayUsd) });
    process({
      name: `key:${spec.id}`,
      type: EventType.api,
      subject,
      perDay,
      weekend: spec.weekend,
      profile: PROFILES[spec.profile],
      trend: spec.trend,
      cost: spec.cost,
    });
    if (spec.id === RUNAWAY.key) {
      process({
        name: `runaway:${spec.id}`,
        type: EventType.api,
        subject,
        perDay: 0,
        weekend: 0,
        profile: PROFILES.flat,
        cost: RUNAWAY_COST,
        burst: { ...burstWindow(RUNAWAY.dayShare, RUNAWAY.startHour, RUNAWAY.hours), perHour: RUNAWAY.perHour * scale },
      });
    }
    if (spec.id === BACKFILL.key) {
      process({
        name: `backfill:${spec.id}`,
        type: EventType.api,
        subject,
        perDay: 0,
        weekend: 0,
        profile: PROFILES.flat,
        cost: BACKFILL_COST,
        burst: { ...burstWindow(BACKFILL.dayShare, BACKFILL.startHour, BACKFILL.hours), perHour: BACKFILL.perHour * scale },
      });
    }
  }

  // triggers
  const triggerSpecs: TriggerSpec[] = NAMED_TRIGGERS.slice(0, triggerCount);
  const triggerWidth = Math.max(4, String(triggerCount).length);
  for (let i = triggerSpecs.length; i < triggerCount; i++) {
    const id = `t_hook_${pad(i + 1, triggerWidth)}`;
    const roll = shape.next();
    if (roll < 0.1) {
      const minute = intBelow(shape, 24 * 4) * 15;
      triggerSpecs.push({ ...scheduledSpec(`t_sched_${pad(i + 1, triggerWidth)}`, `Schedule ${i + 1}`, [minute], 'all') });
      continue;
    }
    const programmatic = roll < 0.15;
    // most webhooks get more deliveries than their limit allows, so their queues stay busy
    const busy = !programmatic && shape.next() < 0.6;
    triggerSpecs.push({
      id,
      name: `Webhook ${i + 1}`,
      kind: 'webhook',
      mode: programmatic ? 'programmatic' : 'fair_use',
      limitRatio: busy ? 1 / uniform(shape, 1.15, 1.6) : programmatic ? null : 1.6,
      perDay: logNormal(shape, 40, 0.6),
      weekend: shape.next() < 0.5 ? 0.2 : 0.9,
      profile: shape.next() < 0.5 ? 'dev' : 'flat',
      cost: programmatic ? { medianUsd: logNormal(shape, 0.06, 0.5), sigma: 0.6 } : null,
      schedule: null,
    });
  }
  const triggers: NonNullable<PlanInput['triggers']> = [];
  for (const spec of triggerSpecs) {
    const subject = addSubject(spec.id);
    const perDay = spec.perDay * scale;
    triggers.push({
      id: spec.id,
      name: spec.name,
      kind: spec.kind,
      mode: spec.mode,
      limitPer24h: spec.limitRatio === null ? null : Math.max(1, Math.round(nice(spec.limitRatio * perDay))),
    });
    if (spec.cost) dailySpendUsd += (perDay * thirtyDayShare(spec.weekend) * meanCostUsd(spec.cost)) / 30;
    if (spec.schedule) {
      scheduled.push({ subject, ...spec.schedule });
      continue;
    }
    process({
      name: `trigger:${spec.id}`,
      type: EventType.trigger,
      subject,
      perDay,
      weekend: spec.weekend,
      profile: PROFILES[spec.profile],
      // automation volume varies less from day to day than people do
      dailySigma: 0.06,
      cost: spec.cost,
    });
    if (spec.id === ALERT_STORM.trigger) {
      process({
        name: `storm:${spec.id}`,
        type: EventType.trigger,
        subject,
        perDay: 0,
        weekend: 0,
        profile: PROFILES.flat,
        cost: null,
        burst: {
          ...burstWindow(ALERT_STORM.dayShare, ALERT_STORM.startHour, ALERT_STORM.hours),
          perHour: ALERT_STORM.perHour * scale,
        },
      });
    }
  }

  // people
  const personWidth = Math.max(4, String(people).length);
  const firstPerson = subjects.length;
  const personCdf = new Float64Array(people);
  const personRng = rngFor(seed, 'people');
  let total = 0;
  for (let i = 0; i < people; i++) {
    addSubject(`u_${pad(i + 1, personWidth)}`);
    // a few heavy users send several times what most people do
    const heavy = personRng.next() < 0.08 ? 3 : 1;
    total += logNormal(personRng, 1, 0.7) * heavy;
    personCdf[i] = total;
  }
  for (let i = 0; i < people; i++) personCdf[i] /= total;
  if (people > 0) {
    process({
      name: 'people',
      type: EventType.message,
      subject: -1,
      perDay: people * MESSAGES_PER_PERSON_PER_WEEKDAY * scale,
      weekend: PEOPLE_WEEKEND,
      profile: PROFILES.business,
      dailySigma: 0.1,
      cost: null,
    });
  }

  const planInput: PlanInput = {
    version: 1,
    workspace: {
      name: keyCount > NAMED_KEYS.length || triggerCount > NAMED_TRIGGERS.length ? 'Acme Robotics (large)' : 'Acme Robotics',
      seats,
      messagesPerSeatPerDay: 100,
      fairUseShare: 0.5,
      spendLimits: [
        // the backfill day of the uncapped key runs into this one
        { id: 'daily', amountUsd: nice(Math.max(1, dailySpendUsd * 8)), window: 'utc-day' },
        { id: 'monthly', amountUsd: nice(Math.max(1, dailySpendUsd * 30 * 1.5)), window: 'calendar-month' },
      ],
    },
    apiKeys,
    triggers,
    enforcement: { keyCapWindowDays: 30, capCheck: 'spent', webhookWhenLimited: 'queue', maxQueueWaitHours: null },
  };

  return { seed, start, days, scale, subjects, planInput, processes, scheduled, personCdf, firstPerson };
}

function pickPerson(rng: Rng, cdf: Float64Array): number {
  const u = rng.next();
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function hourlyMean(p: Process, hourStart: number, hourOfDay: number, weekend: boolean, progress: number): number {
  if (p.burst) return hourStart >= p.burst.from && hourStart < p.burst.to ? p.burst.perHour : 0;
  const trend = 1 + (p.trend - 1) * progress;
  return p.perDay * (weekend ? p.weekend : 1) * trend * p.profile[hourOfDay];
}

function scheduledFiresOn(s: Scheduled, dayStart: number): boolean {
  if (s.days === 'all') return true;
  const wd = new Date(dayStart).getUTCDay();
  return s.days === 'weekdays' ? wd !== 0 && wd !== 6 : wd === s.days;
}

/** The expected number of events (without the noise), to size inputs before generating them. */
export function expectedEventCount(model: WorkspaceModel): number {
  let total = 0;
  for (let d = 0; d < model.days; d++) {
    const dayStart = model.start + d * DAY;
    const weekend = isWeekend(dayStart);
    const progress = model.days > 1 ? d / (model.days - 1) : 0;
    for (let h = 0; h < 24; h++) {
      for (const p of model.processes) total += hourlyMean(p, dayStart + h * HOUR, h, weekend, progress);
    }
    for (const s of model.scheduled) if (scheduledFiresOn(s, dayStart)) total += s.minutes.length;
  }
  return Math.round(total);
}

/**
 * Produces the events hour by hour, each hour sorted by time (ties in a fixed order), so that
 * millions of events can go to disk without being held in memory.
 */
export function generateChunks(model: WorkspaceModel, onChunk: (chunk: EventChunk) => void): number {
  const rngs = model.processes.map((p) => rngFor(model.seed, p.name));
  const jitter = rngFor(model.seed, 'scheduled');
  const dayFactor = new Float64Array(model.processes.length);
  let capacity = 4096;
  let time = new Float64Array(capacity);
  let type = new Uint8Array(capacity);
  let subject = new Uint32Array(capacity);
  let cost = new Float64Array(capacity);
  const out: EventChunk = {
    count: 0,
    time: new Float64Array(capacity),
    type: new Uint8Array(capacity),
    subject: new Uint32Array(capacity),
    cost: new Float64Array(capacity),
  };
  let order = new Uint32Array(capacity);
  let n = 0;
  const push = (t: number, ty: number, s: number, c: number) => {
    if (n === capacity) {
      capacity *= 2;
      const grow = <T extends Float64Array | Uint8Array | Uint32Array>(a: T, b: T): T => {
        b.set(a);
        return b;
      };
      time = grow(time, new Float64Array(capacity));
      type = grow(type, new Uint8Array(capacity));
      subject = grow(subject, new Uint32Array(capacity));
      cost = grow(cost, new Float64Array(capacity));
    }
    time[n] = t;
    type[n] = ty;
    subject[n] = s;
    cost[n] = c;
    n++;
  };

  let emitted = 0;
  for (let d = 0; d < model.days; d++) {
    const dayStart = model.start + d * DAY;
    const weekend = isWeekend(dayStart);
    const progress = model.days > 1 ? d / (model.days - 1) : 0;
    for (let i = 0; i < model.processes.length; i++) {
      const sigma = model.processes[i].dailySigma;
      // mean-one noise, so the expected count stays what the rates say
      dayFactor[i] = Math.exp(sigma * normal(rngs[i]) - (sigma * sigma) / 2);
    }
    for (let h = 0; h < 24; h++) {
      const hourStart = dayStart + h * HOUR;
      n = 0;
      for (let i = 0; i < model.processes.length; i++) {
        const p = model.processes[i];
        const mean = hourlyMean(p, hourStart, h, weekend, progress);
        if (mean === 0) continue;
        const rng = rngs[i];
        const k = poisson(rng, p.burst ? mean : mean * dayFactor[i]);
        for (let j = 0; j < k; j++) {
          const t = hourStart + Math.floor(rng.next() * HOUR);
          const s = p.subject >= 0 ? p.subject : model.firstPerson + pickPerson(rng, model.personCdf);
          push(t, p.type, s, p.cost ? sampleCost(rng, p.cost) : 0);
        }
      }
      for (const s of model.scheduled) {
        if (!scheduledFiresOn(s, dayStart)) continue;
        for (const minute of s.minutes) {
          if (Math.floor(minute / 60) !== h) continue;
          // schedulers fire on the minute, a fraction of a second late
          push(dayStart + minute * MINUTE + Math.floor(jitter.next() * 800), EventType.trigger, s.subject, 0);
        }
      }
      if (n === 0) continue;
      if (order.length < n) order = new Uint32Array(capacity);
      for (let i = 0; i < n; i++) order[i] = i;
      const idx = order.subarray(0, n);
      const t = time;
      idx.sort((a, b) => t[a] - t[b] || a - b);
      if (out.time.length < n) {
        out.time = new Float64Array(capacity);
        out.type = new Uint8Array(capacity);
        out.subject = new Uint32Array(capacity);
        out.cost = new Float64Array(capacity);
      }
      for (let i = 0; i < n; i++) {
        const src = idx[i];
        out.time[i] = time[src];
        out.type[i] = type[src];
        out.subject[i] = subject[src];
        out.cost[i] = cost[src];
      }
      out.count = n;
      emitted += n;
      onChunk(out);
    }
  }
  return emitted;
}

export function planOf(model: WorkspaceModel): Plan {
  return validatePlan(model.planInput, 'generated plan');
}

/** A whole workspace in memory: its plan and its events in time order. */
export function generateWorkspace(options: GenerateOptions = {}): GeneratedWorkspace {
  const model = buildModel(options);
  const builder = new EventColumnsBuilder();
  const names = model.subjects;
  generateChunks(model, (c) => {
    for (let i = 0; i < c.count; i++) builder.push(c.time[i], c.type[i] as EventTypeCode, names[c.subject[i]], c.cost[i]);
  });
  return { plan: planOf(model), events: builder.build(), start: model.start, end: model.start + model.days * DAY };
}
