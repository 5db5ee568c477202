/**
 * A plan change (src/modeling/scenarios.ts `planChanges`: a field's path, before, after) in the
 * words of the screens that edit it: "Seats: 25 → 40", "Cap of Data pipeline (ETL): $240 → $125",
 * "Mode of PR review: fair use → programmatic". The path stays on hover for the exact field.
 */
import type { PlanChange } from '../../../src/modeling/scenarios.ts';
import { int, usd } from '../format.ts';

/** Display names of keys and triggers, by id (the ids stand in where a name is unknown). */
export type NameOf = (id: string) => string;

const WINDOW_WORDS: Record<string, string> = { 'utc-day': 'per UTC day', 'calendar-month': 'per calendar month', 'rolling-30d': 'per rolling 30 days' };
// as the profile switch and the comparison's profile row say them
const PROFILE_WORDS: Record<string, string> = { documented: 'the docs', platform: "the platform's code" };
const MODE_WORDS: Record<string, string> = { fair_use: 'fair use', programmatic: 'programmatic', user_pool: 'fair use', workspace_pool: 'programmatic' };

type Shown = (v: unknown) => string;

const plain: Shown = (v) => (v === null || v === undefined ? 'none' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const money: Shown = (v) => (typeof v === 'number' ? usd(v) : v === null ? 'no cap' : plain(v));
const count: Shown = (v) => (typeof v === 'number' ? int(v) : v === null ? 'unlimited' : plain(v));
const runLimit: Shown = (v) => (v === null ? 'the mode’s default' : v === -1 ? 'no limit' : typeof v === 'number' ? `${int(v)} runs per 24 h` : plain(v));
const share: Shown = (v) => (typeof v === 'number' ? `${Math.round(v * 100)}%` : plain(v));
const words =
  (table: Record<string, string>): Shown =>
  (v) =>
    typeof v === 'string' ? (table[v] ?? v) : plain(v);
const hours: Shown = (v) => (typeof v === 'number' ? `${int(v)} h` : v === null ? 'no limit' : plain(v));

/** "“daily” $380.00 per UTC day" (`named`), or without its name where the label already says it. */
function spendLimitWords(v: unknown, named = true): string {
  if (typeof v !== 'object' || v === null || !('amountUsd' in v)) return plain(v);
  const l = v as { id?: unknown; amountUsd: unknown; window?: unknown };
  const words = `${usd(Number(l.amountUsd))} ${WINDOW_WORDS[String(l.window)] ?? ''}`.trim();
  return named && typeof l.id === 'string' ? `“${l.id}” ${words}` : words;
}

/** [what changed, how its values read] for a path, or null for a path this list does not know. */
function describe(path: string, nameOf: NameOf): [string, Shown] | null {
  const parts = path.split('.');
  const [head, second] = parts;
  if (head === 'workspace' && parts.length === 2) {
    if (second === 'seats') return ['Seats', count];
    if (second === 'messagesPerSeatPerDay') return ['Messages per seat per day', count];
    if (second === 'fairUseShare') return ['Fair-use share of the allowance', share];
    if (second === 'name') return ['Workspace name', plain];
  }
  if (head === 'workspace' && second === 'spendLimits' && parts.length === 2) {
    // the whole list at once (Export compares the workspace section field by field)
    return ['Spend limits', (v) => (Array.isArray(v) ? (v.length === 0 ? 'none' : v.map((l) => spendLimitWords(l)).join(', ')) : plain(v))];
  }
  if (head === 'workspace' && second === 'spendLimits' && parts.length >= 3) {
    // an id may hold dots: everything between the prefix and a known last field is the id
    const field = parts.length >= 4 ? parts[parts.length - 1] : undefined;
    const id = parts.slice(2, field === 'amountUsd' || field === 'window' ? -1 : undefined).join('.');
    if (field === 'amountUsd') return [`Spend limit “${id}”`, money];
    if (field === 'window') return [`Window of the spend limit “${id}”`, words(WINDOW_WORDS)];
    return [`Spend limit “${id}”`, (v) => (v === null ? 'none' : spendLimitWords(v, false))];
  }
  if (head === 'apiKeys' || head === 'triggers') {
    const last = parts[parts.length - 1];
    const fields = head === 'apiKeys' ? ['name', 'capUsd'] : ['name', 'kind', 'mode', 'limitPer24h'];
    const hasField = parts.length >= 3 && last !== undefined && fields.includes(last);
    const id = parts.slice(1, hasField ? -1 : undefined).join('.');
    const who = nameOf(id);
    if (!hasField) return [head === 'apiKeys' ? `API key ${who}` : `Trigger ${who}`, (v) => (v === null ? 'absent' : 'in the plan')];
    if (last === 'name') return [`Name of ${id}`, plain];
    if (last === 'capUsd') return [`Cap of ${who}`, money];
    if (last === 'kind') return [`Kind of ${who}`, plain];
    if (last === 'mode') return [`Mode of ${who}`, words(MODE_WORDS)];
    return [`Run limit of ${who}`, runLimit];
  }
  if (head === 'enforcement' && parts.length === 2) {
    const deflt = (s: Shown): Shown => (v) => (v === 'default' ? 'the profile’s default' : s(v));
    if (second === 'profile') return ['Limits as enforced by', words(PROFILE_WORDS)];
    if (second === 'webhookWhenLimited') return ['Webhooks when limited', words({ queue: 'queue', drop: 'drop' })];
    if (second === 'capCheck') return ['Key cap check', words({ spent: 'spent ≥ cap', spent_plus_cost: 'spent + cost > cap' })];
    if (second === 'keyCapWindowDays') return ['Key cap window', (v) => (typeof v === 'number' ? `${int(v)} days` : plain(v))];
    if (second === 'maxQueueWaitHours') return ['Longest queue wait', hours];
    if (second === 'actorPerMinute') return ['Requests per key or person per minute', deflt(count)];
    if (second === 'actorPerHour') return ['Requests per key or person per hour', deflt(count)];
    if (second === 'workspacePerSeatPerMinute') return ['Workspace requests per seat per minute', deflt(count)];
  }
  return null;
}

/** A change's three parts in words, for a table of setting, before and after. */
export function changeParts(c: PlanChange, nameOf: NameOf = (id) => id): { what: string; from: string; to: string } {
  const [what, shown] = describe(c.path, nameOf) ?? [c.path, plain];
  return { what, from: shown(c.from), to: shown(c.to) };
}

/** "Seats: 25 → 40"; an unknown path reads as itself, its values as written. */
export function changeWords(c: PlanChange, nameOf: NameOf = (id) => id): string {
  const { what, from, to } = changeParts(c, nameOf);
  return `${what}: ${from} → ${to}`;
}
