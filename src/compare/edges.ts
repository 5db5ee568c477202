/**
 * What in one history the rules of SPEC section 9 could have changed, read from the events and
 * the two readings' decisions: which sliding windows ever see an entry exactly a window old (the
 * only instant rule 1's edge decides differently), and the units the code's refused webhook runs
 * took (rule 4). The comparison's "Why" names a rule only where it applies here (why.ts).
 *
 * The windows are read when asked, each once: a comparison asks about the few a difference met,
 * and a history of a million events should not sort every person's messages for it.
 */
import type { EventColumns } from '../engine/events.ts';
import { EventType } from '../engine/events.ts';
import { UNLIMITED } from '../engine/plan.ts';
import { Outcome, Reason } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';
import { DAY, HOUR, MINUTE } from '../engine/units.ts';
import { slackReasons, throttleEdgeWords, throttleSlack } from '../engine/completion-slack.ts';
import type { ThrottleRefusals, ThrottleSlack } from '../engine/completion-slack.ts';

function slackFacts(r: ThrottleRefusals | undefined, unit: 'request' | 'message'): ThrottleSlackFacts {
  if (r === undefined) return { refused: 0, slack: 0, edges: '' };
  const reasons = slackReasons(r);
  return { refused: r.at.length, slack: reasons.length, edges: throttleEdgeWords(reasons, unit) };
}

/** Whether two of the sorted times lie exactly `w` apart. */
function apart(sorted: Float64Array, w: number): boolean {
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    const want = sorted[i]! - w;
    while (sorted[j]! < want) j++;
    if (sorted[j] === want) return true;
  }
  return false;
}

/** Whether two of the times (any order) lie exactly one of `windows` apart. */
function meets(times: number[], windows: readonly number[]): boolean {
  if (times.length < 2) return false;
  const sorted = Float64Array.from(times);
  let ordered = true;
  for (let i = 1; i < sorted.length && ordered; i++) ordered = sorted[i - 1]! <= sorted[i]!;
  if (!ordered) sorted.sort();
  return windows.some((w) => apart(sorted, w));
}

const THROTTLE_WINDOWS = [MINUTE, HOUR];

/** The code's refusals of one key, or of people's messages, by the throttles, and how many the completion times' slack explains. */
export interface ThrottleSlackFacts {
  refused: number;
  /** those each within the slack of its window's edge, in a history no shorter window holds more than the limit in */
  slack: number;
  /** the edges they came within: "15 s of a request's minute ending" */
  edges: string;
}

/**
 * The facts of one history under both readings. `documented` and `platform` decide the same
 * events, and their plans list the same triggers and keys (compareResults checks it).
 */
export class HistoryFacts {
  /**
   * Fair-use webhook runs the code dropped at their own limit or the allowance: each had taken a
   * pool unit first (rule 4, drop mode)
   */
  readonly burnedPool: number = 0;
  /** per trigger: its runs the code dropped at the allowance, each having taken one of its own runs (rule 4) */
  readonly burnedOwn: number[];
  /** fair-use schedule runs the docs admitted: the docs count them in the pool, the code does not (rule 3) */
  readonly scheduledInDocsPool: number = 0;
  private readonly events: EventColumns;
  private readonly documented: SimulationResult;
  private readonly platform: SimulationResult;
  /**
   * A run released from a queue under the docs at exactly s + W (its blocker's end) is an edge
   * only when the code queues it too (then 1 ms later); the code dropping it is rule 5's
   */
  private readonly queuedBoth: boolean;
  private readonly known = new Map<string, boolean>();
  private keyThrottles: ThrottleSlack | null = null;
  private messageThrottles: ThrottleSlack | null = null;
  private readonly entities = new Map<number, number[][]>();

  constructor(events: EventColumns, documented: SimulationResult, platform: SimulationResult) {
    this.events = events;
    this.documented = documented;
    this.platform = platform;
    const docsPlan = documented.plan;
    const codePlan = platform.plan;
    this.queuedBoth = docsPlan.queueWebhooks && codePlan.queueWebhooks;
    this.burnedOwn = new Array<number>(codePlan.triggers.length).fill(0);
    let burnedPool = 0;
    let scheduledInDocsPool = 0;
    const burns = codePlan.pool !== UNLIMITED && !codePlan.queueWebhooks;
    for (let i = 0; i < events.count; i++) {
      if (events.type[i] !== EventType.trigger) continue;
      const g = platform.entity[i];
      const code = codePlan.triggers[g]!;
      const docs = docsPlan.triggers[g]!;
      if (burns && code.kind === 'webhook' && code.mode === 'fair_use' && platform.outcome[i] === Outcome.dropped) {
        if (platform.reason[i] === Reason.trigger_limit) burnedPool++;
        else if (platform.reason[i] === Reason.allowance) {
          burnedPool++;
          this.burnedOwn[g]!++;
        }
      }
      if (docs.kind === 'scheduled' && docs.mode === 'fair_use' && docsPlan.pool !== UNLIMITED && documented.outcome[i] === Outcome.admitted) scheduledInDocsPool++;
    }
    this.burnedPool = burnedPool;
    this.scheduledInDocsPool = scheduledInDocsPool;
  }

