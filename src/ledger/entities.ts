import type { ReadableLedger, WritableLedger } from './db.ts';
import { DAY, HOUR } from '../engine/units.ts';
import { EVENT_TYPE_NAMES, EventType } from '../engine/events.ts';
import type { EventTypeCode, EventTypeName } from '../engine/events.ts';
import { canonicalMode, DEFAULT_TRIGGER_LIMIT, profileOf } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';
import { InputError } from '../errors.ts';

/**
 * What the exports say about the ledger's keys, triggers and people, beside their events: the
 * names they carry (a trigger is named after its agent, a person by user name), a trigger's mode
 * (its consumption lines say programmatic) and kind (a regular rhythm is a schedule), the agent
 * of spend without a key. An admin's rename or corrected kind is kept apart and always wins.
 */

/**
 * `monitor`: the exports say so (contextOrigin). A plan has webhook and scheduled triggers only
 * (SPEC): a monitor is planned as a webhook (planKind), see docs/imports.md.
 */
export type TriggerKindFact = 'webhook' | 'scheduled' | 'monitor';

/**
 * A trigger kind as a plan holds it. The facts do not say how the platform limits a monitor's
 * runs; it fires on what it finds outside, as a webhook does on a request, so it is planned as a
 * webhook: through the fair-use pool and against its own 24 h limit (the stricter reading).
 */
export function planKind(kind: TriggerKindFact): 'webhook' | 'scheduled' {
  return kind === 'monitor' ? 'webhook' : kind;
}
export type TriggerModeFact = 'fair_use' | 'programmatic';

export interface EntityFact {
  type: EventTypeCode;
  subject: string;
  label?: string;
  kind?: TriggerKindFact;
  mode?: TriggerModeFact;
  agent?: string;
}

export interface LedgerEntity {
  type: EventTypeName;
  subject: string;
  /** the name to show: the admin's, else the export's, else the subject */
  name: string;
  kind: TriggerKindFact | null;
  mode: TriggerModeFact | null;
  agent: string | null;
  /** spend without a key, kept apart from the keys (cost export `api_key` = `N/A`) */
  noKey: boolean;
  /**
   * For spend without a key: whether any of it is counted. With the consumption export imported
   * too, its lines count the same runs and every such row is held (counted once): the agent's
   * pseudo-trigger then has no events at all.
   */
  counted: boolean;
  renamed: boolean;
  kindCorrected: boolean;
}

/** The subject prefix of an agent's spend without a key: a programmatic pseudo-trigger, never a key. */
export const NO_KEY_PREFIX = 'no-key:';

/** Folds facts of one import by entity: programmatic wins (any programmatic line makes the trigger so). */
export class EntityFacts {
  private readonly facts = new Map<string, EntityFact>();

  add(f: EntityFact): void {
    const k = `${f.type}\u0000${f.subject}`;
    const had = this.facts.get(k);
    if (had === undefined) {
      this.facts.set(k, { ...f });
      return;
    }
    if (f.label !== undefined && f.label !== '') had.label = f.label;
    if (f.mode === 'programmatic' || had.mode === undefined) had.mode = f.mode ?? had.mode;
    if (f.kind !== undefined) had.kind = f.kind;
    if (f.agent !== undefined && f.agent !== '') had.agent = f.agent;
  }

  get size(): number {
    return this.facts.size;
  }

  /** Upserts the facts; an admin's correction stays. */
  save(db: WritableLedger): void {
    const upsert = db.prepare(
      `INSERT INTO entities(type, subject, label, kind, mode, agent) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(type, subject) DO UPDATE SET
         label = coalesce(excluded.label, label),
         kind  = coalesce(excluded.kind, kind),
         mode  = CASE WHEN mode = 'programmatic' THEN mode ELSE coalesce(excluded.mode, mode) END,
         agent = coalesce(excluded.agent, agent)`,
    );
    for (const f of this.facts.values()) upsert.run(f.type, f.subject, f.label || null, f.kind ?? null, f.mode ?? null, f.agent || null);
  }
}

/** Every entity the ledger knows facts about (whether or not its events are counted). */
export function readEntities(db: ReadableLedger): LedgerEntity[] {
  const rows = db.prepare('SELECT type, subject, label, kind, mode, agent, admin_label, admin_kind FROM entities ORDER BY type, subject').all() as {
    type: number;
    subject: string;
    label: string | null;
    kind: string | null;
    mode: string | null;
    agent: string | null;
    admin_label: string | null;
    admin_kind: string | null;
  }[];
  // few subjects (one per agent with spend without a key), each found at its first counted event
  const countedNoKey = new Set(
    (db.prepare(`SELECT s.name AS name FROM subjects s WHERE s.name LIKE '${NO_KEY_PREFIX}%' AND EXISTS (SELECT 1 FROM events e WHERE e.subject = s.id)`).all() as { name: string }[]).map((r) => r.name),
  );
  return rows.map((r) => ({
    type: EVENT_TYPE_NAMES[r.type] ?? 'api',
    subject: r.subject,
    name: r.admin_label ?? r.label ?? r.subject,
    kind: (r.admin_kind ?? r.kind) as TriggerKindFact | null,
    mode: r.mode as TriggerModeFact | null,
    agent: r.agent,
    noKey: r.subject.startsWith(NO_KEY_PREFIX),
    counted: !r.subject.startsWith(NO_KEY_PREFIX) || countedNoKey.has(r.subject),
    renamed: r.admin_label !== null,
    kindCorrected: r.admin_kind !== null,
  }));
}

