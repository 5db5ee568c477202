/**
 * `headroom forecast [PLAN] --db LEDGER [--days 30] [--paths 200] [--seed N] [--workers N]
 * [--seats N] [--key-growth ID=SHARE]... [--trigger-growth ID=SHARE]... [--new-trigger ID=VOLUME[:KIND][:MODE]]...
 * [--mode ID=MODE]... [--from ISO] [--to ISO] [--json]`
 */
import type { Command } from 'commander';
import type { PlanTrigger } from '../../engine/plan.ts';
import { formatUsd } from '../../engine/units.ts';
import { InputError } from '../../errors.ts';
import { COMPARE_PATHS, forecast } from '../../forecast/index.ts';
import { PROFILE_WORDS, profileDifferences } from '../../forecast/profile-differences.ts';
import type { ForecastReport, NewTrigger, TriggerCauseReport, WhatIf } from '../../forecast/index.ts';
import { loadLedgerHistory, loadPlan, parseIntOption, parsePairs, parseShare } from '../../forecast/load.ts';
import { chanceText } from '../../forecast/rounding.ts';
import { planWithLedgerEntities } from '../../ledger/read.ts';
import { checkTimeRangeOptions } from '../time-options.ts';

export interface ForecastCliOptions {
  db: string;
  from?: string;
  to?: string;
  days?: string;
  paths?: string;
  seed?: string;
  workers?: string;
  seats?: string;
  keyGrowth?: string[];
  triggerGrowth?: string[];
  newTrigger?: string[];
  mode?: string[];
  json?: boolean;
  /** `--compare` / `--no-compare`: the same futures under the other enforcement profile; by default only for the readable summary */
  compare?: boolean;
}


export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function whatIfFromOptions(o: ForecastCliOptions): WhatIf {
  const w: WhatIf = {};
  const seats = parseIntOption('--seats', o.seats, 0, 10_000_000);
  if (seats !== undefined) w.seats = seats;
  const kg = parsePairs('--key-growth', o.keyGrowth);
  if (kg.length) w.keyGrowth = Object.fromEntries(kg.map(([id, v]) => [id, parseShare('--key-growth', v)]));
  const tg = parsePairs('--trigger-growth', o.triggerGrowth);
  if (tg.length) w.triggerGrowth = Object.fromEntries(tg.map(([id, v]) => [id, parseShare('--trigger-growth', v)]));
  const modes = parsePairs('--mode', o.mode);
  if (modes.length) {
    w.modes = {};
    for (const [id, m] of modes) {
      if (m !== 'fair_use' && m !== 'programmatic') throw new InputError(`--mode ${id}=${m}: the mode is fair_use or programmatic`, [{ column: '--mode', value: m, message: 'not a mode' }]);
      w.modes[id] = m;
    }
  }
  const nts = parsePairs('--new-trigger', o.newTrigger);
  if (nts.length) {
    w.newTriggers = nts.map(([id, spec]): NewTrigger => {
      const [volume = '', ...rest] = spec.split(':');
      const v = Number(volume);
      if (!/^\d+(\.\d+)?$/.test(volume) || !Number.isFinite(v)) {
        throw new InputError(`--new-trigger ${id}=${spec}: the expected daily volume "${volume}" is not a number`, [{ column: '--new-trigger', value: spec, message: 'not a daily volume' }]);
      }
      const nt: NewTrigger = { id, dailyVolume: v };
      for (const r of rest) {
        if (r === 'webhook' || r === 'scheduled') nt.kind = r as PlanTrigger['kind'];
        else if (r === 'fair_use' || r === 'programmatic') nt.mode = r as PlanTrigger['mode'];
        else throw new InputError(`--new-trigger ${id}=${spec}: "${r}" is neither a kind (webhook, scheduled) nor a mode (fair_use, programmatic)`, [{ column: '--new-trigger', value: spec, message: 'unknown kind or mode' }]);
      }
      return nt;
    });
  }
  return w;
}

