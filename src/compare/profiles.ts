/**
 * The docs beside the platform's code (SPEC §9): the same plan and events simulated under both
 * enforcement profiles, summarised where they decide differently, per trigger, per API key and
 * for people's messages, as counts and as one sentence each ("PR review: the docs say 1,542 runs
 * wait up to 1d 13h; the platform's code drops 313 of 2,050 (15%)"). Plain data, for the CLI
 * summary, `--json` and the app.
 *
 * Cost: the caller usually has the result under the plan's own profile; only the other profile
 * is simulated (one extra simulation).
 */
import type { EventColumns } from '../engine/events.ts';
import { EventType } from '../engine/events.ts';
import { canonicalMode, profileOf, validatePlan } from '../engine/plan.ts';
import type { EnforcementProfile, Plan } from '../engine/plan.ts';
import { formatDuration } from '../engine/report.ts';
import { Outcome, REASON_SPEND_LIMIT_BASE, reasonName } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';
import { simulate } from '../engine/simulate.ts';
import type { SimulateOptions } from '../engine/simulate.ts';
import { reasonCountText, reasonCounts } from '../engine/reason-words.ts';
import type { ReasonCount } from '../engine/reason-words.ts';
import { HistoryFacts } from './edges.ts';
import { explainDifferences } from './why.ts';
import type { ChangedSlot } from './why.ts';

/** What one profile decided for one trigger, key, or people's messages. */
export interface ProfileSide {
  /** events (runs, requests, messages) */
  events: number;
  /** admitted at once or after waiting */
  admitted: number;
  /** admitted after waiting */
  delayed: number;
  blocked: number;
  dropped: number;
  skipped: number;
  pending: number;
  /** longest wait of an admitted event, ms; null when none waited */
  maxDelayMs: number | null;
  /** refused or delayed events by the first check that failed (the engine's codes) */
  byReason: Record<string, number>;
  /** the same split by what happened to the events, most first, with words: each clause's own reasons */
  reasons: Record<HeldOutcome, ReasonCount[]>;
}

/** What happened to an event a check held back: it waited, or was refused (or still waits). */
export type HeldOutcome = 'delayed' | 'blocked' | 'skipped' | 'dropped' | 'pending';
/** In the engine's outcome order (Outcome): admitted (here: after waiting), blocked, skipped, dropped, pending. */
const HELD: readonly HeldOutcome[] = ['delayed', 'blocked', 'skipped', 'dropped', 'pending'];

/**
 * A piece of a difference's sentence: plain text, or one reason count in words with its code.
 * Joined, the texts are the sentence; the app shows the code of a reason piece beside its words.
 */
export interface SentencePart {
  text: string;
  /** the engine's reason code when this piece is a reason count ("trigger_limit") */
  reason?: string;
}

export interface ProfileDifference {
  kind: 'trigger' | 'key' | 'messages';
  /** trigger or key id; null for people's messages */
  id: string | null;
  name: string;
  /** events decided differently (outcome, admission time or reason) */
  changed: number;
  documented: ProfileSide;
  platform: ProfileSide;
  /** events the profile did not let through (blocked, dropped, skipped, still waiting) */
  lostDocumented: number;
  lostPlatform: number;
  sentence: string;
  /** the sentence in pieces, its reason counts apart (the app's words with their codes) */
  parts: SentencePart[];
  /** the SPEC section 9 rules that explain the difference, for an admin (docs/platform-profile.md numbers them) */
  why: string[];
}

export interface ProfileComparison {
  /** the plan's own profile; the other one was simulated for the comparison */
  profile: EnforcementProfile;
  events: number;
  /** events decided differently by the two profiles */
  changed: number;
  /** most changed first */
  differences: ProfileDifference[];
  /** how the plan was read under the other profile (e.g. a programmatic schedule under the docs) */
  notes: string[];
  /** one line: whether and how much the two readings differ */
  headline: string;
}

export type CompareOptions = Pick<SimulateOptions, 'until' | 'signal'>;


/**
 * The plan read under `target`: the profile switched, a default that belonged to the plan's own
 * profile left for the target's (a `queue` the docs filled in becomes the platform's `drop`),
 * and, for the docs, programmatic schedules (which the docs reject) on fair use. Explicit fields
 * stay: they win over either profile's default.
 */