const TYPE_OF: Record<EventTypeName, EventTypeCode> = { api: EventType.api, trigger: EventType.trigger, message: EventType.message };

/** An admin's name for an entity (null: back to the export's name). */
export function renameEntity(db: WritableLedger, type: EventTypeName, subject: string, name: string | null): void {
  const label = name === null ? null : name.trim();
  if (label === '') throw new InputError('the new name is empty', [{ column: 'name', value: name ?? '', message: 'must not be empty' }]);
  db.prepare(`INSERT INTO entities(type, subject, admin_label) VALUES (?, ?, ?) ON CONFLICT(type, subject) DO UPDATE SET admin_label = excluded.admin_label`).run(TYPE_OF[type], subject, label);
}

/** An admin's correction of a trigger's kind (null: back to the inferred kind). */
export function correctTriggerKind(db: WritableLedger, subject: string, kind: TriggerKindFact | null): void {
  db.prepare(`INSERT INTO entities(type, subject, admin_kind) VALUES (?, ?, ?) ON CONFLICT(type, subject) DO UPDATE SET admin_kind = excluded.admin_kind`).run(EventType.trigger, subject, kind);
}

/**
 * A trigger fires at a regular rhythm when at least 80 % of the gaps between its runs (5 runs or
 * more) are within max(2 min, 5 %) of one gap (an hour, a day: a weekday schedule's weekend gap
 * is the other 20 %). Webhook arrivals are irregular. Times of consumption lines are when the
 * agent message completed, hence the two minutes of slack.
 *
 * Unless its limit held it: the exports hold only the runs the platform admitted, so a webhook fed
 * at a steady pace (a CI hook every 15 minutes) that its default 42 runs per 24 h cut shows as 42
 * runs at that pace, a pause until its window frees, 42 more: a rhythm, but of a limited trigger.
 * Read as a schedule it would never meet its limit under the platform profile (SPEC section 9
 * rule 3), the very limit that cut its history.
 */
export function looksScheduled(times: readonly number[]): boolean {
  if (times.length < 5) return false;
  const sorted = [...times].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) gaps.push(sorted[i]! - sorted[i - 1]!);
  const ordered = [...gaps].sort((a, b) => a - b);
  const typical = ordered[Math.floor(ordered.length / 2)]!;
  if (typical < 60_000) return false;
  const slack = Math.max(120_000, typical * 0.05);
  const regular = gaps.filter((g) => Math.abs(g - typical) <= slack).length;
  return regular >= 0.8 * gaps.length && !heldAtDefaultLimit(sorted, typical);
}

/**
 * Pauses after which the runs resume once the window frees, at exactly the default limit, before a
 * trigger reads as held by it: one could be chance (a schedule of business hours).
 */
const HELD_PAUSES_MIN = 2;

/**
 * Whether the runs (sorted) stop at least twice with exactly DEFAULT_TRIGGER_LIMIT of them in the
 * 24 h before (the platform's window edge: a run still counts at exactly 24 h), followed by a pause
 * far longer than the rhythm's `typical` gap: the signature of a trigger its default limit held.
 */
function heldAtDefaultLimit(sorted: readonly number[], typical: number): boolean {
  let pauses = 0;
  let first = 0;
  for (let i = 0; i + 1 < sorted.length; i++) {
    while (sorted[first]! < sorted[i]! - DAY) first++;
    const pause = sorted[i + 1]! - sorted[i]!;
    // 42 on the platform's edge; 43 when the history was cut on the docs' edge (a run exactly 24 h
    // before no longer counts there) or the completion times a line carries moved a run across it
    const inWindow = i - first + 1;
    if (inWindow >= DEFAULT_TRIGGER_LIMIT && inWindow <= DEFAULT_TRIGGER_LIMIT + 1 && pause > Math.max(HOUR, 3 * typical)) pauses++;
  }
  return pauses >= HELD_PAUSES_MIN;
}

/**
 * Infers each trigger's kind from its counted runs, for triggers the exports gave no kind. Runs
 * once per import (after its events are in), over triggers with facts.
 */
