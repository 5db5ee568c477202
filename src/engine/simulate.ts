import { CancelledError, InputError } from '../errors.ts';
import { EventType, type EventColumns } from './events.ts';
import { MinHeap } from './heap.ts';
import { keepShapes } from './keep-shapes.ts';
import { Allowance } from './limits/allowance.ts';
import { KeyCaps } from './limits/key-cap.ts';
import { Pool, pooled, REFUSED_ALLOWANCE, REFUSED_POOL, REFUSED_TRIGGER, takeUnitsInOrder, TAKEN_ALL } from './limits/pool.ts';
import { PASSES, SpendLimits } from './limits/spend-limit.ts';
import { ActorThrottles, THROTTLE_HOUR, THROTTLE_MINUTE, THROTTLE_PASSES, WorkspaceThrottle } from './limits/throttle.ts';
import { TriggerLimits } from './limits/trigger-limit.ts';
import type { Plan } from './plan.ts';
import { DEFAULT_TRIGGER_LIMIT, keyId, resolvePlan, triggerId, UNLIMITED, type ResolvedPlan } from './plan-rules.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE, type SimulationResult, type Timeline } from './result.ts';
import { asDurationMs, asEpochMs, asMicros, DAY, HOUR, isoOf, MINUTE } from './units.ts';
import { QueueLog } from './queue-log.ts';
import { RunQueue } from './run-queue.ts';
import { utcDayStart } from './windows.ts';

export interface SimulateOptions {
  /** horizon, epoch ms; default last event + 30 days. Before the last event: InputError. */
  until?: number;
  /** sample capacity into about this many buckets for charts (0 or absent = no timeline) */
  timelineBuckets?: number;
  /** called every so many events with (events processed, total) */
  onProgress?: (done: number, total: number) => void;
  /** checked every so many events; when aborted the run throws CancelledError */
  signal?: { readonly aborted: boolean };
  /** where the first chart bucket starts, epoch ms; default the first event (a part of the events charts on the whole's buckets) */
  timelineStart?: number;
  /** log the count of waiting runs after each change (`queueLog`), to add up parts simulated apart */
  logQueue?: boolean;
  /** the events' processing order when the caller already has it (`processingOrder`) */
  order?: Uint32Array | null;
  /**
   * API requests before this instant are spend the platform already holds (a forecast's history
   * tail, recorded under the plan in force): they enter the key's cap window, its throttles and
   * the spend limits unchecked. A cap set today re-decides none of the usage it counts.
   */
  heldBefore?: number;
}

/** The charts' buckets from `start` to the horizon: whole minutes, at most about `buckets` of them. */
export function emptyTimeline(start: number, horizon: number, buckets: number, spendLimits: number): Timeline {
  const span = Math.max(horizon - start, 1);
  const bucketMs = Math.max(Math.ceil(span / buckets / 60_000) * 60_000, 60_000);
  const count = Math.max(1, Math.ceil((span + 1) / bucketMs));
  return {
    start: asEpochMs(start),
    bucketMs: asDurationMs(bucketMs),
    buckets: count,
    allowanceUsed: new Float64Array(count),
    poolUsed: new Float64Array(count),
    queued: new Float64Array(count),
    maxDelay: new Float64Array(count),
    keySpend: [],
    spendLimitUsed: Array.from({ length: spendLimits }, () => new Float64Array(count)),
  };
}

/** A trigger the plan does not name, met in the events: a fair-use webhook with the default limit (SPEC). */
export function inferredTrigger(subject: string): ResolvedPlan['triggers'][number] {
  return { id: triggerId(subject), name: subject, kind: 'webhook', mode: 'fair_use', modeName: 'fair_use', limit: DEFAULT_TRIGGER_LIMIT, inferred: true };
}

export const DEFAULT_HORIZON_MS = 30 * DAY;
const PROGRESS_EVERY = 1 << 16;
/** Trigger states: no waiting runs, waiting for a wake-up time, ready to be tried now. */
export const IDLE = 0;
export const WAITING = 1;
export const READY = 2;
/** Waiting for the shared pool or allowance: woken in arrival order while it has room. */
export const ON_POOL = 3;
export const ON_ALLOWANCE = 4;

