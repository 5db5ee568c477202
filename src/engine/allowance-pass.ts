import { CancelledError, InputError } from '../errors.ts';
import { EventType, type EventColumns } from './events.ts';
import { MinHeap } from './heap.ts';
import { Allowance } from './limits/allowance.ts';
import { Pool, pooled, REFUSED_ALLOWANCE, REFUSED_POOL, REFUSED_TRIGGER, takeUnitsInOrder, TAKEN_ALL } from './limits/pool.ts';
import { ActorThrottles, THROTTLE_MINUTE, THROTTLE_PASSES, WorkspaceThrottle } from './limits/throttle.ts';
import { throttledSenders } from './limits/throttle-reach.ts';
import { TriggerLimits } from './limits/trigger-limit.ts';
import type { Plan } from './plan.ts';
import { resolvePlan, UNLIMITED, type ResolvedPlan } from './plan-rules.ts';
import { HeldArrays, reusableResult, type PassArrays } from './pass-arrays.ts';
import { keepShapes } from './keep-shapes.ts';
import { keepPassTallies, RunTallies } from './pass-tallies.ts';
import type { DayFrame } from './report-tallies.ts';
import { QueueLog } from './queue-log.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE, type SimulationResult, type Timeline } from './result.ts';
import { TriggerQueues } from './trigger-queues.ts';
// the trigger states are simulate.ts's: a result's queue log reads the same either way
import { DEFAULT_HORIZON_MS, emptyTimeline, IDLE, inferredTrigger, ON_ALLOWANCE, ON_POOL, processingOrder, READY, WAITING, type SimulateOptions } from './simulate.ts';
import { asEpochMs, DAY, HOUR, isoOf, MINUTE } from './units.ts';

const PROGRESS_EVERY = 1 << 16;

/** The release log's buffers of the last pass on this thread that finished (`writeReleases`), for the next. */
let spareReleases: { pos: Int32Array; at: Float64Array } | null = null;

/** `AllowancePass.clock`'s slots */
const NOW = 0;
const UNTIL = 1;
const WAKE = 2;
const DELAY = 3;

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
  /**
   * Arrays of a result nobody reads any more (src/engine/pass-arrays.ts), written over instead of
   * allocated; used when they are of this part's size.
   */
  reuse?: PassArrays | null;
  /**
   * Count the part's tallies while deciding (src/engine/pass-tallies.ts), on the whole's days
   * `frame`, with the whole's first and last event times `span`: `passTallies(result)` then has them.
   */
  tally?: { frame: DayFrame; span: { first: number; last: number } };
}

/**
 * Each subject's position in its table, found once per table: a part keeps the whole's table, so
 * every edit asks again of the same few thousand names.
 */
const subjectIndexes = new WeakMap<string[], { length: number; index: Map<string, number> }>();
function indexOf(subjects: string[]): Map<string, number> {
  const known = subjectIndexes.get(subjects);
  // a table only ever grows (a builder appends names): one of another length is indexed again
  if (known !== undefined && known.length === subjects.length) return known.index;
  const index = new Map<string, number>();
  for (let i = 0; i < subjects.length; i++) index.set(subjects[i], i);
  subjectIndexes.set(subjects, { length: subjects.length, index });
  return index;
}

export function simulateAllowancePart(planInput: Plan, events: EventColumns, options: AllowancePartOptions = {}): SimulationResult {
  const pass = new AllowancePass(planInput, events, options);
  // its classes' shapes outlive it, and so does the pass's compiled code (keep-shapes.ts)
  keepShapes('allowance pass', pass);
  return pass.run(options);
}

/**
 * `simulateAllowancePart`, awaiting `pause()` after each step of 65,536 events: for a pass that
 * runs while its thread must still answer (the seats simulated ahead of an edit,
 * src/entries/compute-worker.ts), so that a call arriving meanwhile waits one step at most. The
 * same pass and code as the other: the result is the same, bit for bit. Rejects with
 * CancelledError at the first step after `options.signal` aborts.
 */
export async function simulateAllowancePartInSteps(planInput: Plan, events: EventColumns, options: AllowancePartOptions, pause: () => Promise<void>): Promise<SimulationResult> {
  const pass = new AllowancePass(planInput, events, options);
  keepShapes('allowance pass', pass);
  return pass.runInSteps(options, pause);
}

/**
 * The pass's state in fields and its steps in methods, not closures: a closure made anew on each
 * run starts unoptimized each time (its compiled code is not shared between the closures one
 * place makes), where a method's compiled code serves every run after the first.
 */
class AllowancePass {
  private readonly plan: ResolvedPlan;
  private readonly platform: boolean;
  private readonly n: number;
  private readonly time: Float64Array;
  private readonly type: Uint8Array;
  private readonly subject: Uint32Array;
  private readonly subjects: string[];
  private readonly order: Uint32Array | null;
  readonly horizon: number;
  private readonly outcome: Uint8Array;
  private readonly admittedAt: Float64Array;
  private readonly reason: Uint8Array;
  private readonly entity: Int32Array;

