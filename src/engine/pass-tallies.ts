import { placeDelaysByTrigger } from './delays-by-trigger.ts';
import { EventType } from './events.ts';
import { keyTallies, type DayFrame, type ReportTallies, type TriggerTallies } from './report-tallies.ts';
import { Outcome, type SimulationResult } from './result.ts';
import { DAY } from './units.ts';

const ADMITTED = Outcome.admitted;
/** the delays of a trigger none of whose runs waited */
const noDelays = new Float64Array(0);

/**
 * The delays logged by the last pass on this thread, for the next to write over: one log of every
 * run admitted after waiting (tens of thousands a seats edit) instead of a growing array per
 * trigger, each grown by copying.
 */
let spareLog: { delay: Float64Array; trigger: Int32Array } | null = null;

/**
 * Which events a pass's arrivals were counted over: the part's columns (by identity), their
 * processing order, and the plan's triggers in order (a run's trigger index, inferred ones after).
 */
export interface ArrivalsSource {
  events: object;
  order: Uint32Array | null;
  count: number;
  triggerIds: string;
}

/**
 * Arrivals per trigger and per trigger and day, as a pass over `ArrivalsSource` counted them: no
 * limit changes when or where a run arrives, so every seats edit of one part counted the same
 * tables again, one increment in a trigger × day table per run (a cache miss each, a tenth of the
 * pass). The next pass over the same events copies them instead.
 */
interface KnownArrivals {
  order: Uint32Array | null;
  count: number;
  key: string;
  triggers: number;
  arrivals: Float64Array;
  daily: Float64Array;
}
const knownArrivals = new WeakMap<object, KnownArrivals[]>();
const arrivalsKey = (source: ArrivalsSource, frame: DayFrame): string => `${frame.day0}:${frame.days}:${source.triggerIds}`;

function findArrivals(source: ArrivalsSource, frame: DayFrame): KnownArrivals | undefined {
  const key = arrivalsKey(source, frame);
  return knownArrivals.get(source.events)?.find((k) => k.order === source.order && k.count === source.count && k.key === key);
}

/**
 * The allowance part's tallies (src/engine/report-tallies.ts `tally`), counted by its pass as it
 * decides each run instead of read back from the decisions afterwards: one run in six of the part,
 * so reading them back reached a new cache line per run and array (a seats edit's second largest
 * cost after the pass). Counts the same things as `tally` does for a part of messages and fair-use
 * runs; the messages come from the pass's count by reason.
 */
export class RunTallies {
  private readonly day0: number;
  private readonly days: number;
  private readonly reasons: number;
  private readonly frame: DayFrame;
  private cap = 0;
  private arrivals: Float64Array = new Float64Array(0);
  private outcomes: Float64Array = new Float64Array(0);
  private delayed: Float64Array = new Float64Array(0);
  private maxDelay: Float64Array = new Float64Array(0);
  private limitedBy: Float64Array = new Float64Array(0);
  private daily: Float64Array = new Float64Array(0);
  /** each run admitted after waiting: its trigger and its delay, in the order decided */
  private logDelay: Float64Array;
  private logTrigger: Int32Array;
  private logged = 0;
  /** the pass's instants (allowance-pass.ts `clock`): `decideWaited` reads the delay at `delayAt` */
  private readonly clock: Float64Array;
  private readonly delayAt: number;
  /** the runs by outcome */
  private readonly byOutcome = new Float64Array(5);
  private delayedTotal = 0;
  /** whether the arrivals were known before the pass (copied in): `arrive` is then not called */
  readonly arrivalsKnown: boolean;
  private readonly arrivalsSource: ArrivalsSource | null;

  /**
   * `reasons`: the width of the `× reason` tables (REASON_SPEND_LIMIT_BASE: the part has no spend
   * limits). `clock[delayAt]`: where the pass puts a waited run's delay before `decideWaited`.
   */
  constructor(frame: DayFrame, reasons: number, triggers: number, clock: Float64Array, delayAt: number, source: ArrivalsSource | null = null) {
    this.clock = clock;
    this.delayAt = delayAt;
    const log = spareLog ?? { delay: new Float64Array(1024), trigger: new Int32Array(1024) };
    spareLog = null;
    this.logDelay = log.delay;
    this.logTrigger = log.trigger;
    this.frame = frame;
    this.day0 = frame.day0;
    this.days = frame.days;
    this.reasons = reasons;
    const known = source === null ? undefined : findArrivals(source, frame);
    this.grow(Math.max(16, triggers, known?.triggers ?? 0));
    if (known !== undefined) {
      this.arrivals.set(known.arrivals);
      this.daily.set(known.daily);
    }
    this.arrivalsKnown = known !== undefined;
    this.arrivalsSource = source;
  }

  /** Trigger `g`'s run arriving at `t`. */
  arrive(g: number, t: number): void {
    if (g >= this.cap) this.grow(Math.max(2 * this.cap, g + 1));
    this.arrivals[g]++;
    this.daily[g * this.days + Math.floor(t / DAY) - this.day0]++;
  }

  /** Trigger `g`'s run decided for good, on arrival or pending at the end: outcome `o`, reason `r`. */
  decide(g: number, o: number, r: number): void {
    this.byOutcome[o]++;
    this.outcomes[g * 5 + o]++;
    if (r !== 0) this.limitedBy[g * this.reasons + r]++;
    if (o === ADMITTED && this.maxDelay[g] < 0) this.maxDelay[g] = 0;
  }

