/**
 * A deliberately slow, literal reading of SPEC §1–§5, used only to check `simulate()`.
 *
 * It shares nothing with the real engine but the input/output types and the dollar parser: it
 * keeps every admitted entry in plain arrays, recounts each window by scanning them at every
 * check, and visits every candidate instant (each event time, each expiry of an admitted entry
 * in a sliding window that has a limit, each UTC midnight — month starts are midnights too)
 * between the first event and the horizon. Correctness over speed: keep it that way.
 */
import type { EventColumns } from '../../src/engine/events.ts';
import { EventType } from '../../src/engine/events.ts';
import type { Plan, SpendLimitWindow } from '../../src/engine/plan.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE } from '../../src/engine/result.ts';
import type { KeyEpisode } from '../../src/engine/result.ts';
import { InputError } from '../../src/errors.ts';
import { DAY, HOUR, usdNumberToMicros } from '../../src/engine/units.ts';

export interface ReferenceOptions {
  until?: number;
}

export interface ReferenceResult {
  count: number;
  outcome: number[];
  /** epoch ms; NaN when not admitted */
  admittedAt: number[];
  reason: number[];
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
}

interface Key {
  id: string;
  cap: number | null;
}

interface Trigger {
  id: string;
  kind: 'webhook' | 'scheduled';
  mode: 'fair_use' | 'programmatic';
  /** Infinity = no limit */
  limit: number;
}