  private readonly triggerLimits: TriggerLimits;
  private readonly allowance: Allowance;
  private readonly pool: Pool;
  private readonly userThrottles: ActorThrottles;
  /**
   * The people whose own throttles could refuse one of their messages (limits/throttle-reach.ts),
   * 1 at their subject; null when nobody's could. Everyone else's are neither checked nor counted.
   */
  private readonly throttledSenders: Uint8Array | null;
  private readonly workspaceMinute: WorkspaceThrottle;
  private readonly workspaceThrottled: boolean;

  /** trigger per subject: -1 none yet, -2 a programmatic trigger (its runs are the spend part's) */
  private readonly triggerBySubject: Int32Array;
  private readonly trigQueues: boolean[] = [];
  /** platform: a fair-use webhook run that is dropped when limited takes each unit as its check passes */
  private readonly trigTakesUnits: boolean[] = [];
  private readonly trigPooled: boolean[] = [];
  private readonly trigScheduled: boolean[] = [];
  /** each trigger's waiting runs (their positions): a run's arrival and reason are its event's */
  private readonly queues = new TriggerQueues();
  private readonly trigState: number[] = [];
  private readonly trigWake: number[] = [];
  private readonly triggerStats: SimulationResult['triggerStats'] = [];

  private queuedTotal = 0;
  private peakQueue = 0;
  private readonly messagesByReason = new Float64Array(REASON_SPEND_LIMIT_BASE);
  /** each run admitted after waiting, its position and admission time (`admitWaited`) */
  private releasedPos: Int32Array;
  private releasedAt: Float64Array;
  private released = 0;
  private readonly queueLog: QueueLog | null;
  private readonly tallies: RunTallies | null;
  /** whether this pass counts the runs' arrivals (RunTallies `arrive`): not when a pass over the same events did */
  private readonly countArrivals: boolean;

  private readonly timeline: Timeline | null = null;
  private readonly allowanceSeries: Float64Array | null = null;
  private readonly poolSeries: Float64Array | null = null;
  private readonly queuedSeries: Float64Array | null = null;
  private readonly delaySeries: Float64Array | null = null;
  private readonly tlStart: number = 0;
  private readonly tlBucketMs: number = 1;
  private readonly tlBuckets: number = 0;
  private bucket = -1;
  /**
   * The pass's instants, indexed by NOW, UNTIL, WAKE and DELAY: the current one, the bound of
   * `messages()`, the next wake-up, a run's wait. A time is not a small integer, so passed as an
   * argument to a call that is not inlined, returned from one, or held in a value the compiler
   * keeps tagged, it is boxed: a new heap number each time. That was 16 MB per seats edit before
   * `messages()` took its instants here, and 20 MB more before the runs' steps did. For the same
   * reason the hot steps write `Number.POSITIVE_INFINITY`, not the imported UNLIMITED: an imported
   * binding is read as a tagged value, which made every time it met a tagged one too.
   */
  private readonly clock = new Float64Array(4);
  private nextBucketAt = UNLIMITED;

  /** (wake time, trigger) */
  private readonly waitHeap = new MinHeap();
  /** (head position, trigger) */
  private readonly readyHeap = new MinHeap();
  /** Bumped when a trigger starts waiting: the next wake-up may move. */
  private heapChanges = 0;
  /** Where `advance` stopped: the next event's position, and the wake-up count it last saw. */
  private pos = 0;
  private heapsAt = 0;
  /** Triggers blocked by the pool or the allowance, one line each by head position (simulate.ts). */
  private readonly poolLine = new MinHeap();
  private readonly allowanceLine = new MinHeap();

