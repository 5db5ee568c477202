/**
 * An edit as the change it makes to a plan the service already holds (model-project's `patch`):
 * which key, trigger or section changed, instead of the whole plan (hundreds of entries, tens of
 * KB of JSON per keystroke). Plain data and no schema: the renderer imports this to make patches;
 * the service checks and applies them (plan-patch.ts).
 */
import type { Plan, PlanApiKey, PlanTrigger } from '../engine/plan.ts';

/**
 * The plan after an edit, told against the plan it was made on. A section left out is unchanged; a
 * list is the whole list after the edit (its length is the new length), with `null` for an entry
 * that is the base's entry at the same index, unchanged.
 */
export interface PlanPatch {
  workspace?: Plan['workspace'];
  enforcement?: Plan['enforcement'];
  apiKeys?: (PlanApiKey | null)[];
  triggers?: (PlanTrigger | null)[];
}

/** Structural equality of plain JSON values; `undefined` fields count as absent. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && same(ao[k], bo[k]));
}

/** The list after the edit with unchanged entries as null; undefined when nothing in it changed. */
function listPatch<T>(base: readonly T[], next: readonly T[]): (T | null)[] | undefined {
  let changed = base.length !== next.length;
  // an edit keeps the objects of the entries it did not touch: most compare by reference
  const out = next.map((entry, i) => {
    if (i < base.length && same(base[i], entry)) return null;
    changed = true;
    return entry;
  });
  return changed ? out : undefined;
}

/** What turns `base` into `next`: `{}` when they are the same plan. */
export function planPatch(base: Plan, next: Plan): PlanPatch {
  const patch: PlanPatch = {};
  if (!same(base.workspace, next.workspace)) patch.workspace = next.workspace;
  if (!same(base.enforcement, next.enforcement)) patch.enforcement = next.enforcement;
  const keys = listPatch(base.apiKeys, next.apiKeys);
  if (keys !== undefined) patch.apiKeys = keys;
  const triggers = listPatch(base.triggers, next.triggers);
  if (triggers !== undefined) patch.triggers = triggers;
  return patch;
}

