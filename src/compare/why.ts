/**
 * Why the platform's code decides a trigger, a key or people's messages differently from the
 * docs: the SPEC section 9 rules (numbered as in docs/platform-profile.md) that explain one
 * difference, said for an admin. A count alone ("drops 1 of 43") does not tell an admin that
 * programmatic triggers keep a run limit, or that a cap frees at midnight; these sentences do.
 *
 * A rule is named only where it applies to this plan and history: its own facts changed this
 * trigger, key or people's messages (a programmatic trigger refused at 42, units a dropped webhook
 * took), or a limit they share with others that it changed (the allowance, the pool, the spend
 * limits), or a window of theirs met an entry exactly a window old (rule 1's edge, edges.ts). A
 * workspace without triggers is never told about trigger rules, nor one with only schedules about
 * webhooks.
 */
import { UNLIMITED } from '../engine/plan.ts';
import type { ResolvedPlan } from '../engine/plan.ts';
import { DAY } from '../engine/units.ts';
import type { HistoryFacts, ThrottleSlackFacts } from './edges.ts';

/** What one profile decided for one slot: only the parts the reasons need. */
export interface SideFacts {
  delayed: number;
  dropped: number;
  pending: number;
  byReason: Record<string, number>;
}

type Trigger = ResolvedPlan['triggers'][number];
type Key = ResolvedPlan['keys'][number];

/** A trigger, key or people's messages that the two readings decide differently. */
export type ChangedSlot =
  | { kind: 'messages'; docs: SideFacts; platform: SideFacts }
  | { kind: 'trigger'; index: number; docsTrigger: Trigger; platformTrigger: Trigger; docs: SideFacts; platform: SideFacts }
  | { kind: 'key'; index: number; key: Key; docs: SideFacts; platform: SideFacts };

/** One sentence of a "Why", with the rule it names (0: none). */
interface Cause {
  rule: number;
  text: string;
}

const THROTTLES = ['actor_minute', 'actor_hour', 'workspace_minute'] as const;

function count(s: SideFacts, reason: string): number {
  return s.byReason[reason] ?? 0;
}

function countWhere(s: SideFacts, match: (reason: string) => boolean): number {
  let n = 0;
  for (const [r, k] of Object.entries(s.byReason)) if (match(r)) n += k;
  return n;
}

function reasonsDiffer(docs: SideFacts, platform: SideFacts, match: (reason: string) => boolean): boolean {
  const names = new Set([...Object.keys(docs.byReason), ...Object.keys(platform.byReason)].filter(match));
  for (const r of names) if (count(docs, r) !== count(platform, r)) return true;
  return false;
}

/** Whether either reading refused or held back some of the slot's events by a matching reason. */
function met(docs: SideFacts, platform: SideFacts, match: (reason: string) => boolean): boolean {
  return countWhere(docs, match) + countWhere(platform, match) > 0;
}

const isSpend = (r: string) => r.startsWith('spend_limit:');
const isPool = (r: string) => r === 'pool';
const isAllowance = (r: string) => r === 'allowance';
const isKeyThrottle = (r: string) => r === 'actor_minute' || r === 'actor_hour';
const isThrottle = (r: string) => (THROTTLES as readonly string[]).includes(r);

const n = (x: number): string => x.toLocaleString('en-US');

function perTime(n: number, unit: 'minute' | 'hour'): string {
  return `${n.toLocaleString('en-US')} ${unit === 'hour' ? 'an' : 'a'} ${unit}`;
}

function rulesText(rules: ReadonlySet<number>): string {
  const list = [...rules].sort((a, b) => a - b);
  return `${list.length === 1 ? 'rule' : 'rules'} ${list.join(', ')}`;
}