  constructor(planInput: Plan, events: EventColumns, options: AllowancePartOptions) {
    const plan = resolvePlan(planInput);
    if (plan.maxWaitMs !== UNLIMITED) throw new Error('the allowance part is simulated apart only without a queue wait limit');
    if (plan.keys.length > 0 || plan.spendLimits.length > 0) throw new Error('the allowance part has no keys and no spend limits');
    this.plan = plan;
    this.platform = plan.profile === 'platform';
    const edge = plan.edgeMs;
    const n = events.count;
    this.n = n;
    this.time = events.time;
    this.type = events.type;
    this.subject = events.subject;
    this.subjects = events.subjects;
    const order = options.order !== undefined ? options.order : processingOrder(events);
    this.order = order;
    const { time } = events;
    const lastTime = n > 0 ? time[order === null ? n - 1 : order[n - 1]] : Number.NaN;
    if (options.until !== undefined && n > 0 && options.until < lastTime) {
      throw new InputError(`--until ${isoOf(options.until)} is before the last event (${isoOf(lastTime)})`);
    }
    this.horizon = options.until ?? (n > 0 ? lastTime + DEFAULT_HORIZON_MS : 0);

    // Every event is decided once in the pass, which writes each of its admittedAt and entity
    // there: a fill beforehand would touch 12 bytes an event a second time. Outcome and reason are
    // left at 0 (admitted, none) for most events: arrays written over are zeroed first.
    const reuse = options.reuse?.outcome.length === n ? options.reuse : null;
    if (reuse !== null) {
      this.outcome = reuse.outcome.fill(0);
      this.admittedAt = reuse.admittedAt;
      this.reason = reuse.reason.fill(0);
      this.entity = reuse.entity;
    } else {
      this.outcome = new Uint8Array(n);
      this.admittedAt = new Float64Array(n);
      this.reason = new Uint8Array(n);
      this.entity = new Int32Array(n);
    }

    const spare = spareReleases;
    spareReleases = null;
    this.releasedPos = spare?.pos ?? new Int32Array(options.runs ?? 1024);
    this.releasedAt = spare?.at ?? new Float64Array(this.releasedPos.length);
    this.triggerLimits = new TriggerLimits(DAY + edge);
    this.allowance = new Allowance(plan.allowance, DAY + edge);
    this.pool = new Pool(plan.pool, DAY + edge);
    this.userThrottles = new ActorThrottles(plan.actorPerMinute, plan.actorPerHour, MINUTE + edge, HOUR + edge);
    this.workspaceMinute = new WorkspaceThrottle(plan.workspacePerMinute, MINUTE + edge);
    this.throttledSenders = this.userThrottles.on ? throttledSenders(events, order, plan.actorPerMinute, plan.actorPerHour, MINUTE + edge, HOUR + edge) : null;
    this.workspaceThrottled = this.workspaceMinute.on;

    const { subjects } = events;
    this.triggerBySubject = new Int32Array(subjects.length).fill(-1);
    const subjectIndex = indexOf(subjects);
    plan.triggers.forEach((t, i) => {
      this.addTrigger(t);
      const s = subjectIndex.get(t.id);
      if (s !== undefined) this.triggerBySubject[s] = t.mode === 'fair_use' ? i : -2;
    });

    const source = { events, order, count: n, triggerIds: plan.triggers.map((t) => t.id).join('\n') };
    this.tallies = options.tally === undefined ? null : new RunTallies(options.tally.frame, REASON_SPEND_LIMIT_BASE + plan.spendLimits.length, plan.triggers.length, this.clock, DELAY, source);
    this.countArrivals = this.tallies !== null && !this.tallies.arrivalsKnown;
    const logged = plan.queueWebhooks && options.runs !== undefined ? 2 * options.runs : undefined;
    this.queueLog = options.logQueue ? new QueueLog(logged, reuse?.queueLog ?? undefined) : null;

    const buckets = options.timelineBuckets ?? 0;
    if (buckets > 0 && n > 0) {
      const start = options.timelineStart ?? time[order === null ? 0 : order[0]];
      const timeline = emptyTimeline(start, this.horizon, buckets, 0);
      this.timeline = timeline;
      this.allowanceSeries = timeline.allowanceUsed;
      this.poolSeries = timeline.poolUsed;
      this.queuedSeries = timeline.queued;
      this.delaySeries = timeline.maxDelay;
      this.tlStart = start;
      this.tlBucketMs = timeline.bucketMs;
      this.tlBuckets = timeline.buckets;
      this.nextBucketAt = start;
    }
  }

  private addTrigger(t: ResolvedPlan['triggers'][number]): void {
    const { plan, platform } = this;
    this.trigQueues.push(t.kind === 'webhook' && plan.queueWebhooks);
    this.trigTakesUnits.push(platform && t.kind === 'webhook' && t.mode === 'fair_use' && !plan.queueWebhooks);
    this.trigPooled.push(pooled(t.kind, t.mode, platform));
    this.trigScheduled.push(t.kind === 'scheduled');
    // a schedule is never checked against its own limit under the platform profile (rule 3)
    this.triggerLimits.add(t.limit, !(platform && t.kind === 'scheduled'));
    this.queues.add();
    this.trigState.push(IDLE);
    this.trigWake.push(UNLIMITED);
    this.triggerStats.push({ peakQueue: 0 });
  }

  /** The trigger of subject `s`, inferred (fair use) on its first run when the plan has none. */
  private triggerOf(s: number): number {
    let g = this.triggerBySubject[s];
    if (g === -2) throw new Error(`a programmatic run of ${this.subjects[s]} in the allowance part`);
    if (g < 0) {
      const { plan, subjects } = this;
      g = plan.triggers.length;
      const inferred = inferredTrigger(subjects[s]);
      plan.triggers.push(inferred);
      this.addTrigger(inferred);
      this.triggerBySubject[s] = g;
    }
    return g;
  }

  /** Opens every bucket up to the one holding `t`, sampling each at its start. */
  private advanceTimeline(t: number): void {
    const { allowanceSeries, poolSeries, queuedSeries } = this;
    if (allowanceSeries === null || poolSeries === null || queuedSeries === null) return;
    const target = Math.min(Math.floor((t - this.tlStart) / this.tlBucketMs), this.tlBuckets - 1);
    while (this.bucket < target) {
      const b = ++this.bucket;
      const b0 = this.tlStart + b * this.tlBucketMs;
      allowanceSeries[b] = this.allowance.usedAt(b0);
      poolSeries[b] = this.pool.usedAt(b0);
      queuedSeries[b] = this.queuedTotal;
    }
    this.nextBucketAt = this.bucket + 1 < this.tlBuckets ? this.tlStart + (this.bucket + 1) * this.tlBucketMs : Number.POSITIVE_INFINITY;
  }