export function planUnderProfile(plan: Plan, target: EnforcementProfile): { plan: Plan; notes: string[] } {
  const notes: string[] = [];
  const enforcement: Record<string, unknown> = { ...plan.enforcement, profile: target };
  // A plan's own profile's way with limited webhooks (queue for the docs, drop for the code) is
  // what that profile does, written out or not: the other side gets its own profile's way. Only
  // the other choice (drop under the docs, queue under the code) is the admin's and is kept.
  // Decided from the plan alone, not from how it was written: a plan the app or `headroom export`
  // wrote spells every field, and the same plan must compare the same in the app and the CLI.
  if (plan.enforcement.webhookWhenLimited === (profileOf(plan) === 'platform' ? 'drop' : 'queue')) delete enforcement.webhookWhenLimited;
  const triggers = plan.triggers.map((t) => {
    if (target === 'documented' && t.kind === 'scheduled' && canonicalMode(t.mode) === 'programmatic') {
      notes.push(`${t.name ?? t.id}: the docs do not allow a programmatic schedule; counted as fair use there`);
      return { ...t, mode: 'fair_use' as const };
    }
    return t;
  });
  const read = validatePlan({ ...plan, triggers, enforcement });
  const platformSide = target === 'platform' ? read : plan;
  if (platformSide.enforcement.webhookWhenLimited === 'queue' && platformSide.triggers.some((t) => t.kind === 'webhook')) {
    notes.push(
      'the platform\'s side lets limited webhooks wait because this plan sets enforcement.webhookWhenLimited "queue" (an explicit field wins over the profile): a what-if; the platform\'s code drops them',
    );
  }
  return { plan: read, notes };
}

function lost(s: ProfileSide): number {
  return s.blocked + s.dropped + s.skipped + s.pending;
}

/**
 * One side's counts per slot (0: people's messages, 1 + j: trigger j, 1 + T + k: key k of the
 * result's plan), in one pass over typed arrays: 1M events must not cost a string per event.
 */
interface SideTable {
  counts: Float64Array; // slots × 8: events, admitted, delayed, blocked, dropped, skipped, pending, maxDelay
  reasons: Float64Array; // slots × HELD × reasonCodes
  reasonCodes: number;
}

const EVENTS = 0;
const ADMITTED = 1;
const DELAYED = 2;
const BLOCKED = 3;
const DROPPED = 4;
const SKIPPED = 5;
const PENDING = 6;
const MAX_DELAY = 7;

function slotOf(type: number, entity: number, triggers: number): number {
  return type === EventType.message ? 0 : type === EventType.trigger ? 1 + entity : 1 + triggers + entity;
}

function sideTable(events: EventColumns, r: SimulationResult, slots: number, reasonCodes: number): SideTable {
  const counts = new Float64Array(slots * 8);
  const reasons = new Float64Array(slots * HELD.length * reasonCodes);
  const triggers = r.plan.triggers.length;
  const { type, time } = events;
  const { outcome, admittedAt, reason, entity } = r;
  for (let i = 0; i < events.count; i++) {
    const slot = slotOf(type[i], entity[i], triggers);
    const at = slot * 8;
    counts[at + EVENTS]++;
    const o = outcome[i];
    // an event admitted at once has no reason; one admitted after waiting keeps the one it waited for
    if (reason[i] !== 0) reasons[(slot * HELD.length + o) * reasonCodes + reason[i]]++;
    if (o === Outcome.admitted) {
      counts[at + ADMITTED]++;
      const wait = admittedAt[i] - time[i];
      if (wait > 0) {
        counts[at + DELAYED]++;
        if (wait > counts[at + MAX_DELAY]) counts[at + MAX_DELAY] = wait;
      }
    } else if (o === Outcome.blocked) counts[at + BLOCKED]++;
    else if (o === Outcome.dropped) counts[at + DROPPED]++;
    else if (o === Outcome.skipped) counts[at + SKIPPED]++;
    else if (o === Outcome.pending) counts[at + PENDING]++;
  }
  return { counts, reasons, reasonCodes };
}