/** Event positions in processing order: by time, equal times in input order; null when that is the input order. */
export function processingOrder(events: EventColumns): Uint32Array | null {
  const { time, count } = events;
  let sorted = true;
  for (let i = 1; i < count; i++) {
    if (time[i] < time[i - 1]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return null;
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => time[a] - time[b] || a - b);
  return order;
}

/**
 * Replays events against a plan: SPEC section 4, or section 9 under the platform profile. One
 * pass in time order; each limit lives in its own module under `limits/` (its check, what an
 * admission records, when a refused check could pass, its peak and what its checks saw). This
 * function holds the pass, the order of the checks per event, the queues and the timeline: queued
 * webhook runs sleep until the earliest instant their failing check could pass (`retryAt`) and
 * are then retried oldest first.
 */
export function simulate(planInput: Plan, events: EventColumns, options: SimulateOptions = {}): SimulationResult {
  const plan: ResolvedPlan = resolvePlan(planInput);
  // SPEC section 9: the platform profile's rules; every `platform` branch below is one of them
  const platform = plan.profile === 'platform';
  // an entry of a sliding window admitted at s counts until s + W (docs) or s + W + 1 ms (platform)
  const edge = plan.edgeMs;
  const n = events.count;
  const { time, type, subject, cost, subjects } = events;
  const order = options.order !== undefined ? options.order : processingOrder(events);
  const at = (pos: number): number => (order === null ? pos : order[pos]);

  const lastTime = n > 0 ? time[at(n - 1)] : Number.NaN;
  if (options.until !== undefined && n > 0 && options.until < lastTime) {
    throw new InputError(`--until ${isoOf(options.until)} is before the last event (${isoOf(lastTime)})`);
  }
  const horizon = options.until ?? (n > 0 ? lastTime + DEFAULT_HORIZON_MS : 0);

  const outcome = new Uint8Array(n);
  const admittedAt = new Float64Array(n).fill(Number.NaN);
  const reason = new Uint8Array(n);
  const entity = new Int32Array(n).fill(-1);

  // --- the limits ---
  const keyCaps = new KeyCaps(plan.keyCapWindowMs, plan.keyCapByDay, plan.capCheckPlusCost);
  const spendLimits = new SpendLimits(plan, edge, DAY);
  const triggerLimits = new TriggerLimits(DAY + edge);
  const allowance = new Allowance(plan.allowance, DAY + edge);
  const pool = new Pool(plan.pool, DAY + edge);
  // throttles (SPEC section 9 rule 7): API requests per key, messages per user and per workspace
  const keyThrottles = new ActorThrottles(plan.actorPerMinute, plan.actorPerHour, MINUTE + edge, HOUR + edge);
  const userThrottles = new ActorThrottles(plan.actorPerMinute, plan.actorPerHour, MINUTE + edge, HOUR + edge);
  const workspaceMinute = new WorkspaceThrottle(plan.workspacePerMinute, MINUTE + edge);
  const apiThrottled = keyThrottles.on;
  const usersThrottled = userThrottles.on;
  const messageThrottled = usersThrottled || workspaceMinute.on;
  const throttleReason = (which: number): number => (which === THROTTLE_MINUTE ? Reason.actor_minute : Reason.actor_hour);
  const limitCount = spendLimits.count;

  // --- entities (plan ones first, inferred ones appended in order of first appearance) ---
  const keyBySubject = new Int32Array(subjects.length).fill(-1);
  const triggerBySubject = new Int32Array(subjects.length).fill(-1);
  const subjectIndex = new Map<string, number>();
  subjects.forEach((s, i) => subjectIndex.set(s, i));
  const keyFirstBlock: SimulationResult['keyStats'][number]['firstBlock'][] = [];
  const addKey = (capMicros: number | null): void => {
    keyCaps.add(capMicros);
    keyFirstBlock.push(null);
  };
  plan.keys.forEach((k, i) => {
    addKey(k.capMicros);
    const s = subjectIndex.get(k.id);
    if (s !== undefined) keyBySubject[s] = i;
  });

  const trigFairUse: boolean[] = [];
  const trigQueues: boolean[] = [];
  /** platform: a fair-use webhook run that is dropped when limited takes each unit as its check passes */
  const trigTakesUnits: boolean[] = [];
  /** checked against the pool and counted there */
  const trigPooled: boolean[] = [];
  const queues: RunQueue[] = [];
  const trigState: number[] = [];
  const trigWake: number[] = [];
  const triggerStats: SimulationResult['triggerStats'] = [];
  const addTrigger = (t: ResolvedPlan['triggers'][number]): void => {
    trigFairUse.push(t.mode === 'fair_use');
    trigQueues.push(t.kind === 'webhook' && plan.queueWebhooks);
    trigTakesUnits.push(platform && t.kind === 'webhook' && t.mode === 'fair_use' && !plan.queueWebhooks);
    trigPooled.push(pooled(t.kind, t.mode, platform));
    // a schedule is never checked against its own limit under the platform profile (rule 3)
    triggerLimits.add(t.limit, !(platform && t.kind === 'scheduled'));
    queues.push(new RunQueue());
    trigState.push(IDLE);
    trigWake.push(UNLIMITED);
    triggerStats.push({ peakQueue: 0 });
  };
  plan.triggers.forEach((t, i) => {
    addTrigger(t);
    const s = subjectIndex.get(t.id);
    if (s !== undefined) triggerBySubject[s] = i;
  });

  const keyOf = (s: number): number => {
    let k = keyBySubject[s];
    if (k < 0) {
      k = plan.keys.length;
      plan.keys.push({ id: keyId(subjects[s]), name: subjects[s], capMicros: null, inferred: true });
      addKey(null);
      keySeries(k);
      keySampled.push(-1);
      keyBySubject[s] = k;
    }
    return k;
  };
  const triggerOf = (s: number): number => {
    let g = triggerBySubject[s];
    if (g < 0) {
      g = plan.triggers.length;
      const inferred = inferredTrigger(subjects[s]);
      plan.triggers.push(inferred);
      addTrigger(inferred);
      triggerBySubject[s] = g;
    }
    return g;
  };

  let queuedTotal = 0;
  let peakQueue = 0;
  // people's messages by the check that refused them (none: admitted), for tallies that skip them
  const messagesByReason = new Float64Array(REASON_SPEND_LIMIT_BASE);
  const queueLog = options.logQueue ? new QueueLog() : null;

  // --- timeline sampling ---
  const buckets = options.timelineBuckets ?? 0;
  let timeline: Timeline | null = null;
  let bucket = -1;
  let nextBucketAt = UNLIMITED;
  if (buckets > 0 && n > 0) {
    const start = options.timelineStart ?? time[at(0)];
    timeline = emptyTimeline(start, horizon, buckets, limitCount);
    nextBucketAt = start;
  }
  const keySeries = (k: number): Float64Array | null => {
    if (timeline === null) return null;
    while (timeline.keySpend.length <= k) timeline.keySpend.push(new Float64Array(timeline.buckets));
    return timeline.keySpend[k];
  };
  // every key has its series before the first bucket opens (inferred ones get theirs in keyOf)
  keySeries(keyCaps.count - 1);
  /**
   * Samples key `k`'s window at the start of every bucket up to `upTo` that it has not been yet.
   * Done when the key is next used (its window cannot change before), and a run of buckets the
   * oldest entry outlives all hold the same sum: a few hundred keys times a few thousand buckets
   * would otherwise be that many evictions.
   */
  const keySampled: number[] = Array.from({ length: keyCaps.count }, () => -1);
  const sampleKey = (k: number, upTo: number): void => {
    if (timeline === null) return;
    const w = keyCaps.window(k);
    const series = timeline.keySpend[k];
    let b = keySampled[k] + 1;
    while (b <= upTo) {
      w.evict(timeline.start + b * timeline.bucketMs);
      if (w.size === 0) break; // the rest stay 0
      const last = Math.min(upTo, Math.ceil((w.oldest() + w.windowMs - timeline.start) / timeline.bucketMs) - 1);
      // a loop, not fill(): runs are a few buckets long, shorter than a call into fill() costs
      for (const sum = w.sum; b <= last; b++) series[b] = sum;
    }
    keySampled[k] = upTo;
  };
  /** Opens every bucket up to the one holding `t`, sampling each at its start. */
  const advanceTimeline = (t: number): void => {
    if (timeline === null) return;
    const target = Math.min(Math.floor((t - timeline.start) / timeline.bucketMs), timeline.buckets - 1);
    while (bucket < target) {
      bucket++;
      const b0 = timeline.start + bucket * timeline.bucketMs;
      timeline.allowanceUsed[bucket] = allowance.usedAt(b0);
      timeline.poolUsed[bucket] = pool.usedAt(b0);
      timeline.queued[bucket] = queuedTotal;
      for (let j = 0; j < limitCount; j++) timeline.spendLimitUsed[j][bucket] = spendLimits.spentAt(j, b0);
    }
    nextBucketAt = bucket + 1 < timeline.buckets ? timeline.start + (bucket + 1) * timeline.bucketMs : UNLIMITED;
  };
  const bump = (series: Float64Array | null | undefined, value: number): void => {
    if (series && bucket >= 0 && series[bucket] < value) series[bucket] = value;
  };

  // --- the order of the checks, and what an admission records ---
  const checkSpendLimits = (t: number, c: number): number => {
    const j = spendLimits.check(t, c);
    return j === PASSES ? Reason.none : REASON_SPEND_LIMIT_BASE + j;
  };
  const addSpend = (t: number, c: number): void => {
    spendLimits.admit(t, c);
    if (timeline !== null) for (let j = 0; j < limitCount; j++) bump(timeline.spendLimitUsed[j], spendLimits.sum(j));
  };
  const countInPool = (t: number): void => {
    pool.admit(t);
    if (timeline !== null) bump(timeline.poolUsed, pool.used);
  };
  const countInAllowance = (t: number): void => {
    allowance.admit(t);
    if (timeline !== null) bump(timeline.allowanceUsed, allowance.used);
  };
  /**
   * A trigger run's checks, all or nothing. The docs (SPEC section 4): fair use, trigger limit,
   * pool, allowance; programmatic, trigger limit, spend limits. The platform (section 9 rules 3-5):
   * a fair-use webhook, pool, trigger limit, allowance; a fair-use schedule, the allowance alone; a
   * programmatic webhook, spend limits, trigger limit; a programmatic schedule, spend limits alone.
   */
  const checkTrigger = (g: number, e: number, t: number): number => {
    if (platform) {
      if (trigFairUse[g]) {
        if (trigPooled[g]) {
          if (pool.refuses(t)) return Reason.pool;
          if (triggerLimits.refuses(g, t)) return Reason.trigger_limit;
        }
        return allowance.refuses(t) ? Reason.allowance : Reason.none;
      }
      const r = checkSpendLimits(t, cost[e]);
      if (r !== Reason.none) return r;
      return triggerLimits.refuses(g, t) ? Reason.trigger_limit : Reason.none;
    }
    if (triggerLimits.refuses(g, t)) return Reason.trigger_limit;
    if (trigFairUse[g]) {
      // seen even when unlimited: a limit set later would be checked here
      if (pool.refuses(t)) return Reason.pool;
      if (allowance.refuses(t)) return Reason.allowance;
      return Reason.none;
    }
    return checkSpendLimits(t, cost[e]);
  };
  const admitTrigger = (g: number, e: number, t: number): void => {
    outcome[e] = Outcome.admitted;
    admittedAt[e] = t;
    triggerLimits.admit(g, t);
    if (trigFairUse[g]) {
      // Counted even when unlimited: an admin sizing seats wants the real 24 h peak.
      if (trigPooled[g]) countInPool(t);
      countInAllowance(t);
    } else {
      addSpend(t, cost[e]);
    }
  };
  /** SPEC section 9 rule 4 (limits/pool.ts): a dropped fair-use webhook keeps the units it took. */
  const attemptTakingUnits = (g: number, e: number, t: number): number => {
    const r = takeUnitsInOrder(pool, triggerLimits, g, allowance, t);
    if (timeline !== null && r !== REFUSED_POOL) {
      bump(timeline.poolUsed, pool.used);
      if (r === TAKEN_ALL) bump(timeline.allowanceUsed, allowance.used);
    }
    if (r === TAKEN_ALL) {
      outcome[e] = Outcome.admitted;
      admittedAt[e] = t;
      return Reason.none;
    }
    return r === REFUSED_POOL ? Reason.pool : r === REFUSED_TRIGGER ? Reason.trigger_limit : r === REFUSED_ALLOWANCE ? Reason.allowance : Reason.none;
  };
  /** Earliest moment the check that failed with `r` could pass (the limit's `retryAt`); Infinity if it never can. */
  const wakeTime = (g: number, r: number, t: number): number => {
    if (r === Reason.trigger_limit) return triggerLimits.retryAt(g);
    if (r === Reason.pool) return pool.retryAt();
    if (r === Reason.allowance) return allowance.retryAt();
    return spendLimits.retryAt(r - REASON_SPEND_LIMIT_BASE, t);
  };

  // --- queues ---
  const maxWait = plan.maxWaitMs;
  const plusCost = plan.capCheckPlusCost;
  const waitHeap = new MinHeap(); // (wake time, trigger)
  const readyHeap = new MinHeap(); // (head position, trigger)
  const deadlineHeap = new MinHeap(); // (head arrival + max wait, trigger)
  const headPos = (g: number): number => queues[g].headPos();
  const queueLength = (g: number): number => queues[g].size;
  /** Bumped when a trigger starts waiting or a queue deadline is watched: the next wake-up may move. */
  let heapChanges = 0;
  const sleep = (g: number, wake: number): void => {
    heapChanges++;
    trigState[g] = WAITING;
    trigWake[g] = wake;
    waitHeap.push(wake, g);
  };
  // Under spent_plus_cost a programmatic trigger's cheaper run can pass where its head could not,
  // so when the head's wait ends the run behind it is tried at the very next instant.
  const unblockHeap = new MinHeap(); // (head arrival + max wait, trigger)
  const watchUnblock = (g: number): void => {
    if (maxWait !== UNLIMITED && plusCost && !trigFairUse[g] && queueLength(g) >= 2) {
      heapChanges++;
      unblockHeap.push(queues[g].headArrival() + maxWait, g);
    }
  };
  const watchDeadline = (g: number): void => {
    if (maxWait !== UNLIMITED && queueLength(g) > 0) {
      heapChanges++;
      deadlineHeap.push(queues[g].headArrival() + maxWait, g);
    }
    watchUnblock(g);
  };
  const dequeue = (g: number, t: number): void => {
    queues[g].shift();
    queuedTotal--;
    queueLog?.push(t, queuedTotal);
  };
  const enqueue = (g: number, pos: number, t: number, why: number): void => {
    const q = queues[g];
    q.push(pos, t, why);
    const len = q.size;
    queuedTotal++;
    queueLog?.push(t, queuedTotal);
    if (len > triggerStats[g].peakQueue) triggerStats[g].peakQueue = len;
    if (queuedTotal > peakQueue) peakQueue = queuedTotal;
    if (timeline !== null) bump(timeline.queued, queuedTotal);
  };
  const dropOverdue = (t: number): void => {
    while (deadlineHeap.size > 0 && deadlineHeap.topKey() < t) {
      const deadline = deadlineHeap.topKey();
      const g = deadlineHeap.topValue();
      deadlineHeap.pop();
      if (queueLength(g) === 0 || queues[g].headArrival() + maxWait !== deadline) continue; // stale
      let dropped = false;
      while (queueLength(g) > 0 && queues[g].headArrival() + maxWait < t) {
        outcome[at(headPos(g))] = Outcome.dropped;
        dequeue(g, t);
        dropped = true;
      }
      if (!dropped) continue;
      if (queueLength(g) === 0) {
        trigState[g] = IDLE;
      } else {
        watchDeadline(g);
        // A cheaper run now at the head may pass where the dropped one did not: try it now.
        sleep(g, t);
      }
    }
  };
  // Triggers blocked by the shared pool or allowance wait in one line each, by head arrival:
  // when k slots come back only the first k can use them, so the rest are not even tried.
  const poolLine = new MinHeap(); // (head position, trigger)
  const allowanceLine = new MinHeap();
  // their classes' shapes outlive this pass, and so does its compiled code (keep-shapes.ts)
  keepShapes('simulate', { keyCaps, spendLimits, triggerLimits, allowance, pool, keyThrottles, userThrottles, workspaceMinute, queues, waitHeap, readyHeap, deadlineHeap, unblockHeap, poolLine, allowanceLine });
  const cleanLine = (line: MinHeap, state: number): void => {
    while (line.size > 0) {
      const g = line.topValue();
      if (trigState[g] === state && headPos(g) === line.topKey()) return;
      line.pop();
    }
  };
  const park = (g: number, r: number, t: number): void => {
    heapChanges++;
    if (r === Reason.pool) {
      trigState[g] = ON_POOL;
      poolLine.push(headPos(g), g);
    } else if (r === Reason.allowance) {
      trigState[g] = ON_ALLOWANCE;
      allowanceLine.push(headPos(g), g);
    } else {
      sleep(g, wakeTime(g, r, t));
    }
  };
  const release = (t: number): void => {
    while (waitHeap.size > 0 && waitHeap.topKey() <= t) {
      const g = waitHeap.topValue();
      const wake = waitHeap.topKey();
      waitHeap.pop();
      if (trigState[g] !== WAITING || trigWake[g] !== wake) continue; // stale
      trigState[g] = READY;
      readyHeap.push(headPos(g), g);
    }
    for (;;) {
      // The oldest head among the ready triggers and the lines whose resource has room.
      let from: MinHeap | null = readyHeap.size > 0 ? readyHeap : null;
      cleanLine(poolLine, ON_POOL);
      if (poolLine.size > 0 && poolLine.topKey() < (from?.topKey() ?? UNLIMITED) && pool.hasRoom(t)) from = poolLine;
      cleanLine(allowanceLine, ON_ALLOWANCE);
      if (allowanceLine.size > 0 && allowanceLine.topKey() < (from?.topKey() ?? UNLIMITED) && allowance.hasRoom(t)) {
        from = allowanceLine;
      }
      if (from === null) break;
      const g = from.topValue();
      from.pop();
      const pos = headPos(g);
      const e = at(pos);
      const r = checkTrigger(g, e, t);
      if (r !== Reason.none) {
        park(g, r, t);
        continue;
      }
      admitTrigger(g, e, t);
      if (timeline !== null) bump(timeline.maxDelay, t - queues[g].headArrival());
      dequeue(g, t);
      if (queueLength(g) > 0) {
        watchDeadline(g);
        if (triggerLimits.full(g)) {
          // The next run fails its trigger's own limit whatever the others do: straight to sleep.
          sleep(g, triggerLimits.retryAt(g));
        } else {
          trigState[g] = READY;
          readyHeap.push(headPos(g), g);
        }
      } else {
        trigState[g] = IDLE;
      }
    }
  };
  /** The first instant after `d`: an event, a UTC midnight, or an entry leaving a limited window. */
  const nextInstantAfter = (d: number, nextEvent: number): number => {
    let next = Math.min(nextEvent, utcDayStart(d) + DAY);
    next = Math.min(next, keyCaps.firstExpiryAfter(d), triggerLimits.firstExpiryAfter(d));
    if (pool.limited) next = Math.min(next, pool.firstExpiryAfter(d));
    if (allowance.limited) next = Math.min(next, allowance.firstExpiryAfter(d));
    next = Math.min(next, spendLimits.firstExpiryAfter(d));
    if (apiThrottled) next = Math.min(next, keyThrottles.firstExpiryAfter(d));
    if (usersThrottled) next = Math.min(next, userThrottles.firstExpiryAfter(d));
    if (workspaceMinute.on) next = Math.min(next, workspaceMinute.firstExpiryAfter(d));
    return next;
  };
  /** Earliest instant, before `t`, at which a head's ended wait lets the run behind it be tried. */
  const nextUnblock = (t: number, nextEvent: number): number => {
    while (unblockHeap.size > 0) {
      const g = unblockHeap.topValue();
      const d = unblockHeap.topKey();
      if (queueLength(g) >= 2 && queues[g].headArrival() + maxWait === d) {
        return d < t ? nextInstantAfter(d, nextEvent) : t;
      }
      unblockHeap.pop();
    }
    return t;
  };
  /**
   * The next instant a waiting run could be admitted. `now`: the instant being decided, when a line
   * whose resource already has room must be tried at it (a chart sample or a dropped run's deadline
   * may have moved the window past the entry whose expiry was the wake-up); omitted, a line wakes
   * when its window's oldest entry leaves.
   */
  const nextWake = (now = UNLIMITED): number => {
    let next = UNLIMITED;
    while (waitHeap.size > 0) {
      const g = waitHeap.topValue();
      if (trigState[g] === WAITING && trigWake[g] === waitHeap.topKey()) {
        next = waitHeap.topKey();
        break;
      }
      waitHeap.pop();
    }
    cleanLine(poolLine, ON_POOL);
    if (poolLine.size > 0) next = Math.min(next, pool.used < pool.limit ? now : pool.retryAt());
    cleanLine(allowanceLine, ON_ALLOWANCE);
    if (allowanceLine.size > 0) next = Math.min(next, allowance.used < allowance.limit ? now : allowance.retryAt());
    return next;
  };

  // --- the pass ---
  const { onProgress, signal } = options;
  const heldBefore = options.heldBefore ?? -UNLIMITED;
  let pos = 0;
  // nextWake() only changes when a queue, a heap or a line changes, or once its moment is reached
  // (a window's oldest entry can only leave then), so most instants reuse it; between wake-ups
  // release() could not admit anything and is skipped.
  let wake = nextWake();
  let heapsAt = heapChanges;
  for (;;) {
    if (heapsAt !== heapChanges) {
      wake = nextWake();
      heapsAt = heapChanges;
    }
    const nextEvent = pos < n ? time[at(pos)] : UNLIMITED;
    let t = wake < nextEvent ? wake : nextEvent;
    if (unblockHeap.size > 0) t = Math.min(t, nextUnblock(t, nextEvent));
    if (t === UNLIMITED || (pos >= n && t > horizon)) break;
    if (t >= nextBucketAt) advanceTimeline(t);
    if (maxWait !== UNLIMITED && deadlineHeap.size > 0 && deadlineHeap.topKey() < t) {
      dropOverdue(t);
      wake = nextWake(t);
      heapsAt = heapChanges;
    }
    if (t >= wake || readyHeap.size > 0) {
      release(t);
      wake = nextWake();
      heapsAt = heapChanges;
    }
    // Later events that come before the next wake-up, chart bucket and queue deadline need nothing
    // else from the pass, so they are taken in the same run, until one of them makes a run wait.
    const runUntil = wake < nextBucketAt ? wake : nextBucketAt;
    const deadline = maxWait !== UNLIMITED && deadlineHeap.size > 0 ? deadlineHeap.topKey() : UNLIMITED;
    while (pos < n) {
      const e = at(pos);
      const te = time[e];
      if (te !== t) {
        if (te >= runUntil || te > deadline || heapsAt !== heapChanges || unblockHeap.size > 0) break;
        t = te;
      }
      const s = subject[e];
      switch (type[e]) {
        case EventType.api: {
          // key cap, the spend limits, then (section 9 rule 7) the key's throttles
          const k = keyOf(s);
          entity[e] = k;
          const c = cost[e];
          if (keySampled[k] < bucket) sampleKey(k, bucket);
          const held = t < heldBefore;
          let r = held ? Reason.none : keyCaps.refuses(k, t, c) ? Reason.key_cap : checkSpendLimits(t, c);
          if (apiThrottled && r === Reason.none && !held) {
            const which = keyThrottles.check(k, t);
            if (which !== THROTTLE_PASSES) r = throttleReason(which);
          }
          if (r === Reason.none) {
            outcome[e] = Outcome.admitted;
            admittedAt[e] = t;
            // a held request met no check: its window is moved to `t` here
            if (held) keyCaps.hold(k, t, c);
            else keyCaps.admit(k, t, c);
            if (apiThrottled) keyThrottles.admit(k, t);
            if (timeline !== null) bump(timeline.keySpend[k], keyCaps.sum(k));
            addSpend(t, c);
          } else {
            outcome[e] = Outcome.blocked;
            reason[e] = r;
            if (r === Reason.key_cap) keyCaps.recordBlock(k, t, c);
            if (keyFirstBlock[k] === null) {
              const until =
                r === Reason.key_cap
                  ? keyCaps.episodes[k][0].until
                  : r === Reason.actor_minute || r === Reason.actor_hour
                    ? keyThrottles.retryAt(k, t, r === Reason.actor_minute ? THROTTLE_MINUTE : THROTTLE_HOUR)
                    : spendLimits.usableAt(r - REASON_SPEND_LIMIT_BASE, t, c);
              keyFirstBlock[k] = { from: asEpochMs(t), until: asEpochMs(until) };
            }
          }
          break;
        }
        case EventType.message: {
          // (section 9 rule 7: the user's throttles, then the workspace's) then the allowance
          let r: number = Reason.none;
          if (messageThrottled) {
            const which = usersThrottled ? userThrottles.check(s, t) : THROTTLE_PASSES;
            if (which !== THROTTLE_PASSES) r = throttleReason(which);
            else if (workspaceMinute.on && workspaceMinute.refuses(t)) r = Reason.workspace_minute;
          }
          if (r === Reason.none && allowance.refuses(t)) r = Reason.allowance;
          messagesByReason[r]++;
          if (r !== Reason.none) {
            outcome[e] = Outcome.blocked;
            reason[e] = r;
            break;
          }
          countInAllowance(t);
          if (messageThrottled) {
            if (usersThrottled) userThrottles.admit(s, t);
            if (workspaceMinute.on) workspaceMinute.admit(t);
          }
          outcome[e] = Outcome.admitted;
          admittedAt[e] = t;
          break;
        }
        default: {
          const g = triggerOf(s);
          entity[e] = g;
          if (queueLength(g) > 0) {
            // Each trigger is first-in first-out: a newcomer waits behind its trigger's queue.
            const r = checkTrigger(g, e, t);
            const why = r !== Reason.none ? r : queues[g].headReason();
            reason[e] = why;
            outcome[e] = Outcome.pending;
            enqueue(g, pos, t, why);
            if (queueLength(g) === 2) watchUnblock(g);
            break;
          }
          if (trigTakesUnits[g]) {
            const r = attemptTakingUnits(g, e, t);
            if (r !== Reason.none) {
              reason[e] = r;
              outcome[e] = Outcome.dropped;
            }
            break;
          }
          const r = checkTrigger(g, e, t);
          if (r === Reason.none) {
            admitTrigger(g, e, t);
          } else {
            reason[e] = r;
            if (!trigQueues[g]) {
              outcome[e] = plan.triggers[g].kind === 'scheduled' ? Outcome.skipped : Outcome.dropped;
            } else {
              outcome[e] = Outcome.pending;
              enqueue(g, pos, t, r);
              watchDeadline(g);
              park(g, r, t);
            }
          }
        }
      }
      pos++;
      if ((pos & (PROGRESS_EVERY - 1)) === 0) {
        if (signal?.aborted) throw new CancelledError();
        onProgress?.(pos, n);
      }
    }
  }

  // Runs still waiting at the horizon: dropped if their wait limit ended before it, else pending.
  for (const q of queues) {
    for (let i = 0; i < q.size; i++) {
      const e = at(q.posAt(i));
      outcome[e] = time[e] + maxWait < horizon ? Outcome.dropped : Outcome.pending;
    }
  }
  if (timeline !== null) {
    advanceTimeline(horizon);
    for (let k = 0; k < keyCaps.count; k++) sampleKey(k, bucket);
  }
  onProgress?.(n, n);

  const checked: SimulationResult['checked'] = {
    allowance: allowance.checked,
    pool: pool.checked,
    spendLimits: spendLimits.checkedBound(limitCount === 0 ? Number.NEGATIVE_INFINITY : largestSpendCost(events, entity, trigFairUse)),
    keys: keyCaps.checked,
    ...(workspaceMinute.on ? { workspaceMinute: workspaceMinute.checked } : {}),
  };
  return {
    count: n,
    outcome,
    admittedAt,
    reason,
    entity,
    plan,
    horizon: asEpochMs(horizon),
    keyStats: keyFirstBlock.map((firstBlock, k) => ({ peakRollingMicros: asMicros(keyCaps.peak[k]), episodes: keyCaps.episodes[k], firstBlock })),
    triggerStats,
    allowancePeak: allowance.peak,
    poolPeak: pool.peak,
    spendLimitPeakMicros: spendLimits.peak.map(asMicros),
    checked,
    peakQueue,
    timeline,
    messagesByReason,
    ...(queueLog === null ? {} : { queueLog }),
  };
}

/**
 * The largest cost a spend limit's check could be asked: over every API request and programmatic
 * run (a trigger's run is fair use when its trigger is). -Infinity when there are none.
 */
export function largestSpendCost(events: EventColumns, entity: Int32Array, fairUse: readonly boolean[]): number {
  const { count, type, cost } = events;
  let most = Number.NEGATIVE_INFINITY;
  for (let e = 0; e < count; e++) {
    const ty = type[e];
    if (ty === EventType.api || (ty === EventType.trigger && entity[e] >= 0 && !fairUse[entity[e]])) {
      if (cost[e] > most) most = cost[e];
    }
  }
  return most;
}
