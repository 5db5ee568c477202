/**
 * A trigger's days exactly at its limit. The platform's exports hold only the runs it admitted,
 * so a trigger its limit held shows as a run of days at exactly the limit (censored history),
 * never above it: those days say the demand was at least the limit, not that it fitted.
 */

/** Days exactly at a trigger's limit (of the days looked at) before they read as held by it rather than chance. */
export const HELD_DAYS_MIN = 3;

/** Why a day at the limit counts: what the exports cannot show. */
export function heldText(limit: number): string {
  return `the exports hold only the runs the platform admitted, so a day at ${limit} hides the runs it refused: demand was at least ${limit}`;
}
