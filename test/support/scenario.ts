/**
 * Small literal scenarios for engine tests: a plan from a partial object (defaults filled by the
 * real schema) and EventColumns from a short list of rows, so each test reads like the SPEC;
 * `runBoth` runs the engine and the reference and fails with a row-by-row diff.
 */
import { EVENT_TYPE_NAMES, EventColumnsBuilder, EventType } from '../../src/engine/events.ts';
import type { EventColumns, EventTypeName } from '../../src/engine/events.ts';
import { keyId, resolvePlan, triggerId, validatePlan } from '../../src/engine/plan.ts';
import type { Plan, PlanInput } from '../../src/engine/plan.ts';
import { asEpochMs, asMicros, DAY, HOUR, MINUTE, isoOf, parseUsdToMicros } from '../../src/engine/units.ts';
import { OUTCOME_NAMES, Reason, REASON_SPEND_LIMIT_BASE, reasonName } from '../../src/engine/result.ts';
import type { OutcomeName, SimulationResult } from '../../src/engine/result.ts';
import { simulate } from '../../src/engine/simulate.ts';
import { referenceSimulate } from './reference-engine.ts';
import type { ReferencePlan, ReferenceResult } from './reference-engine.ts';

/** Monday 2026-01-05 00:00 UTC: a day start, away from month boundaries. */
export const T0 = Date.UTC(2026, 0, 5);

export { DAY, HOUR, MINUTE, isoOf };

/** T0 + hours (fractions allowed). */
export function h(hours: number): number {
  return T0 + Math.round(hours * HOUR);
}

export function iso(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new RangeError(`bad time ${text}`);
  return ms;
}

/**
 * One event row: [time, type, subject, cost]. Time is epoch ms or ISO text; cost is decimal USD
 * text (rounded exactly like the CSV importer) or a whole number of micro-USD.
 */
export type Row = readonly [time: number | string, type: EventTypeName, subject: string, cost?: string | number];

export function costMicros(cost: string | number | undefined): number {
  if (cost === undefined) return 0;
  if (typeof cost === 'number') return cost;
  const micros = parseUsdToMicros(cost);
  if (micros === null) throw new RangeError(`bad cost ${cost}`);
  return micros;
}

export function events(rows: readonly Row[]): EventColumns {
  const b = new EventColumnsBuilder();
  for (const [time, type, subject, cost] of rows) {
    const t = typeof time === 'string' ? iso(time) : time;
    b.push(t, EventType[type], subject, costMicros(cost));
  }
  return b.build();
}

/**
 * A plan for tests. Unlike the product defaults, nothing limits unless the test says so: no
 * workspace spend limit, unlimited messages. Pass fields explicitly to turn limits on.
 */
export function plan(input: {
  workspace?: NonNullable<PlanInput['workspace']>;
  apiKeys?: PlanInput['apiKeys'];
  triggers?: PlanInput['triggers'];
  enforcement?: NonNullable<PlanInput['enforcement']>;
} = {}): Plan {
  return validatePlan({
    version: 1,
    workspace: { seats: 10, messagesPerSeatPerDay: null, spendLimits: [], ...input.workspace },
    apiKeys: input.apiKeys ?? [],
    triggers: input.triggers ?? [],
    enforcement: { ...input.enforcement },
  });
}

// ---------------------------------------------------------------------------------------------
// Running a scenario through both engines and reading decisions as short text.

export interface Decision {
  outcome: OutcomeName;
  /** epoch ms, null when not admitted */
  admittedAt: number | null;
  reason: string | null;
}

export function engineDecisions(result: SimulationResult): Decision[] {
  const out: Decision[] = [];
  for (let i = 0; i < result.count; i++) {
    const at = result.admittedAt[i]!;
    out.push({
      outcome: OUTCOME_NAMES[result.outcome[i]!] ?? (`?${result.outcome[i]}` as OutcomeName),
      admittedAt: Number.isNaN(at) ? null : at,
      reason: reasonName(result.plan, result.reason[i]!),
    });
  }
  return out;
}

export function referenceReasonName(p: Plan, code: number): string | null {
  if (code === Reason.none) return null;
  if (code >= REASON_SPEND_LIMIT_BASE) return `spend_limit:${p.workspace.spendLimits[code - REASON_SPEND_LIMIT_BASE]?.id ?? '?'}`;
  return (['none', 'key_cap', 'trigger_limit', 'pool', 'allowance'] as const)[code] ?? `?${code}`;
}

/** The reference's decisions; the plan is not needed (the reference names its reasons) but kept for callers. */
export function referenceDecisions(_p: unknown, ref: ReferenceResult): Decision[] {
  return ref.outcome.map((o, i) => ({
    outcome: OUTCOME_NAMES[o] ?? (`?${o}` as OutcomeName),
    admittedAt: Number.isNaN(ref.admittedAt[i]!) ? null : ref.admittedAt[i]!,
    reason: ref.reasonName[i] ?? null,
  }));
}

/** `admitted`, `blocked key_cap`, `admitted@2026-01-06T00:00:00.000Z pool` (late admission). */
export function short(d: Decision, arrival: number): string {
  const late = d.admittedAt !== null && d.admittedAt !== arrival ? `@${isoOf(d.admittedAt)}` : '';
  return `${d.outcome}${late}${d.reason ? ` ${d.reason}` : ''}`;
}

