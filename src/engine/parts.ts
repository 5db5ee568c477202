import { CancelledError } from '../errors.ts';
import type { EventColumns } from './events.ts';
import { EventType } from './events.ts';
import type { Plan, PlanTrigger, TriggerMode } from './plan.ts';
import { canonicalMode, resolvePlan, UNLIMITED } from './plan-rules.ts';
import { addQueueLogs, levelsFromDecisions, QueueLog } from './queue-log.ts';
import type { SimulationResult, Timeline } from './result.ts';
import { addTallies, dayFrameBetween, provideTallies, retallyKey, tally, type DayFrame, type ReportTallies } from './report-tallies.ts';
import { patchKeyCap } from './isolated-cap.ts';
import { patchedTallies, patchSpendRuns } from './spend-runs.ts';
import type { PartOptions, RemotePart } from './part-thread.ts';
import { DEFAULT_HORIZON_MS, processingOrder, simulate, type SimulateOptions } from './simulate.ts';
import { simulateAllowancePart, simulateAllowancePartInSteps } from './allowance-pass.ts';
import { arraysOf, type PassArrays } from './pass-arrays.ts';
import { passTallies } from './pass-tallies.ts';

/**
 * The events fall into two parts that share no limit:
 * - spend: API requests and programmatic trigger runs, checked against key caps, spend limits,
 *   the programmatic triggers' own limits and the per-key throttles;
 * - allowance: people's messages and fair-use trigger runs, checked against trigger limits, the
 *   pool, the allowance and the per-user and workspace throttles (people's messages only).
 * Both profiles keep them apart: under the platform's (SPEC section 9) the units a refused run
 * takes are pool and trigger units of a fair-use run, a schedule checks only its own part's
 * limits, and no throttle counts events of the other part.
 * Simulated apart and joined, they give the whole's result exactly, and a plan change only needs
 * the part it touches again: seats leave every key's cap check as it was, a cap leaves the
 * allowance. The one case they do not cover is a queue wait limit: then a run behind a dropped
 * one is tried at the next instant of all the events, so the whole is simulated.
 * Within the spend part, one key's cap edited usually changes that key's decisions only: then only
 * its requests are simulated again (src/engine/isolated-cap.ts says when, and patches the result).
 */
type PartName = 'spend' | 'allowance';
const PART_NAMES = ['spend', 'allowance'] as const;

interface Part {
  /** in shared memory, so that another thread can simulate them without a copy */
  events: EventColumns;
  /** position in the whole of each of the part's events */
  positions: Uint32Array;
  /** the events' processing order (`processingOrder`), found once per split */
  order: Uint32Array | null;
  /** positions of the events that are not people's messages, found on the first tally */
  nonMessages: Uint32Array | null;
}

interface Split {
  /** the programmatic trigger ids the events were split by */
  key: string;
  /** per subject of the events, 1 when it is one of those triggers: its runs are in the spend part */
  programmatic: Uint8Array;
  spend: Part;
  allowance: Part;
  /** the memory both parts are views of, which a later split may write over once nothing reads this one */
  columns: SplitColumns;
  /**
   * Who may still read the parts' events: joined results made from them that were not given back
   * (`recycle`), and a run under way (its other part on the part thread).
   */
  readers: number;
  /** set once a later split took over `columns`: a joined result given back then throws when read */
  superseded: boolean;
}

/** A write to every page of each array: a fresh page is faulted in on its first touch, so this is when it costs. */
function touchEveryPage(...arrays: (Float64Array | Uint32Array | Uint8Array | Int32Array | Uint16Array)[]): void {
  for (const a of arrays) a.fill(0);
}

/** Faults in every page of arrays that hold data: one value a page, read and written back. */
function touchKeeping(...arrays: (Float64Array | Uint8Array | Int32Array)[]): void {
  for (const a of arrays) {
    const step = Math.max(1, 4096 / a.BYTES_PER_ELEMENT);
    for (let i = 0; i < a.length; i += step) a[i] = a[i]!;
  }
}

function readable(split: Split): Split {
  if (split.superseded) throw new Error('a superseded part result was read after a later split took over its events');
  return split;
}

/**
 * A split's columns: the spend part's events, then the allowance part's, side by side, each part a
 * view of its stretch. Its first touch costs more than the copy into it (25 bytes an event faulted
 * in, 80 ms at 1M events on a busy two-core machine), so a split's memory is touched ahead of the
 * first edit that needs it (`prepareSplitMemory`) and later taken over from a split no longer kept.
 */
interface SplitColumns {
  time: Float64Array;
  type: Uint8Array;
  subject: Uint32Array;
  cost: Float64Array;
  /** not shared: only the simulator's thread reads where its events came from */
  positions: Uint32Array;
}

function splitColumns(count: number): SplitColumns {
  return {
    time: new Float64Array(new SharedArrayBuffer(count * 8)),
    type: new Uint8Array(new SharedArrayBuffer(count)),
    subject: new Uint32Array(new SharedArrayBuffer(count * 4)),
    cost: new Float64Array(new SharedArrayBuffer(count * 8)),
    positions: new Uint32Array(count),
  };
}

/** The results kept per part: a change back and forth finds both. */
const KEEP = 2;
/**
 * Beside them, the allowance results simulated ahead (`simulateAllowanceAhead`: the seats one step
 * up and down from an edit's), until an edit asks for one or a later step pushes it out.
 */
const KEEP_AHEAD = 2;

/**
 * What a part's result depends on: its plan with the limits' values left out (`shape`), and
 * those values (`limits`, resolved). A result whose limits differ is still the answer where
 * every limit that differs never refused a check and stays at or above its peak.
 */
interface PartInput {
  plan: Plan;
  shape: string;
  limits: number[];
  /** the spend part's shape without its triggers: a kept result equal in it and in `limits` differs in its runs alone */
  keysShape: string;
}

/** A run's parts: what each is, which kept results answer it, which must be simulated. */
interface Step {
  plan: Plan;
  split: Split;
  inputs: Record<PartName, PartInput>;
  found: Partial<Record<PartName, SimulationResult>>;
  missing: PartName[];
  horizon: number;
  /** events to simulate */
  total: number;
}

export interface PartsOptions extends SimulateOptions {
  /**
   * An earlier result of this simulator that the caller is done with: its per-event arrays are
   * written over for the new one instead of allocating (and first touching) 14 bytes an event
   * again. Once the run it is given to has finished, the caller must not read it again: a later
   * run may then write over the part results it was joined from, or the split of the events they
   * were made over, and reading it throws. A run that fails or is cancelled leaves it as it was.
   */
  recycle?: SimulationResult;
}

interface Kept {
  /** simulated ahead of an edit (`simulateAllowanceAhead`), not yet asked for */
  ahead?: boolean;
  shape: string;
  limits: number[];
  keysShape: string;
  /** the key of the split whose part the result is over */
  split: string;
  result: SimulationResult;
}

/**
 * Simulates plans over one set of events, keeping each part's last results so that the next
 * plan re-simulates only the parts whose inputs changed.
 */