const EDGE: Cause = {
  rule: 1,
  text: 'the code counts an entry of a sliding window until 1 ms after it is a full window old, the docs let it go at exactly that moment (rule 1)',
};
const SCHEDULE: Cause = {
  rule: 3,
  text: 'the code checks a schedule against the message allowance (fair use) or the spend limits (programmatic) only, never its run limit or the pool (rule 3)',
};
const POOL_BURNED: Cause = {
  rule: 4,
  text: 'the code checks the shared fair-use pool first, and a run its own limit or the allowance refuses has still used a pool unit (rule 4)',
};
const POOL_FIRST: Cause = { rule: 4, text: "the code checks the shared fair-use pool before a run's own limit (rule 4)" };
const OWN_BURNED: Cause = { rule: 4, text: 'a run of it that the allowance refuses has still used one of its own runs per 24 h (rule 4)' };
const SPEND_FIRST: Cause = {
  rule: 4,
  text: "the code checks a programmatic webhook's spend limits before its own run limit, so a run both refuse is counted against the spend limit (rule 4)",
};
const DROPPED: Cause = { rule: 5, text: 'the docs pause a limited webhook run until capacity returns; the code drops it (rule 5)' };
const OTHERS: Cause = { rule: 0, text: 'the code decides other events that share its limits differently' };

/**
 * The "Why" of each changed slot, in the order given. `facts` are the history's (edges.ts), read
 * from the same events and results as the slots.
 */
export function explainDifferences(docsPlan: ResolvedPlan, platformPlan: ResolvedPlan, slots: readonly ChangedSlot[], facts: HistoryFacts): string[][] {
  const own = slots.map((s) => ownCauses(docsPlan, platformPlan, s, facts));
  /** the rules that changed a slot's own decisions: its own causes, and its own windows' edge */
  const rulesOf = (k: number): number[] => {
    const rules = own[k]!.map((c) => c.rule);
    if (ownEdge(slots[k]!, facts)) rules.push(1);
    return rules;
  };
  return slots.map((_, k) => {
    let causes = own[k]!;
    if (causes.length === 0) causes = fallback(docsPlan, platformPlan, slots, k, facts, rulesOf);
    if (causes.length === 0) causes = [OTHERS];
    return causes.map((c) => c.text);
  });
}

