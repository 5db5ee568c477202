/**
 * `headroom simulate PLAN.json EVENTS.csv [--until ISO] [--decisions OUT.ndjson] [--json]`
 * (SPEC §7): runs the plan (JSON, or YAML as `headroom export` writes it) over the events, prints
 * the summary (or the report as JSON) and optionally writes every decision as NDJSON, atomically;
 * Ctrl-C during that write stops it and leaves no file.
 */
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { loadPlanFile, readPlanFile, spendLimitsDefaulted } from '../../engine/plan-file.ts';
import type { Plan } from '../../engine/plan.ts';
import type { EventColumns } from '../../engine/events.ts';
import { readEventsCsvFile } from '../../csv/read-events.ts';
import { parseTimestampAt } from '../../csv/timestamp.ts';
import { timeRangeMessage } from '../../engine/time-range.ts';
import { simulate } from '../../engine/simulate.ts';
import { buildReport, formatSummary, reportToJson } from '../../engine/report.ts';
import type { Report } from '../../engine/report.ts';
import { openDecisionsFile } from '../../engine/decisions.ts';
import type { DecisionsFile } from '../../engine/decisions.ts';
import { STDOUT_PATH } from '../../fs/atomic.ts';
import { planWithLedgerEntities, readLedgerEvents } from '../../ledger/read.ts';
import { compareProfiles, formatComparison } from '../../compare/profiles.ts';
import { OtherProfileRun } from '../../compare/other-profile.ts';
import type { ProfileComparison } from '../../compare/profiles.ts';
import { formatHeldLimits, formatInferredAboveDefault } from '../held-limits.ts';
import { heldReading } from '../../views/held-limits.ts';
import { inferredAboveDefault } from '../../views/inferred-above-default.ts';

export interface SimulateCliOptions {
  until?: string;
  decisions?: string;
  json?: boolean;
  // --- ledger source (src/ledger): `--db LEDGER.sqlite [--from ISO] [--to ISO]` ---
  db?: string;
  from?: string;
  to?: string;
  /** `--compare` / `--no-compare`: the second simulation under the other enforcement profile; by default only for the readable summary */
  compare?: boolean;
}

function inputError(message: string, column?: string, value?: string): InputError {
  return new InputError(message, [{ column, value, message }]);
}

/** The plan file, JSON or YAML (src/engine/plan-file.ts, shared with forecast/recommend/export). */
export function loadPlan(path: string): Plan {
  return loadPlanFile(path);
}

/**
 * Where the events come from. Today: the canonical CSV. This is the seam for other sources
 * (`--db LEDGER.sqlite [--from] [--to]`): add the options to SimulateCliOptions and
 * registerSimulate, and return the ledger's events here, sorted by time, with their ledger
 * identities as `ids` (decisions then number rows in time order, as SPEC §8 asks).
 */
export function loadEvents(eventsPath: string | undefined, options: SimulateCliOptions): EventColumns {
  // --- ledger source (src/ledger) ---
  if (options.db !== undefined) {
    if (eventsPath !== undefined) throw inputError(`give either EVENTS.csv or --db, not both (${eventsPath}, --db ${options.db})`, '--db', options.db);
    const from = options.from === undefined ? undefined : parseTimeOption('--from', options.from);
    const to = options.to === undefined ? undefined : parseTimeOption('--to', options.to);
    return readLedgerEvents(options.db, from, to, options.decisions !== undefined);
  }
  if (options.from !== undefined || options.to !== undefined) throw inputError('--from and --to select events of a ledger: use them with --db', '--from');
  // --- end ledger source ---
  if (eventsPath === undefined) throw inputError('missing EVENTS.csv (the events to simulate)', 'EVENTS.csv');
  return readEventsCsvFile(eventsPath);
}

/** A time option (`--until`, `--from`, `--to`): ISO 8601 with Z or an offset, epoch ms, or a bare date meaning 00:00 UTC. */
export function parseTimeOption(name: string, text: string): number {
  const trimmed = text.trim();
  const full = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed;
  const value = parseTimestampAt(full, 0, full.length);
  if (typeof value === 'number') return value;
  // a time outside the range gets its own message; any other problem the usual example
  if (value === timeRangeMessage()) throw inputError(`${name} "${text}" ${value}`, name, text);
  throw inputError(`${name} "${text}" is not an ISO 8601 time like 2026-02-01T00:00:00Z`, name, text);
}

/** `--until` (see parseTimeOption). */
export function parseUntil(text: string): number {
  return parseTimeOption('--until', text);
}

export interface SimulateOutput {
  report: Report;
  /** what to print: on stdout, or on stderr when the decisions went to stdout (`--decisions -`) */
  text: string;
  /** true when `text` belongs on stderr */
  toStderr: boolean;
}

interface Prepared {
  events: EventColumns;
  result: ReturnType<typeof simulate>;
  report: Report;
  decisions: DecisionsFile | null;
  defaultSpendLimits: boolean;
  /** the same events under the other enforcement profile (SPEC section 9), unless --no-compare */
  profiles: ProfileComparison | null;
}

interface Loaded {
  plan: Plan;
  raw: unknown;
  events: EventColumns;
  until: number | undefined;
  decisions: DecisionsFile | null;
}

