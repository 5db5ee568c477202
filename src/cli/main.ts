/**
 * The `headroom` command line. Each subcommand lives in src/cli/commands/<name>.ts and exports
 * `register<Name>(program)`. To add one, add one line to COMMANDS below. Modules are imported
 * only for the command being run (all of them for --help), so one command's dependencies never
 * slow another's start.
 */
import { Command, CommanderError } from 'commander';
import { InputError } from '../errors.ts';
import { PlanError } from '../engine/plan.ts';
import { DISK_FULL_MESSAGE, DiskFullError, isDiskFull } from '../fs/disk-full.ts';

type Register = (program: Command) => void;

const COMMANDS: [name: string, load: () => Promise<Register>][] = [
  ['simulate', async () => (await import('./commands/simulate.ts')).registerSimulate],
  ['demo', async () => (await import('./commands/demo.ts')).registerDemo],
  ['forecast', async () => (await import('./commands/forecast.ts')).registerForecast],
  ['recommend', async () => (await import('./commands/recommend.ts')).registerRecommend],
  ['export', async () => (await import('./commands/export.ts')).registerExport],
  ['import', async () => (await import('./commands/import.ts')).registerImport],
];

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID_INPUT = 2;

/** The program with the command named in `argv` registered (none for --version, all for anything else). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('headroom')
    .description("Plan an AI-agent workspace's usage limits offline: API key caps, seats, trigger modes.")
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const first = argv[2];
  const versionOnly = first === '--version' || first === '-V';
  const named = COMMANDS.filter(([name]) => name === first);
  const toLoad = versionOnly ? [] : named.length > 0 ? named : COMMANDS;
  for (const [, load] of toLoad) (await load())(program);
  return program;
}

/** Runs the command line and returns the exit code (0 ok, 2 bad input or usage, 1 anything else). */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too; commander has already printed what it had to.
      return err.exitCode === 0 ? EXIT_OK : EXIT_INVALID_INPUT;
    }
    // A reader that stopped early (`| head`) is not an error of ours.
    if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'EPIPE') return EXIT_OK;
    if (err instanceof InputError || err instanceof PlanError) {
      process.stderr.write(`headroom: ${err.message.replaceAll('\n', '\nheadroom: ')}\n`);
      return EXIT_INVALID_INPUT;
    }
    if (isDiskFull(err)) {
      // not bad input (2), not a bug: said as what it is
      process.stderr.write(`headroom: ${err instanceof DiskFullError ? err.message : DISK_FULL_MESSAGE}\n`);
      return EXIT_FAILURE;
    }
    const detail = err instanceof Error ? (process.env.HEADROOM_DEBUG ? (err.stack ?? err.message) : err.message) : String(err);
    process.stderr.write(`headroom: internal error: ${detail}\n(set HEADROOM_DEBUG=1 for the stack trace)\n`);
    return EXIT_FAILURE;
  }
}
