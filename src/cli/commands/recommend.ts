/** `headroom recommend [PLAN] --db LEDGER [--headroom 25%] [--from ISO] [--to ISO] [--json]` */
import type { Command } from 'commander';
import { counted } from '../../engine/words.ts';
import { recommend } from '../../recommend/index.ts';
import { chanceText } from '../../forecast/rounding.ts';
import { evidenceShort } from '../../forecast/key-evidence.ts';
import type { RecommendReport } from '../../recommend/index.ts';
import { loadLedgerHistory, loadPlan, parseShare } from '../../forecast/load.ts';
import { planWithLedgerEntities } from '../../ledger/read.ts';
import { runCommand } from './forecast.ts';
import { cliProgress, QUIET } from '../progress.ts';
import type { CliProgress } from '../progress.ts';
import { InputError } from '../../errors.ts';
import { checkTimeRangeOptions } from '../time-options.ts';

export interface RecommendCliOptions {
  db: string;
  from?: string;
  to?: string;
  headroom?: string;
  risk?: string;
  json?: boolean;
}

export function runRecommend(planPath: string | undefined, o: RecommendCliOptions, progress: CliProgress = QUIET): RecommendReport {
  progress.step('reading the ledger');
  checkTimeRangeOptions(o);
  const { events, exportedKeys } = loadLedgerHistory(o.db, o.from, o.to);
  const plan = planWithLedgerEntities(loadPlan(planPath), o.db);
  progress.step(`forecasting and replaying ${events.count.toLocaleString('en-US')} events under the plan`);
  return recommend(events, plan, {
    exportedKeys,
    ...(o.headroom !== undefined ? { headroom: parseShare('--headroom', o.headroom) } : {}),
    ...(o.risk !== undefined ? { risk: parseRisk(o.risk) } : {}),
  });
}

/** "5%" or "0.05": above 0 and below 100 %. */
export function parseRisk(text: string): number {
  const r = parseShare('--risk', text);
  if (!(r > 0 && r < 1)) throw new InputError(`--risk must be above 0 and below 100 % (e.g. 5% or 0.05), not "${text}"`, [{ column: '--risk', value: text, message: 'not a risk between 0 and 100 %' }]);
  return r;
}

export function describeRecommend(r: RecommendReport): string {
  const out: string[] = [`history ${r.history.from} to ${r.history.to} (${counted(r.history.days, 'day')})`];
  for (const note of r.notes) out.push(`note: ${note}`);
  out.push('', `API key caps (capped-out risk ${chanceText(r.risk)} over the next ${counted(r.days, 'day')}, from the forecast's paths of ordinary use):`);
  for (const k of r.keys) {
    // a provisional cap is no forecast: its basis is said, not a chance resting on a few days (the report gives that chance, said to rest on them)
    const basis =
      k.capBasis === 'observed_spend'
        ? `PROVISIONAL: ${evidenceShort(k.evidence)}, too thin a history to forecast`
        : `capped-out chance ${chanceText(k.throttleChance)}; model ${k.batch !== undefined ? 'batch' : k.model}${k.censoredDays ? `, ${k.censoredDays} censored day${k.censoredDays === 1 ? '' : 's'}` : ''}` +
          `${k.incidents.length ? `; runaway spend stopped ~$${k.runawayStoppedUsd.toLocaleString('en-US', { maximumFractionDigits: 0 })}, ordinary use blocked ~$${k.ordinaryBlockedUsd.toLocaleString('en-US', { maximumFractionDigits: 0 })}` : ''}`;
    out.push(`  ${k.id}: ${k.action} cap $${k.recommendedCapUsd.toLocaleString('en-US')}${k.currentCapUsd !== null ? ` (now $${k.currentCapUsd.toLocaleString('en-US')})` : ''}, ${basis}`);
    if (k.warning !== null) out.push(`    warning: ${k.warning}`);
    out.push(`    ${k.reason}`);
    if (k.incidents.length) {
      out.push('    trade-off (cap: capped-out chance, ordinary use blocked, runaway spend stopped, means over the paths):');
      for (const t of k.tradeoff) {
        out.push(`      ${t.label.padEnd(9)} $${t.capUsd.toLocaleString('en-US')}: ${chanceText(t.cappedOutChance)}, $${usd0(t.ordinaryBlockedUsd)} blocked, $${usd0(t.runawayStoppedUsd)} stopped`);
      }
    }
  }
  out.push('', 'Triggers:');
  // a trigger the pool holds back needs seats, not a change of its own: said, never "no change needed"
  const advised = r.triggers.filter((t) => t.action !== 'none' || t.heldByPool !== undefined);
  for (const t of advised) {
    out.push(`  ${t.id}: ${t.action}${t.requestedLimit !== null ? ` (limit ${t.requestedLimit})` : ''}${heldByPoolText(t)}`);
    out.push(`    ${t.reason}`);
    for (const a of t.alternatives) out.push(`    - ${a}`);
  }
  if (advised.length === 0) out.push('  no change needed');
  out.push('', 'Workspace spend limits (checked against the recommended plan):');
  for (const l of r.spendLimits) out.push(`  ${l.id}: ${l.action === 'raise' ? `raise to $${l.recommendedAmountUsd.toLocaleString('en-US')}` : 'keep'}`, `    ${l.reason}`);
  if (r.spendLimits.length === 0) out.push('  none');
  out.push('', `Seats: ${r.seats.reason}`);
  if (r.recovery.length) {
    out.push('', 'Keys at their cap:');
    for (const k of r.recovery) out.push(`  ${k.summary}`);
  }
  return `${out.join('\n')}\n`;
}

/** ", held back by the fair-use pool: 3 seats" beside a trigger's action, when the pool held it. */
function heldByPoolText(t: RecommendReport['triggers'][number]): string {
  const p = t.heldByPool;
  if (p === undefined) return '';
  return `, held back by the fair-use pool: ${p.seats === null ? 'no seat count holds it' : counted(p.seats, 'seat')} (see Seats)`;
}

const usd0 = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

/**
 * The recommendations as `--json` prints them. A percentile between two whole counts carries the
 * float error of its interpolation (a p90 of 26.600000000000016 runs): figures are written to 12
 * significant digits, which keeps every digit the figures mean and drops that noise.
 */
export function recommendJson(r: RecommendReport): string {
  return `${JSON.stringify(r, (_key, value: unknown) => (typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(12)) : value), 2)}\n`;
}

export function registerRecommend(program: Command): void {
  program
    .command('recommend')
    .description('recommend key caps, trigger modes and limit requests, and seats, from the ledger')
    .argument('[plan]', 'plan file (JSON or YAML); default: the default plan')
    .requiredOption('--db <ledger>', 'the ledger (SQLite file)')
    .option('--from <iso>', 'use history from this time')
    .option('--to <iso>', 'use history before this time')
    .option('--risk <share>', 'key caps: the chance of ordinary use reaching the cap in the next 30 days you accept; trigger limits asked of support: the share of forecast paths with more runs than the ask in some 24 h (default 5%)')
    .option('--headroom <share>', 'added on top before rounding: to the p99 window spend for the spend limits, and to the runs per 24 h for the trigger limits asked of support (default 25%)')
    .option('--json', 'print the recommendations as JSON')
    .action(async (planPath: string | undefined, opts: RecommendCliOptions) => {
      await runCommand(opts.json, async () => {
        const progress = cliProgress('recommend', { json: opts.json });
        let r: RecommendReport;
        try {
          r = runRecommend(planPath, opts, progress);
        } finally {
          progress.done();
        }
        return opts.json ? recommendJson(r) : describeRecommend(r);
      });
    });
}