  private bumpAllowance(): void {
    const series = this.allowanceSeries;
    const used = this.allowance.used;
    if (series !== null && this.bucket >= 0 && series[this.bucket] < used) series[this.bucket] = used;
  }

  private bumpPool(): void {
    const series = this.poolSeries;
    const used = this.pool.used;
    if (series !== null && this.bucket >= 0 && series[this.bucket] < used) series[this.bucket] = used;
  }

  /**
   * A fair-use run's checks, all or nothing, in simulate.ts's order. The docs: trigger limit, pool,
   * allowance. The platform (section 9 rules 3-4): a webhook, pool, trigger limit, allowance; a
   * schedule, the allowance alone.
   */
  private checkTrigger(g: number): number {
    const t = this.clock[NOW];
    if (this.platform) {
      if (this.trigPooled[g]) {
        if (this.pool.refuses(t)) return Reason.pool;
        if (this.triggerLimits.refuses(g, t)) return Reason.trigger_limit;
      }
      return this.allowance.refuses(t) ? Reason.allowance : Reason.none;
    }
    if (this.triggerLimits.refuses(g, t)) return Reason.trigger_limit;
    if (this.pool.refuses(t)) return Reason.pool;
    if (this.allowance.refuses(t)) return Reason.allowance;
    return Reason.none;
  }

  /**
   * `checkTrigger(g)` for a run arriving behind trigger `g`'s queue. Asleep on its own limit
   * (before its wake-up), the trigger's window is still full: nothing enters it while it sleeps
   * (only its head is admitted, on waking) and its oldest run counts until the wake-up. So the
   * limit refuses without a look at the window, whose entry costs a cache miss per run: two runs
   * in three of a seats edit's arrive so, behind triggers limited to a few runs a day.
   */
  private queuedArrivalReason(g: number): number {
    const t = this.clock[NOW];
    if (this.trigState[g] !== WAITING || t >= this.trigWake[g]) return this.checkTrigger(g);
    // the platform checks a pooled webhook's pool first (section 9 rule 4), the docs its own limit
    if (this.platform && this.trigPooled[g] && this.pool.refuses(t)) return Reason.pool;
    return Reason.trigger_limit;
  }

  /** A run whose checks (`checkTrigger`) passed now, which moved the windows to now. */
  private admitTrigger(g: number, e: number): void {
    const t = this.clock[NOW];
    this.outcome[e] = ADMITTED;
    this.admittedAt[e] = t;
    this.countAdmission(g, t);
  }

  /**
   * Trigger `g`'s head, waiting since it arrived, admitted now (its checks passed). Its event's
   * outcome and admission time are logged, and written at the end (`writeReleases`): the run
   * arrived hours or days ago, so both were a miss to memory each, one at a time between the
   * pass's other work; written together they overlap.
   */
  private admitWaited(g: number): void {
    const t = this.clock[NOW];
    const n = this.released;
    if (n === this.releasedPos.length) this.growReleases();
    this.releasedPos[n] = this.queues.headPos(g);
    this.releasedAt[n] = t;
    this.released = n + 1;
    this.countAdmission(g, t);
  }

  private growReleases(): void {
    const pos = new Int32Array(Math.max(1024, 2 * this.releasedPos.length));
    pos.set(this.releasedPos);
    const at = new Float64Array(pos.length);
    at.set(this.releasedAt);
    this.releasedPos = pos;
    this.releasedAt = at;
  }

  /** The outcome and admission time of each run `admitWaited` logged, into their events. */
  private writeReleases(): void {
    const { order, outcome, admittedAt, releasedPos, releasedAt } = this;
    for (let i = 0; i < this.released; i++) {
      const pos = releasedPos[i];
      const e = order === null ? pos : order[pos];
      outcome[e] = ADMITTED;
      admittedAt[e] = releasedAt[i];
    }
    spareReleases = { pos: releasedPos, at: releasedAt };
    this.released = 0;
  }

  /** A run of trigger `g` admitted at `t`, in the windows that count it. */
  private countAdmission(g: number, t: number): void {
    this.triggerLimits.admit(g, t);
    // Counted even when unlimited: an admin sizing seats wants the real 24 h peak.
    if (this.trigPooled[g]) {
      this.pool.admitChecked(t);
      this.bumpPool();
    }
    this.allowance.admitChecked(t);
    this.bumpAllowance();
  }

  /** SPEC section 9 rule 4 (limits/pool.ts): a dropped fair-use webhook keeps the units it took. */
  private attemptTakingUnits(g: number, e: number): number {
    const t = this.clock[NOW];
    const r = takeUnitsInOrder(this.pool, this.triggerLimits, g, this.allowance, t);
    if (r !== REFUSED_POOL) {
      this.bumpPool();
      if (r === TAKEN_ALL) this.bumpAllowance();
    }
    if (r === TAKEN_ALL) {
      this.outcome[e] = ADMITTED;
      this.admittedAt[e] = t;
      return Reason.none;
    }
    return r === REFUSED_POOL ? Reason.pool : r === REFUSED_TRIGGER ? Reason.trigger_limit : r === REFUSED_ALLOWANCE ? Reason.allowance : Reason.none;
  }