export class PartsSimulator {
  private readonly events: EventColumns;
  private readonly firstTime: number;
  private readonly lastTime: number;
  /**
   * The last splits, newest first: a trigger's mode switched back and forth finds both, and its
   * kept results then answer without copying the events apart again.
   */
  private readonly splits: Split[] = [];
  private readonly kept: Record<PartName, Kept[]> = { spend: [], allowance: [] };
  /** what the last run simulated: the parts whose results it could not reuse, or the whole */
  lastSimulated: (PartName | 'whole')[] = [];
  /** threads the last run simulated on: 0 when kept results answered it */
  lastThreads = 0;
  /** whether the last run found its split of the events kept (false: it copied the events apart) */
  lastSplitKept = false;
  /**
   * Where a new split's memory came from (null when the split was kept): touched ahead
   * (`prepareSplitMemory`), taken over from the oldest split, or fresh (faulted in as it was copied).
   */
  lastSplitMemory: 'ahead' | 'taken over' | 'fresh' | null = null;
  /**
   * For a new split: the trigger runs it moved between the parts of a kept split, the rest copied
   * over in blocks; null when it was copied apart by a pass over every event (or was kept).
   */
  lastSplitMoved: number | null = null;
  /** the key whose requests alone the last run simulated for a cap edit (src/engine/isolated-cap.ts), else null */
  lastIsolatedKey: string | null = null;
  /** whether the last run simulated only the spend part's trigger runs, its requests kept (src/engine/spend-runs.ts) */
  lastRunsOnly = false;
  /**
   * Who may still read a part result: per part result, the joined results made from it that were
   * not given back (`recycle`). A part result no longer kept and read by none of them lends its
   * arrays to the next pass of its part (src/engine/pass-arrays.ts).
   */
  private readonly readers = new WeakMap<SimulationResult, number>();
  private readonly joinedFrom = new WeakMap<SimulationResult, { parts: readonly SimulationResult[]; split: Split }>();
  /** an allowance part result nothing reads any more, whose arrays the next allowance pass takes */
  private spare: SimulationResult | null = null;
  /** memory touched ahead for the next split (`prepareSplitMemory`) */
  private spareColumns: SplitColumns | null = null;
  /** per-event arrays touched ahead for an allowance pass (`preparePassArrays`), room for every event */
  private aheadArrays: PassArrays | null = null;
  /** whether the last run's allowance pass wrote over the arrays of a result nothing read any more */
  lastArraysReused = false;
  /**
   * Where the last allowance pass's per-event arrays came from: a result nothing read any more
   * (`reused`), touched ahead (`preparePassArrays`), or fresh; null when there was no such pass.
   */
  lastPassArrays: 'reused' | 'ahead' | 'fresh' | null = null;
  /**
   * Where the last run's time went on this thread, ms (for the benches' notes): `prepare` (the
   * split and the kept results looked up), each part simulated or patched here, `wait` (for the
   * other thread's part) and `join`.
   */
  lastStages: Partial<Record<'prepare' | PartName | 'wait' | 'join', number>> = {};

  /** whether the events are in time order: then so is every part, and no part needs a processing order */
  private readonly sorted: boolean;

  constructor(events: EventColumns) {
    this.events = events;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    let sorted = true;
    for (let i = 0; i < events.count; i++) {
      const t = events.time[i];
      if (t < last) sorted = false;
      if (t < first) first = t;
      if (t > last) last = t;
    }
    this.firstTime = first;
    this.lastTime = last;
    this.sorted = sorted;
  }

  /** The result for `plan`, simulating on this thread what the kept results cannot answer. */
  run(plan: Plan, options: PartsOptions = {}): SimulationResult {
    const step = this.timed('prepare', () => this.prepare(plan, options));
    return step === null ? simulate(plan, this.events, options) : this.runHere(step, options);
  }

  private runHere(step: Step, options: PartsOptions): SimulationResult {
    let done = 0;
    for (const name of step.missing) {
      this.timed(name, () => this.simulatePart(step, name, options, (d) => options.onProgress?.(done + d, step.total)));
      done += step.split[name].events.count;
    }
    return this.timed('join', () => this.finish(step, options));
  }

  /** `work`'s time added to the last run's stage `name` (a run's first stage starts them afresh). */
  private timed<T>(name: keyof PartsSimulator['lastStages'], work: () => T): T {
    if (name === 'prepare') this.lastStages = {};
    const started = performance.now();
    try {
      return work();
    } finally {
      this.lastStages[name] = (this.lastStages[name] ?? 0) + performance.now() - started;
    }
  }

  /**
   * As `run`, but when both parts must be simulated the smaller one runs through `remote` (another
   * thread) while the larger runs here.
   */
  async runAsync(plan: Plan, options: PartsOptions, remote: RemotePart | null): Promise<SimulationResult> {
    const step = this.timed('prepare', () => this.prepare(plan, options));
    if (step === null) return simulate(plan, this.events, options);
    // a spend part patched from a kept one costs a few ms here: only the other part is left
    if (step.missing.length === 2 && this.timed('spend', () => this.patchSpend(step, options))) step.missing = ['allowance'];
    if (remote === null || step.missing.length < 2) return this.runHere(step, options);
    const { split, inputs } = step;
    const [near, far] = split.spend.events.count > split.allowance.events.count ? (['spend', 'allowance'] as const) : (['allowance', 'spend'] as const);
    this.lastThreads = 2;
    // its tallies counted there too, on the whole's days (as `partTallies` would count them here)
    const tally = { frame: dayFrameBetween(this.firstTime, this.lastTime), span: { first: this.firstTime, last: this.lastTime } };
    const away = remote(split[far].events, inputs[far].plan, { ...this.partOptions(far, step, options), tally });
    // the other thread reads the split's memory until its pass settles, even when this run throws
    split.readers++;
    away.then(
      () => split.readers--,
      () => split.readers--,
    );
    const nearCount = split[near].events.count;
    this.timed(near, () => this.simulatePart(step, near, options, (d) => options.onProgress?.(Math.round((d / nearCount) * step.total), step.total)));
    let farResult: SimulationResult | null = null;
    const waiting = performance.now();
    try {
      farResult = await away;
      this.lastStages.wait = performance.now() - waiting;
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      // the thread failed: this one still has the answer
    }
    if (farResult === null) {
      this.lastThreads = 1;
      this.simulatePart(step, far, options, () => {});
    } else {
      const counted = passTallies(farResult);
      if (counted !== undefined) tallied.set(farResult, counted);
      this.keep(far, inputs[far], split, farResult);
      step.found[far] = farResult;
    }
    return this.timed('join', () => this.finish(step, options));
  }

