import { EventType, type EventColumns } from './events.ts';
import { Outcome } from './result.ts';

/**
 * The count of waiting webhook runs over a simulation, as a log of (instant, count after the
 * change). Parts of the events simulated apart each keep one; adding the logs gives the count
 * the whole would have had, since within one instant every part first releases runs and then
 * queues new arrivals: the count at the end of an instant is also its highest but for the start.
 */
export interface QueueLevels {
  readonly count: number;
  readonly time: Float64Array;
  readonly level: Float64Array;
}

export class QueueLog implements QueueLevels {
  count = 0;
  time: Float64Array;
  level: Float64Array;

  /**
   * `capacity`: the changes expected, when known (each doubling copies the log). `from`: a log
   * nothing reads any more, whose buffers this one writes over (a new object all the same: sums
   * of logs are remembered by the logs they added).
   */
  constructor(capacity = 1024, from?: QueueLog) {
    if (from !== undefined && from.time.length >= capacity) {
      this.time = from.time;
      this.level = from.level;
      from.time = new Float64Array(0);
      from.level = new Float64Array(0);
      from.count = 0;
      return;
    }
    this.time = new Float64Array(Math.max(16, capacity));
    this.level = new Float64Array(Math.max(16, capacity));
  }

  push(t: number, level: number): void {
    if (this.count === this.time.length) {
      const time = new Float64Array(this.count * 2);
      const levels = new Float64Array(this.count * 2);
      time.set(this.time);
      levels.set(this.level);
      this.time = time;
      this.level = levels;
    }
    this.time[this.count] = t;
    this.level[this.count] = level;
    this.count++;
  }
}

export interface BucketGrid {
  start: number;
  bucketMs: number;
  buckets: number;
}

/**
 * The runs waiting in two parts together: the peak, and per bucket the count when it opens or
 * its highest within it, which is what the engine charts for the whole.
 */
export function addQueueLogs(a: QueueLevels, b: QueueLevels, grid: BucketGrid | null): { peak: number; series: Float64Array | null } {
  const series = grid === null ? null : new Float64Array(grid.buckets);
  const start = grid?.start ?? 0;
  const bucketMs = grid?.bucketMs ?? 1;
  const last = (grid?.buckets ?? 1) - 1;
  const at = a.time;
  const bt = b.time;
  let i = 0;
  let j = 0;
  let levelA = 0;
  let levelB = 0;
  let total = 0;
  let peak = 0;
  let opened = -1; // the last bucket whose opening count is set
  while (i < a.count || j < b.count) {
    const t = j >= b.count || (i < a.count && at[i] <= bt[j]) ? at[i] : bt[j];
    // the count at the end of instant t in each part
    while (i < a.count && at[i] === t) levelA = a.level[i++];
    while (j < b.count && bt[j] === t) levelB = b.level[j++];
    const before = total;
    total = levelA + levelB;
    if (total > peak) peak = total;
    if (series !== null) {
      const k = Math.min(Math.floor((t - start) / bucketMs), last);
      while (opened < k) series[++opened] = before;
      if (total > series[k]) series[k] = total;
    }
  }
  if (series !== null) while (opened < series.length - 1) series[++opened] = total;
  return { peak, series };
}

/**
 * The count of waiting runs at the end of each instant, read back from a pass's decisions over
 * `events` (in processing order `order`): a run that waited past the instant it arrived (admitted
 * later, or pending at the end) counts from its arrival to its admission. A run queued and
 * released within one instant is left out, as `addQueueLogs` leaves it: it reads a log only at
 * each instant's end. For a pass that kept no log (the allowance part's: most edits never need
 * it, and logging each change cost a seats edit 5 ms of its pass), when another part's waiting
 * runs must be added to its own.
 */
export function levelsFromDecisions(events: EventColumns, order: Uint32Array | null, outcome: Uint8Array, admittedAt: Float64Array): QueueLevels {
  const { time, type, count } = events;
  const arrivals: number[] = [];
  const admissions: number[] = [];
  for (let p = 0; p < count; p++) {
    const e = order === null ? p : order[p];
    if (type[e] !== EventType.trigger) continue;
    const o = outcome[e];
    if (o === Outcome.pending) {
      arrivals.push(time[e]);
    } else if (o === Outcome.admitted && admittedAt[e] > time[e]) {
      arrivals.push(time[e]);
      admissions.push(admittedAt[e]);
    }
  }
  const left = Float64Array.from(admissions).sort();
  const log = new QueueLog(arrivals.length + left.length);
  let i = 0;
  let j = 0;
  let level = 0;
  // arrivals come in processing order, which is time order
  while (i < arrivals.length || j < left.length) {
    const t = j >= left.length || (i < arrivals.length && arrivals[i] <= left[j]) ? arrivals[i] : left[j];
    while (i < arrivals.length && arrivals[i] === t) {
      level++;
      i++;
    }
    while (j < left.length && left[j] === t) {
      level--;
      j++;
    }
    log.push(t, level);
  }
  return log;
}
