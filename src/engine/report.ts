/**
 * The summary report (SPEC §5): what each key, trigger and shared limit went through, built from
 * the events and the engine's per-event decisions. Money is summed in integer micro-USD and only
 * turned into dollars (6 decimals) for the JSON.
 */
import { counted } from './words.ts';
import { TextTable } from './text-table.ts';
import { EventType } from './events.ts';
import type { EventColumns } from './events.ts';
import { Outcome, reasonName } from './result.ts';
import type { SimulationResult } from './result.ts';
import { talliesOf } from './report-tallies.ts';
import type { ReportTallies } from './report-tallies.ts';
import type { EnforcementProfile, ResolvedPlan, SpendLimitWindow, TriggerModeName } from './plan.ts';
import { formatUsd } from './units.ts';

export interface KeyEpisodeReport {
  /** first request blocked by the cap */
  from: string;
  /** when enough spend has left the window for the key to work again; null = not within reach */
  until: string | null;
}

export interface KeyReport {
  id: string;
  name: string;
  /** null = no cap */
  capUsd: number | null;
  inferred: boolean;
  requests: number;
  admitted: number;
  blocked: number;
  admittedUsd: number;
  blockedUsd: number;
  /** highest spend in the key's sliding cap window */
  peakRollingUsd: number;
  /** the first blocked request, whatever blocked it */
  firstBlockedAt: string | null;
  /**
   * when the check that blocked the first blocked request lets the key through again (the cap's
   * window rolling, a UTC day or month starting); null when it never does
   */
  usableAgainAt: string | null;
  /** blocked requests by the check that failed (`key_cap`, `spend_limit:<id>`) */
  blockedBy: Record<string, number>;
  /** every stretch during which the cap blocked the key: its recovery schedule */
  cappedOut: KeyEpisodeReport[];
}

export interface TriggerReport {
  id: string;
  name: string;
  kind: 'webhook' | 'scheduled';
  /** as the plan wrote it: `fair_use` | `programmatic`, or the newer `user_pool` | `workspace_pool` */
  mode: TriggerModeName;
  /**
   * runs per sliding 24 h; null = no run limit applies: unlimited, or not checked at all (a
   * schedule under the platform profile, SPEC section 9 rule 3, whatever its limitPer24h says)
   */
  limit: number | null;
  /** false when the trigger's runs are never checked against a run limit (see `limit`) */
  limitChecked: boolean;
  inferred: boolean;
  arrivals: number;
  /** admitted at once or after waiting */
  admitted: number;
  /** admitted after waiting (delay > 0) */
  delayed: number;
  dropped: number;
  skipped: number;
  pending: number;
  /** over admitted runs; null when none was admitted */
  maxDelayMs: number | null;
  /** nearest-rank 95th percentile over admitted runs (zero delays included); null when none */
  p95DelayMs: number | null;
  /** whether any run hit a limit (waited, or was dropped, skipped or left pending) */
  rateLimited: boolean;
  /** runs that hit a limit, by the first check that failed */
  limitedBy: Record<string, number>;
  /** most runs of this trigger waiting at once */
  peakQueue: number;
  /** spend of admitted runs (programmatic triggers only; fair-use runs cost no money) */
  admittedUsd: number;
}

export interface SpendLimitReport {
  id: string;
  window: SpendLimitWindow;
  amountUsd: number;
  peakUsd: number;
  /** requests and runs that this limit stopped and that never ran */
  blocked: number;
  /** programmatic runs that waited for this limit and ran later */
  delayed: number;
}

