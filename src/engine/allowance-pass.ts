import { CancelledError, InputError } from '../errors.ts';
import { EventType, type EventColumns } from './events.ts';
import { MinHeap } from './heap.ts';
import { Allowance } from './limits/allowance.ts';
import { Pool, pooled, REFUSED_ALLOWANCE, REFUSED_POOL, REFUSED_TRIGGER, takeUnitsInOrder, TAKEN_ALL } from './limits/pool.ts';
import { ActorThrottles, THROTTLE_MINUTE, THROTTLE_PASSES, WorkspaceThrottle } from './limits/throttle.ts';
import { TriggerLimits } from './limits/trigger-limit.ts';
import { DEFAULT_TRIGGER_LIMIT, resolvePlan, triggerId, UNLIMITED, type Plan, type ResolvedPlan } from './plan.ts';
import { QueueLog } from './queue-log.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE, type SimulationResult, type Timeline } from './result.ts';
import { RunQueue } from './run-queue.ts';
import { DEFAULT_HORIZON_MS, processingOrder, type SimulateOptions } from './simulate.ts';
import { asDurationMs, asEpochMs, DAY, HOUR, isoOf, MINUTE } from './units.ts';

const PROGRESS_EVERY = 1 << 16;
/** Trigger states, as in simulate.ts. */
const IDLE = 0;
const WAITING = 1;
const READY = 2;
const ON_POOL = 3;
const ON_ALLOWANCE = 4;

const MESSAGE = EventType.message;
const TRIGGER = EventType.trigger;
const ADMITTED = Outcome.admitted;
const BLOCKED = Outcome.blocked;
const PENDING = Outcome.pending;

/**
 * `simulate()` for the allowance part alone (src/engine/parts.ts): people's messages and fair-use
 * trigger runs, with no queue wait limit. It decides exactly as `simulate()` does, in the same
 * order of checks; what it leaves out can have no event here (API requests, programmatic runs, key
 * caps, spend limits, wait deadlines), and an event that breaks that is refused with an error
 * rather than decided differently.
 *
 * Why a pass of its own: a seats edit re-simulates this part alone, and `simulate()` is also the
 * spend part's and the whole's pass. One function shared by inputs this different is recompiled
 * each time the other kind runs (its optimized code is thrown away on the first branch it had not
 * seen, and a function that large takes the compiler 100 to 250 ms on a busy machine, during which
 * the edit runs unoptimized). This one sees only this part, is a third of the size, and keeps
 * its optimized code from one edit to the next.
 */
export interface AllowancePartOptions extends SimulateOptions {
  /** the part's trigger runs, when known: the queue log logs at most two changes a run */
  runs?: number;
}