  /** Trigger `g` asleep until its own limit could pass its head. */
  private sleep(g: number): void {
    const wake = this.triggerLimits.retryAt(g);
    this.heapChanges++;
    this.trigState[g] = WAITING;
    this.trigWake[g] = wake;
    this.waitHeap.push(wake, g);
  }

  /** Drops trigger `g`'s head; returns the runs left in its queue. */
  private dequeue(g: number): number {
    const left = this.queues.shift(g);
    this.queuedTotal--;
    this.queueLog?.push(this.clock[NOW], this.queuedTotal);
    return left;
  }

  private enqueue(g: number, pos: number, why: number): void {
    const t = this.clock[NOW];
    this.queues.push(g, pos, t, why);
    const total = ++this.queuedTotal;
    this.queueLog?.push(t, total);
    if (total > this.peakQueue) this.peakQueue = total;
    const series = this.queuedSeries;
    if (series !== null && this.bucket >= 0 && series[this.bucket] < total) series[this.bucket] = total;
  }

  private cleanLine(line: MinHeap, state: number): void {
    while (line.size > 0) {
      const g = line.topValue();
      if (this.trigState[g] === state && this.queues.headPos(g) === line.topKey()) return;
      line.pop();
    }
  }

  /** A waiting trigger whose head check `r` refused: in its resource's line, or asleep until it could pass. */
  private park(g: number, r: number): void {
    this.heapChanges++;
    if (r === Reason.pool) {
      this.trigState[g] = ON_POOL;
      this.poolLine.push(this.queues.headPos(g), g);
    } else if (r === Reason.allowance) {
      this.trigState[g] = ON_ALLOWANCE;
      this.allowanceLine.push(this.queues.headPos(g), g);
    } else {
      // only a trigger limit is left: pool and allowance runs wait in their lines
      this.sleep(g);
    }
  }

  /** Admits, oldest first, the waiting runs whose checks pass now. */
  private release(): void {
    const t = this.clock[NOW];
    const { waitHeap, readyHeap, poolLine, allowanceLine, trigState } = this;
    while (waitHeap.size > 0 && waitHeap.topKey() <= t) {
      const g = waitHeap.topValue();
      const wake = waitHeap.topKey();
      waitHeap.pop();
      if (trigState[g] !== WAITING || this.trigWake[g] !== wake) continue; // stale
      trigState[g] = READY;
      readyHeap.push(this.queues.headPos(g), g);
    }
    for (;;) {
      // The oldest head among the ready triggers and the lines whose resource has room.
      let from: MinHeap | null = readyHeap.size > 0 ? readyHeap : null;
      let fromKey = from === null ? Number.POSITIVE_INFINITY : readyHeap.topKey();
      this.cleanLine(poolLine, ON_POOL);
      if (poolLine.size > 0 && poolLine.topKey() < fromKey && this.pool.hasRoom(t)) {
        from = poolLine;
        fromKey = poolLine.topKey();
      }
      this.cleanLine(allowanceLine, ON_ALLOWANCE);
      if (allowanceLine.size > 0 && allowanceLine.topKey() < fromKey && this.allowance.hasRoom(t)) from = allowanceLine;
      if (from === null) break;
      const g = from.topValue();
      from.pop();
      const r = this.checkTrigger(g);
      if (r !== Reason.none) {
        this.park(g, r);
        continue;
      }
      this.admitWaited(g);
      const delay = t - this.queues.headArrival(g);
      const tallies = this.tallies;
      if (tallies !== null) {
        // through the clock, not as an argument: see `clock`
        this.clock[DELAY] = delay;
        tallies.decideWaited(g, this.queues.headReason(g));
      }
      const delays = this.delaySeries;
      if (delays !== null && this.bucket >= 0 && delays[this.bucket] < delay) delays[this.bucket] = delay;
      if (this.dequeue(g) > 0) {
        if (this.triggerLimits.full(g)) {
          // The next run fails its trigger's own limit whatever the others do: straight to sleep.
          this.sleep(g);
        } else {
          trigState[g] = READY;
          readyHeap.push(this.queues.headPos(g), g);
        }
      } else {
        trigState[g] = IDLE;
      }
    }
  }

  /** The next instant a waiting run could be admitted (simulate.ts's `nextWake()`), into `clock[WAKE]`. */
  private nextWake(): void {
    const { waitHeap, poolLine, allowanceLine } = this;
    let next = Number.POSITIVE_INFINITY;
    while (waitHeap.size > 0) {
      const g = waitHeap.topValue();
      if (this.trigState[g] === WAITING && this.trigWake[g] === waitHeap.topKey()) {
        next = waitHeap.topKey();
        break;
      }
      waitHeap.pop();
    }
    this.cleanLine(poolLine, ON_POOL);
    if (poolLine.size > 0) {
      const at = this.pool.used < this.pool.limit ? Number.POSITIVE_INFINITY : this.pool.retryAt();
      if (at < next) next = at;
    }
    this.cleanLine(allowanceLine, ON_ALLOWANCE);
    if (allowanceLine.size > 0) {
      const at = this.allowance.used < this.allowance.limit ? Number.POSITIVE_INFINITY : this.allowance.retryAt();
      if (at < next) next = at;
    }
    this.clock[WAKE] = next;
  }