/** The rules this slot's own facts show (not the limits it shares with others). */
function ownCauses(docsPlan: ResolvedPlan, platformPlan: ResolvedPlan, slot: ChangedSlot, facts: HistoryFacts): Cause[] {
  const { docs, platform } = slot;
  const out: Cause[] = [];
  if (slot.kind === 'trigger') {
    const { docsTrigger, platformTrigger, index } = slot;
    if (platformTrigger.kind === 'scheduled') {
      // the docs held it by what the code never checks, or read it in another mode (a programmatic schedule)
      if (count(docs, 'trigger_limit') + count(docs, 'pool') > 0 || docsTrigger.mode !== platformTrigger.mode) out.push(SCHEDULE);
      return out;
    }
    if (platformTrigger.mode === 'programmatic' && docsTrigger.limit === UNLIMITED && platformTrigger.limit !== UNLIMITED && count(platform, 'trigger_limit') > 0) {
      out.push({ rule: 2, text: `the code limits programmatic triggers to ${platformTrigger.limit} runs per 24 h too, unless support sets an override (rule 2)` });
    }
    if (platformTrigger.mode === 'fair_use') {
      if (platformPlan.pool !== UNLIMITED && count(platform, 'pool') > count(docs, 'pool')) out.push(facts.burnedPool > 0 ? POOL_BURNED : POOL_FIRST);
      if ((facts.burnedOwn[index] ?? 0) > 0 && count(platform, 'trigger_limit') > count(docs, 'trigger_limit')) out.push(OWN_BURNED);
    } else if (count(docs, 'trigger_limit') > 0 && countWhere(platform, isSpend) > countWhere(docs, isSpend)) {
      out.push(SPEND_FIRST);
    }
    // only the runs the docs held (waiting, or still waiting at the end) are explained by the drop;
    // a run the docs admit at once and the code drops was limited for another reason above
    if (docsPlan.queueWebhooks && !platformPlan.queueWebhooks && docs.delayed + docs.pending > 0 && platform.dropped > 0) out.push(DROPPED);
    return out;
  }
  if (slot.kind === 'key') {
    if (countWhere(platform, isKeyThrottle) > countWhere(docs, isKeyThrottle)) {
      const parts = [[platformPlan.actorPerMinute, 'minute'] as const, [platformPlan.actorPerHour, 'hour'] as const].filter(([n]) => n !== UNLIMITED);
      out.push({ rule: 7, text: `the code throttles each key to ${parts.map(([n, unit]) => perTime(n, unit)).join(' and ')} (rule 7)` });
      const slack = throttleSlackCause(facts.keyThrottleSlack(slot.index), 'request');
      if (slack !== null) out.push(slack);
    }
    if (slot.key.capMicros !== null && reasonsDiffer(docs, platform, (r) => r === 'key_cap')) out.push(keyCapCause(platformPlan));
    return out;
  }
  if (THROTTLES.some((r) => count(platform, r) > count(docs, r))) {
    const parts: string[] = [];
    if (platformPlan.actorPerMinute !== UNLIMITED) parts.push(`${perTime(platformPlan.actorPerMinute, 'minute')} per person`);
    if (platformPlan.actorPerHour !== UNLIMITED) parts.push(`${perTime(platformPlan.actorPerHour, 'hour')} per person`);
    if (platformPlan.workspacePerMinute !== UNLIMITED) parts.push(`${perTime(platformPlan.workspacePerMinute, 'minute')} for the whole workspace`);
    out.push({ rule: 7, text: `the code throttles people's messages: ${parts.join(', ')} (rule 7)` });
    const slack = throttleSlackCause(facts.messageThrottleSlack(), 'message');
    if (slack !== null) out.push(slack);
  }
  return out;
}

/**
 * The code's throttle refusals that the export's completion times explain (completion-slack.ts
 * `throttleSlack`): the platform counted each request or message when it admitted it, the export
 * times it when it completed, so a history the throttle held at exactly its limit shows one more
 * a few seconds inside a window now and then. Those are the cut the history shows, not refusals
 * the platform made: said beside rule 7, which alone reads as "the platform blocks these".
 */
function throttleSlackCause(s: ThrottleSlackFacts, unit: 'request' | 'message'): Cause | null {
  if (s.slack === 0) return null;
  const what = s.slack === s.refused ? `each of the ${s.refused === 1 ? `1 ${unit}` : `${n(s.refused)} ${unit}s`} it refuses comes` : `${n(s.slack)} of the ${n(s.refused)} ${unit}s it refuses come`;
  const rest = s.slack === s.refused ? '' : `; the other ${n(s.refused - s.slack)} are demand beyond the throttle`;
  return { rule: 7, text: `${what} within ${s.edges}: the export times ${unit}s when they completed, after the platform admitted them, so ${s.slack === 1 ? 'that is' : 'those are'} the cut the throttle left in the history, not ${unit}s the platform refused${rest}` };
}

function keyCapCause(platformPlan: ResolvedPlan): Cause {
  const days = Math.round(platformPlan.keyCapWindowMs / DAY);
  return {
    rule: 6,
    text: `the code re-bases key caps once per UTC day: a day's spend counts through ${days - 1} more days and is freed at 00:00 UTC, not ${days} days to the millisecond after each request (rule 6)`,
  };
}

/**
 * Whether a window of the slot's own met an entry exactly a window old (rule 1) while it held the
 * slot back in either reading: an edge of a window that never came near its limit changed nothing.
 */
function ownEdge(slot: ChangedSlot, facts: HistoryFacts): boolean {
  const { docs, platform } = slot;
  if (slot.kind === 'trigger') return met(docs, platform, (r) => r === 'trigger_limit') && facts.triggerEdge(slot.index);
  if (slot.kind === 'key') return met(docs, platform, isKeyThrottle) && facts.keyThrottleEdge(slot.index);
  return met(docs, platform, isThrottle) && facts.messageThrottleEdge();
}

