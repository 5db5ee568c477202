/**
 * Comparing plans over the same events: each plan is replayed by the engine, summarised by the
 * report, and reduced to the figures an admin weighs (what gets blocked, delayed, dropped and what
 * it costs), with what differs between them marked. Pure apart from the engine's CPU time.
 */
import { simulate } from '../engine/simulate.ts';
import { buildReport } from '../engine/report.ts';
import type { Report } from '../engine/report.ts';
import type { EventColumns } from '../engine/events.ts';
import { profileOf } from '../engine/plan.ts';
import type { EnforcementProfile, Plan } from '../engine/plan.ts';
import { planUnderProfile } from '../compare/profiles.ts';
import { MICROS_PER_USD } from '../engine/units.ts';

export interface NamedPlan {
  name: string;
  plan: Plan;
}

export const METRICS = [
  { id: 'blockedRequests', label: 'Blocked API requests', unit: 'count' },
  { id: 'deniedSpendUsd', label: 'Denied spend', unit: 'usd' },
  { id: 'keysCappedOut', label: 'Keys that cap out', unit: 'count' },
  { id: 'delayedRuns', label: 'Delayed trigger runs', unit: 'count' },
  { id: 'droppedRuns', label: 'Dropped or skipped runs', unit: 'count' },
  { id: 'programmaticSpendUsd', label: 'Programmatic spend', unit: 'usd' },
  { id: 'blockedMessages', label: 'People’s blocked messages', unit: 'count' },
  // Demand is the same in every plan, so seats alone change none of the counts above until the
  // allowance refuses: how close each plan comes to it is what "what breaks at 25 seats?" asks.
  { id: 'allowancePeakShare', label: 'Busiest 24 h of messages and fair-use runs, share of the allowance', unit: 'share' },
  { id: 'poolPeakShare', label: 'Busiest 24 h of fair-use runs, share of the pool', unit: 'share' },
] as const;

export type MetricId = (typeof METRICS)[number]['id'];
export type ScenarioMetrics = Record<MetricId, number>;

/** Which reading of the limits each plan is replayed under: its own (`enforcement.profile`), or one for all (SPEC section 9). */
export type CompareUnder = 'own' | EnforcementProfile;

export interface ScenarioResult {
  name: string;
  /** the reading of the limits the plan was replayed under */
  profile: EnforcementProfile;
  metrics: ScenarioMetrics;
  /** per key: blocked requests; per trigger: delayed + dropped + skipped runs */
  keys: Record<string, number>;
  triggers: Record<string, number>;
}

export interface MetricComparison {
  id: MetricId;
  label: string;
  /** `share`: a fraction of a limit (1 = at the limit; 0 when the plan sets none) */
  unit: 'count' | 'usd' | 'share';
  values: number[];
  /** value − the first scenario's value (the baseline) */
  deltas: number[];
  /** indices of the scenarios with the lowest value (all of them lower is better) */
  best: number[];
  /** whether the scenarios disagree on this figure */
  differs: boolean;
}

export interface EntityDifference {
  kind: 'key' | 'trigger';
  id: string;
  /** blocked requests (keys) or held-back runs (triggers), per scenario */
  values: number[];
}

export interface PlanChange {
  path: string;
  from: unknown;
  to: unknown;
}

export interface Comparison {
  scenarios: ScenarioResult[];
  metrics: MetricComparison[];
  /** keys and triggers whose figures differ between the scenarios, the largest spread first */
  entities: EntityDifference[];
  /** per scenario, how its plan differs from the first one (empty for the first) */
  changes: PlanChange[][];
}

export interface CompareOptions {
  /** horizon, epoch ms (default: the engine's, last event + 30 days) */
  until?: number;
  /** default 'own': a plan saved under the platform profile is replayed as the platform's code enforces it */
  under?: CompareUnder;
  signal?: { readonly aborted: boolean };
  onProgress?: (done: number, total: number) => void;
}

const toMicros = (usd: number): number => Math.round(usd * MICROS_PER_USD);

/** The figures of one plan's report. Dollars are summed as integer micro-USD. */
export function metricsOf(report: Report): ScenarioMetrics {
  let denied = 0;
  let programmatic = 0;
  let blocked = 0;
  let delayed = 0;
  let dropped = 0;
  let cappedOut = 0;
  for (const k of report.keys) {
    blocked += k.blocked;
    denied += toMicros(k.blockedUsd);
    if (k.cappedOut.length > 0) cappedOut++;
  }
  for (const t of report.triggers) {
    delayed += t.delayed;
    dropped += t.dropped + t.skipped;
    if (t.mode === 'programmatic') programmatic += toMicros(t.admittedUsd);
  }
  return {
    blockedRequests: blocked,
    deniedSpendUsd: denied / MICROS_PER_USD,
    keysCappedOut: cappedOut,
    delayedRuns: delayed,
    droppedRuns: dropped,
    programmaticSpendUsd: programmatic / MICROS_PER_USD,
    blockedMessages: report.allowance.blockedMessages,
    allowancePeakShare: shareOf(report.allowance.peak, report.allowance.limit),
    poolPeakShare: shareOf(report.pool.peak, report.pool.limit),
  };
}

/** A peak as a share of its limit; 0 for no limit (nothing to come near). */
function shareOf(peak: number, limit: number | null): number {
  return limit === null || !(limit > 0) ? 0 : peak / limit;
}