export async function runForecast(planPath: string | undefined, o: ForecastCliOptions, signal?: AbortSignal): Promise<ForecastReport> {
  const planFile = loadPlan(planPath);
  const whatIf = whatIfFromOptions(o);
  const days = parseIntOption('--days', o.days, 1, 366);
  const paths = parseIntOption('--paths', o.paths, 0, 100_000);
  const seed = parseIntOption('--seed', o.seed, -2_147_483_648, 4_294_967_295);
  const workers = parseIntOption('--workers', o.workers, 0, 64);
  checkTimeRangeOptions(o);
  const { events, exportedKeys } = loadLedgerHistory(o.db, o.from, o.to);
  const plan = planWithLedgerEntities(planFile, o.db);
  const tty = process.stderr.isTTY === true && !o.json;
  const report = await forecast(events, plan, {
    whatIf,
    exportedKeys,
    ...(days !== undefined ? { days } : {}),
    ...(paths !== undefined ? { paths } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(signal ? { signal } : {}),
    // as `simulate` does: for people by default, for --json when asked
    ...((o.compare ?? o.json !== true) ? { compare: { paths: COMPARE_PATHS } } : {}),
    ...(tty ? { onProgress: (share: number) => process.stderr.write(`\rforecast: ${Math.floor(share * 100)}%`) } : {}),
  });
  if (tty) process.stderr.write('\r\x1b[K');
  return report;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const b3 = (b: { p10: number; p50: number; p90: number }, f: (x: number) => string = n) => `${f(b.p10)} / ${f(b.p50)} / ${f(b.p90)}`;

const MODEL_NAMES: Record<string, string> = { level: 'local level', trend: 'linear trend', growth: 'compounding growth', flat: 'short history' };

export function describeForecast(r: ForecastReport): string {
  const out: string[] = [];
  out.push(`history ${r.history.from} to ${r.history.to} (${r.history.days} days, ${n(r.history.events)} events); forecast ${r.horizon.from} to ${r.horizon.to}`);
  for (const note of r.notes) out.push(`note: ${note}`);
  if (r.backtest.overall) {
    const o = r.backtest.overall;
    out.push(
      `backtest (last 14 days): model WAPE ${((o.model.wape ?? 0) * 100).toFixed(1)} %, seasonal-naive WAPE ${((o.naive.wape ?? 0) * 100).toFixed(1)} %` +
        ` (MAE ${o.model.mae.toFixed(3)} vs ${o.naive.mae.toFixed(3)}, scaled to each series' mean): ${o.verdict === 'better' ? 'beats' : o.verdict === 'equal' ? 'ties with (the same error as)' : 'does NOT beat'} the baseline overall` +
        `; better on ${r.backtest.seriesBeatingNaive} of ${r.backtest.series.length} series`,
    );
  }
  const SHOW = 15;
  const more = (total: number): void => {
    if (total > SHOW) out.push(`  … ${total - SHOW} more (--json lists all)`);
  };
  const models = new Map<string, number>();
  for (const s of r.series) models.set(s.model, (models.get(s.model) ?? 0) + 1);
  out.push(
    `models, chosen per series by a held-out backtest of its last days: ${[...models].map(([k, v]) => `${MODEL_NAMES[k] ?? k} ${v}`).join(', ')}; ` +
      (r.censored.length ? `history censored by a limit on ${r.censored.length} series (days at the ceiling read as lower bounds)` : 'history not censored by any limit'),
  );
  out.push('', `next ${r.horizon.days} days, P10 / P50 / P90 totals (largest first), model per series:`);
  for (const kind of ['key_spend', 'trigger_runs', 'messages'] as const) {
    const rows = r.series.filter((s) => s.kind === kind).sort((a, b) => b.total.p50 - a.total.p50);
    const f = kind === 'key_spend' ? (x: number) => formatUsd(x) : n;
    for (const s of rows.slice(0, SHOW)) {
      const tags = [
        // a batch key's paths follow its cadence, not the model fitted: its note says which
        ...(s.batchNote ? [] : [MODEL_NAMES[s.model] ?? s.model]),
        ...(s.levelShift ? [`level shift ${s.levelShift}`] : []),
        ...(s.censoredDays ? [`censored ${s.censoredDays} d`] : []),
        ...(s.censorNote ? [s.censorNote] : []),
        ...(s.thinNote ? [`thin history: ${s.thinNote}`] : []),
        ...(s.batchNote ? [`model: ${s.batchNote}`] : []),
        ...(s.runawayRate > 0 ? [`runaways ${(s.runawayRate * 100).toFixed(1)} % of days`] : []),
      ];
      out.push(`  ${s.kind.padEnd(12)} ${s.id.padEnd(28)} ${b3(s.total, f).padEnd(34)} ${tags.join(', ')}`);
    }
    more(rows.length);
  }
  const mc = r.monteCarlo;
  if (mc) {
    out.push('', `Monte Carlo, ${mc.paths} paths (seed ${mc.seed}):`);
    const capped = mc.keys
      .filter((k) => k.firstCappedOut.probability > 0)
      .sort((a, b) => b.firstCappedOut.probability - a.firstCappedOut.probability || (a.firstCappedOut.p50 ?? '~').localeCompare(b.firstCappedOut.p50 ?? '~'));
    out.push(`  ${capped.length} of ${mc.keys.length} keys blocked by their cap in some paths${capped.length ? ':' : ''}`);
    for (const k of capped.slice(0, SHOW)) {
      const d = k.firstCappedOut;
      // the simulation's figure, named apart from the capped-out chance recommend gives (ordinary
      // use reaching the cap, over the same paths), and both said as every output says a chance
      out.push(
        `  key ${k.id}: blocked by its cap in ${chanceText(d.probability)} of paths (runaway days and spend already in its window included)` +
          `${k.cappedOutChance !== null ? `; capped-out chance (ordinary use reaches the cap) ${chanceText(k.cappedOutChance)}` : ''}` +
          // a thin key's chances rest on its few days (its cap provisional): said with them
          `${k.thinHistory !== null ? `; ${k.thinHistory.note}` : ''}` +
          `; first on ${[d.p10, d.p50, d.p90].map((x) => (x ? x.slice(0, 10) : '-')).join(' / ')}; days capped ${b3(k.daysCappedOut, (x) => x.toFixed(1))}`,
      );
    }
    more(capped.length);
    const limited = mc.triggers
      .filter((t) => t.delayChance + t.dropChance > 0)
      .sort((a, b) => Math.max(b.delayChance, b.dropChance) - Math.max(a.delayChance, a.dropChance) || b.delayed.p50 + b.dropped.p50 - (a.delayed.p50 + a.dropped.p50));
    out.push(
      `  ${limited.length} of ${mc.triggers.length} triggers have runs delayed, dropped or skipped in some paths${limited.length ? ' (chance within the next ' + r.horizon.days + ' days, then P10 / P50 / P90 counts):' : ''}`,
    );
    for (const t of limited.slice(0, SHOW)) {
      out.push(
        `  trigger ${t.id}: ${oddsOf(t)}; runs delayed ${b3(t.delayed)}, dropped ${b3(t.dropped)}, skipped ${b3(t.skipped)}, still waiting ${b3(t.pending)}, max delay ${b3(t.maxDelayHours, (x) => `${x.toFixed(1)} h`)}`,
      );
    }
    more(limited.length);
    out.push(`  pool: limit ${mc.pool.limit ?? 'none'}, peak ${b3(mc.pool.peak)}, saturated in ${Math.round(mc.pool.saturatedShareOfPaths * 100)} % of paths`);
    out.push(`  allowance: limit ${mc.allowance.limit ?? 'none'}, peak ${b3(mc.allowance.peak)}, people's messages blocked ${b3(mc.allowance.blockedMessages)}`);
    out.push(`  programmatic spend: ${b3(mc.programmaticUsd, (x) => formatUsd(Math.round(x * 1e6)))}`);
    for (const l of mc.spendLimits) {
      out.push(
        `  spend limit ${l.id} (${formatUsd(Math.round(l.amountUsd * 1e6))}, ${l.window}): blocks in ${Math.round(l.blockedShareOfPaths * 100)} % of paths; ` +
          `requests ${b3(l.blockedRequests)}, programmatic runs ${b3(l.blockedRuns)} blocked`,
      );
    }
    if (r.otherProfile) {
      out.push('');
      for (const line of otherProfileLines(r.profile, r.otherProfile, SHOW)) out.push(line);
    }
  }
  return `${out.join('\n')}\n`;
}


/**
 * The same futures under the other profile, where they fare differently: a trigger's runs
 * delayed, dropped or skipped, or a key's capped-out chance. Where the docs and the code
 * disagree, an admin sees both readings (SPEC section 9).
 */
function otherProfileLines(profile: ForecastReport['profile'], other: NonNullable<ForecastReport['otherProfile']>, show: number): string[] {
  const out = [`Under ${PROFILE_WORDS[other.profile]} instead of ${PROFILE_WORDS[profile]} (the first ${other.paths} of the same paths, each side over those, P10 / P50 / P90):`];
  for (const note of other.notes) out.push(`  note: ${note}`);
  const { triggers, keys } = profileDifferences(other);
  if (triggers.length === 0 && keys.length === 0) {
    out.push(`  the same: no trigger's runs and no key's blocking by its cap fare differently`);
    return out;
  }
  for (const { id, here: h, there: t } of triggers.slice(0, show)) {
    out.push(
      `  trigger ${id}: ${oddsOf(t) || 'nothing held back'}; runs delayed ${b3(t.delayed)}, dropped ${b3(t.dropped)}, skipped ${b3(t.skipped)}, still waiting ${b3(t.pending)}` +
        ` (under ${PROFILE_WORDS[profile]}: delayed ${b3(h.delayed)}, dropped ${b3(h.dropped)}, skipped ${b3(h.skipped)}, still waiting ${b3(h.pending)})`,
    );
  }
  if (triggers.length > show) out.push(`  … ${triggers.length - show} more triggers (--json lists all)`);
  for (const k of keys.slice(0, show)) out.push(`  key ${k.id}: blocked by its cap in the simulation in ${chanceText(k.there)} of paths (under ${PROFILE_WORDS[profile]}: ${chanceText(k.here)})`);
  if (keys.length > show) out.push(`  … ${keys.length - show} more keys (--json lists all)`);
  return out;
}


function oddsOf(t: { delayChance: number; dropChance: number; causes: TriggerCauseReport[] }): string {
  const pc = (x: number) => `${Math.round(x * 100)} %`;
  // which limits did it, each with the share of paths in which it did
  const by = (chance: (c: TriggerCauseReport) => number): string => {
    const causes = t.causes.filter((c) => chance(c) > 0).sort((a, b) => chance(b) - chance(a));
    if (causes.length === 0) return '';
    const list = causes.map((c) => `${c.label} (${pc(chance(c))})`);
    return `, by ${list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list[0]}`;
  };
  const parts: string[] = [];
  if (t.delayChance > 0) parts.push(`delayed with a chance of ${pc(t.delayChance)}${by((c) => c.delayChance)}`);
  if (t.dropChance > 0) parts.push(`dropped or skipped with a chance of ${pc(t.dropChance)}${by((c) => c.dropChance)}`);
  return parts.join('; ');
}

/**
 * Runs a command body with Ctrl+C wired to cancel it. InputError and PlanError go up to main.ts,
 * which prints them and exits with code 2.
 */
export async function runCommand(_json: boolean | undefined, body: (signal: AbortSignal) => Promise<string>): Promise<void> {
  const controller = new AbortController();
  const onInt = () => controller.abort();
  process.once('SIGINT', onInt);
  try {
    process.stdout.write(await body(controller.signal));
  } finally {
    process.off('SIGINT', onInt);
  }
}

export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('forecast the coming weeks from the ledger and run the plan over Monte Carlo futures')
    .argument('[plan]', 'plan file (JSON or YAML); default: the default plan')
    .requiredOption('--db <ledger>', 'the ledger (SQLite file)')
    .option('--from <iso>', 'use history from this time')
    .option('--to <iso>', 'use history before this time')
    .option('--days <n>', 'days to forecast (default 30)')
    .option('--paths <n>', 'Monte Carlo paths (default 200; 0 = forecast only)')
    .option('--seed <n>', 'random seed (default 1)')
    .option('--workers <n>', 'worker threads (default: one per core; 0 = none)')
    .option('--seats <n>', "what-if: active seats (people's messages scale with them)")
    .option('--key-growth <id=share>', 'what-if: extra growth per 30 days of a key, e.g. k_mkt=20% (* = all keys)', collect, [])
    .option('--trigger-growth <id=share>', 'what-if: extra growth per 30 days of a trigger (* = all)', collect, [])
    .option('--new-trigger <id=volume[:kind][:mode]>', 'what-if: a new trigger with its expected runs per day, e.g. t_new=80:webhook:fair_use', collect, [])
    .option('--mode <id=mode>', 'what-if: switch a trigger to fair_use or programmatic', collect, [])
    .option('--json', 'print the report as JSON')
    .option('--compare', `also run the first ${COMPARE_PATHS} paths under the other enforcement profile (the docs or the platform's code) and show where they fare differently (on by default for the summary, off for --json)`)
    .option('--no-compare', 'skip that second run')
    .action(async (planPath: string | undefined, opts: ForecastCliOptions) => {
      await runCommand(opts.json, async (signal) => {
        const r = await runForecast(planPath, opts, signal);
        return opts.json ? `${JSON.stringify(r, null, 2)}\n` : describeForecast(r);
      });
    });
}