  /**
   * Simulates on this thread, awaiting `pause()` between steps of its pass, the allowance part
   * that `plan` needs, and keeps it, when that part is all `plan` would simulate again over a split
   * already made: an edit to `plan` then finds it done, or under way and joins it. For the seats
   * next to an edit's (an admin stepping through seat counts: each step re-simulates the whole
   * allowance part, 85 % of the events of a workspace whose triggers run on fair use).
   *
   * Here rather than on the part thread: an admin who steps on as soon as the figures show meets
   * the pass a few dozen ms in, and joined there it ended later than a pass of its own here would
   * (on this thread the pass's code is warm and its arrays are written over, not allocated; there
   * it ran 107–208 ms against 97–128). `stillWanted` is asked once it is done: false when the
   * thread has moved on, and the result is then dropped. Settles with whether a result was kept;
   * rejects with CancelledError once `options.signal` aborts.
   */
  async simulateAllowanceAhead(plan: Plan, options: SimulateOptions, pause: () => Promise<void>, stillWanted: () => boolean): Promise<boolean> {
    const at = this.runOf(plan, options);
    if (at === null) return false;
    const { horizon, run } = at;
    // a split already made only: copying the events apart is an edit's own work, not ahead of one
    const key = splitKeyOf(plan.triggers);
    const split = this.splits.find((s) => s.key === key && !s.superseded);
    if (split === undefined || split.spend.events.count === 0 || split.allowance.events.count === 0) return false;
    const spend = spendInput(plan, run);
    const allowance = allowanceInput(plan, run);
    if (!this.kept.spend.some((k) => reusable('spend', k, spend)) || this.kept.allowance.some((k) => reusable('allowance', k, allowance))) return false;
    const step: Step = { plan, split, inputs: { spend, allowance }, found: {}, missing: ['allowance'], horizon, total: split.allowance.events.count };
    const tally = { frame: dayFrameBetween(this.firstTime, this.lastTime), span: { first: this.firstTime, last: this.lastTime } };
    const n = split.allowance.events.count;
    // the arrays of a result nothing reads, else new ones: never a kept result's (an edit may yet
    // ask for it) nor those touched ahead for the first edit
    const spare = this.spare;
    this.spare = null;
    const reuse = (spare === null ? null : takeArrays(spare, n)) ?? roomyArrays(this.events.count, n);
    // a split whose memory another takes over must not be read: this pass reads it until it settles
    split.readers++;
    let result: SimulationResult;
    try {
      const partOptions = { ...this.partOptions('allowance', step, options), signal: options.signal, reuse, tally };
      result = await simulateAllowancePartInSteps(allowance.plan, split.allowance.events, partOptions, pause);
    } finally {
      split.readers--;
    }
    if (!stillWanted() || split.superseded || !this.splits.includes(split) || this.kept.allowance.some((k) => reusable('allowance', k, allowance))) return false;
    const counted = passTallies(result);
    if (counted !== undefined) tallied.set(result, counted);
    const kept = this.kept.allowance;
    kept.push({ shape: allowance.shape, limits: allowance.limits, keysShape: allowance.keysShape, split: split.key, result, ahead: true });
    // the oldest step ahead leaves first: one for an edit that came before the last
    for (const d of dropOver(kept, (k) => k.ahead === true, KEEP_AHEAD, true)) this.maySpare(d.result);
    return true;
  }

  /**
   * What identifies the allowance part `plan` needs (its shape and limits), or null when `plan` is
   * simulated whole: two plans with the same key are answered by the same allowance result.
   */
  allowanceKeyOf(plan: Plan, options: SimulateOptions): string | null {
    const at = this.runOf(plan, options);
    if (at === null) return null;
    const input = allowanceInput(plan, at.run);
    return `${input.limits.join(',')}|${input.shape}`;
  }

  /**
   * The run's horizon and what a part's input is keyed on besides its plan (`run`), or null when
   * `plan` is simulated whole (a queue wait limit couples the parts; a horizon inside the history).
   */
  private runOf(plan: Plan, options: SimulateOptions): { horizon: number; run: string } | null {
    if (plan.enforcement.maxQueueWaitHours !== null || (options.until !== undefined && options.until < this.lastTime)) return null;
    const horizon = options.until ?? this.lastTime + DEFAULT_HORIZON_MS;
    return { horizon, run: `${horizon}:${options.timelineBuckets ?? 0}:` };
  }

  /** What `plan` needs: null when the whole must be simulated, else the parts and which to simulate. */
  private prepare(plan: Plan, options: SimulateOptions): Step | null {
    this.lastIsolatedKey = null;
    this.lastRunsOnly = false;
    this.lastArraysReused = false;
    this.lastPassArrays = null;
    const split = plan.enforcement.maxQueueWaitHours === null ? this.splitFor(plan.triggers) : null;
    const at = this.runOf(plan, options);
    if (split === null || at === null) {
      this.lastSimulated = ['whole'];
      this.lastThreads = 1;
      return null;
    }
    const { horizon, run } = at;
    const inputs: Record<PartName, PartInput> = { spend: spendInput(plan, run), allowance: allowanceInput(plan, run) };
    const found: Partial<Record<PartName, SimulationResult>> = {};
    for (const name of PART_NAMES) found[name] = this.reuseKept(name, inputs[name])?.result;
    const missing = PART_NAMES.filter((name) => found[name] === undefined);
    this.lastSimulated = [...missing];
    this.lastThreads = Math.min(missing.length, 1);
    const total = missing.reduce((sum, name) => sum + split[name].events.count, 0);
    return { plan, split, inputs, found, missing, horizon, total };
  }

  private partOptions(name: PartName, step: Step, options: SimulateOptions): PartOptions {
    const part = step.split[name];
    if (name === 'spend') return { until: step.horizon, timelineBuckets: options.timelineBuckets, timelineStart: this.firstTime, logQueue: true, order: part.order, part: name };
    // the allowance part's runs are its events that are not messages, found once per split
    part.nonMessages ??= nonMessagesOf(part.events);
    // no queue log: the join reads it back from the decisions when the spend part's runs waited too (`queuesOf`)
    return { until: step.horizon, timelineBuckets: options.timelineBuckets, timelineStart: this.firstTime, logQueue: false, order: part.order, part: name, runs: part.nonMessages.length };
  }

  private simulatePart(step: Step, name: PartName, options: SimulateOptions, onProgress: (done: number) => void): void {
    const input = step.inputs[name];
    if (name === 'spend' && this.patchSpend(step, options)) return;
    const partOptions = { ...this.partOptions(name, step, options), signal: options.signal, onProgress: options.onProgress && onProgress };
    let result: SimulationResult;
    if (name === 'allowance') {
      const spare = this.spare ?? this.leaving();
      this.spare = null;
      const n = step.split.allowance.events.count;
      const taken = spare === null ? null : takeArrays(spare, n);
      this.lastArraysReused = taken !== null;
      const ahead = taken === null ? this.aheadArrays : null;
      if (ahead !== null) this.aheadArrays = null;
      this.lastPassArrays = taken !== null ? 'reused' : ahead !== null ? 'ahead' : 'fresh';
      // room for every event: any later split's allowance part can then write over them
      const reuse = taken ?? (ahead === null ? roomyArrays(this.events.count, n) : viewsOf(ahead, n));
      // its tallies counted as it decides, on the whole's days (as `partTallies` would read them back)
      const tally = { frame: dayFrameBetween(this.firstTime, this.lastTime), span: { first: this.firstTime, last: this.lastTime } };
      result = simulateAllowancePart(input.plan, step.split.allowance.events, { ...partOptions, reuse, tally });
      const counted = passTallies(result);
      if (counted !== undefined) tallied.set(result, counted);
    } else {
      result = simulate(input.plan, step.split.spend.events, partOptions);
    }
    this.keep(name, input, step.split, result);
    step.found[name] = result;
  }