function sideOf(t: SideTable, slot: number, r: SimulationResult, kind: ProfileDifference['kind']): ProfileSide {
  const c = (k: number) => t.counts[slot * 8 + k];
  const byReason: Record<string, number> = {};
  const held = {} as Record<HeldOutcome, Record<string, number>>;
  HELD.forEach((what, o) => {
    const counts: Record<string, number> = {};
    for (let code = 1; code < t.reasonCodes; code++) {
      const count = t.reasons[(slot * HELD.length + o) * t.reasonCodes + code];
      if (count === 0) continue;
      const name = reasonName(r.plan, code) ?? String(code);
      counts[name] = count;
      byReason[name] = (byReason[name] ?? 0) + count;
    }
    held[what] = counts;
  });
  const reasons = {} as Record<HeldOutcome, ReasonCount[]>;
  for (const what of HELD) reasons[what] = reasonCounts(held[what], kind);
  return {
    events: c(EVENTS),
    admitted: c(ADMITTED),
    delayed: c(DELAYED),
    blocked: c(BLOCKED),
    dropped: c(DROPPED),
    skipped: c(SKIPPED),
    pending: c(PENDING),
    maxDelayMs: c(DELAYED) > 0 ? c(MAX_DELAY) : null,
    byReason,
    reasons,
  };
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function pct(part: number, whole: number): string {
  if (whole === 0) return '';
  const p = Math.round((part / whole) * 100);
  return ` (${p === 0 && part > 0 ? '<1' : p}%)`;
}

const WORDS: Record<ProfileDifference['kind'], [string, string]> = { trigger: ['run', 'runs'], key: ['request', 'requests'], messages: ['message', 'messages'] };

/** A clause of a sentence in pieces: its text, then the reasons of the events it counts. */
type Clause = SentencePart[];

/** `text`, followed by " (886 by its 24 h run limit, 48 by ...)" when the events have reasons. */
function clause(text: string, held: ReasonCount[] = []): Clause {
  if (held.length === 0) return [{ text }];
  const out: Clause = [{ text: `${text} (` }];
  held.forEach((r, k) => {
    if (k > 0) out.push({ text: ', ' });
    out.push({ text: reasonCountText(r), reason: r.reason });
  });
  out.push({ text: ')' });
  return out;
}

/** What the docs say happens, as clauses: "1,542 runs wait up to 1d 13h", "40 are blocked (40 by its cap)". */
function docsClauses(kind: ProfileDifference['kind'], s: ProfileSide): Clause[] {
  const [one, many] = WORDS[kind];
  const word = (x: number) => (x === 1 ? one : many);
  const c: Clause[] = [];
  if (s.delayed > 0) c.push(clause(`${n(s.delayed)} ${word(s.delayed)} ${s.delayed === 1 ? 'waits' : 'wait'} up to ${formatDuration(s.maxDelayMs)}`));
  if (s.blocked > 0) c.push(clause(`${n(s.blocked)} ${s.blocked === 1 ? 'is' : 'are'} blocked`, s.reasons.blocked));
  if (s.dropped > 0) c.push(clause(`${n(s.dropped)} ${s.dropped === 1 ? 'is' : 'are'} dropped`, s.reasons.dropped));
  if (s.skipped > 0) c.push(clause(`${n(s.skipped)} ${s.skipped === 1 ? 'is' : 'are'} skipped`, s.reasons.skipped));
  if (s.pending > 0) c.push(clause(`${n(s.pending)} still ${s.pending === 1 ? 'waits' : 'wait'} at the end`));
  if (c.length === 0) c.push(clause(s.events === 1 ? `its one ${one} goes through at once` : `all ${n(s.events)} ${many} go through at once`));
  return c;
}

/** What the platform's code does, as verbs: "drops 313 of 2,050 (15%) (313 by its 24 h run limit)". */
function platformClauses(kind: ProfileDifference['kind'], s: ProfileSide): Clause[] {
  const [one, many] = WORDS[kind];
  const of = (x: number) => `${n(x)} of ${n(s.events)}${pct(x, s.events)}`;
  const c: Clause[] = [];
  if (s.dropped > 0) c.push(clause(`drops ${of(s.dropped)}`, s.reasons.dropped));
  if (s.blocked > 0) c.push(clause(`blocks ${of(s.blocked)}`, s.reasons.blocked));
  if (s.skipped > 0) c.push(clause(`skips ${of(s.skipped)}`, s.reasons.skipped));
  if (s.delayed > 0) c.push(clause(`lets ${n(s.delayed)} wait up to ${formatDuration(s.maxDelayMs)}`));
  if (s.pending > 0) c.push(clause(`leaves ${n(s.pending)} waiting at the end`));
  if (c.length === 0) c.push(clause(s.events === 1 ? `lets its one ${one} through at once` : `lets all ${n(s.events)} ${many} through at once`));
  return c;
}

/** "a, b and c", in pieces */
function joinClauses(c: Clause[]): Clause {
  return c.flatMap((x, k) => (k === 0 ? x : [{ text: k === c.length - 1 ? ' and ' : ', ' }, ...x]));
}

/** Adjacent text pieces merged, so that the pieces are as few as the reasons make them. */
function merged(parts: SentencePart[]): SentencePart[] {
  const out: SentencePart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (last !== undefined && last.reason === undefined && p.reason === undefined) last.text += p.text;
    else out.push({ ...p });
  }
  return out;
}

