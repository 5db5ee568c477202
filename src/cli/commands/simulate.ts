/**
 * `headroom simulate PLAN.json EVENTS.csv [--until ISO] [--decisions OUT.ndjson] [--json]`
 * (SPEC §7): runs the plan over the events, prints the summary (or the report as JSON) and
 * optionally writes every decision as NDJSON, atomically.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { parsePlanJson } from '../../engine/plan.ts';
import type { Plan } from '../../engine/plan.ts';
import type { EventColumns } from '../../engine/events.ts';
import { parseTimestamp, readEventsCsvFile } from '../../engine/csv.ts';
import { simulate } from '../../engine/simulate.ts';
import { buildReport, formatSummary } from '../../engine/report.ts';
import type { Report } from '../../engine/report.ts';
import { openDecisionsFile } from '../../engine/decisions.ts';
import { STDOUT_PATH } from '../../fs/atomic.ts';
import { readLedgerEvents } from '../../ledger/read.ts';

export interface SimulateCliOptions {
  until?: string;
  decisions?: string;
  json?: boolean;
  // --- ledger source (src/ledger): `--db LEDGER.sqlite [--from ISO] [--to ISO]` ---
  db?: string;
  from?: string;
  to?: string;
}

function inputError(message: string, column?: string, value?: string): InputError {
  return new InputError(message, [{ column, value, message }]);
}

export function loadPlan(path: string): Plan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(`${path}: ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`}`);
  }
  return parsePlanJson(text, path);
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
    const from = options.from === undefined ? undefined : parseUntil(options.from);
    const to = options.to === undefined ? undefined : parseUntil(options.to);
    return readLedgerEvents(options.db, from, to, options.decisions !== undefined);
  }
  if (options.from !== undefined || options.to !== undefined) throw inputError('--from and --to select events of a ledger: use them with --db', '--from');
  // --- end ledger source ---
  if (eventsPath === undefined) throw inputError('missing EVENTS.csv (the events to simulate)', 'EVENTS.csv');
  return readEventsCsvFile(eventsPath);
}

/** `--until`: ISO 8601 with Z or an offset, epoch ms, or a bare date meaning 00:00 UTC. */
export function parseUntil(text: string): number {
  const trimmed = text.trim();
  const value = parseTimestamp(/^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
  if (value === null) throw inputError(`--until "${text}" is not an ISO 8601 time like 2026-02-01T00:00:00Z`, '--until', text);
  return value;
}

export interface SimulateOutput {
  report: Report;
  /** what to print: on stdout, or on stderr when the decisions went to stdout (`--decisions -`) */
  text: string;
  /** true when `text` belongs on stderr */
  toStderr: boolean;
}

/** The whole command, without touching stdout: reads, simulates, writes decisions, formats. */
export function runSimulate(planPath: string, eventsPath: string | undefined, options: SimulateCliOptions): SimulateOutput {
  const until = options.until === undefined ? undefined : parseUntil(options.until);
  const plan = loadPlan(planPath);
  const events = loadEvents(eventsPath, options);
  if (until !== undefined) {
    let last = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < events.count; i++) if (events.time[i] > last) last = events.time[i];
    if (until < last) {
      throw inputError(
        `--until ${new Date(until).toISOString()} is before the last event (${new Date(last).toISOString()}); the horizon must come after every event`,
        '--until',
        options.until,
      );
    }
  }
  // Checked before the run so that an unwritable path fails at once.
  let decisions: ReturnType<typeof openDecisionsFile> | null = null;
  if (options.decisions !== undefined) {
    try {
      decisions = openDecisionsFile(options.decisions);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw inputError(`--decisions ${options.decisions}: cannot write there (${code ?? String(err)})`, '--decisions', options.decisions);
    }
  }
  const toStdout = options.decisions === STDOUT_PATH;
  const result = simulate(plan, events, until === undefined ? {} : { until });
  const report = buildReport(events, result);
  decisions?.write(events, result);
  const text = options.json
    ? `${JSON.stringify(report, null, 2)}\n`
    : `${formatSummary(report)}${options.decisions !== undefined ? `\nWrote ${events.count.toLocaleString('en-US')} decisions to ${toStdout ? 'standard output' : options.decisions}\n` : ''}`;
  return { report, text, toStderr: toStdout };
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run a plan over recorded events and report what its limits let through')
    .argument('<PLAN.json>', 'the plan: workspace, API keys, triggers, enforcement')
    .argument('[EVENTS.csv]', 'events: timestamp,type,subject,cost_usd[,id]')
    .option('--until <ISO>', 'keep releasing queued runs until this time (default: last event + 30 days)')
    .option('--decisions <OUT.ndjson>', 'write one JSON decision per event, in input order (- for standard output)')
    .option('--json', 'print the report as JSON instead of the summary')
    .option('--db <LEDGER.sqlite>', 'simulate the events of a ledger (see `headroom import`) instead of a CSV')
    .option('--from <ISO>', 'with --db: only events at or after this time')
    .option('--to <ISO>', 'with --db: only events before this time')
    .action((planPath: string, eventsPath: string | undefined, options: SimulateCliOptions) => {
      const { text, toStderr } = runSimulate(planPath, eventsPath, options);
      // With `--decisions -` standard output holds the NDJSON alone.
      (toStderr ? process.stderr : process.stdout).write(text);
    });
}
