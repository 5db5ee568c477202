import { validatePlan } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';
import type { Ledger } from './ledger.ts';

/** The plan the app works on is saved in the ledger under this name. */
export const CURRENT_PLAN = 'current';

/** The app's plan as saved in `ledger`, checked; null when none is saved. */
export function loadCurrentPlan(ledger: Ledger): Plan | null {
  const raw = ledger.loadPlan(CURRENT_PLAN);
  return raw === null ? null : validatePlan(raw, `${ledger.path}: plan`);
}