  /** The spend part from a kept result, when one differs only in one key's cap or only in its runs. */
  private patchSpend(step: Step, options: SimulateOptions): boolean {
    this.lastIsolatedKey = null;
    this.lastRunsOnly = false;
    return this.patchCap(step, options) || this.patchRuns(step, options);
  }

  /**
   * A kept spend result whose plan differs from the one wanted only in its triggers (a mode or a
   * programmatic trigger's limit): the part's runs simulated again, its requests' decisions kept
   * (src/engine/spend-runs.ts), when no spend limit can refuse. The kept result must be over a
   * split still kept: its requests are read in their order there.
   */
  private patchRuns(step: Step, options: SimulateOptions): boolean {
    const input = step.inputs.spend;
    for (const kept of this.kept.spend) {
      if (kept.keysShape !== input.keysShape || kept.limits.some((l, i) => l !== input.limits[i])) continue;
      const from = this.splits.find((s) => s.key === kept.split && !s.superseded);
      if (from === undefined) continue;
      const part = step.split.spend;
      const run = { plan: input.plan, horizon: step.horizon, timelineBuckets: options.timelineBuckets, timelineStart: this.firstTime };
      const patched = patchSpendRuns(from.spend.events, kept.result, { events: part.events, order: part.order }, run);
      if (patched === null) continue;
      const { result } = patched;
      // the kept tallies with the runs counted again, when the kept ones are known (else one pass, later)
      const frame = dayFrameBetween(this.firstTime, this.lastTime);
      const before = tallied.get(kept.result);
      if (before !== undefined && before.frame.day0 === frame.day0 && before.frame.days === frame.days) {
        tallied.set(result, patchedTallies(before, patched, frame, { first: this.firstTime, last: this.lastTime }));
      }
      this.keep('spend', input, step.split, result);
      step.found.spend = result;
      this.lastRunsOnly = true;
      return true;
    }
    return false;
  }

  /**
   * The kept allowance result this run's will push out, when nothing reads it: dropped now, so that
   * the pass writes over its arrays instead of allocating (and first touching) 12 bytes an event.
   */
  private leaving(): SimulationResult | null {
    const kept = this.kept.allowance;
    const made = kept.filter((k) => k.ahead !== true);
    const last = made.length < KEEP ? undefined : made[made.length - 1];
    if (last === undefined || (this.readers.get(last.result) ?? 0) > 0 || arraysOf(last.result) === undefined) return null;
    kept.splice(kept.indexOf(last), 1);
    return last.result;
  }

  /**
   * A kept spend result that differs from the one wanted only in one key's cap: that key's requests
   * simulated alone and put in place (src/engine/isolated-cap.ts), when nothing else can change.
   */
  private patchCap(step: Step, options: SimulateOptions): boolean {
    const input = step.inputs.spend;
    const keys = input.plan.apiKeys.length;
    for (const kept of this.kept.spend) {
      if (kept.shape !== input.shape) continue;
      const differ: number[] = [];
      for (let i = 0; i < input.limits.length; i++) if (kept.limits[i] !== input.limits[i]) differ.push(i);
      if (differ.length !== 1 || differ[0] >= keys) continue;
      const part = step.split.spend;
      const run = { plan: input.plan, horizon: step.horizon, timelineBuckets: options.timelineBuckets, timelineStart: this.firstTime };
      const patched = patchKeyCap(part, kept.result, run, differ[0]);
      // another kept result may still answer (one whose spend limits never refused)
      if (patched === null) continue;
      const { result } = patched;
      // the kept tallies with the key's row counted again, when the kept ones are known or cheap to find
      const frame = dayFrameBetween(this.firstTime, this.lastTime);
      const span = { first: this.firstTime, last: this.lastTime };
      const before = partTallies(part, kept.result, frame, span);
      tallied.set(result, retallyKey(before, part.events, kept.result, result, patched.key, patched.positions));
      this.keep('spend', input, step.split, result);
      step.found.spend = result;
      this.lastIsolatedKey = input.plan.apiKeys[differ[0]].id;
      return true;
    }
    return false;
  }

  /**
   * The kept result of part `name` that answers `input`, moved to the front: the least recently
   * used is the one the next result pushes out, so that a plan switched back to after another edit
   * (a trigger's mode there and back, then another's) still finds its own.
   */
  private reuseKept(name: PartName, input: PartInput): Kept | undefined {
    const kept = this.kept[name];
    const at = kept.findIndex((k) => reusable(name, k, input));
    if (at < 0) return undefined;
    const [found] = kept.splice(at, 1);
    // asked for: one simulated ahead is now an edit's own
    if (found.ahead === true) {
      found.ahead = false;
      kept.unshift(found);
      for (const d of dropOver(kept, (k) => k.ahead !== true, KEEP)) this.maySpare(d.result);
    } else {
      kept.unshift(found);
    }
    return found;
  }

  private keep(name: PartName, input: PartInput, split: Split, result: SimulationResult): void {
    const kept = this.kept[name];
    kept.unshift({ shape: input.shape, limits: input.limits, keysShape: input.keysShape, split: split.key, result });
    for (const d of dropOver(kept, (k) => k.ahead !== true, KEEP)) this.maySpare(d.result);
  }

  /** Lends `part`'s arrays to the next pass when nothing can read it any more. */
  private maySpare(part: SimulationResult): void {
    if ((this.readers.get(part) ?? 0) > 0 || arraysOf(part) === undefined) return;
    if (PART_NAMES.some((name) => this.kept[name].some((k) => k.result === part))) return;
    this.spare = part;
  }

  /** `joined`, given back by the caller of a run that finished: its parts lose a reader. */
  private giveBack(joined: SimulationResult): void {
    const from = this.joinedFrom.get(joined);
    if (from === undefined) return;
    this.joinedFrom.delete(joined);
    from.split.readers--;
    for (const part of from.parts) {
      this.readers.set(part, (this.readers.get(part) ?? 1) - 1);
      this.maySpare(part);
    }
  }

  private finish(step: Step, options: PartsOptions): SimulationResult {
    const { spend, allowance } = step.found;
    if (spend === undefined || allowance === undefined) throw new Error('a part was not simulated');
    const joined = join(step.plan, this.events.count, step.split, spend, allowance, options.recycle);
    // the report and views add the parts' tallies: a part simulated again is the only one tallied again
    const frame = dayFrameBetween(this.firstTime, this.lastTime);
    const { split } = step;
    const span = { first: this.firstTime, last: this.lastTime };
    provideTallies(joined, () => addTallies(partTallies(readable(split).spend, spend, frame, span), partTallies(split.allowance, allowance, frame, span)));
    for (const part of [spend, allowance]) this.readers.set(part, (this.readers.get(part) ?? 0) + 1);
    split.readers++;
    this.joinedFrom.set(joined, { parts: [spend, allowance], split });
    if (options.recycle !== undefined) this.giveBack(options.recycle);
    return joined;
  }

