/**
 * Why the platform's code decides a trigger, a key or people's messages differently from the
 * docs: the SPEC section 9 rules (numbered as in docs/platform-profile.md) that explain one
 * difference, said for an admin. A count alone ("drops 1 of 43") does not tell an admin that
 * programmatic triggers keep a run limit, or that a cap frees at midnight; these sentences do.
 */
import { UNLIMITED } from '../engine/plan.ts';
import type { ResolvedPlan } from '../engine/plan.ts';
import { DAY } from '../engine/units.ts';

/** What one profile decided for one slot: only the parts the reasons need. */
export interface SideFacts {
  delayed: number;
  dropped: number;
  pending: number;
  byReason: Record<string, number>;
}

type Trigger = ResolvedPlan['triggers'][number];
type Key = ResolvedPlan['keys'][number];

const THROTTLES = ['actor_minute', 'actor_hour', 'workspace_minute'] as const;

function count(s: SideFacts, reason: string): number {
  return s.byReason[reason] ?? 0;
}

function reasonsDiffer(docs: SideFacts, platform: SideFacts, match: (reason: string) => boolean): boolean {
  const names = new Set([...Object.keys(docs.byReason), ...Object.keys(platform.byReason)].filter(match));
  for (const r of names) if (count(docs, r) !== count(platform, r)) return true;
  return false;
}

function perTime(n: number, unit: 'minute' | 'hour'): string {
  return `${n.toLocaleString('en-US')} ${unit === 'hour' ? 'an' : 'a'} ${unit}`;
}

const EDGE = 'the code counts an entry of a sliding window until 1 ms after it is a full window old, the docs let it go at exactly that moment (rule 1)';
const SHARED =
  'the allowance and the fair-use pool are shared with people and other triggers, which the code decides differently (rules 1, 4, 7)';

/** The rules behind a trigger's difference; `docsTrigger` and `platformTrigger` are the same trigger under each reading. */
export function triggerWhy(docsPlan: ResolvedPlan, platformPlan: ResolvedPlan, docsTrigger: Trigger, platformTrigger: Trigger, docs: SideFacts, platform: SideFacts): string[] {
  const why: string[] = [];
  if (platformTrigger.kind === 'scheduled') {
    why.push('the code checks a schedule against the message allowance (fair use) or the spend limits (programmatic) only, never its run limit or the pool (rule 3)');
    return why;
  }
  if (platformTrigger.mode === 'programmatic' && docsTrigger.limit === UNLIMITED && platformTrigger.limit !== UNLIMITED && count(platform, 'trigger_limit') > 0) {
    why.push(`the code limits programmatic triggers to ${platformTrigger.limit} runs per 24 h too, unless support sets an override (rule 2)`);
  }
  if (platformTrigger.mode === 'fair_use' && platformPlan.pool !== UNLIMITED && count(platform, 'pool') > count(docs, 'pool')) {
    why.push('the code checks the shared fair-use pool first, and a run its own limit or the allowance refuses has still used a pool unit (rule 4)');
  }
  // only the runs the docs held (waiting, or still waiting at the end) are explained by the drop;
  // a run the docs admit at once and the code drops was limited for another reason above
  if (docsPlan.queueWebhooks && !platformPlan.queueWebhooks && docs.delayed + docs.pending > 0 && platform.dropped > 0) {
    why.push('the docs pause a limited webhook run until capacity returns; the code drops it (rule 5)');
  }
  if (why.length === 0) {
    why.push(EDGE);
    if (platformTrigger.mode === 'fair_use' && reasonsDiffer(docs, platform, (r) => r === 'pool' || r === 'allowance')) why.push(SHARED);
  }
  return why;
}

/** The rules behind a key's difference. */
export function keyWhy(docsPlan: ResolvedPlan, platformPlan: ResolvedPlan, key: Key, docs: SideFacts, platform: SideFacts): string[] {
  const why: string[] = [];
  if (count(platform, 'actor_minute') + count(platform, 'actor_hour') > count(docs, 'actor_minute') + count(docs, 'actor_hour')) {
    const parts = [[platformPlan.actorPerMinute, 'minute'] as const, [platformPlan.actorPerHour, 'hour'] as const].filter(([n]) => n !== UNLIMITED);
    why.push(`the code throttles each key to ${parts.map(([n, unit]) => perTime(n, unit)).join(' and ')} (rule 7)`);
  }
  if (key.capMicros !== null && reasonsDiffer(docs, platform, (r) => r === 'key_cap')) {
    const days = Math.round(platformPlan.keyCapWindowMs / DAY);
    why.push(
      `the code re-bases key caps once per UTC day: a day's spend counts through ${days - 1} more days and is freed at 00:00 UTC, not ${days} days to the millisecond after each request (rule 6)`,
    );
  }
  if (reasonsDiffer(docs, platform, (r) => r.startsWith('spend_limit:'))) {
    if (docsPlan.spendLimits.some((l) => l.window === 'rolling-30d')) why.push(EDGE);
    why.push('the spend limits are shared with the other keys and programmatic triggers, which the code decides differently');
  }
  if (why.length === 0) why.push(EDGE);
  return why;
}

/** The rules behind the difference in people's messages. */
export function messagesWhy(docsPlan: ResolvedPlan, platformPlan: ResolvedPlan, docs: SideFacts, platform: SideFacts): string[] {
  const why: string[] = [];
  if (THROTTLES.some((r) => count(platform, r) > count(docs, r))) {
    const parts: string[] = [];
    if (platformPlan.actorPerMinute !== UNLIMITED) parts.push(`${perTime(platformPlan.actorPerMinute, 'minute')} per person`);
    if (platformPlan.actorPerHour !== UNLIMITED) parts.push(`${perTime(platformPlan.actorPerHour, 'hour')} per person`);
    if (platformPlan.workspacePerMinute !== UNLIMITED) parts.push(`${perTime(platformPlan.workspacePerMinute, 'minute')} for the whole workspace`);
    why.push(`the code throttles people's messages: ${parts.join(', ')} (rule 7)`);
  }
  if (docsPlan.allowance !== UNLIMITED && reasonsDiffer(docs, platform, (r) => r === 'allowance')) {
    why.push(`${EDGE}; fair-use trigger runs take the allowance at other times under the code (rules 3-5)`);
  }
  if (why.length === 0) why.push(EDGE);
  return why;
}