/** One difference's sentence in pieces ("PR review: the docs say ...; the platform's code drops ... (", "313 by its 24 h run limit", ")"). */
export function differenceParts(kind: ProfileDifference['kind'], name: string, docs: ProfileSide, platform: ProfileSide): SentencePart[] {
  // the same counts and longest wait on both sides: what differs is when (a 24 h window's end,
  // rule 1), which the two clauses alone read as no difference at all
  const sameCounts =
    docs.admitted === platform.admitted && docs.delayed === platform.delayed && docs.blocked === platform.blocked && docs.dropped === platform.dropped && docs.skipped === platform.skipped && docs.pending === platform.pending && formatDuration(docs.maxDelayMs) === formatDuration(platform.maxDelayMs);
  return merged([
    { text: `${name}: the docs say ` },
    ...joinClauses(docsClauses(kind, docs)),
    { text: "; the platform's code " },
    ...joinClauses(platformClauses(kind, platform)),
    ...(sameCounts ? [{ text: ': the same counts, some of them decided at other instants' }] : []),
  ]);
}

/** The pieces as one sentence. */
export function sentenceOf(parts: readonly SentencePart[]): string {
  return parts.map((p) => p.text).join('');
}

/**
 * Compares two results of the same events, one per profile. `documented` and `platform` must
 * come from the same plan (read under each profile) and the same events.
 */
export function compareResults(events: EventColumns, documented: SimulationResult, platform: SimulationResult, profile: EnforcementProfile, notes: string[] = []): ProfileComparison {
  // both plans list the same triggers and keys in the same order (inferred ones too, in order of appearance)
  const same = (a: { id: string }[], b: { id: string }[]) => a.length === b.length && a.every((x, k) => x.id === b[k]!.id);
  if (!same(documented.plan.triggers, platform.plan.triggers) || !same(documented.plan.keys, platform.plan.keys)) {
    throw new Error('compareResults: the two results come from plans with different triggers or keys');
  }
  const triggers = platform.plan.triggers;
  const keys = platform.plan.keys;
  const slots = 1 + triggers.length + keys.length;
  const reasonCodes = REASON_SPEND_LIMIT_BASE + platform.plan.spendLimits.length;
  const changedBy = new Float64Array(slots);
  let changed = 0;
  let refusedOnPlatform = 0;
  let admittedOnPlatform = 0;
  const { type } = events;
  for (let i = 0; i < events.count; i++) {
    const oa = documented.outcome[i];
    const ob = platform.outcome[i];
    const a = documented.admittedAt[i];
    const b = platform.admittedAt[i];
    // reason codes mean the same in both: the same spend limits, in the same order
    if (oa === ob && (a === b || (a !== a && b !== b)) && documented.reason[i] === platform.reason[i]) continue;
    changed++;
    if (oa === Outcome.admitted && ob !== Outcome.admitted) refusedOnPlatform++;
    if (ob === Outcome.admitted && oa !== Outcome.admitted) admittedOnPlatform++;
    changedBy[slotOf(type[i], platform.entity[i], triggers.length)]++;
  }
  const docsTable = sideTable(events, documented, slots, reasonCodes);
  const platformTable = sideTable(events, platform, slots, reasonCodes);
  const differences: ProfileDifference[] = [];
  const changedSlots: ChangedSlot[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const count = changedBy[slot];
    if (count === 0) continue;
    const kind: ProfileDifference['kind'] = slot === 0 ? 'messages' : slot <= triggers.length ? 'trigger' : 'key';
    const entity = kind === 'trigger' ? triggers[slot - 1]! : kind === 'key' ? keys[slot - 1 - triggers.length]! : null;
    const name = entity?.name ?? "People's messages";
    const docs = sideOf(docsTable, slot, documented, kind);
    const plat = sideOf(platformTable, slot, platform, kind);
    changedSlots.push(
      kind === 'messages'
        ? { kind, docs, platform: plat }
        : kind === 'trigger'
          ? { kind, index: slot - 1, docsTrigger: documented.plan.triggers[slot - 1]!, platformTrigger: triggers[slot - 1]!, docs, platform: plat }
          : { kind, index: slot - 1 - triggers.length, key: keys[slot - 1 - triggers.length]!, docs, platform: plat },
    );
    const parts = differenceParts(kind, name, docs, plat);
    differences.push({
      kind,
      id: entity?.id ?? null,
      name,
      changed: count,
      documented: docs,
      platform: plat,
      lostDocumented: lost(docs),
      lostPlatform: lost(plat),
      sentence: sentenceOf(parts),
      parts,
      why: [],
    });
  }
  // each "Why" names only the rules that apply here: read from the whole history, once
  if (changedSlots.length > 0) {
    const whys = explainDifferences(documented.plan, platform.plan, changedSlots, new HistoryFacts(events, documented, platform));
    differences.forEach((d, i) => (d.why = whys[i]!));
  }
  // what hurts most first: the most lost on the platform beyond the docs, then the most changed
  differences.sort((x, y) => y.lostPlatform - y.lostDocumented - (x.lostPlatform - x.lostDocumented) || y.changed - x.changed || x.name.localeCompare(y.name));
  const parts: string[] = [];
  if (refusedOnPlatform > 0) parts.push(`it refuses ${n(refusedOnPlatform)} that the docs let through`);
  if (admittedOnPlatform > 0) parts.push(`it lets through ${n(admittedOnPlatform)} that the docs refuse`);
  const headline =
    changed === 0
      ? events.count === 1
        ? "The platform's code decides the 1 event as the docs do."
        : `The platform's code decides all ${n(events.count)} events as the docs do.`
      : `The platform's code decides ${n(changed)} of ${n(events.count)} events${pct(changed, events.count)} differently from the docs${parts.length > 0 ? `: ${parts.join(' and ')}` : ' (other waits or reasons)'}. This plan is simulated under the ${profile === 'platform' ? "platform's code" : 'docs'}.`;
  return { profile, events: events.count, changed, differences, notes, headline };
}