/**
 * The causes of a slot its own facts do not explain: an edge of its own windows, and the limits
 * it shares, with the rules that changed the others' decisions there.
 */
function fallback(docsPlan: ResolvedPlan, platformPlan: ResolvedPlan, slots: readonly ChangedSlot[], k: number, facts: HistoryFacts, rulesOf: (k: number) => number[]): Cause[] {
  const slot = slots[k]!;
  const { docs, platform } = slot;
  const out: Cause[] = [];
  const edge = (): void => {
    if (!out.includes(EDGE)) out.push(EDGE);
  };
  /** the rules of the other changed slots that `shares` picks, less rule 1 once the edge is said */
  const sharedRules = (shares: (s: ChangedSlot) => boolean, extra: number[] = []): Set<number> => {
    const rules = new Set(extra);
    slots.forEach((s, i) => {
      if (i !== k && shares(s)) for (const r of rulesOf(i)) rules.add(r);
    });
    if (out.includes(EDGE)) rules.delete(1);
    rules.delete(0);
    return rules;
  };
  const fairUse = (s: ChangedSlot) => s.kind === 'trigger' && (s.docsTrigger.mode === 'fair_use' || s.platformTrigger.mode === 'fair_use');
  const spends = (s: ChangedSlot) => s.kind === 'key' || (s.kind === 'trigger' && (s.docsTrigger.mode === 'programmatic' || s.platformTrigger.mode === 'programmatic'));
  const spendShared = (): void => {
    if (!met(docs, platform, isSpend)) return;
    if (facts.rollingSpendEdge()) edge();
    const rules = sharedRules(spends);
    if (rules.size > 0) out.push({ rule: 0, text: `the spend limits are shared with the keys and programmatic triggers, which the code decides differently (${rulesText(rules)})` });
  };
  if (slot.kind === 'trigger') {
    if (ownEdge(slot, facts)) edge();
    const pool = met(docs, platform, isPool);
    const allowance = met(docs, platform, isAllowance);
    if (pool || allowance) {
      if ((pool && facts.poolEdge()) || (allowance && facts.allowanceEdge())) edge();
      // the docs count fair-use schedules' runs in the pool, the code does not (rule 3); runs the
      // code dropped at their own limit or the allowance took pool units (rule 4)
      const extra: number[] = [];
      if (pool && facts.scheduledInDocsPool > 0) extra.push(3);
      if (pool && facts.burnedPool > 0) extra.push(4);
      const people = allowance && slots.some((s, i) => i !== k && s.kind === 'messages');
      const rules = sharedRules((s) => fairUse(s) || (allowance && s.kind === 'messages'), extra);
      if (rules.size > 0) {
        const what = pool && allowance ? 'the allowance and the fair-use pool are' : pool ? 'the fair-use pool is' : 'the allowance is';
        const who = people ? 'people and other triggers' : 'other triggers';
        out.push({ rule: 0, text: `${what} shared with ${who}, which the code decides differently (${rulesText(rules)})` });
      }
    }
    spendShared();
    return out;
  }
  if (slot.kind === 'key') {
    if (slot.key.capMicros !== null && met(docs, platform, (r) => r === 'key_cap')) out.push(keyCapCause(platformPlan));
    if (ownEdge(slot, facts)) edge();
    spendShared();
    return out;
  }
  if (ownEdge(slot, facts)) edge();
  if (docsPlan.allowance !== UNLIMITED && met(docs, platform, isAllowance)) {
    if (facts.allowanceEdge()) edge();
    const rules = sharedRules(fairUse);
    if (rules.size > 0) out.push({ rule: 0, text: `fair-use trigger runs take the allowance at other times under the code (${rulesText(rules)})` });
  }
  return out;
}