interface SpendLimit {
  amount: number;
  window: SpendLimitWindow;
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

/** Entries `s` with `t - w < s <= t`. */
function inSliding(s: number, t: number, w: number): boolean {
  return t - w < s && s <= t;
}

export function referenceSimulate(plan: Plan, ev: EventColumns, options: ReferenceOptions = {}): ReferenceResult {
  const n = ev.count;
  const ws = plan.workspace;
  const en = plan.enforcement;

  // --- limits, straight from SPEC §2
  const allowance = ws.messagesPerSeatPerDay === null ? Infinity : ws.seats * ws.messagesPerSeatPerDay;
  const pool = allowance === Infinity ? Infinity : exactPool(ws.fairUseShare, allowance);
  const keyWindow = en.keyCapWindowDays * DAY;
  const plusCost = en.capCheck === 'spent_plus_cost';
  const queue = en.webhookWhenLimited === 'queue';
  const maxWait = en.maxQueueWaitHours === null ? Infinity : Math.round(en.maxQueueWaitHours * HOUR);
  const limits: SpendLimit[] = ws.spendLimits.map((l) => ({ amount: usdNumberToMicros(l.amountUsd), window: l.window }));

  const keys = new Map<string, Key>();
  for (const k of plan.apiKeys) keys.set(k.id, { id: k.id, cap: k.capUsd === null ? null : usdNumberToMicros(k.capUsd) });
  const triggers = new Map<string, Trigger>();
  for (const t of plan.triggers) {
    const limit = t.limitPer24h === null ? (t.mode === 'fair_use' ? 42 : Infinity) : t.limitPer24h === -1 ? Infinity : t.limitPer24h;
    triggers.set(t.id, { id: t.id, kind: t.kind, mode: t.mode, limit });
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

  // --- state: every admitted entry, kept forever
  const keySpend = new Map<string, Spend[]>();
  const workspaceSpend: Spend[] = [];
  const triggerRuns = new Map<string, number[]>();
  const poolRuns: number[] = [];
  const allowanceUses: number[] = [];

  const sumSliding = (list: Spend[], t: number, w: number) =>
    list.reduce((acc, e) => (inSliding(e.at, t, w) ? acc + e.cost : acc), 0);
  const countSliding = (list: number[], t: number, w: number) =>
    list.reduce((acc, s) => (inSliding(s, t, w) ? acc + 1 : acc), 0);
  const spendIn = (limit: SpendLimit, t: number): number => {
    if (limit.window === 'rolling-30d') return sumSliding(workspaceSpend, t, 30 * DAY);
    const from = limit.window === 'utc-day' ? utcDayStart(t) : utcMonthStart(t);
    return workspaceSpend.reduce((acc, e) => (from <= e.at && e.at <= t ? acc + e.cost : acc), 0);
  };
  const blocks = (spent: number, cost: number, cap: number) => (plusCost ? spent + cost > cap : spent >= cap);

  const checkSpendLimits = (cost: number, t: number): number => {
    for (let j = 0; j < limits.length; j++) {
      if (blocks(spendIn(limits[j]!, t), cost, limits[j]!.amount)) return REASON_SPEND_LIMIT_BASE + j;
    }
    return Reason.none;
  };
  const checkApi = (key: Key, cost: number, t: number): number => {
    if (key.cap !== null && blocks(sumSliding(keySpend.get(key.id) ?? [], t, keyWindow), cost, key.cap)) return Reason.key_cap;
    return checkSpendLimits(cost, t);
  };
  const checkTrigger = (tr: Trigger, cost: number, t: number): number => {
    if (tr.limit !== Infinity && countSliding(triggerRuns.get(tr.id) ?? [], t, DAY) >= tr.limit) return Reason.trigger_limit;
    if (tr.mode === 'programmatic') return checkSpendLimits(cost, t);
    if (allowance !== Infinity) {
      if (countSliding(poolRuns, t, DAY) >= pool) return Reason.pool;
      if (countSliding(allowanceUses, t, DAY) >= allowance) return Reason.allowance;
    }
    return Reason.none;
  };
  const checkMessage = (t: number): number =>
    allowance !== Infinity && countSliding(allowanceUses, t, DAY) >= allowance ? Reason.allowance : Reason.none;

  const admitApi = (key: Key, cost: number, t: number) => {
    const list = keySpend.get(key.id) ?? [];
    list.push({ at: t, cost });
    keySpend.set(key.id, list);
    workspaceSpend.push({ at: t, cost });
  };
  const admitTrigger = (tr: Trigger, cost: number, t: number) => {
    const list = triggerRuns.get(tr.id) ?? [];
    list.push(t);
    triggerRuns.set(tr.id, list);
    if (tr.mode === 'programmatic') {
      workspaceSpend.push({ at: t, cost });
    } else {
      poolRuns.push(t);
      allowanceUses.push(t);
    }
  };

  const outcome = new Array<number>(n).fill(-1);
  const admittedAt = new Array<number>(n).fill(NaN);
  const reason = new Array<number>(n).fill(Reason.none);

  // --- every candidate instant, ascending
  const hasRolling = limits.some((l) => l.window === 'rolling-30d');
  const nextInstant = (after: number): number => {
    let next = utcDayStart(after) + DAY; // month starts are midnights too
    const consider = (u: number) => {
      if (u > after && u < next) next = u;
    };
    for (let i = 0; i < n; i++) consider(ev.time[i]!);
    // Capacity returns only where there is a limit: capped keys, limited triggers, a finite
    // pool and allowance (the lead's reading of SPEC §4, see /work/team/engine-bugs.md).
    for (const [id, list] of keySpend) if (keys.get(id)?.cap !== null) for (const e of list) consider(e.at + keyWindow);
    for (const [id, list] of triggerRuns) if (triggers.get(id)?.limit !== Infinity) for (const s of list) consider(s + DAY);
    if (allowance !== Infinity) for (const s of poolRuns) consider(s + DAY);
    if (allowance !== Infinity) for (const s of allowanceUses) consider(s + DAY);
    if (hasRolling) for (const e of workspaceSpend) consider(e.at + 30 * DAY);
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
      if (checkTrigger(w.trigger, w.cost, tau) === Reason.none) {
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
      if (type === EventType.api) {
        const key = keys.get(entityId[i]!)!;
        const r = checkApi(key, cost, tau);
        if (r === Reason.none) {
          admitApi(key, cost, tau);
          outcome[i] = Outcome.admitted;
          admittedAt[i] = tau;
        } else {
          outcome[i] = Outcome.blocked;
          reason[i] = r;
        }
      } else if (type === EventType.message) {
        const r = checkMessage(tau);
        if (r === Reason.none) {
          allowanceUses.push(tau);
          outcome[i] = Outcome.admitted;
          admittedAt[i] = tau;
        } else {
          outcome[i] = Outcome.blocked;
          reason[i] = r;
        }
      } else {
        const tr = triggers.get(entityId[i]!)!;
        const r = checkTrigger(tr, cost, tau);
        const ahead = waiting.find((w) => w.trigger === tr);
        if (ahead) {
          reason[i] = r !== Reason.none ? r : reason[ahead.event]!;
          enqueue({ event: i, arrival: tau, trigger: tr, cost });
        } else if (r === Reason.none) {
          admitTrigger(tr, cost, tau);
          outcome[i] = Outcome.admitted;
          admittedAt[i] = tau;
        } else {
          reason[i] = r;
          if (tr.kind === 'scheduled') outcome[i] = Outcome.skipped;
          else if (!queue) outcome[i] = Outcome.dropped;
          else enqueue({ event: i, arrival: tau, trigger: tr, cost });
        }
      }
    }
  }
  for (const w of waiting) outcome[w.event] = w.arrival + maxWait < horizon ? Outcome.dropped : Outcome.pending;

  // --- capped-out episodes. SPEC §5 asks for "when it becomes usable again"; the definition
  // is the engine's (result.ts KeyEpisode): an episode opens at a request blocked by key_cap
  // and lasts until the first expiry at which the key's rolling spend would let that request
  // through (spent: below the cap; spent_plus_cost: at most cap - its cost; never: Infinity).
  // A later key_cap block before `until` belongs to the same episode, unless the key admitted
  // a request in between (spent_plus_cost lets cheaper ones through): then `until` is redone.
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
      if (reason[i] !== Reason.key_cap) continue;
      const open = list[list.length - 1];
      if (open && t < open.until && !admittedSince) continue;
      const target = plusCost ? cap - ev.cost[i]! : cap - 1;
      const expiries = spends.map((e) => e.at + keyWindow).filter((u) => u > t).sort((a, b) => a - b);
      const until = target < 0 || cap === 0 ? Infinity : (expiries.find((u) => sumSliding(spends, u, keyWindow) <= target) ?? Infinity);
      if (open && t < open.until) open.until = until;
      else list.push({ from: t, until });
      admittedSince = false;
    }
    episodes.set(key.id, list);
  }

  return { count: n, outcome, admittedAt, reason, horizon, entityId, eventType: Array.from(ev.type), peakQueue, peakQueueByTrigger, inferredKeys, inferredTriggers, episodes };
}
