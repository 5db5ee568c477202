import { EventType, type EventColumns } from './events.ts';
import { PartsSimulator } from './parts.ts';
import { canonicalMode, validatePlan, type Plan } from './plan.ts';
import { Reason, type SimulationResult } from './result.ts';
import { talliesOf } from './report-tallies.ts';
import { DAY } from './units.ts';

/**
 * The first seats or cap edit after a ledger opens used to take two to three times as long as the
 * next ones: opening simulates a plan whose allowance never refuses, so the code that queues runs
 * behind a refusing allowance, releases them and re-simulates one key alone had never run, and
 * the compiler threw the optimized pass away on its first such branch and compiled it again while
 * the edit waited. `warmEditPaths` runs those paths once on a small made-up history (no ledger, no
 * state kept), under both profiles, so that the user's first edit finds them compiled.
 *
 * Meant for an idle moment after the first screen is painted, on the thread that answers the edits
 * (compiled code belongs to its thread): 150 to 300 ms of one core on a busy two-core machine, in
 * 24 steps of one simulation each, and it stops between steps once `signal` is aborted.
 */
export interface WarmReport {
  /** per step: what the parts simulator simulated again, as in `PartsSimulator.lastSimulated` */
  steps: { profile: 'documented' | 'platform'; edit: WarmEdit; simulated: string[]; isolatedKey: string | null; runsOnly: boolean; allowanceRefused: number }[];
}

type WarmEdit = 'open' | 'seats' | 'cap' | 'mode';

const KEYS = ['k_warm_0', 'k_warm_1', 'k_warm_2'];
const HOOKS = ['t_warm_hook_0', 't_warm_hook_1', 't_warm_hook_2'];
const SCHEDULE = 't_warm_schedule';
const PROGRAMMATIC = 't_warm_programmatic';
const USERS = 40;
const DAYS = 2;
/** events per day: enough that the passes' loops get compiled, few enough to stay a few tens of ms */
const PER_DAY = 4000;

/** A made-up history in shared memory, as the compute worker holds the ledger's. */
export function warmEvents(): EventColumns {
  const subjects = [...KEYS, ...HOOKS, SCHEDULE, PROGRAMMATIC, ...Array.from({ length: USERS }, (_, u) => `warm_user_${u}`)];
  const count = DAYS * PER_DAY;
  const time = new Float64Array(new SharedArrayBuffer(8 * count));
  const type = new Uint8Array(new SharedArrayBuffer(count));
  const subject = new Uint32Array(new SharedArrayBuffer(4 * count));
  const cost = new Float64Array(new SharedArrayBuffer(8 * count));
  const t0 = Date.UTC(2026, 0, 5);
  const step = DAY / PER_DAY;
  for (let i = 0; i < count; i++) {
    time[i] = t0 + Math.floor(i * step);
    const k = i % 10;
    if (k < 2) {
      type[i] = EventType.api;
      subject[i] = (i >> 1) % KEYS.length;
      cost[i] = 20_000 + (i % 7) * 10_000;
    } else if (k < 4) {
      type[i] = EventType.trigger;
      // mostly the fair-use webhooks, now and then the schedule and the programmatic webhook
      const r = (i >> 2) % 8;
      subject[i] = r < 6 ? KEYS.length + (r % HOOKS.length) : r === 6 ? KEYS.length + HOOKS.length : KEYS.length + HOOKS.length + 1;
    } else {
      type[i] = EventType.message;
      subject[i] = KEYS.length + HOOKS.length + 2 + (i % USERS);
    }
  }
  return { count, time, type, subject, subjects, cost, ids: null };
}

function warmPlan(profile: 'documented' | 'platform', seats: number, cap: number, moved: number): Plan {
  return validatePlan({
    version: 1,
    workspace: { name: 'warm-up', seats, messagesPerSeatPerDay: 100, fairUseShare: 0.5, spendLimits: [{ id: 'day', amountUsd: 10_000, window: 'utc-day' }] },
    apiKeys: KEYS.map((id, i) => ({ id, name: id, capUsd: i === 0 ? cap : i === 1 ? 40 : null })),
    triggers: [
      // the last `moved` hooks programmatic: their runs change parts (a new split, the spend part's runs alone)
      ...HOOKS.map((id, i) => ({ id, name: id, kind: 'webhook' as const, mode: i >= HOOKS.length - moved ? ('programmatic' as const) : ('fair_use' as const), limitPer24h: i === 0 ? null : 200 * i })),
      { id: SCHEDULE, name: SCHEDULE, kind: 'scheduled', mode: 'fair_use', limitPer24h: null },
      { id: PROGRAMMATIC, name: PROGRAMMATIC, kind: 'webhook', mode: 'programmatic', limitPer24h: null },
    ],
    enforcement: { profile, webhookWhenLimited: 'queue', maxQueueWaitHours: null },
  });
}

