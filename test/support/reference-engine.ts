/**
 * A deliberately slow, literal reading of SPEC §1–§5 and §9 (the platform profile), used only to
 * check `simulate()`.
 *
 * It shares nothing with the real engine but the event columns, the outcome/reason constants and
 * the dollar parser. It reads the plan as written (a validated Plan, or the raw object an admin
 * writes: every missing field takes the SPEC's default here, so "an explicit field wins over the
 * profile's default" is decided by this file, not by the engine's schema). It keeps every
 * recorded entry in plain arrays, recounts each window by scanning them at every check, and
 * visits every candidate instant (each event time, each instant an entry stops counting in a
 * sliding window, each UTC midnight — month starts and rule 6's key-cap days are midnights too)
 * between the first event and the horizon. Correctness over speed: keep it that way.
 */
import type { EventColumns } from '../../src/engine/events.ts';
import { EventType } from '../../src/engine/events.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE } from '../../src/engine/result.ts';
import type { KeyEpisode } from '../../src/engine/result.ts';
import { InputError } from '../../src/errors.ts';
import { asEpochMs, DAY, HOUR, usdNumberToMicros } from '../../src/engine/units.ts';

export interface ReferenceOptions {
  until?: number;
}

/**
 * A plan as the reference reads it: SPEC §2 plus §9's fields, everything optional (a validated
 * Plan fits, and so does the raw JSON an admin writes). Modes may use the platform's newer names.
 */
export interface ReferencePlan {
  workspace?: {
    seats?: number;
    messagesPerSeatPerDay?: number | null;
    fairUseShare?: number;
    spendLimits?: readonly { id: string; amountUsd: number; window: string }[];
  };
  apiKeys?: readonly { id: string; capUsd?: number | null }[];
  triggers?: readonly { id: string; kind?: string; mode?: string; limitPer24h?: number | null }[];
  enforcement?: {
    profile?: string;
    keyCapWindowDays?: number;
    capCheck?: string;
    webhookWhenLimited?: string;
    maxQueueWaitHours?: number | null;
    actorPerMinute?: number | null;
    actorPerHour?: number | null;
    workspacePerSeatPerMinute?: number | null;
  };
}

export interface ReferenceResult {
  count: number;
  outcome: number[];
  /** epoch ms; NaN when not admitted */
  admittedAt: number[];
  /** reason codes as the engine numbers them (Reason / REASON_SPEND_LIMIT_BASE; -1 for a reason the engine has no code for yet) */
  reason: number[];
  /** the reason as SPEC §5/§9 names it (`spend_limit:<id>`, `actor_minute`, …), null when admitted at once */
  reasonName: (string | null)[];
  horizon: number;
  /** per event: the key or trigger id it concerns; null for messages */
  entityId: (string | null)[];
  /** per event: its EventTypeCode */
  eventType: number[];
  /** most runs waiting at once, all triggers, and per trigger id */
  peakQueue: number;
  peakQueueByTrigger: Map<string, number>;
  /** entities added because events name them, in order of first appearance (input order) */
  inferredKeys: string[];
  inferredTriggers: string[];
  /** capped-out episodes per capped key id (see the end of referenceSimulate) */
  episodes: Map<string, KeyEpisode[]>;
  /** units a refused webhook run took (§9 rule 4), per window: for tests that count burned units */
  burned: { pool: number; trigger: number };
}

type Mode = 'fair_use' | 'programmatic';

interface Key {
  id: string;
  cap: number | null;
}

interface Trigger {
  id: string;
  kind: 'webhook' | 'scheduled';
  mode: Mode;
  /** Infinity = no limit */
  limit: number;
}

interface SpendLimit {
  id: string;
  amount: number;
  window: string;
}

interface Spend {
  at: number;
  cost: number;
}

interface Waiting {
  event: number;
  arrival: number;
  trigger: Trigger;
  cost: number;
}