  /**
   * Touches the memory the next split of the events will take (25 bytes an event), so that the
   * first edit moving a trigger between the parts copies into memory already faulted in: for an
   * idle moment after the first result. False when there is nothing to do: a later split takes
   * over the memory of one no longer kept instead.
   */
  prepareSplitMemory(): boolean {
    if (this.spareColumns !== null || this.splits.length >= KEEP || this.events.count === 0) return false;
    const columns = splitColumns(this.events.count);
    touchEveryPage(columns.time, columns.type, columns.subject, columns.cost, columns.positions);
    this.spareColumns = columns;
    return true;
  }

  /**
   * Touches per-event arrays for an allowance pass (14 bytes an event), so that the first seats
   * edit after opening writes into memory already faulted in: for an idle moment after the first
   * result. The opening's results stay kept (switching back is instant), so that first edit has
   * none to take over.
   *
   * The next edits write over the arrays of the kept results they push out, and those pages are
   * touched here too (one value a page, written back as it was). In the compute worker they were
   * found out of memory by then: the first seats edit after the one on the arrays touched ahead
   * faulted 2,540 pages in (48 ms, and 160 ms of pass against 75-90 for the others, in
   * `npm run bench -- "modeling screens"`). False when there is nothing to do.
   */
  preparePassArrays(): boolean {
    if (this.aheadArrays !== null || this.events.count === 0) return false;
    const n = this.events.count;
    const arrays = roomyArrays(n, n);
    touchEveryPage(arrays.outcome, arrays.admittedAt, arrays.reason, arrays.entity);
    this.aheadArrays = arrays;
    for (const { result } of this.kept.allowance) {
      if (arraysOf(result) !== undefined) touchKeeping(result.outcome, result.admittedAt, result.reason, result.entity);
    }
    return true;
  }

  /**
   * The first trigger mode switch's one-off work at this size, for an idle moment after `plan`'s
   * result: `switched` (`plan` with one trigger's mode switched) gets its split (its runs moved)
   * and its spend part patched from `plan`'s kept one (src/engine/spend-runs.ts, loops that a
   * small made-up history leaves uncompiled), kept; its allowance part is not simulated (the
   * seats edits compile that pass). `plan`'s own split and results are then the most recently
   * used again, so a later split takes over the switched one's memory, not theirs. False when
   * there was nothing to patch.
   */
  warmModeSwitch(plan: Plan, switched: Plan, options: SimulateOptions): boolean {
    const step = this.prepare(switched, options);
    const patched = step !== null && step.missing.includes('spend') && this.patchSpend(step, options);
    this.prepare(plan, options);
    return patched;
  }

  /**
   * Memory for a new split: the one touched ahead, or that of the oldest split, about to be
   * dropped, when nothing reads its parts any more; else fresh.
   */
  private takeColumns(): SplitColumns {
    const ahead = this.spareColumns;
    this.spareColumns = null;
    if (ahead !== null) {
      this.lastSplitMemory = 'ahead';
      return ahead;
    }
    const oldest = this.splits.length >= KEEP ? this.splits[this.splits.length - 1] : undefined;
    if (oldest !== undefined && oldest.readers === 0) {
      this.splits.pop();
      oldest.superseded = true;
      this.lastSplitMemory = 'taken over';
      return oldest.columns;
    }
    this.lastSplitMemory = 'fresh';
    return splitColumns(this.events.count);
  }

  /** The events split by the plan's programmatic triggers; null when a part would be empty. */
  private splitFor(triggers: PlanTrigger[]): Split | null {
    const key = splitKeyOf(triggers);
    const at = this.splits.findIndex((s) => s.key === key);
    let split = at < 0 ? undefined : this.splits[at];
    // the least recently used split is the one a new split takes over (`takeColumns`)
    if (split !== undefined && at > 0) {
      this.splits.splice(at, 1);
      this.splits.unshift(split);
    }
    this.lastSplitKept = split !== undefined;
    this.lastSplitMemory = null;
    this.lastSplitMoved = null;
    if (split === undefined) {
      const flags = subjectFlags(this.events.subjects, new Set(programmaticIds(triggers)));
      const columns = this.takeColumns();
      // a trigger's mode edit moves only its runs: the rest are copied in blocks from a kept split
      const from = this.splits[0];
      const moved = from === undefined ? null : splitFrom(from, flags, key, columns, this.sorted);
      this.lastSplitMoved = moved === null ? null : moved.moved;
      split = moved?.split ?? splitEvents(this.events, flags, key, columns);
      this.splits.unshift(split);
      this.splits.length = Math.min(this.splits.length, KEEP);
    }
    const { spend, allowance } = split;
    return spend.events.count > 0 && allowance.events.count > 0 ? split : null;
  }
}

/** The plan's programmatic triggers, whose runs are the spend part's. */
function programmaticIds(triggers: readonly PlanTrigger[]): string[] {
  return triggers.filter((t) => canonicalMode(t.mode) === 'programmatic').map((t) => t.id);
}

/** A split's key: which triggers' runs it puts in the spend part. */
function splitKeyOf(triggers: readonly PlanTrigger[]): string {
  return JSON.stringify(programmaticIds(triggers));
}

function subjectFlags(subjects: readonly string[], programmatic: Set<string>): Uint8Array {
  const flags = new Uint8Array(subjects.length);
  subjects.forEach((s, i) => {
    if (programmatic.has(s)) flags[i] = 1;
  });
  return flags;
}

function splitEvents(events: EventColumns, spendSubject: Uint8Array, key: string, columns: SplitColumns): Split {
  const { count, type, subject, subjects } = events;
  let spendCount = 0;
  for (let i = 0; i < count; i++) {
    const t = type[i];
    if (t === EventType.api || (t === EventType.trigger && spendSubject[subject[i]] === 1)) spendCount++;
  }
  // one pass: the spend part fills the columns from the start, the allowance part from spendCount
  const { time, type: types, subject: subjectOf, cost, positions } = columns;
  let s = 0;
  let a = spendCount;
  for (let i = 0; i < count; i++) {
    const t = type[i];
    const j = t === EventType.api || (t === EventType.trigger && spendSubject[subject[i]] === 1) ? s++ : a++;
    positions[j] = i;
    time[j] = events.time[i];
    types[j] = t;
    subjectOf[j] = subject[i];
    cost[j] = events.cost[i];
  }
  return { key, programmatic: spendSubject, spend: partOf(columns, subjects, 0, spendCount, false), allowance: partOf(columns, subjects, spendCount, count, false), columns, readers: 0, superseded: false };
}

