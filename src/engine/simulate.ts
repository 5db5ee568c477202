import { CancelledError, InputError } from '../errors.ts';
import { EventType, type EventColumns } from './events.ts';
import { MinHeap } from './heap.ts';
import { DEFAULT_TRIGGER_LIMIT, resolvePlan, UNLIMITED, type Plan, type ResolvedPlan } from './plan.ts';
import {
  Outcome,
  Reason,
  REASON_SPEND_LIMIT_BASE,
  type KeyEpisode,
  type SimulationResult,
  type Timeline,
} from './result.ts';
import { DAY, HOUR, isoOf, MINUTE } from './units.ts';
import { Throttle } from './limits/throttle.ts';
import { QueueLog } from './queue-log.ts';
import { RunQueue } from './run-queue.ts';
import {
  CalendarSpendWindow,
  CountWindow,
  RollingSpendWindow,
  SumWindow,
  utcDayStart,
  type SpendWindow,
} from './windows.ts';

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
}

export const DEFAULT_HORIZON_MS = 30 * DAY;
const PROGRESS_EVERY = 1 << 16;
/** Trigger states: no waiting runs, waiting for a wake-up time, ready to be tried now. */
const IDLE = 0;
const WAITING = 1;
const READY = 2;
/** Waiting for the shared pool or allowance: woken in arrival order while it has room. */
const ON_POOL = 3;
const ON_ALLOWANCE = 4;

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
 * Replays events against a plan: SPEC section 4. One pass in time order; every window is a ring
 * buffer evicted lazily; queued webhook runs sleep until the earliest instant their failing check
 * could pass (an entry expiring, a UTC day or month starting) and are then retried oldest first.
 */