export function simulateAllowancePart(planInput: Plan, events: EventColumns, options: AllowancePartOptions = {}): SimulationResult {
  const plan: ResolvedPlan = resolvePlan(planInput);
  if (plan.maxWaitMs !== UNLIMITED) throw new Error('the allowance part is simulated apart only without a queue wait limit');
  if (plan.keys.length > 0 || plan.spendLimits.length > 0) throw new Error('the allowance part has no keys and no spend limits');
  const platform = plan.profile === 'platform';
  const edge = plan.edgeMs;
  const n = events.count;
  const { time, type, subject, subjects } = events;
  const order = options.order !== undefined ? options.order : processingOrder(events);

  const lastTime = n > 0 ? time[order === null ? n - 1 : order[n - 1]] : Number.NaN;
  if (options.until !== undefined && n > 0 && options.until < lastTime) {
    throw new InputError(`--until ${isoOf(options.until)} is before the last event (${isoOf(lastTime)})`);
  }
  const horizon = options.until ?? (n > 0 ? lastTime + DEFAULT_HORIZON_MS : 0);

  // Every event is decided once in the pass below, which writes each of its elements there: a
  // fill beforehand would touch 12 bytes an event a second time.
  const outcome = new Uint8Array(n);
  const admittedAt = new Float64Array(n);
  const reason = new Uint8Array(n);
  const entity = new Int32Array(n);

  // --- the limits ---
  const triggerLimits = new TriggerLimits(DAY + edge);
  const allowance = new Allowance(plan.allowance, DAY + edge);
  const pool = new Pool(plan.pool, DAY + edge);
  const userThrottles = new ActorThrottles(plan.actorPerMinute, plan.actorPerHour, MINUTE + edge, HOUR + edge);
  const workspaceMinute = new WorkspaceThrottle(plan.workspacePerMinute, MINUTE + edge);
  const usersThrottled = userThrottles.on;
  const workspaceThrottled = workspaceMinute.on;
  const messageThrottled = usersThrottled || workspaceThrottled;

  // --- triggers (plan ones first, inferred ones appended in order of first appearance) ---
  const triggerBySubject = new Int32Array(subjects.length).fill(-1);
  const subjectIndex = new Map<string, number>();
  for (let i = 0; i < subjects.length; i++) subjectIndex.set(subjects[i], i);
  const trigQueues: boolean[] = [];
  const trigTakesUnits: boolean[] = [];
  const trigPooled: boolean[] = [];
  const trigScheduled: boolean[] = [];
  const queues: RunQueue[] = [];
  const trigState: number[] = [];
  const trigWake: number[] = [];
  const triggerStats: SimulationResult['triggerStats'] = [];
  const addTrigger = (t: ResolvedPlan['triggers'][number]): void => {
    trigQueues.push(t.kind === 'webhook' && plan.queueWebhooks);
    trigTakesUnits.push(platform && t.kind === 'webhook' && t.mode === 'fair_use' && !plan.queueWebhooks);
    trigPooled.push(pooled(t.kind, t.mode, platform));
    trigScheduled.push(t.kind === 'scheduled');
    triggerLimits.add(t.limit, !(platform && t.kind === 'scheduled'));
    queues.push(new RunQueue());
    trigState.push(IDLE);
    trigWake.push(UNLIMITED);
    triggerStats.push({ peakQueue: 0 });
  };
  plan.triggers.forEach((t, i) => {
    addTrigger(t);
    const s = subjectIndex.get(t.id);
    // a programmatic trigger's runs belong to the spend part: meeting one here is an error below
    if (s !== undefined) triggerBySubject[s] = t.mode === 'fair_use' ? i : -2;
  });
  const triggerOf = (s: number): number => {
    let g = triggerBySubject[s];
    if (g === -2) throw new Error(`a programmatic run of ${subjects[s]} in the allowance part`);
    if (g < 0) {
      g = plan.triggers.length;
      const inferred = {
        id: triggerId(subjects[s]),
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

  let queuedTotal = 0;
  let peakQueue = 0;
  const messagesByReason = new Float64Array(REASON_SPEND_LIMIT_BASE);
  const queueLog = options.logQueue ? new QueueLog(plan.queueWebhooks && options.runs !== undefined ? 2 * options.runs : undefined) : null;

  // --- timeline sampling ---
  const buckets = options.timelineBuckets ?? 0;
  let timeline: Timeline | null = null;
  let allowanceSeries: Float64Array | null = null;
  let poolSeries: Float64Array | null = null;
  let queuedSeries: Float64Array | null = null;
  let delaySeries: Float64Array | null = null;
  let tlStart = 0;
  let tlBucketMs = 1;
  let tlBuckets = 0;
  let bucket = -1;
  let nextBucketAt = UNLIMITED;
  if (buckets > 0 && n > 0) {
    const start = options.timelineStart ?? time[order === null ? 0 : order[0]];
    const span = Math.max(horizon - start, 1);
    const bucketMs = Math.max(Math.ceil(span / buckets / 60_000) * 60_000, 60_000);
    const count = Math.max(1, Math.ceil((span + 1) / bucketMs));
    timeline = {
      start: asEpochMs(start),
      bucketMs: asDurationMs(bucketMs),
      buckets: count,
      allowanceUsed: new Float64Array(count),
      poolUsed: new Float64Array(count),
      queued: new Float64Array(count),
      maxDelay: new Float64Array(count),
      keySpend: [],
      spendLimitUsed: [],
    };
    allowanceSeries = timeline.allowanceUsed;
    poolSeries = timeline.poolUsed;
    queuedSeries = timeline.queued;
    delaySeries = timeline.maxDelay;
    tlStart = start;
    tlBucketMs = bucketMs;
    tlBuckets = count;
    nextBucketAt = start;
  }
  /** Opens every bucket up to the one holding `t`, sampling each at its start. */
  const advanceTimeline = (t: number): void => {
    if (allowanceSeries === null || poolSeries === null || queuedSeries === null) return;
    const target = Math.min(Math.floor((t - tlStart) / tlBucketMs), tlBuckets - 1);
    while (bucket < target) {
      bucket++;
      const b0 = tlStart + bucket * tlBucketMs;
      allowanceSeries[bucket] = allowance.usedAt(b0);
      poolSeries[bucket] = pool.usedAt(b0);
      queuedSeries[bucket] = queuedTotal;
    }
    nextBucketAt = bucket + 1 < tlBuckets ? tlStart + (bucket + 1) * tlBucketMs : UNLIMITED;
  };
  const bumpAllowance = (): void => {
    if (allowanceSeries !== null && bucket >= 0 && allowanceSeries[bucket] < allowance.used) allowanceSeries[bucket] = allowance.used;
  };
  const bumpPool = (): void => {
    if (poolSeries !== null && bucket >= 0 && poolSeries[bucket] < pool.used) poolSeries[bucket] = pool.used;
  };

  // --- checks and admissions: a fair-use run's, in simulate.ts's order ---
  const checkTrigger = (g: number, t: number): number => {
    if (platform) {
      if (trigPooled[g]) {
        if (pool.refuses(t)) return Reason.pool;
        if (triggerLimits.refuses(g, t)) return Reason.trigger_limit;
      }
      return allowance.refuses(t) ? Reason.allowance : Reason.none;
    }
    if (triggerLimits.refuses(g, t)) return Reason.trigger_limit;
    if (pool.refuses(t)) return Reason.pool;
    if (allowance.refuses(t)) return Reason.allowance;
    return Reason.none;
  };
  const admitTrigger = (g: number, e: number, t: number): void => {
    outcome[e] = ADMITTED;
    admittedAt[e] = t;
    triggerLimits.admit(g, t);
    if (trigPooled[g]) {
      pool.admit(t);
      bumpPool();
    }
    allowance.admit(t);
    bumpAllowance();
  };
  const attemptTakingUnits = (g: number, e: number, t: number): number => {
    const r = takeUnitsInOrder(pool, triggerLimits, g, allowance, t);
    if (r !== REFUSED_POOL) {
      bumpPool();
      if (r === TAKEN_ALL) bumpAllowance();
    }
    if (r === TAKEN_ALL) {
      outcome[e] = ADMITTED;
      admittedAt[e] = t;
      return Reason.none;
    }
    return r === REFUSED_POOL ? Reason.pool : r === REFUSED_TRIGGER ? Reason.trigger_limit : r === REFUSED_ALLOWANCE ? Reason.allowance : Reason.none;
  };
  const wakeTime = (g: number, r: number): number => {
    if (r === Reason.trigger_limit) return triggerLimits.retryAt(g);
    if (r === Reason.pool) return pool.retryAt();
    return allowance.retryAt();
  };

  // --- queues ---
  const waitHeap = new MinHeap(); // (wake time, trigger)
  const readyHeap = new MinHeap(); // (head position, trigger)
  let heapChanges = 0;
  const sleep = (g: number, wake: number): void => {
    heapChanges++;
    trigState[g] = WAITING;
    trigWake[g] = wake;
    waitHeap.push(wake, g);
  };
  const dequeue = (g: number, t: number): void => {
    queues[g].shift();
    queuedTotal--;
    queueLog?.push(t, queuedTotal);
  };
  const enqueue = (g: number, pos: number, t: number, why: number): void => {
    const q = queues[g];
    q.push(pos, t, why);
    queuedTotal++;
    queueLog?.push(t, queuedTotal);
    if (q.size > triggerStats[g].peakQueue) triggerStats[g].peakQueue = q.size;
    if (queuedTotal > peakQueue) peakQueue = queuedTotal;
    if (queuedSeries !== null && bucket >= 0 && queuedSeries[bucket] < queuedTotal) queuedSeries[bucket] = queuedTotal;
  };
  const poolLine = new MinHeap(); // (head position, trigger)
  const allowanceLine = new MinHeap();
  const cleanLine = (line: MinHeap, state: number): void => {
    while (line.size > 0) {
      const g = line.topValue();
      if (trigState[g] === state && queues[g].headPos() === line.topKey()) return;
      line.pop();
    }
  };
  const park = (g: number, r: number): void => {
    heapChanges++;
    if (r === Reason.pool) {
      trigState[g] = ON_POOL;
      poolLine.push(queues[g].headPos(), g);
    } else if (r === Reason.allowance) {
      trigState[g] = ON_ALLOWANCE;
      allowanceLine.push(queues[g].headPos(), g);
    } else {
      sleep(g, wakeTime(g, r));
    }
  };
  const release = (t: number): void => {
    while (waitHeap.size > 0 && waitHeap.topKey() <= t) {
      const g = waitHeap.topValue();
      const wake = waitHeap.topKey();
      waitHeap.pop();
      if (trigState[g] !== WAITING || trigWake[g] !== wake) continue; // stale
      trigState[g] = READY;
      readyHeap.push(queues[g].headPos(), g);
    }
    for (;;) {
      // The oldest head among the ready triggers and the lines whose resource has room.
      let from: MinHeap | null = readyHeap.size > 0 ? readyHeap : null;
      let fromKey = from === null ? UNLIMITED : readyHeap.topKey();
      cleanLine(poolLine, ON_POOL);
      if (poolLine.size > 0 && poolLine.topKey() < fromKey && pool.hasRoom(t)) {
        from = poolLine;
        fromKey = poolLine.topKey();
      }
      cleanLine(allowanceLine, ON_ALLOWANCE);
      if (allowanceLine.size > 0 && allowanceLine.topKey() < fromKey && allowance.hasRoom(t)) from = allowanceLine;
      if (from === null) break;
      const g = from.topValue();
      from.pop();
      const q = queues[g];
      const pos = q.headPos();
      const e = order === null ? pos : order[pos];
      const r = checkTrigger(g, t);
      if (r !== Reason.none) {
        park(g, r);
        continue;
      }
      admitTrigger(g, e, t);
      if (delaySeries !== null && bucket >= 0) {
        const delay = t - q.headArrival();
        if (delaySeries[bucket] < delay) delaySeries[bucket] = delay;
      }
      dequeue(g, t);
      if (q.size > 0) {
        if (triggerLimits.full(g)) {
          // The next run fails its trigger's own limit whatever the others do: straight to sleep.
          sleep(g, triggerLimits.retryAt(g));
        } else {
          trigState[g] = READY;
          readyHeap.push(q.headPos(), g);
        }
      } else {
        trigState[g] = IDLE;
      }
    }
  };
  const nextWake = (now: number): number => {
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
    if (poolLine.size > 0) {
      const at = pool.used < pool.limit ? now : pool.retryAt();
      if (at < next) next = at;
    }
    cleanLine(allowanceLine, ON_ALLOWANCE);
    if (allowanceLine.size > 0) {
      const at = allowance.used < allowance.limit ? now : allowance.retryAt();
      if (at < next) next = at;
    }
    return next;
  };

  // --- the pass: simulate.ts's, without wait deadlines ---
  const { onProgress, signal } = options;
  let pos = 0;
  let wake = nextWake(UNLIMITED);
  let heapsAt = heapChanges;
  for (;;) {
    if (heapsAt !== heapChanges) {
      wake = nextWake(UNLIMITED);
      heapsAt = heapChanges;
    }
    const nextEvent = pos < n ? time[order === null ? pos : order[pos]] : UNLIMITED;
    let t = wake < nextEvent ? wake : nextEvent;
    if (t === UNLIMITED || (pos >= n && t > horizon)) break;
    if (t >= nextBucketAt) advanceTimeline(t);
    if (t >= wake || readyHeap.size > 0) {
      release(t);
      wake = nextWake(UNLIMITED);
      heapsAt = heapChanges;
    }
    const runUntil = wake < nextBucketAt ? wake : nextBucketAt;
    while (pos < n) {
      const e = order === null ? pos : order[pos];
      const te = time[e];
      if (te !== t) {
        if (te >= runUntil || heapsAt !== heapChanges) break;
        t = te;
      }
      const ty = type[e];
      if (ty === MESSAGE) {
        // (section 9 rule 7: the user's throttles, then the workspace's) then the allowance
        let r: number = Reason.none;
        if (messageThrottled) {
          const which = usersThrottled ? userThrottles.check(subject[e], t) : THROTTLE_PASSES;
          if (which !== THROTTLE_PASSES) r = which === THROTTLE_MINUTE ? Reason.actor_minute : Reason.actor_hour;
          else if (workspaceThrottled && workspaceMinute.refuses(t)) r = Reason.workspace_minute;
        }
        if (r === Reason.none && allowance.refuses(t)) r = Reason.allowance;
        messagesByReason[r]++;
        entity[e] = -1;
        if (r !== Reason.none) {
          outcome[e] = BLOCKED;
          reason[e] = r;
          admittedAt[e] = Number.NaN;
        } else {
          allowance.admit(t);
          bumpAllowance();
          if (messageThrottled) {
            if (usersThrottled) userThrottles.admit(subject[e], t);
            if (workspaceThrottled) workspaceMinute.admit(t);
          }
          admittedAt[e] = t;
        }
      } else if (ty === TRIGGER) {
        const g = triggerOf(subject[e]);
        entity[e] = g;
        // written over when the run is admitted
        admittedAt[e] = Number.NaN;
        const q = queues[g];
        if (q.size > 0) {
          // Each trigger is first-in first-out: a newcomer waits behind its trigger's queue.
          const r = checkTrigger(g, t);
          const why = r !== Reason.none ? r : q.headReason();
          reason[e] = why;
          outcome[e] = PENDING;
          enqueue(g, pos, t, why);
        } else if (trigTakesUnits[g]) {
          const r = attemptTakingUnits(g, e, t);
          if (r !== Reason.none) {
            reason[e] = r;
            outcome[e] = Outcome.dropped;
          }
        } else {
          const r = checkTrigger(g, t);
          if (r === Reason.none) {
            admitTrigger(g, e, t);
          } else {
            reason[e] = r;
            if (!trigQueues[g]) {
              outcome[e] = trigScheduled[g] ? Outcome.skipped : Outcome.dropped;
            } else {
              outcome[e] = PENDING;
              enqueue(g, pos, t, r);
              park(g, r);
            }
          }
        }
      } else {
        throw new Error('an API request in the allowance part');
      }
      pos++;
      if ((pos & (PROGRESS_EVERY - 1)) === 0) {
        if (signal?.aborted) throw new CancelledError();
        onProgress?.(pos, n);
      }
    }
  }

  // Runs still waiting at the horizon stay pending: with no wait limit none was dropped.
  if (timeline !== null) advanceTimeline(horizon);
  onProgress?.(n, n);

  return {
    count: n,
    outcome,
    admittedAt,
    reason,
    entity,
    plan,
    horizon: asEpochMs(horizon),
    keyStats: [],
    triggerStats,
    allowancePeak: allowance.peak,
    poolPeak: pool.peak,
    spendLimitPeakMicros: [],
    checked: {
      allowance: allowance.checked,
      pool: pool.checked,
      spendLimits: [],
      keys: [],
      ...(workspaceThrottled ? { workspaceMinute: workspaceMinute.checked } : {}),
    },
    peakQueue,
    timeline,
    messagesByReason,
    ...(queueLog === null ? {} : { queueLog }),
  };
}
