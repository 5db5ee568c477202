/**
 * The edits the modeling screens make to a plan. Pure: each returns a new plan (the input is
 * never mutated) and refuses, with a PlanError naming the field, what the plan schema refuses.
 */
import { PlanError, profileOf } from '../engine/plan.ts';
import type { EnforcementProfile, Plan, PlanTrigger, SpendLimitWindow } from '../engine/plan.ts';
import { planUnderProfile } from '../compare/profiles.ts';

export type WorkspacePatch = Partial<Pick<Plan['workspace'], 'name' | 'seats' | 'messagesPerSeatPerDay' | 'fairUseShare'>>;

function fail(path: string, message: string): never {
  throw new PlanError([{ path, message }]);
}

function checkCap(capUsd: number | null, path: string): void {
  if (capUsd !== null && !(Number.isFinite(capUsd) && capUsd >= 0)) fail(path, 'a cap is a dollar amount >= 0, or none');
}

export function setWorkspace(plan: Plan, patch: WorkspacePatch): Plan {
  const ws = { ...plan.workspace, ...patch };
  if (!(Number.isInteger(ws.seats) && ws.seats >= 0)) fail('workspace.seats', 'seats are a whole number >= 0');
  if (ws.messagesPerSeatPerDay !== null && !(Number.isInteger(ws.messagesPerSeatPerDay) && ws.messagesPerSeatPerDay >= 0)) {
    fail('workspace.messagesPerSeatPerDay', 'messages per seat are a whole number >= 0, or unlimited');
  }
  if (!(ws.fairUseShare >= 0 && ws.fairUseShare <= 1)) fail('workspace.fairUseShare', 'the fair-use share is between 0 and 1');
  return { ...plan, workspace: ws };
}

export function setSpendLimit(plan: Plan, index: number, patch: { amountUsd?: number; window?: SpendLimitWindow }): Plan {
  const limits = plan.workspace.spendLimits;
  const current = limits[index];
  if (!current) fail(`workspace.spendLimits[${index}]`, 'no such spend limit');
  const next = { ...current, ...patch };
  if (!(Number.isFinite(next.amountUsd) && next.amountUsd >= 0)) fail(`workspace.spendLimits[${index}].amountUsd`, 'an amount is dollars >= 0');
  return { ...plan, workspace: { ...plan.workspace, spendLimits: limits.map((l, i) => (i === index ? next : l)) } };
}

export function addSpendLimit(plan: Plan, window: SpendLimitWindow, amountUsd: number): Plan {
  const ids = new Set(plan.workspace.spendLimits.map((l) => l.id));
  const base = window === 'utc-day' ? 'daily' : window === 'calendar-month' ? 'monthly' : 'rolling';
  let id = base;
  for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
  return { ...plan, workspace: { ...plan.workspace, spendLimits: [...plan.workspace.spendLimits, { id, amountUsd, window }] } };
}

export function removeSpendLimit(plan: Plan, index: number): Plan {
  return { ...plan, workspace: { ...plan.workspace, spendLimits: plan.workspace.spendLimits.filter((_, i) => i !== index) } };
}

/**
 * Sets the cap of each key in `ids` (null = no cap). A key seen only in the events (inferred) is
 * added to the plan so that the cap sticks.
 */
export function setKeyCaps(plan: Plan, ids: readonly string[], capUsd: number | null): Plan {
  checkCap(capUsd, 'apiKeys.capUsd');
  const wanted = new Set(ids);
  const keys = plan.apiKeys.map((k) => (wanted.has(k.id) ? { ...k, capUsd } : k));
  for (const id of ids) if (!plan.apiKeys.some((k) => k.id === id)) keys.push({ id, capUsd });
  return { ...plan, apiKeys: keys };
}

/** Applies per-key caps (the recommended ones): `caps` maps key id → dollars. */
export function applyCaps(plan: Plan, caps: ReadonlyMap<string, number | null>): Plan {
  const keys = plan.apiKeys.map((k) => (caps.has(k.id) ? { ...k, capUsd: caps.get(k.id) ?? null } : k));
  for (const [id, capUsd] of caps) {
    checkCap(capUsd, `apiKeys.${id}.capUsd`);
    if (!plan.apiKeys.some((k) => k.id === id)) keys.push({ id, capUsd });
  }
  return { ...plan, apiKeys: keys };
}

function upsertTrigger(plan: Plan, id: string, seen: { kind: PlanTrigger['kind'] } | undefined, patch: Partial<PlanTrigger>): Plan {
  const i = plan.triggers.findIndex((t) => t.id === id);
  const base: PlanTrigger = i >= 0 ? plan.triggers[i]! : { id, kind: seen?.kind ?? 'webhook', mode: 'fair_use', limitPer24h: null };
  const next = { ...base, ...patch };
  const at = i >= 0 ? i : plan.triggers.length;
  // the platform's code lets a schedule be programmatic (SPEC section 9); the docs do not
  if (next.kind === 'scheduled' && next.mode === 'programmatic' && profileOf(plan) !== 'platform') {
    fail(`triggers[${at}].mode`, 'programmatic mode applies only to webhook triggers; scheduled triggers stay on fair use');
  }
  if (next.limitPer24h !== null && !(Number.isInteger(next.limitPer24h) && next.limitPer24h >= -1)) {
    fail(`triggers[${at}].limitPer24h`, 'a limit is a whole number of runs >= 0, -1 for no limit, or the default');
  }
  const triggers = i >= 0 ? plan.triggers.map((t, j) => (j === i ? next : t)) : [...plan.triggers, next];
  return { ...plan, triggers };
}

/** Why a trigger cannot be programmatic, or null when it can (a schedule can on the platform, SPEC section 9). */
export function programmaticBlockedReason(kind: PlanTrigger['kind'], profile: EnforcementProfile = 'documented'): string | null {
  return kind === 'scheduled' && profile !== 'platform' ? 'Scheduled triggers always run on fair use: only webhook triggers can be billed programmatically.' : null;
}

export function setTriggerMode(plan: Plan, id: string, mode: PlanTrigger['mode'], seen?: { kind: PlanTrigger['kind'] }): Plan {
  return upsertTrigger(plan, id, seen, { mode });
}

/** `null` = the default (42 on fair use, none on programmatic); -1 = no limit. */
export function setTriggerLimit(plan: Plan, id: string, limitPer24h: number | null, seen?: { kind: PlanTrigger['kind'] }): Plan {
  return upsertTrigger(plan, id, seen, { limitPer24h });
}

/**
 * Which reading of the limits the plan is simulated under: the docs or the platform's code (SPEC
 * section 9). The plan is read as the comparison reads it: a webhook default that belonged to the
 * old profile becomes the new one's (queue under the docs, drop on the platform) while an explicit
 * choice stays, and a programmatic schedule, which the docs refuse, goes back to fair use.
 */
export function setProfile(plan: Plan, profile: EnforcementProfile): Plan {
  if (profileOf(plan) === profile) return plan;
  return planUnderProfile(plan, profile).plan;
}
