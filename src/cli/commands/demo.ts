/** `headroom demo --out DIR [--seed N] [--days N] [--seats N]`: writes an example workspace. */
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { DEFAULT_DAYS, DEFAULT_SEATS, DEFAULT_SEED, DEMO_END } from '../../demo/generator.ts';
import { DAY } from '../../engine/units.ts';
import { writeWorkspace } from '../../demo/write.ts';

export interface DemoOptions {
  out: string;
  seed?: string;
  days?: string;
  seats?: string;
}

function intOption(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const message = `${flag} "${text}" must be a whole number from ${min} to ${max}`;
    throw new InputError(message, [{ column: flag, value: text, message: `must be a whole number from ${min} to ${max}` }]);
  }
  return value;
}

/** Paths with spaces or quotes are quoted so the printed command can be pasted as is. */
function shellArg(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Writes the demo and returns what to print. */
export function runDemo(options: DemoOptions): string {
  if (!options.out) throw new InputError('--out DIR is required', [{ column: '--out', message: 'is required' }]);
  const seed = intOption('--seed', options.seed, DEFAULT_SEED, 0, 0xffffffff);
  const days = intOption('--days', options.days, DEFAULT_DAYS, 1, 3660);
  const seats = intOption('--seats', options.seats, DEFAULT_SEATS, 1, 100_000);
  const w = writeWorkspace(options.out, { seed, days, seats });
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const n = (x: number) => x.toLocaleString('en-US');
  const mb = (w.bytes / 1_000_000).toFixed(1);
  return [
    `Wrote a demo workspace (seed ${seed}, ${days} days from ${day(w.start)} to ${day(w.end - 1)}, ${seats} seats):`,
    `  ${w.planPath}  ${w.plan.apiKeys.length} API keys, ${w.plan.triggers.length} triggers, ${w.plan.workspace.spendLimits.length} spend limits`,
    `  ${w.eventsPath}  ${n(w.events)} events (${n(w.byType[0])} API requests, ${n(w.byType[1])} trigger runs, ${n(w.byType[2])} messages), ${mb} MB`,
    '',
    'Next, see what the plan lets through:',
    `  npx headroom simulate ${shellArg(w.planPath)} ${shellArg(w.eventsPath)}`,
    '',
  ].join('\n');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('write an example workspace (plan.json and events.csv) to try the planner on')
    .requiredOption('--out <dir>', 'directory to write plan.json and events.csv into (created if missing)')
    .option('--seed <n>', `random seed; the same seed gives the same files (default ${DEFAULT_SEED})`)
    .option('--days <n>', `days of usage, ending ${new Date(DEMO_END - DAY).toISOString().slice(0, 10)} (default ${DEFAULT_DAYS})`)
    .option('--seats <n>', `active seats; people sending messages (default ${DEFAULT_SEATS})`)
    .action((opts: DemoOptions) => {
      process.stdout.write(runDemo(opts));
    });
}
