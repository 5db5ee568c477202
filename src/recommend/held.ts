/**
 * A trigger's days exactly at its limit. The platform's exports hold only the runs it admitted,
 * so a trigger its limit held shows as a run of days at exactly the limit (censored history),
 * never above it: those days say the demand was at least the limit, not that it fitted.
 */

/** Days exactly at a trigger's limit (of the days looked at) before they read as held by it rather than chance. */
export const HELD_DAYS_MIN = 3;

/** Why a day at the limit counts: what the exports cannot show. */
export function heldText(limit: number): string {
  return `the exports hold only the runs the platform admitted, so a day its limit held hides the runs it refused: demand was at least ${limit} in 24 h`;
}

/**
 * Per trigger, how many of its last `lookedAt` days a limit held down, read from the forecast's
 * censoring (the replay under the plan: the 24 h window at its ceiling, nothing beyond it in the
 * export). A sliding 24 h limit rarely leaves a UTC day at exactly the limit, so this is what
 * tells a held trigger from one within its limit.
 */
export function heldDaysByTrigger(censored: ReadonlyMap<string, readonly boolean[]>, lookedAt: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, mask] of censored) {
    if (!key.startsWith('trigger_runs:')) continue;
    out.set(key.slice('trigger_runs:'.length), mask.slice(-lookedAt).filter(Boolean).length);
  }
  return out;
}