  /** Trigger `g`'s own 24 h (the code never checks a schedule's: that is rule 3's). */
  triggerEdge(g: number): boolean {
    if (this.platform.plan.triggers[g]?.kind !== 'webhook') return false;
    return this.once(`t${g}`, () => meets(this.byEntity(EventType.trigger)[g] ?? [], [DAY]));
  }

  /** The fair-use pool, among the runs both readings count in it (fair-use webhooks). */
  poolEdge(): boolean {
    return this.once('pool', () => meets(this.instants((i) => this.fairUseRun(i) && this.platform.plan.triggers[this.platform.entity[i]]!.kind === 'webhook'), [DAY]));
  }

  /** The message allowance: people's messages and fair-use runs. */
  allowanceEdge(): boolean {
    return this.once('allowance', () => meets(this.instants((i) => this.events.type[i] === EventType.message || this.fairUseRun(i)), [DAY]));
  }

  /** The `rolling-30d` spend limits: API requests and programmatic runs. */
  rollingSpendEdge(): boolean {
    if (!this.documented.plan.spendLimits.some((l) => l.window === 'rolling-30d')) return false;
    return this.once('spend', () => meets(this.instants((i) => this.events.type[i] === EventType.api || (this.events.type[i] === EventType.trigger && !this.fairUseRun(i))), [30 * DAY]));
  }

  /** Key `k`'s throttles (a minute, an hour). */
  keyThrottleEdge(k: number): boolean {
    return this.once(`k${k}`, () => meets(this.byEntity(EventType.api)[k] ?? [], THROTTLE_WINDOWS));
  }

  /** People's throttles: each person's minute and hour, the workspace's minute. */
  messageThrottleEdge(): boolean {
    return this.once('messages', () => {
      const { events } = this;
      if (meets(this.instants((i) => events.type[i] === EventType.message), [MINUTE])) return true;
      const byUser = new Map<number, number[]>();
      for (let i = 0; i < events.count; i++) {
        if (events.type[i] !== EventType.message) continue;
        const s = events.subject[i];
        let list = byUser.get(s);
        if (list === undefined) byUser.set(s, (list = []));
        list.push(events.time[i]);
      }
      for (const list of byUser.values()) if (meets(list, THROTTLE_WINDOWS)) return true;
      return false;
    });
  }

  /** Key `k`'s requests the code's throttles refused, and those the completion times' slack explains. */
  keyThrottleSlack(k: number): ThrottleSlackFacts {
    this.keyThrottles ??= throttleSlack(this.events, this.platform, { keys: new Uint8Array(this.platform.plan.keys.length).fill(1), messages: false });
    return slackFacts(this.keyThrottles.keys[k], 'request');
  }

  /** People's messages the code's throttles refused, and those the completion times' slack explains. */
  messageThrottleSlack(): ThrottleSlackFacts {
    this.messageThrottles ??= throttleSlack(this.events, this.platform, { keys: new Uint8Array(0), messages: true });
    return slackFacts(this.messageThrottles.messages, 'message');
  }

  /** The instants of each trigger's runs or each key's requests, in one pass for all of them. */
  private byEntity(type: number): number[][] {
    let lists = this.entities.get(type);
    if (lists !== undefined) return lists;
    lists = [];
    for (let i = 0; i < this.events.count; i++) if (this.events.type[i] === type) this.pushInstants(i, (lists[this.platform.entity[i]] ??= []));
    this.entities.set(type, lists);
    return lists;
  }

  private fairUseRun(i: number): boolean {
    if (this.events.type[i] !== EventType.trigger) return false;
    const g = this.platform.entity[i];
    return this.documented.plan.triggers[g]!.mode === 'fair_use' || this.platform.plan.triggers[g]!.mode === 'fair_use';
  }

  /** The instants of the events `pick` takes: arrivals, and admissions after a wait (see queuedBoth). */
  private instants(pick: (i: number) => boolean): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.events.count; i++) if (pick(i)) this.pushInstants(i, out);
    return out;
  }

  private pushInstants(i: number, out: number[]): void {
    const t = this.events.time[i];
    out.push(t);
    if (!this.queuedBoth) return;
    const a = this.documented.admittedAt[i];
    const b = this.platform.admittedAt[i];
    if (a === a && a !== t) out.push(a);
    if (b === b && b !== t) out.push(b);
  }

  private once(key: string, read: () => boolean): boolean {
    let v = this.known.get(key);
    if (v === undefined) this.known.set(key, (v = read()));
    return v;
  }
}