  /**
   * People's messages from position `pos` on, while the events are messages, at `clock[NOW]` or
   * later but before `clock[UNTIL]`, and before position `end`; returns the position after the last
   * one taken (its time in `clock[NOW]`). Each: (section 9 rule 7) the sender's throttles, the
   * workspace's, then the allowance.
   *
   * Why a loop of its own: four events in five are messages, and a message's decision touches only
   * the throttles and the allowance, so a loop that small keeps them in registers where the pass's
   * loop, with the runs' queues beside them, could not inline them (a third of the pass's time).
   */
  private messages(pos: number, end: number): number {
    const clock = this.clock;
    let until = clock[UNTIL];
    const { order, time, type, subject, outcome, admittedAt, reason, entity, allowance, throttledSenders: senders, workspaceMinute } = this;
    // the allowance's ring in locals for the loop (windows.ts CountWindow), handed back after it
    const window = allowance.window;
    let ring = window.buf;
    let mask = window.mask;
    let head = window.head;
    let used = window.size;
    const lifetime = window.windowMs;
    // entries at or before `cut` no longer count: only a later instant moves it
    let cut = clock[NOW] - lifetime;
    const limit = allowance.limit;
    let checked = allowance.checked;
    let peak = allowance.peak;
    // the workspace's throttle taken in here as the allowance is, for the same reason
    const workspaceOn = this.workspaceThrottled;
    const workspace = workspaceMinute.window;
    const workspaceLimit = workspaceMinute.limit;
    let workspaceChecked = workspaceMinute.checked;
    let workspacePeak = workspaceMinute.peak;
    let admitted = 0;
    let blocked = 0;
    // the chart's bucket is the same throughout: no run crosses the next bucket's start
    let bucketPeak = 0;
    let p = pos;
    let at = clock[NOW];
    // Wake-ups are taken here too, as `advance` takes them, when the bound is the next wake-up
    // (not a chart bucket's start, nor the step's end: `until` is then -Infinity): one in ten
    // events is one, and returning to `advance` for each and calling this again cost more than
    // the release itself.
    const wakes = until !== Number.NEGATIVE_INFINITY;
    const bucketAt = this.nextBucketAt;
    let heapsAt = this.heapChanges;
    // a run made a trigger wait at this instant: the next wake-up is found before the next instant
    let stale = false;
    while (p < end) {
      const e = order === null ? p : order[p];
      const ty = type[e];
      if (ty !== MESSAGE && ty !== TRIGGER) break;
      const te = time[e];
      if (te !== at) {
        if (stale) {
          this.nextWake();
          heapsAt = this.heapChanges;
          this.heapsAt = heapsAt;
          stale = false;
          until = clock[WAKE] < bucketAt ? clock[WAKE] : bucketAt;
        }
        if (te >= until) {
          if (!wakes || until >= bucketAt) break;
          // the wake-up at `until`, before this event, as `advance` would release it
          window.restore(head, used);
          allowance.checked = checked;
          allowance.peak = peak;
          clock[NOW] = until;
          this.release();
          this.nextWake();
          heapsAt = this.heapChanges;
          this.heapsAt = heapsAt;
          ring = window.buf;
          mask = window.mask;
          head = window.head;
          used = window.size;
          checked = allowance.checked;
          peak = allowance.peak;
          at = until;
          cut = at - lifetime;
          until = clock[WAKE] < bucketAt ? clock[WAKE] : bucketAt;
          // this event again: its time may reach the next wake-up too
          continue;
        }
        at = te;
        cut = at - lifetime;
      }
      if (ty === TRIGGER) {
        // A run between messages, taken here rather than by returning to `advance`: a return and
        // a call again cost more than the few messages between two runs. The run's checks read
        // the allowance itself, so its ring goes back for them and is taken again after.
        window.restore(head, used);
        allowance.checked = checked;
        allowance.peak = peak;
        clock[NOW] = at;
        this.run1(e, p);
        p++;
        ring = window.buf;
        mask = window.mask;
        head = window.head;
        used = window.size;
        checked = allowance.checked;
        peak = allowance.peak;
        // a run that made a trigger wait may have moved the next wake-up: found before the
        // next instant, here or by `advance`
        if (this.heapChanges !== heapsAt) {
          if (!wakes) break;
          stale = true;
        }
        continue;
      }
      entity[e] = -1;
      // section 9 rule 7: the sender's throttles (only theirs who could meet them), the workspace's
      const own = senders !== null && senders[subject[e]] === 1;
      let r: number = own ? this.senderRefusal(e) : Reason.none;
      if (r === Reason.none && workspaceOn) {
        workspace.evict(at);
        const count = workspace.size;
        if (count > workspaceChecked) workspaceChecked = count;
        if (count >= workspaceLimit) r = Reason.workspace_minute;
      }
      if (r === Reason.none) {
        // the allowance's check and admission with one eviction
        while (used > 0 && ring[head] <= cut) {
          head = (head + 1) & mask;
          used--;
        }
        if (used > checked) checked = used;
        if (used < limit) {
          if (used === ring.length) {
            window.restore(head, used);
            window.grow();
            ring = window.buf;
            mask = window.mask;
            head = window.head;
          }
          ring[(head + used) & mask] = at;
          used++;
          if (used > peak) peak = used;
          if (used > bucketPeak) bucketPeak = used;
          if (own) this.userThrottles.admitAt(subject[e], time, e);
          if (workspaceOn) {
            workspace.push(at);
            if (workspace.size > workspacePeak) workspacePeak = workspace.size;
          }
          admittedAt[e] = at;
          admitted++;
          p++;
          continue;
        }
        r = Reason.allowance;
      }
      if (r === Reason.allowance) blocked++;
      else this.messagesByReason[r]++;
      outcome[e] = BLOCKED;
      reason[e] = r;
      admittedAt[e] = Number.NaN;
      p++;
    }
    window.restore(head, used);
    if (checked !== allowance.checked) allowance.checked = checked;
    if (peak !== allowance.peak) allowance.peak = peak;
    if (workspaceChecked !== workspaceMinute.checked) workspaceMinute.checked = workspaceChecked;
    if (workspacePeak !== workspaceMinute.peak) workspaceMinute.peak = workspacePeak;
    this.messagesByReason[Reason.none] += admitted;
    this.messagesByReason[Reason.allowance] += blocked;
    const series = this.allowanceSeries;
    if (series !== null && this.bucket >= 0 && series[this.bucket] < bucketPeak) series[this.bucket] = bucketPeak;
    clock[NOW] = at;
    return p;
  }

