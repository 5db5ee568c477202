import type { Allowance } from './allowance.ts';
import { CountLimit } from './count-limit.ts';
import type { TriggerLimits } from './trigger-limit.ts';

const UNLIMITED = Number.POSITIVE_INFINITY;

/**
 * Pool P = ceil(share × A), computed on the share's decimal digits so that 0.1 × 30 is 3 (binary
 * floats make it 3.0000000000000004 and the ceiling 4).
 */
export function poolOf(fairUseShare: number, allowance: number): number {
  if (allowance === UNLIMITED) return UNLIMITED;
  const text = fairUseShare.toString().includes('e') ? fairUseShare.toFixed(20) : fairUseShare.toString();
  const [whole = '0', frac = ''] = text.split('.');
  const scale = 10n ** BigInt(frac.length);
  const numerator = BigInt(whole + frac) * BigInt(allowance);
  return Number((numerator + scale - 1n) / scale);
}

/**
 * Whether a trigger's runs are checked against the pool and counted in it: every fair-use run
 * under the docs (SPEC section 4); under the platform profile fair-use webhooks only, since a
 * schedule is never checked against the pool (section 9 rule 3).
 */
export function pooled(kind: 'webhook' | 'scheduled', mode: 'fair_use' | 'programmatic', platform: boolean): boolean {
  return mode === 'fair_use' && !(platform && kind === 'scheduled');
}

/**
 * The pool: the share of the allowance fair-use trigger runs may use, P runs per sliding 24 h
 * (`>= P` refuses). Under the docs a run is counted when admitted (checks all or nothing: trigger
 * limit, pool, allowance). Under the platform profile the pool is checked first and a passing
 * check takes its unit at once (`takeUnitsInOrder`).
 */
export class Pool extends CountLimit {}

export const TAKEN_ALL = 0;
export const REFUSED_POOL = 1;
export const REFUSED_TRIGGER = 2;
export const REFUSED_ALLOWANCE = 3;

/**
 * SPEC section 9 rule 4, a fair-use webhook dropped when limited: the pool, then its trigger's
 * own limit, then the allowance, each check that passes taking its unit at once, so a run refused
 * by its trigger limit has used a pool unit and one refused by the allowance a pool and a trigger
 * unit. The units are recorded at the attempt's time and leave their windows like admitted
 * entries (a pool unit counts in the pool only, a trigger unit toward that trigger's limit only).
 * Returns TAKEN_ALL when every check passed (the run is admitted), else the check that refused.
 */
export function takeUnitsInOrder(pool: Pool, triggers: TriggerLimits, g: number, allowance: Allowance, t: number): number {
  if (pool.refuses(t)) return REFUSED_POOL;
  pool.admit(t);
  if (triggers.refuses(g, t)) return REFUSED_TRIGGER;
  triggers.admit(g, t);
  if (allowance.refuses(t)) return REFUSED_ALLOWANCE;
  allowance.admit(t);
  return TAKEN_ALL;
}