export function scenarioResult(name: string, report: Report, profile: EnforcementProfile = 'documented'): ScenarioResult {
  return {
    name,
    profile,
    metrics: metricsOf(report),
    keys: Object.fromEntries(report.keys.map((k) => [k.id, k.blocked])),
    triggers: Object.fromEntries(report.triggers.map((t) => [t.id, t.delayed + t.dropped + t.skipped])),
  };
}

/** Runs each plan over the same events and compares them (the first is the baseline). */
export function compareScenarios(events: EventColumns, plans: readonly NamedPlan[], options: CompareOptions = {}): Comparison {
  if (plans.length === 0) throw new RangeError('compare at least one plan');
  const under = options.under ?? 'own';
  const read = plans.map((p) => (under === 'own' || profileOf(p.plan) === under ? p.plan : planUnderProfile(p.plan, under).plan));
  const results = plans.map((p, i) => {
    const plan = read[i] ?? p.plan;
    const result = simulate(plan, events, {
      until: options.until,
      signal: options.signal,
      onProgress: options.onProgress && ((done, total) => options.onProgress?.(i * total + done, plans.length * total)),
    });
    return scenarioResult(p.name, buildReport(events, result), profileOf(plan));
  });
  return compareResults(results, read);
}

/** The comparison of results already computed (`plans` in the same order, for the plan changes). */
export function compareResults(results: readonly ScenarioResult[], plans: readonly Plan[]): Comparison {
  const metrics: MetricComparison[] = METRICS.map((m) => {
    const values = results.map((r) => r.metrics[m.id]);
    const base = values[0] ?? 0;
    const low = values.reduce((a, b) => Math.min(a, b), Infinity);
    return {
      id: m.id,
      label: m.label,
      unit: m.unit,
      values,
      deltas: values.map((v) => (m.unit === 'usd' ? (toMicros(v) - toMicros(base)) / MICROS_PER_USD : v - base)),
      best: values.flatMap((v, i) => (v === low ? [i] : [])),
      differs: values.some((v) => v !== base),
    };
  });
  const entities: EntityDifference[] = [];
  for (const kind of ['key', 'trigger'] as const) {
    const ids = new Set(results.flatMap((r) => Object.keys(kind === 'key' ? r.keys : r.triggers)));
    for (const id of ids) {
      const values = results.map((r) => (kind === 'key' ? r.keys : r.triggers)[id] ?? 0);
      if (values.some((v) => v !== values[0])) entities.push({ kind, id, values });
    }
  }
  const spread = (e: EntityDifference) => e.values.reduce((a, b) => Math.max(a, b), -Infinity) - e.values.reduce((a, b) => Math.min(a, b), Infinity);
  entities.sort((a, b) => spread(b) - spread(a) || a.id.localeCompare(b.id));
  const first = plans[0];
  const changes = plans.map((p, i) => (i === 0 || first === undefined ? [] : planChanges(first, p)));
  return { scenarios: [...results], metrics, entities, changes };
}

function push(out: PlanChange[], path: string, from: unknown, to: unknown): void {
  if (JSON.stringify(from) !== JSON.stringify(to)) out.push({ path, from, to });
}

function byId<T extends { id: string }>(out: PlanChange[], prefix: string, a: readonly T[], b: readonly T[]): void {
  const left = new Map(a.map((x) => [x.id, x]));
  const right = new Map(b.map((x) => [x.id, x]));
  for (const [id, x] of left) {
    const y = right.get(id);
    if (!y) {
      out.push({ path: `${prefix}.${id}`, from: x, to: null });
      continue;
    }
    const fields = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const f of fields) if (f !== 'id') push(out, `${prefix}.${id}.${f}`, (x as Record<string, unknown>)[f] ?? null, (y as Record<string, unknown>)[f] ?? null);
  }
  for (const [id, y] of right) if (!left.has(id)) out.push({ path: `${prefix}.${id}`, from: null, to: y });
}

/**
 * What differs between two plans, field by field; keys, triggers and spend limits are matched by
 * id (not position), so reordering is no change.
 */
export function planChanges(a: Plan, b: Plan): PlanChange[] {
  const out: PlanChange[] = [];
  for (const f of ['name', 'seats', 'messagesPerSeatPerDay', 'fairUseShare'] as const) push(out, `workspace.${f}`, a.workspace[f], b.workspace[f]);
  byId(out, 'workspace.spendLimits', a.workspace.spendLimits, b.workspace.spendLimits);
  byId(out, 'apiKeys', a.apiKeys, b.apiKeys);
  byId(out, 'triggers', a.triggers, b.triggers);
  // both sides' fields: one plan may name what the other leaves to its default (a profile, a throttle)
  const fields = new Set([...Object.keys(a.enforcement), ...Object.keys(b.enforcement)]) as Set<keyof Plan['enforcement']>;
  // absent is not null: a throttle left out takes the profile's default, null turns it off
  // (an absent profile is the docs': no change)
  const field = (p: Plan, f: keyof Plan['enforcement']): unknown => (f === 'profile' ? profileOf(p) : p.enforcement[f] === undefined ? 'default' : p.enforcement[f]);
  for (const f of fields) push(out, `enforcement.${f}`, field(a, f), field(b, f));
  return out;
}
