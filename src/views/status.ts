/**
 * The one status vocabulary of every screen (Overview, Projection, API keys, Triggers, the key
 * detail): a key, trigger or limit reads the same wherever it is shown, because every screen takes
 * its status from here and its words from `STATUS_LABEL`.
 */

export type Status = 'limited' | 'near' | 'ok' | 'unlimited' | 'unused';

/** A peak that reached this share of its limit is near it. */
export const NEAR_SHARE = 0.8;

/** A key with no request in this many days before the data's end is advised "revoke?", not capped. */
export const UNUSED_DAYS = 60;

const DAY_MS = 86_400_000;

export const STATUS_LABEL: Record<Status, string> = {
  // the engine blocked or delayed something: the only status that means a limit bit
  limited: 'Rate limited',
  near: 'Near limit',
  ok: 'Within limit',
  unlimited: 'No limit',
  unused: 'Unused',
};

/** Most worth attention first, for sorting. */
export const STATUS_RANK: Record<Status, number> = { limited: 4, near: 3, unused: 2, ok: 1, unlimited: 0 };

/** Share of a limit reached; null without a limit, 1 for a zero limit that saw use. */
export function shareOf(peak: number, limit: number | null): number | null {
  if (limit === null || !Number.isFinite(limit)) return null;
  if (limit === 0) return peak > 0 ? 1 : 0;
  return peak / limit;
}

/** A limit's status (pool, allowance, spend limit): blocked, near, within, or no limit at all. */
export function limitStatus(blocked: number, share: number | null): Status {
  if (blocked > 0) return 'limited';
  if (share === null) return 'unlimited';
  return share >= NEAR_SHARE ? 'near' : 'ok';
}

export interface KeyStatusInput {
  /** requests blocked, whatever blocked them (the key's cap or a workspace spend limit) */
  blocked: number;
  capUsd: number | null;
  peakShare: number | null;
  /** the key's last request, ms; null if it never made one */
  lastUsed: number | null;
}

/** True when the key made no request in the UNUSED_DAYS before `dataEnd`. */
export function isUnused(lastUsed: number | null, dataEnd: number | null): boolean {
  if (dataEnd === null) return false;
  return lastUsed === null || dataEnd - lastUsed > UNUSED_DAYS * DAY_MS;
}

export function keyStatus(k: KeyStatusInput, dataEnd: number | null): Status {
  if (k.blocked > 0) return 'limited';
  if (isUnused(k.lastUsed, dataEnd)) return 'unused';
  if (k.capUsd === null) return 'unlimited';
  return (k.peakShare ?? 0) >= NEAR_SHARE ? 'near' : 'ok';
}

/** A trigger is rate limited when any run waited, was dropped or skipped; otherwise within (or without) its limit. */
export function triggerStatus(rateLimited: boolean, limit: number | null): Status {
  if (rateLimited) return 'limited';
  return limit === null ? 'unlimited' : 'ok';
}
