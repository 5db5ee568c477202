/**
 * The service's side of a plan patch (plan-diff.ts): its schema, built from the plan's own entry
 * schemas (so an entry in a patch is refused exactly as in a whole plan, naming where:
 * `patch.apiKeys[3].capUsd`), and its application to the plan the service holds, with the rules
 * that span entries (unique ids, a schedule's mode) checked on the result.
 */
import { z } from 'zod';
import { PlanError, canonicalMode, formatPath, planSchema } from '../engine/plan.ts';
import type { Plan, PlanIssue } from '../engine/plan.ts';

const sections = planSchema.shape;
/** More entries than any plan file holds (the web host's body limit is far below it anyway). */
const MAX_ENTRIES = 100_000;

export const planPatchSchema = z.strictObject({
  workspace: sections.workspace.unwrap().optional(),
  enforcement: sections.enforcement.unwrap().optional(),
  apiKeys: z.array(sections.apiKeys.unwrap().element.nullable()).max(MAX_ENTRIES).optional(),
  triggers: z.array(sections.triggers.unwrap().element.nullable()).max(MAX_ENTRIES).optional(),
});

export type CheckedPlanPatch = z.output<typeof planPatchSchema>;

function list<T>(held: readonly T[], sent: readonly (T | null)[] | undefined, what: string): T[] {
  if (sent === undefined) return held as T[];
  return sent.map((entry, i) => {
    if (entry !== null) return entry;
    const kept = held[i];
    if (kept === undefined) throw new PlanError([{ path: `${what}[${i}]`, message: `the plan this edit was made on has ${held.length} ${what}: an entry past them must be sent, not null` }], 'patch');
    return kept;
  });
}

/**
 * The rules of the plan's schema that span entries, as `planSchema` words them: the entries
 * themselves were checked by the patch's schema, so the patched plan needs only these.
 */
function acrossEntries(plan: Plan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const unique = (items: readonly { id: string }[], path: (i: number) => (string | number)[]): void => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.id)) issues.push({ path: formatPath(path(i)), message: `duplicate id "${item.id}"` });
      seen.add(item.id);
    });
  };
  unique(plan.apiKeys, (i) => ['apiKeys', i, 'id']);
  unique(plan.triggers, (i) => ['triggers', i, 'id']);
  unique(plan.workspace.spendLimits, (i) => ['workspace', 'spendLimits', i, 'id']);
  if (plan.enforcement.profile !== 'platform') {
    plan.triggers.forEach((t, i) => {
      if (t.kind === 'scheduled' && canonicalMode(t.mode) === 'programmatic') {
        issues.push({ path: formatPath(['triggers', i, 'mode']), message: 'programmatic mode applies only to webhook triggers; scheduled triggers stay on fair use' });
      }
    });
  }
  return issues;
}

/**
 * `base` (a plan the service checked before) with `patch` applied. Entries not named keep `base`'s
 * objects. Throws a PlanError naming each place the result breaks a rule of the plan.
 */
export function applyPlanPatch(base: Plan, patch: CheckedPlanPatch): Plan {
  const plan: Plan = {
    ...base,
    workspace: patch.workspace ?? base.workspace,
    enforcement: patch.enforcement ?? base.enforcement,
    apiKeys: list(base.apiKeys, patch.apiKeys, 'apiKeys'),
    triggers: list(base.triggers, patch.triggers, 'triggers'),
  };
  const issues = acrossEntries(plan);
  if (issues.length > 0) throw new PlanError(issues, 'plan');
  return plan;
}