/** Reads the plan and the events and checks the decisions path: everything before simulating. */
function load(planPath: string, eventsPath: string | undefined, options: SimulateCliOptions): Loaded {
  const until = options.until === undefined ? undefined : parseUntil(options.until);
  const { plan: planFile, raw } = readPlanFile(planPath);
  const events = loadEvents(eventsPath, options);
  const plan = options.db === undefined ? planFile : planWithLedgerEntities(planFile, options.db);
  if (until !== undefined) {
    let last = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < events.count; i++) if (events.time[i] > last) last = events.time[i];
    if (until < last) {
      throw inputError(
        `--until ${new Date(until).toISOString()} is before the last event (${new Date(last).toISOString()}): give a time at or after it`,
        '--until',
        options.until,
      );
    }
  }
  // Checked before the run so that an unwritable path fails at once.
  let decisions: DecisionsFile | null = null;
  if (options.decisions !== undefined) {
    try {
      decisions = openDecisionsFile(options.decisions);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw inputError(`--decisions ${options.decisions}: cannot write there (${code ?? String(err)})`, '--decisions', options.decisions);
    }
  }
  return { plan, raw, events, until, decisions };
}

/** Simulates and builds the report; the comparison of profiles is left to the caller. */
function run(l: Loaded): Prepared {
  const result = simulate(l.plan, l.events, l.until === undefined ? {} : { until: l.until });
  const report = buildReport(l.events, result);
  return { events: l.events, result, report, decisions: l.decisions, defaultSpendLimits: spendLimitsDefaulted(l.raw), profiles: null };
}

/** Reads, checks the decisions path, simulates, compares the profiles and builds the report: everything but the writing. */
function prepare(planPath: string, eventsPath: string | undefined, options: SimulateCliOptions): Prepared {
  const l = load(planPath, eventsPath, options);
  const p = run(l);
  if (wantsComparison(options)) p.profiles = compareProfiles(l.plan, l.events, l.until === undefined ? {} : { until: l.until }, p.result);
  return p;
}

function output(p: Prepared, options: SimulateCliOptions): SimulateOutput {
  const toStdout = options.decisions === STDOUT_PATH;
  const { limits: held, explained } = heldReading(p.events, p.result, p.report);
  const text = options.json
    ? `${reportToJson(Object.assign({}, p.report, { heldAtLimit: held }, p.profiles === null ? {} : { profiles: p.profiles }))}\n`
    : `${formatSummary(p.report, { defaultSpendLimits: p.defaultSpendLimits, heldFull: held.length, explained, queuesWebhooks: p.result.plan.queueWebhooks })}${formatHeldLimits(held)}${formatInferredAboveDefault(inferredAboveDefault(p.events, p.result, p.report))}${p.profiles === null ? '' : formatComparison(p.profiles)}${options.decisions !== undefined ? `\nWrote ${p.events.count.toLocaleString('en-US')} decisions to ${toStdout ? 'standard output' : options.decisions}\n` : ''}`;
  return { report: p.report, text, toStderr: toStdout };
}

/**
 * The comparison is for people: the readable summary shows it unless --no-compare; a machine
 * reading --json gets it only when it asks with --compare, so its run costs one simulation.
 */
function wantsComparison(options: SimulateCliOptions): boolean {
  return options.compare ?? options.json !== true;
}

/** The whole command, without touching stdout: reads, simulates, writes decisions, formats. */
export function runSimulate(planPath: string, eventsPath: string | undefined, options: SimulateCliOptions): SimulateOutput {
  const p = prepare(planPath, eventsPath, options);
  p.decisions?.write(p.events, p.result);
  return output(p, options);
}

/**
 * runSimulate for the command line: the decisions are written in slices with returns to the
 * event loop, so that Ctrl-C during a long write stops it (no file left, exit 130 / 143).
 */
export async function runSimulateAsync(planPath: string, eventsPath: string | undefined, options: SimulateCliOptions): Promise<SimulateOutput> {
  // the other profile's run goes to a second thread, started before the events are read
  const other = wantsComparison(options) ? new OtherProfileRun().start() : null;
  try {
    const l = load(planPath, eventsPath, options);
    await other?.begin(l.plan, l.events, l.until);
    const p = run(l);
    await p.decisions?.writeAsync(p.events, p.result);
    // the comparison only adds to the answer: if it fails, the summary goes out without it
    if (other !== null) p.profiles = await other.finish(p.result).catch(() => null);
    return output(p, options);
  } finally {
    await other?.close();
  }
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run a plan over recorded events and report what its limits let through')
    .argument('<PLAN.json>', 'the plan, JSON or YAML (as `headroom export` writes it): workspace, API keys, triggers, enforcement')
    .argument('[EVENTS.csv]', 'events: timestamp,type,subject,cost_usd[,id]')
    .option('--until <ISO>', 'keep releasing queued runs until this time (default: last event + 30 days)')
    .option('--decisions <OUT.ndjson>', 'write one JSON decision per event, in input order (- for standard output)')
    .option('--json', 'print the report as JSON instead of the summary')
    .option('--db <LEDGER.sqlite>', 'simulate the events of a ledger (see `headroom import`) instead of a CSV')
    .option('--from <ISO>', 'with --db: only events at or after this time')
    .option('--to <ISO>', 'with --db: only events before this time')
    .option('--compare', "show where the platform's code and the docs decide differently (a second simulation; on by default for the summary, off for --json)")
    .option('--no-compare', 'skip that second simulation')
    .action(async (planPath: string, eventsPath: string | undefined, options: SimulateCliOptions) => {
      const { text, toStderr } = await runSimulateAsync(planPath, eventsPath, options);
      // With `--decisions -` standard output holds the NDJSON alone.
      (toStderr ? process.stderr : process.stdout).write(text);
    });
}