  /**
   * Why the sender's own throttles refuse message `e` (actor_minute, actor_hour), or Reason.none.
   * Given the event rather than its time, down to the throttles: a time passed to a call that is
   * not inlined is a new heap number each time.
   */
  private senderRefusal(e: number): number {
    const which = this.userThrottles.checkAt(this.subject[e], this.time, e);
    if (which === THROTTLE_PASSES) return Reason.none;
    return which === THROTTLE_MINUTE ? Reason.actor_minute : Reason.actor_hour;
  }

  /** A fair-use run arriving at `t`, at position `pos` of the processing order. */
  private run1(e: number, pos: number): void {
    // read here, not passed: see `clock`
    const t = this.clock[NOW];
    const g = this.triggerOf(this.subject[e]);
    this.entity[e] = g;
    const tallies = this.tallies;
    if (this.countArrivals) tallies?.arrive(g, t);
    // written over when the run is admitted
    this.admittedAt[e] = Number.NaN;
    const queues = this.queues;
    if (queues.size(g) > 0) {
      // Each trigger is first-in first-out: a newcomer waits behind its trigger's queue.
      const r = this.queuedArrivalReason(g);
      const why = r !== Reason.none ? r : this.queues.headReason(g);
      this.reason[e] = why;
      this.outcome[e] = PENDING;
      this.enqueue(g, pos, why);
      return;
    }
    if (this.trigTakesUnits[g]) {
      const r = this.attemptTakingUnits(g, e);
      if (r !== Reason.none) {
        this.reason[e] = r;
        this.outcome[e] = Outcome.dropped;
      }
      tallies?.decide(g, r === Reason.none ? ADMITTED : Outcome.dropped, r);
      return;
    }
    const r = this.checkTrigger(g);
    if (r === Reason.none) {
      this.admitTrigger(g, e);
      tallies?.decide(g, ADMITTED, Reason.none);
      return;
    }
    this.reason[e] = r;
    if (!this.trigQueues[g]) {
      const o = this.trigScheduled[g] ? Outcome.skipped : Outcome.dropped;
      this.outcome[e] = o;
      tallies?.decide(g, o, r);
    } else {
      this.outcome[e] = PENDING;
      this.enqueue(g, pos, r);
      this.park(g, r);
    }
  }

  /** simulate.ts's pass without wait deadlines (none here), then the result. */
  run(options: AllowancePartOptions): SimulationResult {
    const { n } = this;
    const { onProgress, signal } = options;
    this.begin();
    while (this.step()) {
      if (signal?.aborted) throw new CancelledError();
      onProgress?.(this.pos, n);
    }
    return this.finish(options);
  }

  /** `run`, awaiting `pause()` between its steps. */
  async runInSteps(options: AllowancePartOptions, pause: () => Promise<void>): Promise<SimulationResult> {
    const { n } = this;
    const { onProgress, signal } = options;
    this.begin();
    for (;;) {
      if (signal?.aborted) throw new CancelledError();
      if (!this.step()) break;
      onProgress?.(this.pos, n);
      await pause();
    }
    return this.finish(options);
  }