export function inferTriggerKinds(db: WritableLedger): void {
  const triggers = db.prepare(`SELECT s.id AS sid, t.subject AS subject FROM entities t JOIN subjects s ON s.name = t.subject WHERE t.type = ${EventType.trigger} AND t.subject NOT LIKE '${NO_KEY_PREFIX}%'`).all() as { sid: number; subject: string }[];
  if (triggers.length === 0) return;
  const times = new Map<number, number[]>(triggers.map((t) => [t.sid, []]));
  // one pass over the trigger runs, not one scan of the table per trigger
  for (const [sid, time] of db.prepare(`SELECT subject, time FROM events WHERE type = ${EventType.trigger}`).raw().iterate() as IterableIterator<[number, number]>) {
    const list = times.get(sid);
    if (list !== undefined && list.length < 5000) list.push(time);
  }
  // a kind the export named (a monitor polls at a rhythm of its own) is not guessed over
  const set = db.prepare(`UPDATE entities SET kind = ? WHERE type = ${EventType.trigger} AND subject = ? AND coalesce(kind, '') <> 'monitor'`);
  for (const t of triggers) set.run(looksScheduled(times.get(t.sid)!) ? 'scheduled' : 'webhook', t.subject);
}

/**
 * People active in the last 30 days of the ledger's history (a message counted in the 30 days up
 * to its last event): the seats to propose, null when the ledger holds no person's message.
 */
export function activeSeats(db: ReadableLedger): number | null {
  const last = db.prepare(`SELECT max(time) FROM events WHERE type = ${EventType.message}`).pluck().get() as number | null;
  if (last === null) return null;
  return db.prepare(`SELECT count(DISTINCT subject) FROM events WHERE type = ${EventType.message} AND time > ?`).pluck().get(last - 30 * DAY) as number;
}

/**
 * The plan with the ledger's entities it does not name yet: keys by their export names, triggers
 * with their agent's name, mode and kind (spend without a key as a programmatic trigger without
 * a run limit, so it counts against the spend limits only), and names for entities the plan
 * names only by id. What the plan already says always wins. A scheduled trigger whose runs are
 * programmatic is a schedule under the platform profile, which has programmatic schedules (SPEC
 * section 9 rule 3); under the docs, which have none, it is planned as a programmatic webhook
 * (without a run limit there, so only the spend limits apply to it either way).
 */
export function withLedgerFacts(plan: Plan, entities: readonly LedgerEntity[]): Plan {
  const keys = new Map(plan.apiKeys.map((k) => [k.id, k]));
  const triggers = new Map(plan.triggers.map((t) => [t.id, t]));
  const out: Plan = { ...plan, apiKeys: plan.apiKeys.map((k) => ({ ...k })), triggers: plan.triggers.map((t) => ({ ...t })) };
  const takenNames = new Set(plan.triggers.map((t) => t.name ?? t.id));
  // the platform's code runs programmatic schedules (SPEC section 9 rule 3: spend limits only);
  // the docs have none, so under them such a trigger is planned as a programmatic webhook
  const platform = profileOf(plan) === 'platform';
  // An agent's spend without a key whose every row is held (the consumption export counts those
  // runs): no pseudo-trigger for it, and the one an earlier import added as it does (programmatic,
  // no run limit) leaves the plan. It ran nothing: an exported plan listed it as a trigger that
  // never ran, beside the agent's real triggers.
  const uncounted = new Set(entities.filter((e) => e.type === 'trigger' && e.noKey && !e.counted).map((e) => e.subject));
  if (uncounted.size > 0) {
    out.triggers = out.triggers.filter((t) => !(uncounted.has(t.id) && t.limitPer24h === -1 && canonicalMode(t.mode) === 'programmatic'));
  }
  for (const e of entities) {
    if (e.type === 'api') {
      const k = keys.get(e.subject);
      // a key's subject is its export name already: only a rename needs a plan entry
      if (k === undefined) {
        if (e.name !== e.subject) out.apiKeys.push({ id: e.subject, name: e.name, capUsd: null });
      }
      else if (k.name === undefined || e.renamed) out.apiKeys[out.apiKeys.findIndex((x) => x.id === e.subject)]!.name = e.name;
    } else if (e.type === 'trigger') {
      if (uncounted.has(e.subject) && !out.triggers.some((x) => x.id === e.subject)) continue;
      const t = triggers.get(e.subject);
      if (t !== undefined) {
        const i = out.triggers.findIndex((x) => x.id === e.subject);
        if (t.name === undefined || e.renamed) out.triggers[i]!.name = e.name;
        if (e.kindCorrected && e.kind !== null && !(e.kind === 'scheduled' && canonicalMode(t.mode) === 'programmatic' && !platform)) out.triggers[i]!.kind = planKind(e.kind);
        continue;
      }
      const mode = e.mode ?? 'fair_use';
      const kind = e.kind === 'scheduled' && (mode !== 'programmatic' || platform) ? 'scheduled' : 'webhook';
      let name = e.name;
      if (takenNames.has(name)) name = `${name} (${e.subject.slice(0, 8)})`;
      takenNames.add(name);
      out.triggers.push({ id: e.subject, name, kind, mode, limitPer24h: e.noKey ? -1 : null });
    }
  }
  return out;
}