/** The part whose events are `columns`' stretch [from, to); `sorted`: known to be in time order. */
function partOf(columns: SplitColumns, subjects: string[], from: number, to: number, sorted: boolean): Part {
  const events: EventColumns = {
    count: to - from,
    time: columns.time.subarray(from, to),
    type: columns.type.subarray(from, to),
    subject: columns.subject.subarray(from, to),
    subjects,
    cost: columns.cost.subarray(from, to),
    ids: null,
  };
  const order = sorted ? null : processingOrder(events);
  return { events, positions: columns.positions.subarray(from, to), order: order === null ? null : shared(order), nonMessages: null };
}

/** More runs moved than this share of the events: a whole pass over them is the cheaper copy. */
const MOVED_SHARE = 1 / 16;
/** …but never fewer than this: a small history always takes the blocks' path */
const MOVED_AT_LEAST = 1024;

/**
 * The split by `flags` made from `from`, a split of the same events by other triggers: the runs of
 * the triggers whose mode changed move between the parts, every other event stays in its part and
 * is copied over in blocks, in the same order. Null when too many move for that to pay.
 */
function splitFrom(from: Split, flags: Uint8Array, key: string, columns: SplitColumns, sorted: boolean): { split: Split; moved: number } | null {
  const changed = new Uint8Array(flags.length);
  let any = false;
  for (let s = 0; s < flags.length; s++) {
    if (flags[s] !== from.programmatic[s]) {
      changed[s] = 1;
      any = true;
    }
  }
  const { spend, allowance } = from;
  const total = spend.events.count + allowance.events.count;
  const limit = Math.max(MOVED_AT_LEAST, Math.floor(total * MOVED_SHARE));
  // runs of a trigger that changed mode: out of the part they were in, into the other
  const toAllowance = any ? movedRuns(spend, changed, limit) : new Uint32Array(0);
  const toSpend = any && toAllowance !== null ? movedRuns(allowance, changed, limit - toAllowance.length) : new Uint32Array(0);
  if (toAllowance === null || toSpend === null) return null;
  const spendCount = spend.events.count - toAllowance.length + toSpend.length;
  merge(columns, 0, spend, toAllowance, allowance, toSpend);
  merge(columns, spendCount, allowance, toSpend, spend, toAllowance);
  const { subjects } = spend.events;
  return {
    split: { key, programmatic: flags, spend: partOf(columns, subjects, 0, spendCount, sorted), allowance: partOf(columns, subjects, spendCount, total, sorted), columns, readers: 0, superseded: false },
    moved: toAllowance.length + toSpend.length,
  };
}

/** Indexes in `part` of the trigger runs whose subject is `changed`, in order; null past `limit`. */
function movedRuns(part: Part, changed: Uint8Array, limit: number): Uint32Array | null {
  const { count, type, subject } = part.events;
  // runs are among the events that are not messages: when those are known, only they are read
  const among = part.nonMessages;
  const n = among === null ? count : among.length;
  const found: number[] = [];
  for (let j = 0; j < n; j++) {
    const i = among === null ? j : among[j];
    if (type[i] === EventType.trigger && changed[subject[i]] === 1) {
      if (found.length >= limit) return null;
      found.push(i);
    }
  }
  return Uint32Array.from(found);
}

/**
 * Writes from `at` on, in the whole's order: `keep`'s events but those at `drop` (indexes, in
 * order), with `add`'s at `take` (indexes, in order) put in between by position.
 */
function merge(columns: SplitColumns, at: number, keep: Part, drop: Uint32Array, add: Part, take: Uint32Array): void {
  let d = at;
  let k = 0;
  let r = 0;
  const kept = keep.positions;
  // keep's events [k, to), less the dropped ones
  const copyTo = (to: number): void => {
    while (k < to) {
      const stop = r < drop.length && drop[r] < to ? drop[r] : to;
      d = copyBlock(columns, d, keep, k, stop);
      if (stop < to) {
        k = stop + 1;
        r++;
      } else {
        k = to;
      }
    }
  };
  for (let i = 0; i < take.length; i++) {
    const j = take[i];
    const position = add.positions[j];
    // keep's first event after it in the whole
    let lo = k;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (kept[mid] < position) lo = mid + 1;
      else hi = mid;
    }
    copyTo(lo);
    d = copyBlock(columns, d, add, j, j + 1);
  }
  copyTo(kept.length);
}

/** Copies `part`'s events [from, to) to `columns` at `at`; gives the next place to write. */
function copyBlock(columns: SplitColumns, at: number, part: Part, from: number, to: number): number {
  const n = to - from;
  const { time, type, subject, cost } = part.events;
  const { positions } = part;
  if (n < 32) {
    // a few events: element by element costs less than making views to copy
    for (let i = 0; i < n; i++) {
      columns.time[at + i] = time[from + i];
      columns.type[at + i] = type[from + i];
      columns.subject[at + i] = subject[from + i];
      columns.cost[at + i] = cost[from + i];
      columns.positions[at + i] = positions[from + i];
    }
  } else {
    columns.time.set(time.subarray(from, to), at);
    columns.type.set(type.subarray(from, to), at);
    columns.subject.set(subject.subarray(from, to), at);
    columns.cost.set(cost.subarray(from, to), at);
    columns.positions.set(positions.subarray(from, to), at);
  }
  return at + n;
}

/**
 * The per-event arrays of `spare` (an allowance part result nothing reads any more) for a pass over
 * `n` events: views of their first `n` when they have room for them, else null. Either way they are
 * taken from it.
 */
function takeArrays(spare: SimulationResult, n: number): PassArrays | null {
  const held = arraysOf(spare);
  if (held === undefined) return null;
  const arrays = held.handOver(spare.outcome.length);
  if (arrays === null) return null;
  const { outcome, admittedAt, reason, entity, queueLog } = arrays;
  const room = Math.min(outcome.buffer.byteLength, reason.buffer.byteLength, admittedAt.buffer.byteLength / 8, entity.buffer.byteLength / 4);
  if (room < n) return null;
  return {
    outcome: new Uint8Array(outcome.buffer, 0, n),
    admittedAt: new Float64Array(admittedAt.buffer, 0, n),
    reason: new Uint8Array(reason.buffer, 0, n),
    entity: new Int32Array(entity.buffer, 0, n),
    queueLog,
  };
}

/** Views of the first `n` elements of `arrays` (room for every event), a pass's own. */
function viewsOf(arrays: PassArrays, n: number): PassArrays {
  return {
    outcome: new Uint8Array(arrays.outcome.buffer, 0, n),
    admittedAt: new Float64Array(arrays.admittedAt.buffer, 0, n),
    reason: new Uint8Array(arrays.reason.buffer, 0, n),
    entity: new Int32Array(arrays.entity.buffer, 0, n),
    queueLog: null,
  };
}

/** Fresh per-event arrays for `n` events with room for `room`: only the pages written are faulted in. */
function roomyArrays(room: number, n: number): PassArrays {
  return {
    outcome: new Uint8Array(new ArrayBuffer(room), 0, n),
    admittedAt: new Float64Array(new ArrayBuffer(room * 8), 0, n),
    reason: new Uint8Array(new ArrayBuffer(room), 0, n),
    entity: new Int32Array(new ArrayBuffer(room * 4), 0, n),
    queueLog: null,
  };
}