  private begin(): void {
    // the next wake-up only moves when a heap or a line changes, or once it is reached
    this.nextWake();
    this.heapsAt = this.heapChanges;
  }

  /** The pass up to the next multiple of PROGRESS_EVERY events: false once it is over. */
  private step(): boolean {
    return this.advance(Math.min(this.n, (this.pos | (PROGRESS_EVERY - 1)) + 1));
  }

  /**
   * The pass from `this.pos` on, until position `end` is reached at an instant's end (true) or no
   * event and no waiting run is left before the horizon (false). In steps, not one loop over every
   * event: a method called once per pass is only ever compiled on the stack of a running loop
   * (on-stack replacement), and entered each pass in slower code until that happens again; one
   * called a dozen times a pass is compiled whole and entered compiled.
   */
  private advance(end: number): boolean {
    const { n, time, type, order, horizon, clock } = this;
    let pos = this.pos;
    let heapsAt = this.heapsAt;
    for (;;) {
      if (heapsAt !== this.heapChanges) {
        this.nextWake();
        heapsAt = this.heapChanges;
      }
      if (pos >= end && pos < n) {
        this.pos = pos;
        this.heapsAt = heapsAt;
        return true;
      }
      const wake = clock[WAKE];
      const nextEvent = pos < n ? time[order === null ? pos : order[pos]] : Number.POSITIVE_INFINITY;
      let t = wake < nextEvent ? wake : nextEvent;
      if (t === Number.POSITIVE_INFINITY || (pos >= n && t > horizon)) break;
      if (t >= this.nextBucketAt) this.advanceTimeline(t);
      clock[NOW] = t;
      if (t >= wake || this.readyHeap.size > 0) {
        this.release();
        this.nextWake();
        heapsAt = this.heapChanges;
      }
      // Later events before the next wake-up and chart bucket are taken in the same run, until
      // one of them makes a run wait, or the step's end is passed.
      let runUntil = clock[WAKE] < this.nextBucketAt ? clock[WAKE] : this.nextBucketAt;
      while (pos < n) {
        const e = order === null ? pos : order[pos];
        const te = time[e];
        if (te !== t) {
          if (te >= runUntil || heapsAt !== this.heapChanges || pos >= end) break;
          t = te;
          clock[NOW] = t;
        }
        const ty = type[e];
        if (ty === MESSAGE) {
          // Up to the step's end at most. A run queued at this instant may have moved the next
          // wake-up, and past the step's end the instant ends it: then no later instant.
          clock[UNTIL] = heapsAt !== this.heapChanges || pos >= end ? Number.NEGATIVE_INFINITY : runUntil;
          // it may release runs and find the next wake-up itself: where it last found it
          this.heapsAt = heapsAt;
          pos = this.messages(pos, end > pos ? end : n);
          heapsAt = this.heapsAt;
          runUntil = clock[WAKE] < this.nextBucketAt ? clock[WAKE] : this.nextBucketAt;
          t = clock[NOW];
        } else if (ty === TRIGGER) {
          this.run1(e, pos);
          pos++;
        } else {
          throw new Error('an API request in the allowance part');
        }
      }
    }
    this.pos = pos;
    return false;
  }

  /** The result, once the pass is over. */
  private finish(options: AllowancePartOptions): SimulationResult {
    const { n, horizon } = this;
    const { onProgress } = options;
    // Runs still waiting at the horizon stay pending: with no wait limit none was dropped.
    if (this.timeline !== null) this.advanceTimeline(horizon);
    this.writeReleases();
    onProgress?.(n, n);
    // the runs still waiting are pending for good
    const tallies = this.tallies;
    if (tallies !== null) {
      const queues = this.queues;
      for (let g = 0; g < this.triggerStats.length; g++) {
        for (let k = 0; k < queues.size(g); k++) tallies.decide(g, PENDING, queues.reasonAt(g, k));
      }
    }
    this.triggerStats.forEach((stats, g) => {
      stats.peakQueue = this.queues.peakOf(g);
    });
    // the result keeps no queue
    this.queues.handBack();
    this.triggerLimits.handBack();

    const { allowance, pool, workspaceMinute } = this;
    const held = new HeldArrays({ outcome: this.outcome, admittedAt: this.admittedAt, reason: this.reason, entity: this.entity, queueLog: this.queueLog });
    const result = reusableResult({
      count: n,
      plan: this.plan,
      horizon: asEpochMs(horizon),
      keyStats: [],
      triggerStats: this.triggerStats,
      allowancePeak: allowance.peak,
      poolPeak: pool.peak,
      spendLimitPeakMicros: [],
      checked: {
        allowance: allowance.checked,
        pool: pool.checked,
        spendLimits: [],
        keys: [],
        ...(this.workspaceThrottled ? { workspaceMinute: workspaceMinute.checked } : {}),
      },
      peakQueue: this.peakQueue,
      timeline: this.timeline,
      messagesByReason: this.messagesByReason,
    }, held);
    if (tallies !== null && options.tally !== undefined) keepPassTallies(result, tallies.finish(this.plan.triggers.length, this.messagesByReason, options.tally.span));
    return result;
  }
}