/**
 * Simulates the other profile and compares. `current` is the plan's result under its own
 * profile when the caller has it (then only one simulation runs here).
 */
export function compareProfiles(plan: Plan, events: EventColumns, options: CompareOptions = {}, current?: SimulationResult): ProfileComparison {
  const profile = profileOf(plan);
  const other: EnforcementProfile = profile === 'platform' ? 'documented' : 'platform';
  const simOptions: SimulateOptions = {};
  if (options.until !== undefined) simOptions.until = options.until;
  if (options.signal !== undefined) simOptions.signal = options.signal;
  const mine = current ?? simulate(plan, events, simOptions);
  const { plan: otherPlan, notes } = planUnderProfile(plan, other);
  const theirs = simulate(otherPlan, events, simOptions);
  return profile === 'platform' ? compareResults(events, theirs, mine, profile, notes) : compareResults(events, mine, theirs, profile, notes);
}

/** The comparison as lines for the terminal summary: the headline, then up to `max` sentences. */
export function formatComparison(c: ProfileComparison, max = 10): string {
  const out = ['', "Docs vs the platform's code (set enforcement.profile to choose; see docs/platform-profile.md)", `  ${c.headline}`];
  for (const d of c.differences.slice(0, max)) {
    out.push(`  - ${d.sentence}.`);
    if (d.why.length > 0) out.push(`    Why: ${d.why.join('; ')}.`);
  }
  if (c.differences.length > max) out.push(`  ... and ${n(c.differences.length - max)} more (see --json: profiles).`);
  for (const note of c.notes) out.push(`  Note: ${note}.`);
  out.push(`  ${NOT_MODELLED}`);
  return `${out.join('\n')}\n`;
}

/**
 * What the platform's code does that neither profile simulates (docs/semantics.md, "What neither
 * profile models"): said under every comparison, so that "decides all N events as the docs do"
 * is never read as "the platform would let all of them through".
 */
export const NOT_MODELLED =
  "Neither profile models: credit-priced plans (caps in credits per billing cycle, a monthly programmatic cap that blocks at 0), a refused webhook skipping its other triggers, editors' weekly fair-use credits, throttle retries, free programmatic credits (docs/semantics.md).";