  /**
   * Trigger `g`'s run admitted after waiting (`clock[delayAt]` ms, 0 when released at the instant
   * it arrived), refused for reason `r` when it arrived.
   */
  decideWaited(g: number, r: number): void {
    const delay = this.clock[this.delayAt];
    this.byOutcome[ADMITTED]++;
    this.outcomes[g * 5 + ADMITTED]++;
    if (r !== 0) this.limitedBy[g * this.reasons + r]++;
    if (delay > 0) {
      this.delayedTotal++;
      this.delayed[g]++;
      if (this.logged === this.logDelay.length) this.growLog();
      this.logDelay[this.logged] = delay;
      this.logTrigger[this.logged] = g;
      this.logged++;
      if (delay > this.maxDelay[g]) this.maxDelay[g] = delay;
    } else if (this.maxDelay[g] < 0) {
      this.maxDelay[g] = 0;
    }
  }

  private growLog(): void {
    const delay = new Float64Array(this.logDelay.length * 2);
    delay.set(this.logDelay);
    const trigger = new Int32Array(delay.length);
    trigger.set(this.logTrigger);
    this.logDelay = delay;
    this.logTrigger = trigger;
  }

  private grow(cap: number): void {
    const { days, reasons } = this;
    const more = (a: Float64Array, width: number): Float64Array => {
      const next = new Float64Array(cap * width);
      next.set(a);
      return next;
    };
    this.arrivals = more(this.arrivals, 1);
    this.outcomes = more(this.outcomes, 5);
    this.delayed = more(this.delayed, 1);
    const maxDelay = new Float64Array(cap).fill(-1);
    maxDelay.set(this.maxDelay);
    this.maxDelay = maxDelay;
    this.limitedBy = more(this.limitedBy, reasons);
    this.daily = more(this.daily, days);
    this.cap = cap;
  }

  /** The tallies of `triggers` triggers (the plan's and those inferred), with the messages counted by reason. */
  finish(triggers: number, messagesByReason: Float64Array, span: { first: number; last: number }): ReportTallies {
    const { days, reasons } = this;
    if (triggers > this.cap) this.grow(triggers);
    // this pass's own tables, not copies: nothing counts into them any more
    const t: TriggerTallies = {
      count: triggers,
      arrivals: this.arrivals.subarray(0, triggers),
      outcomes: this.outcomes.subarray(0, triggers * 5),
      delayed: this.delayed.subarray(0, triggers),
      maxDelay: this.maxDelay.subarray(0, triggers),
      limitedBy: this.limitedBy.subarray(0, triggers * reasons),
      // the part's fair-use runs cost nothing here
      admittedMicros: new Float64Array(triggers),
      delays: Array.from({ length: triggers }, () => noDelays),
      daily: this.daily.subarray(0, triggers * days),
    };
    // each trigger's delays, ascending: the log's, placed by trigger into one array
    const all = new Float64Array(this.logged);
    const next = new Int32Array(triggers);
    for (let g = 0, at = 0; g < triggers; g++) {
      next[g] = at;
      at += this.delayed[g];
    }
    placeDelaysByTrigger(this.logDelay, this.logTrigger, this.logged, all, next);
    for (let g = 0, at = 0; g < triggers; g++) {
      const d = this.delayed[g];
      if (d > 0) t.delays[g] = all.subarray(at, at + d);
      at += d;
    }
    // the log's buffers to the next pass
    spareLog = { delay: this.logDelay, trigger: this.logTrigger };
    this.logged = 0;
    const source = this.arrivalsSource;
    if (source !== null && !this.arrivalsKnown) {
      let list = knownArrivals.get(source.events);
      if (list === undefined) {
        list = [];
        knownArrivals.set(source.events, list);
      }
      // a part's runs meet a few trigger lists at most (a mode edit makes a new part): a short list
      if (list.length >= 4) list.shift();
      list.push({ order: source.order, count: source.count, key: arrivalsKey(source, this.frame), triggers, arrivals: t.arrivals.slice(), daily: t.daily.slice() });
    }

    const outcomes = new Float64Array(5);
    const byType = new Float64Array(3);
    const messageBlockedBy = new Float64Array(reasons);
    let blockedMessages = 0;
    for (let r = 0; r < messagesByReason.length; r++) {
      const c = messagesByReason[r];
      if (c === 0) continue;
      if (r === 0) {
        outcomes[ADMITTED] += c;
      } else {
        outcomes[Outcome.blocked] += c;
        blockedMessages += c;
        messageBlockedBy[r] += c;
      }
      byType[EventType.message] += c;
    }
    for (let o = 0; o < 5; o++) {
      outcomes[o] += this.byOutcome[o];
      byType[EventType.trigger] += this.byOutcome[o];
    }
    return {
      frame: this.frame,
      reasons,
      minTime: span.first,
      maxTime: span.last,
      outcomes,
      byType,
      delayedTotal: this.delayedTotal,
      blockedMessages,
      messageBlockedBy,
      limitBlocked: new Float64Array(0),
      limitDelayed: new Float64Array(0),
      keys: keyTallies(0, reasons, days),
      triggers: t,
    };
  }
}

/** Tallies a pass counted for its result (kept here, not in the result, which stays plain data). */
const counted = new WeakMap<SimulationResult, ReportTallies>();

export function passTallies(result: SimulationResult): ReportTallies | undefined {
  return counted.get(result);
}

export function keepPassTallies(result: SimulationResult, tallies: ReportTallies): void {
  counted.set(result, tallies);
}