export function simulate(planInput: Plan, events: EventColumns, options: SimulateOptions = {}): SimulationResult {
  const plan: ResolvedPlan = resolvePlan(planInput);
  // SPEC section 9: the platform profile's rules; every `platform` branch below is one of them
  const platform = plan.profile === 'platform';
  // an entry of a sliding window admitted at s counts until s + W (docs) or s + W + 1 ms (platform)
  const edge = plan.edgeMs;
  const stampKey = plan.keyCapByDay ? utcDayStart : (t: number): number => t;
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

  // --- entities (plan ones first, inferred ones appended in order of first appearance) ---
  const keyBySubject = new Int32Array(subjects.length).fill(-1);
  const triggerBySubject = new Int32Array(subjects.length).fill(-1);
  const subjectIndex = new Map<string, number>();
  subjects.forEach((s, i) => subjectIndex.set(s, i));
  const keyCap: number[] = [];
  const keyWindows: SumWindow[] = [];
  const keyStats: SimulationResult['keyStats'] = [];
  const keyChecked: number[] = [];
  const addKey = (capMicros: number | null): void => {
    keyCap.push(capMicros === null ? UNLIMITED : capMicros);
    keyChecked.push(Number.NEGATIVE_INFINITY);
    // day-rebased caps: an entry stamped with its day's start leaves at 00:00 UTC keyCapWindowDays later
    keyWindows.push(new SumWindow(plan.keyCapWindowMs));
    keyStats.push({ peakRollingMicros: 0, episodes: [], firstBlock: null });
  };
  plan.keys.forEach((k, i) => {
    addKey(k.capMicros);
    const s = subjectIndex.get(k.id);
    if (s !== undefined) keyBySubject[s] = i;
  });

  const trigLimit: number[] = [];
  const trigFairUse: boolean[] = [];
  const trigQueues: boolean[] = [];
  /** platform: a fair-use webhook run that is dropped when limited takes each unit as its check passes */
  const trigBurns: boolean[] = [];
  /** checked against the pool (and recorded there); platform: never for a scheduled trigger */
  const trigPooled: boolean[] = [];
  const trigWindows: (CountWindow | null)[] = [];
  const queues: RunQueue[] = [];
  const trigState: number[] = [];
  const trigWake: number[] = [];
  const triggerStats: SimulationResult['triggerStats'] = [];
  const addTrigger = (t: ResolvedPlan['triggers'][number]): void => {
    const unchecked = platform && t.kind === 'scheduled';
    trigLimit.push(t.limit);
    trigFairUse.push(t.mode === 'fair_use');
    trigQueues.push(t.kind === 'webhook' && plan.queueWebhooks);
    trigBurns.push(platform && t.kind === 'webhook' && t.mode === 'fair_use' && !plan.queueWebhooks);
    trigPooled.push(t.mode === 'fair_use' && !unchecked);
    trigWindows.push(t.limit === UNLIMITED || unchecked ? null : new CountWindow(DAY + edge, Math.min(t.limit, 1024)));
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
      plan.keys.push({ id: subjects[s], name: subjects[s], capMicros: null, inferred: true });
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
      const inferred = {
        id: subjects[s],
        name: subjects[s],
        kind: 'webhook' as const,
        mode: 'fair_use' as const,
        modeName: 'fair_use' as const,
        limit: DEFAULT_TRIGGER_LIMIT,
        inferred: true,
      };
      plan.triggers.push(inferred);
      addTrigger(inferred);
      triggerBySubject[s] = g;
    }
    return g;
  };

  // --- workspace windows ---
  const allowance = plan.allowance;
  const pool = plan.pool;
  const allowanceWindow = new CountWindow(DAY + edge, Math.min(allowance, 1 << 16));
  const poolWindow = new CountWindow(DAY + edge, Math.min(pool, 1 << 16));
  const limits = plan.spendLimits;
  const limitCount = limits.length;
  const limitAmount = limits.map((l) => l.amountMicros);
  const limitWindows: SpendWindow[] = limits.map((l) =>
    l.window === 'rolling-30d' ? new RollingSpendWindow(30 * DAY + edge) : new CalendarSpendWindow(l.window),
  );
  // throttles (SPEC section 9 rule 7): API requests per key, messages per user and per workspace
  const keyMinute = new Throttle(plan.actorPerMinute, MINUTE + edge);
  const keyHour = new Throttle(plan.actorPerHour, HOUR + edge);
  const userMinute = new Throttle(plan.actorPerMinute, MINUTE + edge);
  const userHour = new Throttle(plan.actorPerHour, HOUR + edge);
  const workspaceMinute = new Throttle(plan.workspacePerMinute, MINUTE + edge);
  const throttles = [keyMinute, keyHour, userMinute, userHour, workspaceMinute];
  const apiThrottled = keyMinute.on || keyHour.on;
  const messageThrottled = userMinute.on || userHour.on || workspaceMinute.on;
  /** The first throttle that refuses an API request of key `k` at `t`, or none. */
  const checkKeyThrottles = (k: number, t: number): number => {
    if (keyMinute.on && keyMinute.refuses(k, t)) return Reason.actor_minute;
    if (keyHour.on && keyHour.refuses(k, t)) return Reason.actor_hour;
    return Reason.none;
  };
  const spendLimitPeakMicros = limits.map(() => 0);
  const NEVER = Number.NEGATIVE_INFINITY;
  const checked: SimulationResult['checked'] = { allowance: NEVER, pool: NEVER, spendLimits: limits.map(() => NEVER), keys: keyChecked };
  const checkPool = (t: number): boolean => {
    poolWindow.evict(t);
    if (poolWindow.size > checked.pool) checked.pool = poolWindow.size;
    return poolWindow.size >= pool;
  };
  const checkAllowance = (t: number): boolean => {
    allowanceWindow.evict(t);
    if (allowanceWindow.size > checked.allowance) checked.allowance = allowanceWindow.size;
    return allowanceWindow.size >= allowance;
  };
  const triggerFull = (g: number, t: number): boolean => {
    const w = trigWindows[g];
    if (w === null) return false;
    w.evict(t);
    return w.size >= trigLimit[g];
  };
  const plusCost = plan.capCheckPlusCost;
  let allowancePeak = 0;
  let poolPeak = 0;
  let queuedTotal = 0;
  let peakQueue = 0;
  const queueLog = options.logQueue ? new QueueLog() : null;

  // --- timeline sampling ---
  const buckets = options.timelineBuckets ?? 0;
  let timeline: Timeline | null = null;
  let bucket = -1;
  let nextBucketAt = UNLIMITED;
  if (buckets > 0 && n > 0) {
    const start = options.timelineStart ?? time[at(0)];
    const span = Math.max(horizon - start, 1);
    const bucketMs = Math.max(Math.ceil(span / buckets / 60_000) * 60_000, 60_000);
    const count = Math.max(1, Math.ceil((span + 1) / bucketMs));
    timeline = {
      start,
      bucketMs,
      buckets: count,
      allowanceUsed: new Float64Array(count),
      poolUsed: new Float64Array(count),
      queued: new Float64Array(count),
      maxDelay: new Float64Array(count),
      keySpend: [],
      spendLimitUsed: limits.map(() => new Float64Array(count)),
    };
    nextBucketAt = start;
  }
  const keySeries = (k: number): Float64Array | null => {
    if (timeline === null) return null;
    while (timeline.keySpend.length <= k) timeline.keySpend.push(new Float64Array(timeline.buckets));
    return timeline.keySpend[k];
  };
  // every key has its series before the first bucket opens (inferred ones get theirs in keyOf)
  keySeries(keyWindows.length - 1);
  /**
   * Samples key `k`'s window at the start of every bucket up to `upTo` that it has not been yet.
   * Done when the key is next used (its window cannot change before), and a run of buckets the
   * oldest entry outlives all hold the same sum: a few hundred keys times a few thousand buckets
   * would otherwise be that many evictions.
   */
  const keySampled: number[] = keyWindows.map(() => -1);
  const sampleKey = (k: number, upTo: number): void => {
    if (timeline === null) return;
    const w = keyWindows[k];
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
      allowanceWindow.evict(b0);
      poolWindow.evict(b0);
      timeline.allowanceUsed[bucket] = allowanceWindow.size;
      timeline.poolUsed[bucket] = poolWindow.size;
      timeline.queued[bucket] = queuedTotal;
      for (let j = 0; j < limitCount; j++) timeline.spendLimitUsed[j][bucket] = limitWindows[j].spentAt(b0);
    }
    nextBucketAt = bucket + 1 < timeline.buckets ? timeline.start + (bucket + 1) * timeline.bucketMs : UNLIMITED;
  };
  const bump = (series: Float64Array | null | undefined, value: number): void => {
    if (series && bucket >= 0 && series[bucket] < value) series[bucket] = value;
  };

  // --- checks and admissions ---
  const checkSpendLimits = (t: number, c: number): number => {
    for (let j = 0; j < limitCount; j++) {
      const spent = limitWindows[j].spentAt(t);
      const asked = plusCost ? spent + c : spent;
      if (asked > checked.spendLimits[j]) checked.spendLimits[j] = asked;
      if (plusCost ? asked > limitAmount[j] : asked >= limitAmount[j]) return REASON_SPEND_LIMIT_BASE + j;
    }
    return Reason.none;
  };
  const addSpend = (t: number, c: number): void => {
    for (let j = 0; j < limitCount; j++) {
      const w = limitWindows[j];
      w.add(t, c);
      if (w.sum > spendLimitPeakMicros[j]) spendLimitPeakMicros[j] = w.sum;
      if (timeline !== null) bump(timeline.spendLimitUsed[j], w.sum);
    }
  };
  /**
   * SPEC section 9 rules 3-5, all or nothing: a fair-use webhook checks the pool, its trigger limit,
   * then the allowance; a scheduled one only the allowance; a programmatic webhook the spend limits,
   * then its trigger limit; a programmatic schedule only the spend limits.
   */
  const checkTriggerPlatform = (g: number, e: number, t: number): number => {
    if (trigFairUse[g]) {
      if (trigPooled[g]) {
        if (checkPool(t)) return Reason.pool;
        if (triggerFull(g, t)) return Reason.trigger_limit;
      }
      return checkAllowance(t) ? Reason.allowance : Reason.none;
    }
    const r = checkSpendLimits(t, cost[e]);
    if (r !== Reason.none) return r;
    return triggerFull(g, t) ? Reason.trigger_limit : Reason.none;
  };
  const takePoolUnit = (t: number): void => {
    poolWindow.push(t);
    if (poolWindow.size > poolPeak) poolPeak = poolWindow.size;
    if (timeline !== null) bump(timeline.poolUsed, poolWindow.size);
  };
  const takeAllowanceUnit = (t: number): void => {
    allowanceWindow.push(t);
    if (allowanceWindow.size > allowancePeak) allowancePeak = allowanceWindow.size;
    if (timeline !== null) bump(timeline.allowanceUsed, allowanceWindow.size);
  };
  /**
   * SPEC section 9 rule 4, a fair-use webhook dropped when limited: each check that passes takes
   * its unit at once (pool, then the trigger's own window, then the allowance), so a run refused
   * later still holds what it took. Admits the run when every check passes.
   */
  const attemptTakingUnits = (g: number, e: number, t: number): number => {
    if (checkPool(t)) return Reason.pool;
    takePoolUnit(t);
    if (triggerFull(g, t)) return Reason.trigger_limit;
    trigWindows[g]?.push(t);
    if (checkAllowance(t)) return Reason.allowance;
    takeAllowanceUnit(t);
    outcome[e] = Outcome.admitted;
    admittedAt[e] = t;
    return Reason.none;
  };
  const checkTrigger = (g: number, e: number, t: number): number => {
    if (platform) return checkTriggerPlatform(g, e, t);
    const w = trigWindows[g];
    if (w !== null) {
      w.evict(t);
      if (w.size >= trigLimit[g]) return Reason.trigger_limit;
    }
    if (trigFairUse[g]) {
      // seen even when unlimited: a limit set later would be checked here
      poolWindow.evict(t);
      if (poolWindow.size > checked.pool) checked.pool = poolWindow.size;
      if (poolWindow.size >= pool) return Reason.pool;
      allowanceWindow.evict(t);
      if (allowanceWindow.size > checked.allowance) checked.allowance = allowanceWindow.size;
      if (allowanceWindow.size >= allowance) return Reason.allowance;
      return Reason.none;
    }
    return checkSpendLimits(t, cost[e]);
  };
  const admitTrigger = (g: number, e: number, t: number): void => {
    outcome[e] = Outcome.admitted;
    admittedAt[e] = t;
    trigWindows[g]?.push(t);
    if (platform && trigFairUse[g]) {
      // a schedule records its allowance entry only (SPEC section 9 rule 3)
      if (trigPooled[g]) {
        poolWindow.evict(t);
        takePoolUnit(t);
      }
      allowanceWindow.evict(t);
      takeAllowanceUnit(t);
    } else if (trigFairUse[g]) {
      // Counted even when unlimited: an admin sizing seats wants the real 24 h peak.
      poolWindow.evict(t);
      poolWindow.push(t);
      if (poolWindow.size > poolPeak) poolPeak = poolWindow.size;
      allowanceWindow.evict(t);
      allowanceWindow.push(t);
      if (allowanceWindow.size > allowancePeak) allowancePeak = allowanceWindow.size;
      if (timeline !== null) {
        bump(timeline.poolUsed, poolWindow.size);
        bump(timeline.allowanceUsed, allowanceWindow.size);
      }
    } else {
      addSpend(t, cost[e]);
    }
  };
  /** Earliest moment the check that failed with `r` could pass; Infinity if it never can. */
  const wakeTime = (g: number, r: number, t: number): number => {
    switch (r) {
      case Reason.trigger_limit: {
        const w = trigWindows[g];
        return w === null || w.size === 0 ? UNLIMITED : w.oldest() + w.windowMs;
      }
      case Reason.pool:
        return poolWindow.size === 0 ? UNLIMITED : poolWindow.oldest() + poolWindow.windowMs;
      case Reason.allowance:
        return allowanceWindow.size === 0 ? UNLIMITED : allowanceWindow.oldest() + allowanceWindow.windowMs;
      default:
        return limitWindows[r - REASON_SPEND_LIMIT_BASE].nextRelease(t);
    }
  };

  // --- queues ---
  const maxWait = plan.maxWaitMs;
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
  const cleanLine = (line: MinHeap, state: number): void => {
    while (line.size > 0) {
      const g = line.topValue();
      if (trigState[g] === state && headPos(g) === line.topKey()) return;
      line.pop();
    }
  };
  const poolHasRoom = (t: number): boolean => {
    poolWindow.evict(t);
    return poolWindow.size < pool;
  };
  const allowanceHasRoom = (t: number): boolean => {
    allowanceWindow.evict(t);
    return allowanceWindow.size < allowance;
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
      if (poolLine.size > 0 && poolLine.topKey() < (from?.topKey() ?? UNLIMITED) && poolHasRoom(t)) from = poolLine;
      cleanLine(allowanceLine, ON_ALLOWANCE);
      if (allowanceLine.size > 0 && allowanceLine.topKey() < (from?.topKey() ?? UNLIMITED) && allowanceHasRoom(t)) {
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
        const w = trigWindows[g];
        if (w !== null && w.size >= trigLimit[g]) {
          // The next run fails its trigger's own limit whatever the others do: straight to sleep.
          sleep(g, wakeTime(g, Reason.trigger_limit, t));
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
    for (let k = 0; k < keyWindows.length; k++) {
      if (keyCap[k] !== UNLIMITED) next = Math.min(next, keyWindows[k].firstExpiryAfter(d));
    }
    for (const w of trigWindows) if (w !== null) next = Math.min(next, w.firstExpiryAfter(d));
    if (pool !== UNLIMITED) next = Math.min(next, poolWindow.firstExpiryAfter(d));
    if (allowance !== UNLIMITED) next = Math.min(next, allowanceWindow.firstExpiryAfter(d));
    for (const w of limitWindows) next = Math.min(next, w.firstExpiryAfter(d));
    for (const th of throttles) if (th.on) next = Math.min(next, th.firstExpiryAfter(d));
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
  const nextWake = (): number => {
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
    if (poolLine.size > 0 && poolWindow.size > 0) next = Math.min(next, poolWindow.oldest() + poolWindow.windowMs);
    cleanLine(allowanceLine, ON_ALLOWANCE);
    if (allowanceLine.size > 0 && allowanceWindow.size > 0) next = Math.min(next, allowanceWindow.oldest() + allowanceWindow.windowMs);
    return next;
  };

  /** When spend limit `j`, which just blocked a request of cost `c`, would let it through. */
  const spendLimitUntil = (j: number, t: number, c: number): number => {
    const target = plusCost ? limitAmount[j] - c : limitAmount[j] - 1;
    return limitAmount[j] === 0 && !plusCost ? UNLIMITED : limitWindows[j].timeSpentFallsTo(t, target);
  };

  // --- key episodes: capped-out spans and when the key works again ---
  const keyAdmittedSince: boolean[] = [];
  const recordKeyBlock = (k: number, t: number, c: number): void => {
    const episodes = keyStats[k].episodes;
    const open: KeyEpisode | undefined = episodes[episodes.length - 1];
    if (open !== undefined && t < open.until && !keyAdmittedSince[k]) return;
    const w = keyWindows[k];
    const cap = keyCap[k];
    // spent: usable once spend < cap; spent_plus_cost: once spend + this cost <= cap.
    const until = plusCost ? w.timeSumFallsTo(cap - c) : cap > 0 ? w.timeSumFallsTo(cap - 1) : UNLIMITED;
    if (open !== undefined && t < open.until) open.until = until;
    else episodes.push({ from: t, until });
    keyAdmittedSince[k] = false;
  };

  // --- the pass ---
  const { onProgress, signal } = options;
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
      wake = nextWake();
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
          const k = keyOf(s);
          entity[e] = k;
          const c = cost[e];
          const w = keyWindows[k];
          if (keySampled[k] < bucket) sampleKey(k, bucket);
          w.evict(t);
          const cap = keyCap[k];
          const asked = plusCost ? w.sum + c : w.sum;
          if (asked > keyChecked[k]) keyChecked[k] = asked;
          let r = (plusCost ? asked > cap : asked >= cap) ? Reason.key_cap : checkSpendLimits(t, c);
          if (apiThrottled && r === Reason.none) r = checkKeyThrottles(k, t);
          if (r === Reason.none) {
            outcome[e] = Outcome.admitted;
            admittedAt[e] = t;
            w.push(stampKey(t), c);
            if (apiThrottled) {
              if (keyMinute.on) keyMinute.admit(k, t);
              if (keyHour.on) keyHour.admit(k, t);
            }
            keyAdmittedSince[k] = true;
            if (w.sum > keyStats[k].peakRollingMicros) keyStats[k].peakRollingMicros = w.sum;
            if (timeline !== null) bump(timeline.keySpend[k], w.sum);
            addSpend(t, c);
          } else {
            outcome[e] = Outcome.blocked;
            reason[e] = r;
            if (r === Reason.key_cap) recordKeyBlock(k, t, c);
            if (keyStats[k].firstBlock === null) {
              const until =
                r === Reason.key_cap
                  ? keyStats[k].episodes[0].until
                  : r === Reason.actor_minute
                    ? keyMinute.retryAt(k, t)
                    : r === Reason.actor_hour
                      ? keyHour.retryAt(k, t)
                      : spendLimitUntil(r - REASON_SPEND_LIMIT_BASE, t, c);
              keyStats[k].firstBlock = { from: t, until };
            }
          }
          break;
        }
        case EventType.message: {
          if (messageThrottled) {
            // SPEC section 9 rule 7: per user, then per workspace, before the allowance
            const r =
              userMinute.on && userMinute.refuses(s, t)
                ? Reason.actor_minute
                : userHour.on && userHour.refuses(s, t)
                  ? Reason.actor_hour
                  : workspaceMinute.on && workspaceMinute.refuses(0, t)
                    ? Reason.workspace_minute
                    : Reason.none;
            if (r !== Reason.none) {
              outcome[e] = Outcome.blocked;
              reason[e] = r;
              break;
            }
            if (checkAllowance(t)) {
              outcome[e] = Outcome.blocked;
              reason[e] = Reason.allowance;
              break;
            }
            takeAllowanceUnit(t);
            if (userMinute.on) userMinute.admit(s, t);
            if (userHour.on) userHour.admit(s, t);
            if (workspaceMinute.on) workspaceMinute.admit(0, t);
            outcome[e] = Outcome.admitted;
            admittedAt[e] = t;
            break;
          }
          allowanceWindow.evict(t);
          if (allowanceWindow.size > checked.allowance) checked.allowance = allowanceWindow.size;
          if (allowanceWindow.size >= allowance) {
            outcome[e] = Outcome.blocked;
            reason[e] = Reason.allowance;
            break;
          }
          allowanceWindow.push(t);
          if (allowanceWindow.size > allowancePeak) allowancePeak = allowanceWindow.size;
          if (timeline !== null) bump(timeline.allowanceUsed, allowanceWindow.size);
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
          const r = trigBurns[g] ? attemptTakingUnits(g, e, t) : checkTrigger(g, e, t);
          if (r === Reason.none) {
            if (!trigBurns[g]) admitTrigger(g, e, t);
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
    for (let k = 0; k < keyWindows.length; k++) sampleKey(k, bucket);
  }
  onProgress?.(n, n);

  return {
    count: n,
    outcome,
    admittedAt,
    reason,
    entity,
    plan,
    horizon,
    keyStats,
    triggerStats,
    allowancePeak,
    poolPeak,
    spendLimitPeakMicros,
    checked: workspaceMinute.on ? { ...checked, workspaceMinute: workspaceMinute.checked } : checked,
    peakQueue,
    timeline,
    ...(queueLog === null ? {} : { queueLog }),
  };
}