/** Each kept part result's tallies, made once: on the whole's days, so that the parts' add up. */
const tallied = new WeakMap<SimulationResult, ReportTallies>();

function partTallies(part: Part, result: SimulationResult, frame: DayFrame, span: { first: number; last: number }): ReportTallies {
  let t = tallied.get(result);
  if (t === undefined || t.frame.day0 !== frame.day0 || t.frame.days !== frame.days) {
    part.nonMessages ??= nonMessagesOf(part.events);
    t = tally(part.events, result, frame, span, part.nonMessages);
    tallied.set(result, t);
  }
  return t;
}

function nonMessagesOf(events: EventColumns): Uint32Array {
  const { count, type } = events;
  // one pass: only the pages written are faulted in, the rest of the room never is
  const out = new Uint32Array(count);
  let j = 0;
  for (let i = 0; i < count; i++) if (type[i] !== EventType.message) out[j++] = i;
  return out.subarray(0, j);
}

function shared(a: Uint32Array): Uint32Array {
  const copy = new Uint32Array(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}

/**
 * The spend part's input: keys, spend limits, programmatic triggers and enforcement. Names are
 * left out, since renaming decides nothing. Limits: each key's cap, then each spend limit.
 */
function spendInput(plan: Plan, run: string): PartInput {
  const partPlan: Plan = {
    version: 1,
    workspace: { name: '', seats: 0, messagesPerSeatPerDay: null, fairUseShare: 0, spendLimits: plan.workspace.spendLimits },
    apiKeys: plan.apiKeys.map((k) => ({ id: k.id, capUsd: k.capUsd })),
    triggers: partTriggers(plan, 'programmatic'),
    // the workspace throttle counts messages only, which this part has none of
    enforcement: { ...plan.enforcement, workspacePerSeatPerMinute: null },
  };
  const shape: Plan = {
    ...partPlan,
    workspace: { ...partPlan.workspace, spendLimits: partPlan.workspace.spendLimits.map((l) => ({ ...l, amountUsd: 0 })) },
    apiKeys: partPlan.apiKeys.map((k) => ({ ...k, capUsd: 0 })),
  };
  const resolved = resolvePlan(partPlan);
  return {
    plan: partPlan,
    shape: run + JSON.stringify(shape),
    limits: [...resolved.keys.map((k) => k.capMicros ?? UNLIMITED), ...resolved.spendLimits.map((l) => l.amountMicros)],
    keysShape: run + JSON.stringify({ ...shape, triggers: [] }),
  };
}

/**
 * The allowance part's input: the allowance, the pool, the fair-use triggers and the message
 * throttles. Limits: A, P, then people's messages per minute (seats × the per-seat number).
 */
function allowanceInput(plan: Plan, run: string): PartInput {
  const { seats, messagesPerSeatPerDay, fairUseShare } = plan.workspace;
  const partPlan: Plan = {
    version: 1,
    workspace: { name: '', seats, messagesPerSeatPerDay, fairUseShare, spendLimits: [] },
    apiKeys: [],
    triggers: partTriggers(plan, 'fair_use'),
    enforcement: {
      ...plan.enforcement,
      // the spend part's fields, left as their defaults so that a change to them leaves this part
      keyCapWindowDays: 30,
      capCheck: 'spent',
    },
  };
  const shape: Plan = { ...partPlan, workspace: { ...partPlan.workspace, seats: 0, messagesPerSeatPerDay: 0, fairUseShare: 0 } };
  const resolved = resolvePlan(partPlan);
  return { plan: partPlan, shape: run + JSON.stringify(shape), limits: [resolved.allowance, resolved.pool, resolved.workspacePerMinute], keysShape: '' };
}

/**
 * Takes out of `kept` the entries of a kind (`of`) beyond the first `max` of them, or with `oldest`
 * the first ones until `max` are left, and returns them.
 */
function dropOver(kept: Kept[], of: (k: Kept) => boolean, max: number, oldest = false): Kept[] {
  const those = kept.filter(of);
  const out = oldest ? those.slice(0, Math.max(0, those.length - max)) : those.slice(max);
  for (const d of out) kept.splice(kept.indexOf(d), 1);
  return out;
}

/**
 * Whether a kept result answers `input`: same shape, and each limit either the same or one that
 * passes the highest value its check saw, as the old one did: every check then goes the same way.
 */
function reusable(name: PartName, kept: Kept, input: PartInput): boolean {
  if (kept.shape !== input.shape) return false;
  const { checked } = kept.result;
  const keys = input.plan.apiKeys.length;
  // counts pass while below the limit; spend too under `spent`, or while within it under `spent_plus_cost`
  const within = name === 'spend' && input.plan.enforcement.capCheck === 'spent_plus_cost';
  const passes = (seen: number, limit: number): boolean => (within ? seen <= limit : seen < limit);
  for (let i = 0; i < input.limits.length; i++) {
    if (kept.limits[i] === input.limits[i]) continue;
    const seen =
      name === 'allowance'
        ? i === 0
          ? checked.allowance
          : i === 1
            ? checked.pool
            : // absent: the throttle was off and counted nothing, so no other value can be answered
              (checked.workspaceMinute ?? UNLIMITED)
        : i < keys
          ? checked.keys[i]
          : checked.spendLimits[i - keys];
    if (!passes(seen, kept.limits[i]) || !passes(seen, input.limits[i])) return false;
  }
  return true;
}

/**
 * Every trigger of the plan, in place so that a part numbers them as the whole does; those of the
 * other mode have no events in the part, and only their id (and mode), so that a change to them
 * leaves the part alone.
 */
function partTriggers(plan: Plan, mode: TriggerMode): PlanTrigger[] {
  return plan.triggers.map(({ id, kind, mode: m, limitPer24h }) =>
    // the mode's name decides nothing: a part keeps its result when only the name changes
    canonicalMode(m) === mode ? { id, kind, mode, limitPer24h } : { id, kind: 'webhook', mode: canonicalMode(m), limitPer24h: null },
  );
}

function maxOf(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] > b[i] ? a[i] : b[i];
  return out;
}

/**
 * The two parts' waiting runs added. The allowance part keeps no log: with no spend run waiting
 * (most plans: programmatic runs seldom meet a limit) its pass's own peak and chart are the
 * whole's; else its levels are read back from its decisions (queue-log.ts `levelsFromDecisions`)
 * and the logs added, a pass over every change of both. A cap edit keeps the spend part's log
 * (src/engine/isolated-cap.ts) and the allowance part, so the sum is found again. A result is
 * never changed while readable: a later pass may take a superseded allowance result's arrays
 * (src/engine/pass-arrays.ts), but that result throws when read from then on, so a sum cached for
 * it is never looked up again.
 */
const addedQueues = new WeakMap<object, { spend: object; grid: string; sum: ReturnType<typeof addQueueLogs> }>();