export interface Report {
  /** first and last event times; null without events */
  from: string | null;
  to: string | null;
  /** the simulation ran until this time */
  horizon: string;
  /** which reading decided: SPEC sections 1-4 (`documented`) or section 9 (`platform`) */
  profile: EnforcementProfile;
  totals: {
    events: number;
    admitted: number;
    /** admitted after waiting */
    delayed: number;
    blocked: number;
    skipped: number;
    dropped: number;
    pending: number;
    apiRequests: number;
    triggerRuns: number;
    messages: number;
  };
  keys: KeyReport[];
  triggers: TriggerReport[];
  /** messages per sliding 24 h for people and fair-use runs; limit null = unlimited */
  allowance: { limit: number | null; peak: number; messages: number; blockedMessages: number };
  /** fair-use trigger runs per sliding 24 h; limit null = unlimited */
  pool: { limit: number | null; peak: number };
  spendLimits: SpendLimitReport[];
  /** ids found in the events but not in the plan, simulated with defaults */
  inferred: { keys: string[]; triggers: string[] };
  /** most webhook runs waiting at once, all triggers */
  peakQueue: number;
  /** people's blocked messages by the check that refused them (`allowance`, `actor_minute`, `actor_hour`, `workspace_minute`) */
  messagesBlockedBy: Record<string, number>;
}

/** Micro-USD → dollars, exact to 6 decimals (the integer is divided once, never summed as float). */
export function usd(micros: number): number {
  return Math.round(micros) / 1_000_000;
}

/** A finite number in plain decimal notation (JSON allows `3e-7`; an admin reading USD should not meet it). */
export function plainNumber(x: number): string {
  const text = String(x);
  if (!/e/i.test(text)) return text;
  if (Math.abs(x) >= 1) return BigInt(Math.round(x)).toString();
  // below 1e-6: as many decimals as it takes, at most 20, trailing zeros dropped
  return x.toFixed(20).replace(/\.?0+$/, '');
}

/**
 * The report as pretty-printed JSON, every number in plain decimal notation (money is already
 * exact to 6 decimals; this guarantees no `1e-7` or `1e+21` reaches the output).
 */
export function reportToJson(report: Report): string {
  const token = `@plain${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && Number.isFinite(value) && /e/i.test(String(value)) ? `${token}${plainNumber(value)}` : value), 2);
  return text.includes(token) ? text.replace(new RegExp(`"${token}([^"]*)"`, 'g'), '$1') : text;
}

function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** Under the platform profile a schedule's runs never meet their trigger limit (SPEC section 9 rule 3; as simulate.ts decides). */
function triggerLimitChecked(plan: ResolvedPlan, kind: ResolvedPlan['triggers'][number]['kind']): boolean {
  return !(plan.profile === 'platform' && kind === 'scheduled');
}

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/**
 * Nearest-rank percentile (the smallest value with at least p of all values at or below it) of
 * `zeros` zero values plus the values in `positive` (ascending).
 */
function nearestRank(zeros: number, positive: Float64Array, p: number): number | null {
  const n = zeros + positive.length;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n)); // 1-based
  if (rank <= zeros) return 0;
  return positive[rank - zeros - 1];
}

export function buildReport(events: EventColumns, result: SimulationResult): Report {
  return reportFromTallies(result, talliesOf(events, result));
}