/** ceil(share × allowance) on the decimal digits of `share`, in BigInt: 0.1 × 30 is 3. */
export function exactPool(share: number, allowance: number): number {
  const [mantissa = '0', exp = '0'] = share.toString().split('e');
  const [whole = '0', frac = ''] = mantissa.split('.');
  let digits = BigInt(whole + frac);
  let scale = 10n ** BigInt(frac.length);
  const e = Number(exp);
  if (e > 0) digits *= 10n ** BigInt(e);
  else scale *= 10n ** BigInt(-e);
  const num = digits * BigInt(allowance);
  return Number(num / scale + (num % scale === 0n ? 0n : 1n));
}

export function utcDayStart(t: number): number {
  return Math.floor(t / DAY) * DAY;
}

export function utcMonthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** §9: `user_pool` is `fair_use`, `workspace_pool` is `programmatic`, in either profile. */
export function referenceMode(mode: string | undefined): Mode {
  if (mode === undefined || mode === 'fair_use' || mode === 'user_pool') return 'fair_use';
  if (mode === 'programmatic' || mode === 'workspace_pool') return 'programmatic';
  throw new Error(`reference: unknown mode ${mode}`);
}

const MINUTE_MS = 60_000;

/** The engine's code for a reason name (Reason / REASON_SPEND_LIMIT_BASE), -1 when it has none yet. */
function reasonCode(name: string | null, limits: readonly SpendLimit[]): number {
  if (name === null) return Reason.none;
  if (name.startsWith('spend_limit:')) return REASON_SPEND_LIMIT_BASE + limits.findIndex((l) => `spend_limit:${l.id}` === name);
  return (Reason as Record<string, number>)[name] ?? -1;
}