function queuesOf(spend: SimulationResult, allowance: SimulationResult, part: Part): ReturnType<typeof addQueueLogs> {
  const grid = spend.timeline === null ? '' : `${spend.timeline.start}:${spend.timeline.bucketMs}:${spend.timeline.buckets}`;
  const a = spend.queueLog ?? new QueueLog();
  if (a.count === 0 && allowance.queueLog === undefined) return { peak: allowance.peakQueue, series: spend.timeline === null ? null : (allowance.timeline?.queued ?? null) };
  const known = addedQueues.get(allowance);
  if (known !== undefined && known.spend === a && known.grid === grid) return known.sum;
  const b = allowance.queueLog ?? levelsFromDecisions(part.events, part.order, allowance.outcome, allowance.admittedAt);
  const sum = addQueueLogs(a, b, spend.timeline);
  addedQueues.set(allowance, { spend: a, grid, sum });
  return sum;
}

/** The whole's result from its two parts': each part's decisions put back in place. */
function join(plan: Plan, count: number, split: Split, spend: SimulationResult, allowance: SimulationResult, recycle?: SimulationResult): SimulationResult {
  const whole = resolvePlan(plan);
  const planTriggers = whole.triggers.length;
  // Each part numbers keys and triggers as the whole does. Only the spend part infers keys, and
  // only the allowance part infers triggers (an unknown trigger is fair use).
  // loops, not spreads: inferred keys and triggers are as many as the events name
  for (let k = whole.keys.length; k < spend.plan.keys.length; k++) whole.keys.push(spend.plan.keys[k]!);
  for (let g = planTriggers; g < allowance.plan.triggers.length; g++) whole.triggers.push(allowance.plan.triggers[g]!);

  const scatter = new Scatter(count, split, spend, allowance, recycle === undefined ? null : (scatters.get(recycle)?.giveAway(count) ?? null));
  const triggerStats = whole.triggers.map((t, g) => (t.mode === 'programmatic' ? spend : allowance).triggerStats[g]);

  const queues = queuesOf(spend, allowance, split.allowance);
  let timeline: Timeline | null = null;
  if (spend.timeline !== null && allowance.timeline !== null) {
    timeline = {
      start: spend.timeline.start,
      bucketMs: spend.timeline.bucketMs,
      buckets: spend.timeline.buckets,
      allowanceUsed: allowance.timeline.allowanceUsed,
      poolUsed: allowance.timeline.poolUsed,
      queued: queues.series ?? new Float64Array(spend.timeline.buckets),
      maxDelay: maxOf(spend.timeline.maxDelay, allowance.timeline.maxDelay),
      keySpend: spend.timeline.keySpend,
      spendLimitUsed: spend.timeline.spendLimitUsed,
    };
  }
  const result: SimulationResult = {
    count,
    get outcome() {
      return scatter.arrays().outcome;
    },
    get admittedAt() {
      return scatter.arrays().admittedAt;
    },
    get reason() {
      return scatter.arrays().reason;
    },
    get entity() {
      return scatter.arrays().entity;
    },
    plan: whole,
    horizon: spend.horizon,
    keyStats: spend.keyStats,
    triggerStats,
    checked: {
      allowance: allowance.checked.allowance,
      pool: allowance.checked.pool,
      spendLimits: spend.checked.spendLimits,
      keys: spend.checked.keys,
      ...(allowance.checked.workspaceMinute === undefined ? {} : { workspaceMinute: allowance.checked.workspaceMinute }),
    },
    allowancePeak: allowance.allowancePeak,
    poolPeak: allowance.poolPeak,
    spendLimitPeakMicros: spend.spendLimitPeakMicros,
    peakQueue: queues.peak,
    timeline,
    // the spend part has no messages
    ...(allowance.messagesByReason === undefined ? {} : { messagesByReason: allowance.messagesByReason }),
  };
  scatters.set(result, scatter);
  return result;
}

interface PerEvent {
  outcome: Uint8Array;
  admittedAt: Float64Array;
  reason: Uint8Array;
  entity: Int32Array;
}

/**
 * A joined result's per-event arrays: each part's decisions put back in place, on first use. Charts
 * need none of them (the timeline has what they show), so a projection never pays for it.
 */
class Scatter {
  private joined: PerEvent | null = null;
  private readonly count: number;
  private readonly parts: readonly (readonly [Part, SimulationResult])[];
  private readonly split: Split;
  /** arrays of an older result to fill instead of allocating (and first touching) new ones */
  private spare: PerEvent | null;

  constructor(count: number, split: Split, spend: SimulationResult, allowance: SimulationResult, spare: PerEvent | null) {
    this.count = count;
    this.split = split;
    this.parts = [
      [split.spend, spend],
      [split.allowance, allowance],
    ];
    this.spare = spare;
  }

  arrays(): PerEvent {
    if (this.joined !== null) return this.joined;
    // given back, and its split's memory since taken over: its positions are another split's
    readable(this.split);
    const { count } = this;
    // every position belongs to one part, so every element of a spare array is written over
    const spare = this.spare;
    this.spare = null;
    const outcome = spare?.outcome ?? new Uint8Array(count);
    const admittedAt = spare?.admittedAt ?? new Float64Array(count);
    const reason = spare?.reason ?? new Uint8Array(count);
    const entity = spare?.entity ?? new Int32Array(count);
    for (const [part, r] of this.parts) {
      const { positions } = part;
      const o = r.outcome;
      const a = r.admittedAt;
      const why = r.reason;
      const x = r.entity;
      for (let i = 0; i < positions.length; i++) {
        const e = positions[i];
        outcome[e] = o[i];
        admittedAt[e] = a[i];
        reason[e] = why[i];
        entity[e] = x[i];
      }
    }
    this.joined = { outcome, admittedAt, reason, entity };
    return this.joined;
  }

  /** The parts, for `partsOf` (a part whose arrays a later pass took throws when they are read). */
  partsRead(): readonly ResultPart[] {
    readable(this.split);
    return this.parts.map(([part, result]) => ({ events: part.events, result }));
  }

  /**
   * Hands this result's arrays to a newer one of `count` events. Asked again, this result fills new
   * arrays from its parts, as long as they are readable: a part whose arrays a later pass took
   * (src/engine/pass-arrays.ts), or a split whose memory a later split took, throws rather than
   * show another plan's decisions.
   */
  giveAway(count: number): PerEvent | null {
    if (count !== this.count) return null;
    const arrays = this.joined ?? this.spare;
    this.joined = null;
    this.spare = null;
    return arrays;
  }
}

const scatters = new WeakMap<SimulationResult, Scatter>();

/** One part of a joined result: its events (a copy of theirs in the whole) and its own result. */
export interface ResultPart {
  events: EventColumns;
  result: SimulationResult;
}

/**
 * The parts a result of `PartsSimulator` was joined from, for a reader that visits a few events
 * of each entity in their order (every entity's events are in one part, in the whole's order):
 * reading the result's own arrays would join them first, 14 bytes an event (60 ms at 1M events).
 * Null for a result that was not joined. Throws, as reading the joined arrays would, once the
 * parts were written over.
 */
export function partsOf(result: SimulationResult): readonly ResultPart[] | null {
  return scatters.get(result)?.partsRead() ?? null;
}
