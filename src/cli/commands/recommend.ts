/** `headroom recommend [PLAN] --db LEDGER [--headroom 25%] [--from ISO] [--to ISO] [--json]` */
import type { Command } from 'commander';
import { recommend } from '../../recommend/index.ts';
import type { RecommendReport } from '../../recommend/index.ts';
import { loadLedgerEvents, loadPlan, parseShare } from '../../forecast/load.ts';
import { runCommand } from './forecast.ts';
import { checkTimeRangeOptions } from '../time-options.ts';

export interface RecommendCliOptions {
  db: string;
  from?: string;
  to?: string;
  headroom?: string;
  json?: boolean;
}

export function runRecommend(planPath: string | undefined, o: RecommendCliOptions): RecommendReport {
  const plan = loadPlan(planPath);
  checkTimeRangeOptions(o);
  const events = loadLedgerEvents(o.db, o.from, o.to);
  return recommend(events, plan, o.headroom !== undefined ? { headroom: parseShare('--headroom', o.headroom) } : {});
}

export function describeRecommend(r: RecommendReport): string {
  const out: string[] = [`history ${r.history.from} to ${r.history.to} (${r.history.days} days)`];
  for (const note of r.notes) out.push(`note: ${note}`);
  out.push('', 'API key caps:');
  for (const k of r.keys) {
    out.push(`  ${k.id}: ${k.action} cap $${k.recommendedCapUsd.toLocaleString('en-US')}${k.currentCapUsd !== null ? ` (now $${k.currentCapUsd.toLocaleString('en-US')})` : ''}, throttle chance ${Math.round(k.throttleChance * 100)} %`);
    out.push(`    ${k.reason}`);
  }
  out.push('', 'Triggers:');
  for (const t of r.triggers.filter((t) => t.action !== 'none')) {
    out.push(`  ${t.id}: ${t.action}${t.requestedLimit !== null ? ` (limit ${t.requestedLimit})` : ''}`);
    out.push(`    ${t.reason}`);
    for (const a of t.alternatives) out.push(`    - ${a}`);
  }
  if (r.triggers.every((t) => t.action === 'none')) out.push('  no change needed');
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

export function registerRecommend(program: Command): void {
  program
    .command('recommend')
    .description('recommend key caps, trigger modes and limit requests, and seats, from the ledger')
    .argument('[plan]', 'plan file (JSON or YAML); default: the default plan')
    .requiredOption('--db <ledger>', 'the ledger (SQLite file)')
    .option('--from <iso>', 'use history from this time')
    .option('--to <iso>', 'use history before this time')
    .option('--headroom <share>', 'added to the p99 rolling 30-day spend before rounding (default 25%)')
    .option('--json', 'print the recommendations as JSON')
    .action(async (planPath: string | undefined, opts: RecommendCliOptions) => {
      await runCommand(opts.json, async () => {
        const r = runRecommend(planPath, opts);
        return opts.json ? `${JSON.stringify(r, null, 2)}\n` : describeRecommend(r);
      });
    });
}