/** A readable table of the rows where the two disagree; '' when they agree. */
export function diffDecisions(ev: EventColumns, engine: Decision[], reference: Decision[]): string {
  const lines: string[] = [];
  for (let i = 0; i < Math.max(engine.length, reference.length); i++) {
    const a = engine[i];
    const b = reference[i];
    const t = ev.time[i]!;
    const sa = a ? short(a, t) : '(missing)';
    const sb = b ? short(b, t) : '(missing)';
    if (sa !== sb) {
      const row = `${isoOf(t)} ${EVENT_TYPE_NAMES[ev.type[i]!]} ${ev.subjects[ev.subject[i]!]} ${ev.cost[i]}µ`;
      lines.push(`  #${i} ${row}\n      engine:    ${sa}\n      reference: ${sb}`);
    }
  }
  return lines.join('\n');
}

/** Literal source of a scenario, to paste into a test or a bug report. */
export function scenarioSource(p: Plan | RawPlan, ev: EventColumns, until?: number): string {
  const rows: string[] = [];
  for (let i = 0; i < ev.count; i++) {
    rows.push(`  [${JSON.stringify(isoOf(ev.time[i]!))}, '${EVENT_TYPE_NAMES[ev.type[i]!]}', ${JSON.stringify(ev.subjects[ev.subject[i]!])}, ${ev.cost[i]}],`);
  }
  return [
    `const p = validatePlan(${JSON.stringify(p)});`,
    `const ev = events([\n${rows.join('\n')}\n]);`,
    `const options = ${until === undefined ? '{}' : `{ until: Date.parse(${JSON.stringify(isoOf(until))}) }`};`,
  ].join('\n');
}

export interface BothRun {
  engine: SimulationResult;
  reference: ReferenceResult;
  decisions: Decision[];
  /** short text per event (see `short`) */
  text: string[];
}

/** Runs the engine and the reference; fails with a readable diff when they disagree. */
export function runBoth(p: Plan, ev: EventColumns, options: { until?: number } = {}): BothRun {
  const reference = referenceSimulate(p, ev, options);
  const engine = process.env.HEADROOM_REFERENCE_ONLY ? referenceAsResult(p, reference) : simulate(p, ev, options);
  const a = engineDecisions(engine);
  const b = referenceDecisions(p, reference);
  const diff = diffDecisions(ev, a, b);
  if (diff !== '') throw new Error(`engine and reference disagree:\n${diff}\nscenario:\n${scenarioSource(p, ev, options.until)}`);
  return { engine, reference, decisions: a, text: a.map((d, i) => short(d, ev.time[i]!)) };
}

/**
 * The reference dressed as a SimulationResult (decision columns, plan, episodes; no statistics),
 * so that `HEADROOM_REFERENCE_ONLY=1 npx vitest run test/engine-rules.test.ts` checks the
 * hand-written expectations against the reference alone.
 */
export function referenceAsResult(p: Plan, ref: ReferenceResult): SimulationResult {
  const resolved = resolvePlan(p);
  for (const id of ref.inferredKeys) resolved.keys.push({ id: keyId(id), name: id, capMicros: null, inferred: true });
  for (const id of ref.inferredTriggers) {
    resolved.triggers.push({ id: triggerId(id), name: id, kind: 'webhook', mode: 'fair_use', limit: 42, inferred: true });
  }
  const n = ref.count;
  return {
    count: n,
    outcome: Uint8Array.from(ref.outcome),
    admittedAt: Float64Array.from(ref.admittedAt),
    reason: Uint8Array.from(ref.reason),
    entity: Int32Array.from(ref.entityId, (id, i) => {
      if (id === null) return -1;
      const list = ref.eventType[i] === EventType.api ? resolved.keys : resolved.triggers;
      return list.findIndex((e) => e.id === id);
    }),
    plan: resolved,
    horizon: asEpochMs(ref.horizon),
    keyStats: resolved.keys.map((k) => ({ peakRollingMicros: asMicros(NaN), episodes: ref.episodes.get(k.id) ?? [], firstBlock: null })),
    triggerStats: resolved.triggers.map((t) => ({ peakQueue: ref.peakQueueByTrigger.get(t.id) ?? 0 })),
    allowancePeak: NaN,
    poolPeak: NaN,
    spendLimitPeakMicros: resolved.spendLimits.map(() => asMicros(NaN)),
    checked: { allowance: NaN, pool: NaN, spendLimits: resolved.spendLimits.map(() => NaN), keys: resolved.keys.map(() => NaN) },
    peakQueue: ref.peakQueue,
    timeline: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Plans as an admin writes them (SPEC §9): the reference reads the raw object, so that a field
// left out takes the profile's default there; the engine gets it through validatePlan.

/** A plan as written: SPEC §2 with §9's fields (profile, throttles, the newer mode names). */
export type RawPlan = ReferencePlan & { version?: number };

/**
 * A raw plan for tests, like `plan()` (no spend limit, unlimited messages unless given), with
 * `enforcement.profile` set to `profile` unless the input sets it (null: leave it out).
 */
export function rawPlan(input: RawPlan = {}, profile: 'platform' | 'documented' | null = 'platform'): RawPlan {
  return {
    version: 1,
    workspace: { seats: 10, messagesPerSeatPerDay: null, spendLimits: [], ...input.workspace },
    apiKeys: input.apiKeys ?? [],
    triggers: input.triggers ?? [],
    enforcement: { ...(profile === null ? {} : { profile }), ...input.enforcement },
  };
}

/** The reference's decisions as short text (see `short`). */
export function referenceText(p: RawPlan | Plan, ev: EventColumns, options: { until?: number } = {}): string[] {
  const ref = referenceSimulate(p, ev, options);
  return referenceDecisions(p, ref).map((d, i) => short(d, ev.time[i]!));
}

/** The real engine's decisions as short text, the plan validated by the real schema. */
export function engineText(p: RawPlan | Plan, ev: EventColumns, options: { until?: number } = {}): string[] {
  const result = simulate(validatePlan(p), ev, options);
  return engineDecisions(result).map((d, i) => short(d, ev.time[i]!));
}