/** The report from the decisions' tallies (src/engine/report-tallies.ts): days × entities, not events. */
export function reportFromTallies(result: SimulationResult, tallies: ReportTallies): Report {
  const plan = result.plan;
  const { keys: kt, triggers: tt, reasons: nReasons } = tallies;
  const reasonsOf = (counts: Float64Array, base: number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (let r = 1; r < nReasons; r++) {
      const n = counts[base + r];
      if (n > 0) out[reasonName(plan, r) as string] = n;
    }
    return out;
  };
  // an entity the tallies never saw (no events of it) has zeros everywhere
  const at = (a: Float64Array, i: number, none = 0): number => (i < a.length ? a[i] : none);
  const noDelays = new Float64Array(0);

  const keys: KeyReport[] = plan.keys.map((k, e) => {
    const stats = result.keyStats[e];
    const episodes = stats?.episodes ?? [];
    const requests = at(kt.requests, e);
    const admitted = at(kt.admitted, e);
    return {
      id: k.id,
      name: k.name,
      capUsd: k.capMicros === null ? null : usd(k.capMicros),
      inferred: k.inferred,
      requests,
      admitted,
      blocked: requests - admitted,
      admittedUsd: usd(at(kt.admittedMicros, e)),
      blockedUsd: usd(at(kt.blockedMicros, e)),
      peakRollingUsd: usd(stats?.peakRollingMicros ?? 0),
      firstBlockedAt: isoOrNull(at(kt.firstBlocked, e, Number.POSITIVE_INFINITY)),
      usableAgainAt: isoOrNull(stats?.firstBlock?.until ?? null),
      blockedBy: e < kt.count ? reasonsOf(kt.blockedBy, e * nReasons) : {},
      cappedOut: episodes.map((ep) => ({ from: isoOrNull(ep.from) as string, until: isoOrNull(ep.until) })),
    };
  });

  const triggers: TriggerReport[] = plan.triggers.map((t, e) => {
    const seen = e < tt.count;
    const outcome = (o: number): number => (seen ? tt.outcomes[e * 5 + o] : 0);
    const admitted = outcome(Outcome.admitted);
    const delays = seen ? tt.delays[e] : noDelays;
    const limitedBy = seen ? reasonsOf(tt.limitedBy, e * nReasons) : {};
    const limitChecked = triggerLimitChecked(plan, t.kind);
    return {
      id: t.id,
      name: t.name,
      kind: t.kind,
      mode: t.modeName ?? t.mode,
      limit: limitChecked ? finiteOrNull(t.limit) : null,
      limitChecked,
      inferred: t.inferred,
      arrivals: at(tt.arrivals, e),
      admitted,
      delayed: at(tt.delayed, e),
      dropped: outcome(Outcome.dropped),
      skipped: outcome(Outcome.skipped),
      pending: outcome(Outcome.pending),
      maxDelayMs: admitted > 0 ? at(tt.maxDelay, e, -1) : null,
      p95DelayMs: nearestRank(admitted - delays.length, delays, 0.95),
      rateLimited: Object.keys(limitedBy).length > 0,
      limitedBy,
      peakQueue: result.triggerStats[e]?.peakQueue ?? 0,
      admittedUsd: usd(at(tt.admittedMicros, e)),
    };
  });

  const { outcomes, byType } = tallies;
  return {
    from: isoOrNull(tallies.minTime),
    to: isoOrNull(tallies.maxTime),
    horizon: new Date(result.horizon).toISOString(),
    profile: plan.profile,
    totals: {
      events: result.count,
      admitted: outcomes[Outcome.admitted],
      delayed: tallies.delayedTotal,
      blocked: outcomes[Outcome.blocked],
      skipped: outcomes[Outcome.skipped],
      dropped: outcomes[Outcome.dropped],
      pending: outcomes[Outcome.pending],
      apiRequests: byType[EventType.api],
      triggerRuns: byType[EventType.trigger],
      messages: byType[EventType.message],
    },
    keys,
    triggers,
    allowance: {
      limit: finiteOrNull(plan.allowance),
      peak: result.allowancePeak,
      messages: byType[EventType.message],
      blockedMessages: tallies.blockedMessages,
    },
    pool: { limit: finiteOrNull(plan.pool), peak: result.poolPeak },
    spendLimits: plan.spendLimits.map((l, j) => ({
      id: l.id,
      window: l.window,
      amountUsd: usd(l.amountMicros),
      peakUsd: usd(result.spendLimitPeakMicros[j] ?? 0),
      blocked: at(tallies.limitBlocked, j),
      delayed: at(tallies.limitDelayed, j),
    })),
    inferred: {
      keys: plan.keys.filter((k) => k.inferred).map((k) => k.id),
      triggers: plan.triggers.filter((t) => t.inferred).map((t) => t.id),
    },
    peakQueue: result.peakQueue,
    messagesBlockedBy: reasonsOf(tallies.messageBlockedBy, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Text

const MICROS = 1_000_000;
const MAX_ROWS = 15;

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function money(dollars: number): string {
  return formatUsd(Math.round(dollars * MICROS));
}

/** `90061000` → `1d 1h`; `45000` → `45s`. Two units at most: enough to act on. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms === 0) return '0';
  if (ms < 1000) return `${ms}ms`;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  // rounded at the second unit shown (a wait of 47h 59m 59.999s is 2d, not 1d 23h)
  const lead = units.findIndex(([, size]) => ms >= size);
  const step = units[Math.min(lead + 1, units.length - 1)]![1];
  const parts: string[] = [];
  let rest = Math.round(ms / step) * step;
  for (const [name, size] of units) {
    const q = Math.floor(rest / size);
    if (q > 0 || parts.length > 0) {
      if (q > 0) parts.push(`${q}${name}`);
      rest -= q * size;
      if (parts.length === 2 || (parts.length === 1 && q === 0)) break;
    }
  }
  return parts.join(' ') || '0';
}

/**
 * A row's name with its id after it, once: a name the import made unique (another entity had it)
 * already ends with the id's first 8 characters in brackets (src/ledger/entities.ts), which the
 * whole id then replaces.
 */
export function withId(name: string, id: string): string {
  if (name === id) return name;
  const made = ` (${id.slice(0, 8)})`;
  return `${name.endsWith(made) ? name.slice(0, -made.length) : name} (${id})`;
}

/**
 * `2026-01-05T10:00:00.000Z` → `2026-01-05 10:00 UTC` (minutes are what an admin plans in), and
 * `10:00:59` with its seconds when it has some: cut to the minute, a key said to work again at
 * 10:00 was still refused then.
 */
export function utcWhen(iso: string): string {
  const seconds = iso.slice(17, 19);
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds === '00' || seconds === '' ? 16 : 19)} UTC`;
}

function when(iso: string | null): string {
  return iso === null ? '-' : utcWhen(iso);
}

function pct(part: number, whole: number | null): string {
  if (whole === null || whole === 0) return '-';
  return `${Math.round((part / whole) * 100)}%`;
}

function table(head: string[], align: ('left' | 'right')[]): TextTable {
  return new TextTable(head, align);
}

/** How close a key came to its cap; keys without a cap sort last. */
function keyShare(k: KeyReport): number {
  if (k.capUsd === null) return -1;
  if (k.capUsd === 0) return k.requests > 0 ? Number.POSITIVE_INFINITY : 0;
  return k.peakRollingUsd / k.capUsd;
}

/** Room left under a limit at its peak; with capCheck "spent" the crossing request can overshoot. */
function headroom(limit: number, peak: number, show: (x: number) => string): string {
  return peak > limit ? `none (over by ${show(peak - limit)})` : `${show(limit - peak)} (${pct(limit - peak, limit)})`;
}

/** The reasons a key's requests are refused for by its throttles (SPEC section 9 rule 7). */
const KEY_THROTTLES = ['actor_minute', 'actor_hour'] as const;

/**
 * Of the replay's refusals and delays, those the history's "Held at a limit?" reading explains
 * (src/views/held-limits.ts): requests and runs the export holds, so the platform let them through
 * (the export's completion times past a throttle's, a cap's or a trigger's window, or an override
 * the plan does not state). Read by the caller and passed in: the engine does not read the history.
 */
export interface ExplainedRefusals {
  /** of the events that did not run in the replay */
  notRun: number;
  /** of the events that ran late in the replay */
  late: number;
}

const NONE_EXPLAINED: ExplainedRefusals = { notRun: 0, late: 0 };

/**
 * The headline: is the plan fine, and if not, what hurts. Every refusal of the replay is counted
 * (the plan as written refuses it), and those `explained` are said to be in the export, so that the
 * headline never reads "did not run" alone where the held list says the platform ran them.
 */
export function verdict(report: Report, heldFull = 0, explained: ExplainedRefusals = NONE_EXPLAINED): string {
  const t = report.totals;
  const problems: string[] = [];
  const capped = report.keys.filter((k) => (k.blockedBy.key_cap ?? 0) > 0);
  if (capped.length > 0) problems.push(`${counted(capped.length, 'API key')} hit ${capped.length === 1 ? 'its' : 'their'} cap`);
  const limits = report.spendLimits.filter((l) => l.blocked + l.delayed > 0);
  if (limits.length > 0) problems.push(`${limits.map((l) => `spend limit ${l.id}`).join(', ')} stopped spend`);
  const lost = t.dropped + t.skipped + t.pending;
  const held = report.triggers.filter((tr) => tr.rateLimited);
  if (held.length > 0) {
    const what = [t.delayed > 0 ? `${n(t.delayed)} delayed` : '', t.dropped > 0 ? `${n(t.dropped)} dropped` : '', t.skipped > 0 ? `${n(t.skipped)} skipped` : '', t.pending > 0 ? `${n(t.pending)} still waiting` : '']
      .filter(Boolean)
      .join(', ');
    problems.push(`${counted(held.length, 'trigger')} held back${what ? ` (${what})` : ''}`);
  }
  // a key's requests its per-minute or per-hour throttle refused (SPEC section 9 rule 7): refusals
  // the table shows as much as a cap's, though no cap or spend limit was met
  const throttled = report.keys.filter((k) => KEY_THROTTLES.some((r) => (k.blockedBy[r] ?? 0) > 0));
  if (throttled.length > 0) {
    const by = KEY_THROTTLES.map((r) => [r, throttled.reduce((s, k) => s + (k.blockedBy[r] ?? 0), 0)] as const).filter(([, c]) => c > 0);
    problems.push(`${counted(throttled.length, 'API key')} throttled (${by.map(([r, c]) => `${n(c)} by ${r}`).join(', ')})`);
  }
  if (report.allowance.blockedMessages > 0) problems.push(`${counted(report.allowance.blockedMessages, "person's message", "people's messages")} blocked`);
  if (t.events === 0) return 'No events: the file has a header and no rows, so nothing was simulated.';
  // whatever check a newer engine adds, an event the totals show refused or late is never "OK"
  if (problems.length === 0 && t.blocked + t.dropped + t.skipped + t.pending + t.delayed > 0) problems.push(`${counted(t.blocked + t.dropped + t.skipped + t.pending + t.delayed, 'event')} held back`);
  if (problems.length === 0) {
    // an export holds only what the platform admitted: a limit reached with nothing refused may have cut the demand
    if (heldFull > 0) return `OK: all ${counted(t.events, 'event')} went through at once, but ${counted(heldFull, 'limit was', 'limits were')} full (see "Held at a limit?" below).`;
    return `OK: all ${counted(t.events, 'event')} went through at once; nothing hit a limit.`;
  }
  const stopped = t.blocked + lost;
  const said = explainedWords(stopped, t.delayed, explained);
  return `LIMITS HIT: ${problems.join('; ')}. ${n(stopped)} of ${counted(t.events, 'event')} did not run${said === '' ? '' : ' in the replay'}${t.delayed > 0 ? `, ${n(t.delayed)} ran late` : ''}${said}.`;
}

/** "; all 345 are in the export, so the platform let them through (…)", or '' when none is explained. */
function explainedWords(stopped: number, late: number, e: ExplainedRefusals): string {
  // never more than the counts the headline gives: a caller's reading of another run is not said
  const notRun = Math.min(Math.max(0, e.notRun), stopped);
  const lateOnes = Math.min(Math.max(0, e.late), late);
  if (notRun + lateOnes === 0) return '';
  const parts: string[] = [];
  if (notRun > 0) parts.push(notRun === stopped ? (stopped === 1 ? 'it' : `all ${n(stopped)}`) : `${n(notRun)} of them`);
  if (lateOnes > 0) parts.push(lateOnes === late ? `the ${n(late)} late` : `${n(lateOnes)} of the ${n(late)} late`);
  const one = notRun + lateOnes === 1;
  return `; ${parts.join(' and ')} ${one ? 'is' : 'are'} in the export, so the platform let ${one ? 'it' : 'them'} through (see "Held at a limit?" below)`;
}

/** People's messages refused by a throttle (SPEC section 9 rule 7) rather than by the allowance. */
function throttledMessages(report: Report): number {
  return Object.entries(report.messagesBlockedBy).reduce((sum, [r, c]) => (r === 'allowance' ? sum : sum + c), 0);
}

/** A readable summary for the terminal: verdict first, then the tables an admin acts on. */
export interface SummaryOptions {
  /** the plan file left `workspace.spendLimits` out: its limits are the defaults, said so in the table */
  defaultSpendLimits?: boolean;
  /** how many limits the history reached with nothing refused (listed by the caller under the summary) */
  heldFull?: number;
  /** of the replay's refusals and delays, those the held limits explain (views/held-limits.ts `heldReading`) */
  explained?: ExplainedRefusals;
  /** limited webhooks wait (the plan's enforcement.webhookWhenLimited "queue"): under the platform profile, said to be the plan's, not the code's */
  queuesWebhooks?: boolean;
}

export function formatSummary(report: Report, options: SummaryOptions = {}): string {
  const out: string[] = [];
  const t = report.totals;
  out.push(verdict(report, options.heldFull ?? 0, options.explained), '');
  out.push(
    `Simulated ${counted(t.events, 'event')} (${counted(t.apiRequests, 'API request')}, ${counted(t.triggerRuns, 'trigger run')}, ${counted(t.messages, 'message')})` +
      (t.events === 0 ? '.' : ` from ${when(report.from)} to ${when(report.to)}; queues followed until ${when(report.horizon)}.`),
  );
  out.push(
    `Admitted ${n(t.admitted)} (${n(t.delayed)} after waiting), blocked ${n(t.blocked)}, dropped ${n(t.dropped)}, skipped ${n(t.skipped)}, still waiting ${n(t.pending)}.`,
  );
  if (report.profile === 'platform') {
    out.push('Decided as the platform\'s code enforces the limits (enforcement.profile "platform"), not as its docs describe them.');
    // an explicit field wins over the profile (SPEC section 9): a what-if, which the text must not pass off as the code's
    if (options.queuesWebhooks === true) out.push('Except limited webhooks: they wait here because the plan sets enforcement.webhookWhenLimited "queue"; the platform\'s code drops them (leave the field out, or set "drop", for what it does).');
  }

  if (report.keys.length > 0) {
    // Keys the cap stopped first, then the closest to their cap, then the rest by blocked count.
    const capBlocks = (k: KeyReport) => k.blockedBy.key_cap ?? 0;
    const keys = [...report.keys].sort(
      (a, b) => capBlocks(b) - capBlocks(a) || keyShare(b) - keyShare(a) || b.blocked - a.blocked || a.id.localeCompare(b.id),
    );
    const tb = table(
      ['API key', 'Cap', 'Peak spend', 'Of cap', 'Requests', 'Blocked', 'Blocked by', 'Blocked $', 'First blocked', 'Usable again'],
      ['left', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'left', 'left'],
    );
    const blockedBy = (k: KeyReport) =>
      Object.entries(k.blockedBy)
        .sort((a, b) => b[1] - a[1])
        .map(([why, count]) => `${why === 'key_cap' ? 'cap' : why.replace(/^spend_limit:/, 'limit ')} ${n(count)}`)
        .join(', ') || '-';
    for (const k of keys.slice(0, MAX_ROWS)) {
      tb.push([
        `${withId(k.name, k.id)}${k.inferred ? ' *' : ''}`,
        k.capUsd === null ? 'no cap' : money(k.capUsd),
        money(k.peakRollingUsd),
        k.capUsd === null ? '-' : pct(k.peakRollingUsd, k.capUsd),
        n(k.requests),
        n(k.blocked),
        blockedBy(k),
        money(k.blockedUsd),
        when(k.firstBlockedAt),
        k.cappedOut.length > 1 ? `${when(k.usableAgainAt)} (+${k.cappedOut.length - 1})` : when(k.usableAgainAt),
      ]);
    }
    out.push('', 'API keys (closest to their cap first; peak spend is over the cap window; usable again: end of the first capped-out stretch, +N more later)', tb.toString());
    if (keys.length > MAX_ROWS) out.push(`... and ${counted(keys.length - MAX_ROWS, 'more key')} with more headroom (see --json).`);
  }

  if (report.triggers.length > 0) {
    const score = (tr: TriggerReport) => tr.dropped + tr.skipped + tr.pending;
    const triggers = [...report.triggers].sort((a, b) => score(b) - score(a) || b.delayed - a.delayed || (b.maxDelayMs ?? 0) - (a.maxDelayMs ?? 0) || a.id.localeCompare(b.id));
    const tb = table(['Trigger', 'Kind / mode', 'Limit/24h', 'Runs', 'Admitted', 'Delayed', 'Dropped', 'Skipped', 'Waiting', 'Max delay', 'p95 delay'], ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
    for (const tr of triggers.slice(0, MAX_ROWS)) {
      tb.push([
        `${withId(tr.name, tr.id)}${tr.inferred ? ' *' : ''}`,
        `${tr.kind} / ${tr.mode === 'fair_use' ? 'fair use' : tr.mode === 'user_pool' ? 'user pool' : tr.mode === 'workspace_pool' ? 'workspace pool' : 'programmatic'}`,
        !tr.limitChecked ? 'not checked' : tr.limit === null ? 'none' : n(tr.limit),
        n(tr.arrivals),
        n(tr.admitted),
        n(tr.delayed),
        n(tr.dropped),
        n(tr.skipped),
        n(tr.pending),
        formatDuration(tr.maxDelayMs),
        formatDuration(tr.p95DelayMs),
      ]);
    }
    out.push('', 'Triggers (most runs lost or delayed first)', tb.toString());
    if (triggers.length > MAX_ROWS) out.push(`... and ${counted(triggers.length - MAX_ROWS, 'more trigger')} (see --json).`);
  }

  const cap = table(['Shared limit', 'Limit', 'Peak', 'Headroom at peak', 'Stopped'], ['left', 'right', 'right', 'right', 'right']);
  const a = report.allowance;
  cap.push([
    'Messages per 24 h (allowance)',
    a.limit === null ? 'unlimited' : n(a.limit),
    n(a.peak),
    a.limit === null ? '-' : headroom(a.limit, a.peak, n),
    // the allowance's own refusals: a throttle's are on its line below
    `${counted(a.blockedMessages - throttledMessages(report), "person's message", "people's messages")} blocked`,
  ]);
  const throttled = throttledMessages(report);
  if (throttled > 0) {
    const by = Object.entries(report.messagesBlockedBy)
      .filter(([r]) => r !== 'allowance')
      .map(([r, c]) => `${n(c)} ${r}`)
      .join(', ');
    cap.push(['Messages per minute / hour (throttles)', '-', '-', '-', `${counted(throttled, "person's message", "people's messages")} blocked (${by})`]);
  }
  const p = report.pool;
  const poolStopped = report.triggers.reduce((s, tr) => s + (tr.limitedBy.pool ?? 0), 0);
  cap.push(['Fair-use trigger runs per 24 h (pool)', p.limit === null ? 'unlimited' : n(p.limit), n(p.peak), p.limit === null ? '-' : headroom(p.limit, p.peak, n), `${counted(poolStopped, 'run')} held back`]);
  const windowName: Record<SpendLimitWindow, string> = { 'utc-day': 'per UTC day', 'calendar-month': 'per calendar month', 'rolling-30d': 'per rolling 30 days' };
  for (const l of report.spendLimits) {
    cap.push([
      `Spend limit ${l.id} (${windowName[l.window]})${options.defaultSpendLimits ? ' (default; set spendLimits: [] for none)' : ''}`,
      money(l.amountUsd),
      money(l.peakUsd),
      headroom(l.amountUsd, l.peakUsd, money),
      `${n(l.blocked)} blocked${l.delayed > 0 ? `, ${n(l.delayed)} delayed` : ''}`,
    ]);
  }
  out.push('', 'Shared limits', cap.toString());
  if (report.peakQueue > 0) out.push(`At most ${counted(report.peakQueue, 'webhook run')} waited at once.`);

  const inf = report.inferred;
  if (inf.keys.length + inf.triggers.length > 0) {
    const list = (ids: string[]) => (ids.length > 10 ? `${ids.slice(0, 10).join(', ')} and ${ids.length - 10} more` : ids.join(', '));
    out.push('', '* Not in the plan, simulated with defaults (no cap; webhook, fair use, 42 runs/24 h):');
    if (inf.keys.length > 0) out.push(`  keys: ${list(inf.keys)}`);
    if (inf.triggers.length > 0) out.push(`  triggers: ${list(inf.triggers)}`);
  }
  return `${out.join('\n')}\n`;
}