export function referenceSimulate(plan: ReferencePlan, ev: EventColumns, options: ReferenceOptions = {}): ReferenceResult {
  const n = ev.count;
  const ws = plan.workspace ?? {};
  const en = plan.enforcement ?? {};
  const platform = en.profile === 'platform';
  if (en.profile !== undefined && en.profile !== 'documented' && en.profile !== 'platform') throw new Error(`reference: unknown profile ${en.profile}`);

  // --- limits, straight from SPEC §2 and §9
  const seats = ws.seats ?? 10;
  const perSeat = ws.messagesPerSeatPerDay === undefined ? 100 : ws.messagesPerSeatPerDay;
  const allowance = perSeat === null ? Infinity : seats * perSeat;
  const pool = allowance === Infinity ? Infinity : exactPool(ws.fairUseShare ?? 0.5, allowance);
  const keyCapDays = en.keyCapWindowDays ?? 30;
  const plusCost = (en.capCheck ?? 'spent') === 'spent_plus_cost';
  // §9 rule 5: drop by default under platform; an explicit field wins
  const queue = (en.webhookWhenLimited ?? (platform ? 'drop' : 'queue')) === 'queue';
  const maxWait = en.maxQueueWaitHours === undefined || en.maxQueueWaitHours === null ? Infinity : Math.round(en.maxQueueWaitHours * HOUR);
  // §9 rule 7: the throttles' numbers, default per profile, `null` turns one off
  const throttle = (value: number | null | undefined, platformDefault: number): number =>
    value === undefined ? (platform ? platformDefault : Infinity) : value === null ? Infinity : value;
  const actorPerMinute = throttle(en.actorPerMinute, 100);
  const actorPerHour = throttle(en.actorPerHour, 3000);
  const perSeatPerMinute = throttle(en.workspacePerSeatPerMinute, 10);
  const workspacePerMinute = perSeatPerMinute === Infinity ? Infinity : perSeatPerMinute * seats;
  const limits: SpendLimit[] = (ws.spendLimits ?? [{ id: 'daily', amountUsd: 1000, window: 'utc-day' }]).map((l) => ({
    id: l.id,
    amount: usdNumberToMicros(l.amountUsd),
    window: l.window,
  }));

  // §1 vs §9 rule 1: which entries a sliding window of length w, seen at t, holds
  const inSliding = (s: number, t: number, w: number): boolean => (platform ? t - w <= s : t - w < s) && s <= t;
  /** the first instant at which an entry recorded at s no longer counts */
  const leaves = (s: number, w: number): number => (platform ? s + w + 1 : s + w);

  const keys = new Map<string, Key>();
  for (const k of plan.apiKeys ?? []) keys.set(k.id, { id: k.id, cap: k.capUsd === undefined || k.capUsd === null ? null : usdNumberToMicros(k.capUsd) });
  const triggers = new Map<string, Trigger>();
  for (const t of plan.triggers ?? []) {
    const mode = referenceMode(t.mode);
    const kind = t.kind === 'scheduled' ? 'scheduled' : 'webhook';
    if (kind === 'scheduled' && mode === 'programmatic' && !platform) throw new Error('reference: programmatic scheduled trigger under documented');
    const raw = t.limitPer24h ?? null;
    // §2: null is 42 on fair use, no limit on programmatic; §9 rule 2: 42 in every mode
    const limit = raw === null ? (mode === 'fair_use' || platform ? 42 : Infinity) : raw === -1 ? Infinity : raw;
    triggers.set(t.id, { id: t.id, kind, mode, limit });
  }
  const inferredKeys: string[] = [];
  const inferredTriggers: string[] = [];
  const entityId: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const name = ev.subjects[ev.subject[i]!]!;
    const type = ev.type[i]!;
    if (type === EventType.api) {
      if (!keys.has(name)) {
        keys.set(name, { id: name, cap: null });
        inferredKeys.push(name);
      }
      entityId.push(name);
    } else if (type === EventType.trigger) {
      if (!triggers.has(name)) {
        triggers.set(name, { id: name, kind: 'webhook', mode: 'fair_use', limit: 42 });
        inferredTriggers.push(name);
      }
      entityId.push(name);
    } else {
      entityId.push(null);
    }
  }

  // --- horizon
  let last = -Infinity;
  for (let i = 0; i < n; i++) last = Math.max(last, ev.time[i]!);
  if (options.until !== undefined && n > 0 && options.until < last) {
    throw new InputError('until is before the last event');
  }
  const horizon = options.until ?? (n > 0 ? last + 30 * DAY : NaN);

  // --- state: every recorded entry, kept forever
  const keySpend = new Map<string, Spend[]>();
  const workspaceSpend: Spend[] = [];
  const triggerRuns = new Map<string, number[]>();
  const poolRuns: number[] = [];
  const allowanceUses: number[] = [];
  const keyRequests = new Map<string, number[]>(); // admitted API requests per key (throttles)
  const userMessages = new Map<string, number[]>(); // admitted messages per user (throttles)
  const peopleMessages: number[] = []; // admitted messages, all users (workspace_minute)
  const burned = { pool: 0, trigger: 0 };

  const sumSliding = (list: Spend[], t: number, w: number) => list.reduce((acc, e) => (inSliding(e.at, t, w) ? acc + e.cost : acc), 0);
  const countSliding = (list: readonly number[], t: number, w: number) => list.reduce((acc, s) => (inSliding(s, t, w) ? acc + 1 : acc), 0);
  /** §4 key cap: the sliding window; §9 rule 6: from 00:00 UTC (keyCapWindowDays - 1) days before t's day */
  const keySpent = (list: Spend[], t: number): number => {
    if (!platform) return sumSliding(list, t, keyCapDays * DAY);
    const from = utcDayStart(t) - (keyCapDays - 1) * DAY;
    return list.reduce((acc, e) => (from <= e.at && e.at <= t ? acc + e.cost : acc), 0);
  };
  /** the first instant a key's entry at s stops counting */
  const keyLeaves = (s: number): number => (platform ? utcDayStart(s) + keyCapDays * DAY : s + keyCapDays * DAY);
  const spendIn = (limit: SpendLimit, t: number): number => {
    if (limit.window === 'rolling-30d') return sumSliding(workspaceSpend, t, 30 * DAY);
    const from = limit.window === 'utc-day' ? utcDayStart(t) : utcMonthStart(t);
    return workspaceSpend.reduce((acc, e) => (from <= e.at && e.at <= t ? acc + e.cost : acc), 0);
  };
  const blocks = (spent: number, cost: number, cap: number) => (plusCost ? spent + cost > cap : spent >= cap);
  const listOf = <T>(map: Map<string, T[]>, id: string): T[] => {
    let list = map.get(id);
    if (!list) map.set(id, (list = []));
    return list;
  };

  // --- checks: each returns the failing reason's name, or null
  const checkSpendLimits = (cost: number, t: number): string | null => {
    for (const l of limits) if (blocks(spendIn(l, t), cost, l.amount)) return `spend_limit:${l.id}`;
    return null;
  };
  const checkTriggerLimit = (tr: Trigger, t: number): string | null =>
    tr.limit !== Infinity && countSliding(triggerRuns.get(tr.id) ?? [], t, DAY) >= tr.limit ? 'trigger_limit' : null;
  const checkPool = (t: number): string | null => (allowance !== Infinity && countSliding(poolRuns, t, DAY) >= pool ? 'pool' : null);
  const checkAllowance = (t: number): string | null => (allowance !== Infinity && countSliding(allowanceUses, t, DAY) >= allowance ? 'allowance' : null);
  const checkActor = (list: readonly number[], t: number): string | null => {
    if (actorPerMinute !== Infinity && countSliding(list, t, MINUTE_MS) >= actorPerMinute) return 'actor_minute';
    if (actorPerHour !== Infinity && countSliding(list, t, HOUR) >= actorPerHour) return 'actor_hour';
    return null;
  };
  const checkApi = (key: Key, cost: number, t: number): string | null => {
    if (key.cap !== null && blocks(keySpent(keySpend.get(key.id) ?? [], t), cost, key.cap)) return 'key_cap';
    return checkSpendLimits(cost, t) ?? checkActor(keyRequests.get(key.id) ?? [], t);
  };
  const checkMessage = (user: string, t: number): string | null => {
    const throttled = checkActor(userMessages.get(user) ?? [], t);
    if (throttled) return throttled;
    if (workspacePerMinute !== Infinity && countSliding(peopleMessages, t, MINUTE_MS) >= workspacePerMinute) return 'workspace_minute';
    return checkAllowance(t);
  };
  /** all-or-nothing checks of a trigger run: §4's order, or §9 rules 3–5's under platform */
  const checkTrigger = (tr: Trigger, cost: number, t: number): string | null => {
    if (!platform) {
      const limited = checkTriggerLimit(tr, t);
      if (limited) return limited;
      if (tr.mode === 'programmatic') return checkSpendLimits(cost, t);
      return checkPool(t) ?? checkAllowance(t);
    }
    if (tr.kind === 'scheduled') return tr.mode === 'programmatic' ? checkSpendLimits(cost, t) : checkAllowance(t);
    if (tr.mode === 'programmatic') return checkSpendLimits(cost, t) ?? checkTriggerLimit(tr, t);
    return checkPool(t) ?? checkTriggerLimit(tr, t) ?? checkAllowance(t);
  };

  const admitApi = (key: Key, cost: number, t: number) => {
    listOf(keySpend, key.id).push({ at: t, cost });
    workspaceSpend.push({ at: t, cost });
    listOf(keyRequests, key.id).push(t);
  };
  const admitMessage = (user: string, t: number) => {
    allowanceUses.push(t);
    listOf(userMessages, user).push(t);
    peopleMessages.push(t);
  };
  const admitTrigger = (tr: Trigger, cost: number, t: number) => {
    if (tr.mode === 'programmatic') workspaceSpend.push({ at: t, cost });
    // §9 rule 3: a scheduled run records nothing in its trigger window or the pool
    if (platform && tr.kind === 'scheduled') {
      if (tr.mode === 'fair_use') allowanceUses.push(t);
      return;
    }
    listOf(triggerRuns, tr.id).push(t);
    if (tr.mode === 'fair_use') {
      poolRuns.push(t);
      allowanceUses.push(t);
    }
  };
  /**
   * §9 rule 4, a fair-use webhook run with nothing waiting and no queue: each check that passes
   * takes its unit at once. Returns the failing reason, or null when admitted (units all taken).
   */
  const attemptTakingUnits = (tr: Trigger, t: number): string | null => {
    if (allowance !== Infinity) {
      if (checkPool(t)) return 'pool';
      poolRuns.push(t);
    }
    if (checkTriggerLimit(tr, t)) {
      if (allowance !== Infinity) burned.pool++;
      return 'trigger_limit';
    }
    listOf(triggerRuns, tr.id).push(t);
    if (checkAllowance(t)) {
      burned.pool++;
      burned.trigger++;
      return 'allowance';
    }
    if (allowance !== Infinity) allowanceUses.push(t);
    return null;
  };

  const outcome = new Array<number>(n).fill(-1);
  const admittedAt = new Array<number>(n).fill(NaN);
  const reasonName = new Array<string | null>(n).fill(null);

  // --- every candidate instant, ascending
  const hasRolling = limits.some((l) => l.window === 'rolling-30d');
  const nextInstant = (after: number): number => {
    let next = utcDayStart(after) + DAY; // month starts and rule 6's key days are midnights too
    const consider = (u: number) => {
      if (u > after && u < next) next = u;
    };
    for (let i = 0; i < n; i++) consider(ev.time[i]!);
    // Capacity returns only where there is a limit: capped keys, limited triggers, a finite
    // pool and allowance (the lead's reading of SPEC §4, see /work/team/engine-bugs.md).
    for (const [id, list] of keySpend) if (keys.get(id)?.cap !== null) for (const e of list) consider(keyLeaves(e.at));
    for (const [id, list] of triggerRuns) if (triggers.get(id)?.limit !== Infinity) for (const s of list) consider(leaves(s, DAY));
    if (allowance !== Infinity) for (const s of poolRuns) consider(leaves(s, DAY));
    if (allowance !== Infinity) for (const s of allowanceUses) consider(leaves(s, DAY));
    if (hasRolling) for (const e of workspaceSpend) consider(leaves(e.at, 30 * DAY));
    // The throttles are limits too (§9 rule 7): like a capped key's spend, their entries expiring
    // are instants, although no trigger run waits for them. Where it shows: a run at the head of
    // its trigger's queue passes its wait limit, and the run behind it is tried at the next instant.
    const throttled = (list: readonly number[]) => {
      for (const s of list) {
        if (actorPerMinute !== Infinity) consider(leaves(s, MINUTE_MS));
        if (actorPerHour !== Infinity) consider(leaves(s, HOUR));
      }
    };
    for (const list of keyRequests.values()) throttled(list);
    for (const list of userMessages.values()) throttled(list);
    if (workspacePerMinute !== Infinity) for (const s of peopleMessages) consider(leaves(s, MINUTE_MS));
    return next;
  };

  let waiting: Waiting[] = [];
  let peakQueue = 0;
  const peakQueueByTrigger = new Map<string, number>();
  const enqueue = (w: Waiting) => {
    waiting.push(w);
    peakQueue = Math.max(peakQueue, waiting.length);
    const mine = waiting.filter((x) => x.trigger === w.trigger).length;
    peakQueueByTrigger.set(w.trigger.id, Math.max(peakQueueByTrigger.get(w.trigger.id) ?? 0, mine));
  };
  let first = Infinity;
  for (let i = 0; i < n; i++) first = Math.min(first, ev.time[i]!);

  for (let tau = first; n > 0 && tau <= horizon; tau = nextInstant(tau)) {
    // (1) runs whose wait limit has passed leave the queue
    waiting = waiting.filter((w) => {
      if (w.arrival + maxWait < tau) {
        outcome[w.event] = Outcome.dropped;
        return false;
      }
      return true;
    });
    // (2) waiting runs, oldest arrival first; a run that stays blocks its trigger's later runs
    const stuck = new Set<string>();
    waiting = waiting.filter((w) => {
      if (stuck.has(w.trigger.id)) return true;
      if (checkTrigger(w.trigger, w.cost, tau) === null) {
        admitTrigger(w.trigger, w.cost, tau);
        outcome[w.event] = Outcome.admitted;
        admittedAt[w.event] = tau;
        return false;
      }
      stuck.add(w.trigger.id);
      return true;
    });
    // (3) the events at tau, in input order
    for (let i = 0; i < n; i++) {
      if (ev.time[i] !== tau) continue;
      const type = ev.type[i]!;
      const cost = ev.cost[i]!;
      if (type === EventType.api || type === EventType.message) {
        const user = ev.subjects[ev.subject[i]!]!;
        const key = type === EventType.api ? keys.get(user)! : null;
        const r = key ? checkApi(key, cost, tau) : checkMessage(user, tau);
        if (r === null) {
          if (key) admitApi(key, cost, tau);
          else admitMessage(user, tau);
          outcome[i] = Outcome.admitted;
          admittedAt[i] = tau;
        } else {
          outcome[i] = Outcome.blocked;
          reasonName[i] = r;
        }
        continue;
      }
      const tr = triggers.get(entityId[i]!)!;
      const ahead = waiting.find((w) => w.trigger === tr);
      if (ahead) {
        const r = checkTrigger(tr, cost, tau);
        reasonName[i] = r ?? reasonName[ahead.event]!;
        enqueue({ event: i, arrival: tau, trigger: tr, cost });
        continue;
      }
      if (platform && tr.kind === 'webhook' && tr.mode === 'fair_use' && !queue) {
        const r = attemptTakingUnits(tr, tau);
        if (r === null) {
          outcome[i] = Outcome.admitted;
          admittedAt[i] = tau;
        } else {
          outcome[i] = Outcome.dropped;
          reasonName[i] = r;
        }
        continue;
      }
      const r = checkTrigger(tr, cost, tau);
      if (r === null) {
        admitTrigger(tr, cost, tau);
        outcome[i] = Outcome.admitted;
        admittedAt[i] = tau;
      } else {
        reasonName[i] = r;
        if (tr.kind === 'scheduled') outcome[i] = Outcome.skipped;
        else if (!queue) outcome[i] = Outcome.dropped;
        else enqueue({ event: i, arrival: tau, trigger: tr, cost });
      }
    }
  }
  for (const w of waiting) outcome[w.event] = w.arrival + maxWait < horizon ? Outcome.dropped : Outcome.pending;

  // --- capped-out episodes. SPEC §5 asks for "when it becomes usable again"; the definition
  // is the engine's (result.ts KeyEpisode): an episode opens at a request blocked by key_cap
  // and lasts until the first instant an entry stops counting (§9 rule 6: a UTC midnight) at
  // which the key's spend would let that request through (spent: below the cap;
  // spent_plus_cost: at most cap - its cost; never: Infinity). A later key_cap block before
  // `until` belongs to the same episode, unless the key admitted a request in between
  // (spent_plus_cost lets cheaper ones through): then `until` is redone.
  const episodes = new Map<string, KeyEpisode[]>();
  const order = [...Array(n).keys()].sort((a, b) => ev.time[a]! - ev.time[b]! || a - b);
  for (const key of keys.values()) {
    if (key.cap === null) continue;
    const cap = key.cap;
    const list: KeyEpisode[] = [];
    const spends: Spend[] = []; // this key's admissions so far, in processing order
    let admittedSince = false;
    for (const i of order) {
      if (ev.type[i] !== EventType.api || entityId[i] !== key.id) continue;
      const t = ev.time[i]!;
      if (outcome[i] === Outcome.admitted) {
        spends.push({ at: t, cost: ev.cost[i]! });
        admittedSince = true;
        continue;
      }
      if (reasonName[i] !== 'key_cap') continue;
      const open = list[list.length - 1];
      if (open && t < open.until && !admittedSince) continue;
      const target = plusCost ? cap - ev.cost[i]! : cap - 1;
      const expiries = spends.map((e) => keyLeaves(e.at)).filter((u) => u > t).sort((a, b) => a - b);
      const until = target < 0 || cap === 0 ? Infinity : (expiries.find((u) => keySpent(spends, u) <= target) ?? Infinity);
      if (open && t < open.until) open.until = asEpochMs(until);
      else list.push({ from: asEpochMs(t), until: asEpochMs(until) });
      admittedSince = false;
    }
    episodes.set(key.id, list);
  }

  return {
    count: n,
    outcome,
    admittedAt,
    reason: reasonName.map((r) => reasonCode(r, limits)),
    reasonName,
    horizon,
    entityId,
    eventType: Array.from(ev.type),
    peakQueue,
    peakQueueByTrigger,
    inferredKeys,
    inferredTriggers,
    episodes,
    burned,
  };
}
