/**
 * The engine's reason codes (SPEC sections 5 and 9: `trigger_limit`, `spend_limit:<id>`, ...) in
 * an admin's words, for the docs-vs-code comparison. The code stays beside the words as data: the
 * CLI and the app print the words, `--json` and the app's tooltip keep the code, which is what
 * `--decisions` writes per event.
 */

/** What the counted events are: a trigger's runs, a key's requests, or people's messages. */
export type ReasonSubject = 'trigger' | 'key' | 'messages';

/** How many events one check held back, by its code and in words. */
export interface ReasonCount {
  /** the engine's code, as in `--decisions` (`trigger_limit`, `spend_limit:daily`, ...) */
  reason: string;
  count: number;
  /** the check in words, for the subject it is counted for ("its 24 h run limit") */
  words: string;
}

const SPEND_LIMIT = 'spend_limit:';

/** Per subject where "its" reads better than the general form (a key's own cap, a trigger's own limit). */
const WORDS: Record<string, { trigger?: string; key?: string; messages?: string; any: string }> = {
  key_cap: { key: 'its cap', any: "a key's cap" },
  trigger_limit: { trigger: 'its 24 h run limit', any: "a trigger's 24 h run limit" },
  pool: { any: 'the fair-use pool' },
  allowance: { any: 'the message allowance' },
  actor_minute: { key: 'its per-minute throttle', messages: "each person's per-minute throttle", any: 'the per-minute throttle per key or person' },
  actor_hour: { key: 'its per-hour throttle', messages: "each person's per-hour throttle", any: 'the per-hour throttle per key or person' },
  workspace_minute: { any: "the workspace's per-minute throttle on messages" },
};

/**
 * A reason code in words for `subject`. A code this module does not know (a newer engine's) is
 * said as it is rather than dropped: the count must stay visible.
 */
export function reasonWords(reason: string, subject: ReasonSubject): string {
  if (reason.startsWith(SPEND_LIMIT)) return `the workspace spend limit "${reason.slice(SPEND_LIMIT.length)}"`;
  const w = WORDS[reason];
  if (w === undefined) return reason;
  return w[subject] ?? w.any;
}

/** Counts by reason code as a list, most first (ties by code, so the order is stable). */
export function reasonCounts(byReason: Readonly<Record<string, number>>, subject: ReasonSubject): ReasonCount[] {
  return Object.entries(byReason)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, count]) => ({ reason, count, words: reasonWords(reason, subject) }));
}

/** One reason count as a sentence says it: "886 by its 24 h run limit". */
export function reasonCountText(r: ReasonCount): string {
  return `${r.count.toLocaleString('en-US')} by ${r.words}`;
}