/**
 * Opens the made-up history with roomy seats, then edits seats down until the allowance refuses
 * (the allowance part, queued runs released as it frees), edits one key's cap (that key alone) and
 * moves a webhook to programmatic (a new split; the spend part's runs alone, src/engine/spend-runs.ts,
 * and the allowance part), tallying each result as the views do; under both profiles. `timelineBuckets` as the caller
 * charts, so that the charted paths are the ones compiled.
 */
export interface WarmOptions {
  /** as the caller charts (the compute worker's TIMELINE_BUCKETS) */
  timelineBuckets?: number;
  signal?: { readonly aborted: boolean };
  /** each step's result, for a caller that warms what it builds from one too (a view of the edit) */
  onResult?: (plan: Plan, events: EventColumns, result: SimulationResult) => void;
  /**
   * Which edits after the opening: seats and caps (`values`), trigger modes (`modes`), or both (the
   * default). A caller that warms its own cap edit in between asks for them apart: the edit a
   * user most likely makes first is then warm sooner.
   */
  only?: 'values' | 'modes';
}

export function warmEditPaths(options: WarmOptions = {}): WarmReport {
  const events = warmEvents();
  const steps: WarmReport['steps'] = [];
  const buckets = options.timelineBuckets ?? 2048;
  for (const profile of ['documented', 'platform'] as const) {
    const simulator = new PartsSimulator(events);
    let last: SimulationResult | undefined;
    // seats that never refuse (the plan as opened), then fewer and fewer; a cap moved up and down
    // [edit, seats, cap, hooks moved to programmatic]
    const edits: [WarmEdit, number, number, number][] = [
      ['open', 1000, 10, 0],
      // distinct seats each time (a kept result would answer a repeat): enough calls that the
      // allowance pass is compiled at its entry, not only inside its loop
      ['seats', 20, 10, 0],
      ['seats', 19, 10, 0],
      ['seats', 18, 10, 0],
      ['seats', 17, 10, 0],
      ['seats', 16, 10, 0],
      ['cap', 16, 12, 0],
      ['cap', 16, 8, 0],
      // each a new split (the kept ones are of other modes): enough calls that the runs' patch is compiled
      ['mode', 16, 8, 1],
      ['mode', 16, 8, 2],
      ['mode', 16, 8, 3],
    ];
    for (const [edit, seats, cap, moved] of edits) {
      if (options.signal?.aborted) return { steps };
      if ((options.only === 'values' && edit === 'mode') || (options.only === 'modes' && edit !== 'open' && edit !== 'mode')) continue;
      // the modes alone open on the seats and cap they are edited at: only their runs then differ
      const plan = options.only === 'modes' && edit === 'open' ? warmPlan(profile, 16, 8, 0) : warmPlan(profile, seats, cap, moved);
      const result = simulator.run(plan, { timelineBuckets: buckets, recycle: last });
      talliesOf(events, result);
      options.onResult?.(plan, events, result);
      steps.push({
        profile,
        edit,
        simulated: [...simulator.lastSimulated],
        isolatedKey: simulator.lastIsolatedKey,
        runsOnly: simulator.lastRunsOnly,
        allowanceRefused: result.messagesByReason?.[Reason.allowance] ?? 0,
      });
      last = result;
    }
  }
  return { steps };
}

/**
 * `plan` with the mode of its webhook with the fewest runs in `events` switched (fair use ↔
 * programmatic), for a warm-up at the ledger's own size: null when no webhook of the plan has a run.
 * The fewest runs: the fewest to move between the parts, while the spend part's runs are patched
 * (src/engine/spend-runs.ts) over every request of the part all the same.
 */
export function quietestModeSwitch(plan: Plan, events: EventColumns): Plan | null {
  const runs = new Map<number, number>();
  const { type, subject } = events;
  for (let i = type.indexOf(EventType.trigger); i !== -1 && i < events.count; i = type.indexOf(EventType.trigger, i + 1)) runs.set(subject[i]!, (runs.get(subject[i]!) ?? 0) + 1);
  const bySubject = new Map<string, number>();
  for (const s of runs.keys()) bySubject.set(events.subjects[s]!, runs.get(s)!);
  let quietest: Plan['triggers'][number] | null = null;
  let fewest = Number.POSITIVE_INFINITY;
  for (const t of plan.triggers) {
    const n = bySubject.get(t.id) ?? 0;
    if (t.kind === 'webhook' && n > 0 && n < fewest) {
      quietest = t;
      fewest = n;
    }
  }
  if (quietest === null) return null;
  const mode = canonicalMode(quietest.mode) === 'programmatic' ? 'fair_use' : 'programmatic';
  return { ...plan, triggers: plan.triggers.map((t) => (t === quietest ? { ...t, mode } : t)) };
}
