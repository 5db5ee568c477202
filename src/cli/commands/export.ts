/**
 * `headroom export [PLAN] --db LEDGER --out DIR [--paths N] [--days N] [--seed N] [--headroom 25%] [--json]`:
 * plan.json, plan.yaml, keys.csv, support/<trigger>.txt, report.md, report.html.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildExport } from '../../export/index.ts';
import type { ExportFile } from '../../export/index.ts';
import { COMPARE_PATHS, DEFAULT_PATHS, forecast } from '../../forecast/index.ts';
import { recommend } from '../../recommend/index.ts';
import { InputError } from '../../errors.ts';
import { loadLedgerHistory, loadPlan, parseIntOption, parseShare } from '../../forecast/load.ts';
import { planWithLedgerEntities } from '../../ledger/read.ts';
import { runCommand } from './forecast.ts';
import { cliProgress, QUIET } from '../progress.ts';
import type { CliProgress } from '../progress.ts';
import { checkTimeRangeOptions } from '../time-options.ts';

export interface ExportCliOptions {
  db: string;
  out: string;
  from?: string;
  to?: string;
  days?: string;
  paths?: string;
  seed?: string;
  workers?: string;
  headroom?: string;
  json?: boolean;
}

/** Where a path really leads (symlinks followed), or its absolute form when it does not exist yet. */
function realOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The export never replaces the admin's own plan: `export X/plan.json --out X` is the natural
 * flow after `demo --out X`, and silently overwriting the input would lose the current plan.
 * Refused with exit 2 (choose another --out); an --out naming a file is refused as well.
 */
export function checkExportTarget(dir: string, planPath: string | undefined, paths: string[]): void {
  let isDir = true;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // missing: created on write
  }
  if (!isDir) throw new InputError(`--out ${dir} is a file, not a directory: give a directory to write the export into`, [{ file: dir, message: 'not a directory' }]);
  if (planPath === undefined) return;
  const input = realOf(planPath);
  for (const p of paths) {
    if (realOf(join(dir, p)) === input) {
      throw new InputError(
        `--out ${dir} would overwrite the input plan ${planPath} with the recommended one; choose another --out directory (the input plan is kept unchanged)`,
        [{ file: join(dir, p), message: 'is the input plan' }],
      );
    }
  }
}

/**
 * Writes the export into a temporary folder, then moves it into place: a new --out directory is
 * the temporary folder renamed (all or nothing); into an existing one each file is renamed from
 * the temporary folder inside it, only once every file is written. On any failure the temporary
 * folder goes and nothing of this export is left.
 */
export function writeExportFiles(dir: string, files: ExportFile[]): string[] {
  const fresh = !existsSync(dir);
  if (fresh) mkdirSync(dirname(resolve(dir)), { recursive: true });
  let tmp: string | null = null;
  const fail = (err: unknown): never => {
    if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
    throw new InputError(`${dir}: cannot write the export (${(err as NodeJS.ErrnoException).code ?? String(err)})`, [{ file: dir, message: 'cannot write' }]);
  };
  try {
    tmp = mkdtempSync(fresh ? `${resolve(dir)}.tmp-` : join(dir, '.headroom-export-'));
    const seen = new Set<string>();
    for (const f of files) {
      // two files of one name would silently leave one of them out
      if (seen.has(f.path.toLowerCase())) throw Object.assign(new Error(`two files named ${f.path}`), { code: 'EEXIST' });
      seen.add(f.path.toLowerCase());
      const target = join(tmp, f.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.content);
    }
    if (fresh) {
      renameSync(tmp, dir);
      tmp = null;
    } else {
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        renameSync(join(tmp, f.path), join(dir, f.path));
      }
      rmSync(tmp, { recursive: true, force: true });
      tmp = null;
    }
  } catch (err) {
    fail(err);
  }
  return files.map((f) => join(dir, f.path));
}

export async function runExport(planPath: string | undefined, o: ExportCliOptions, signal?: AbortSignal, progress: CliProgress = QUIET): Promise<string[]> {
  checkExportTarget(o.out, planPath, ['plan.json', 'plan.yaml', 'keys.csv', 'report.md', 'report.html']);
  checkTimeRangeOptions(o);
  progress.step('reading the ledger');
  const { events, exportedKeys } = loadLedgerHistory(o.db, o.from, o.to);
  const plan = planWithLedgerEntities(loadPlan(planPath), o.db);
  const days = parseIntOption('--days', o.days, 1, 366);
  const paths = parseIntOption('--paths', o.paths, 0, 100_000);
  const seed = parseIntOption('--seed', o.seed, -2_147_483_648, 4_294_967_295);
  const workers = parseIntOption('--workers', o.workers, 0, 64);
  progress.step('recommending caps, modes and limits');
  // the report's forecast's days, seed and draws (at least DEFAULT_PATHS of them, however few paths
  // it simulates: forecast/index.ts reads the capped-out chances over as many): a key's capped-out
  // chance in the key table and in the Monte Carlo table is then one computation on the same draws
  // (with --paths 400 the key table's came from recommend's default 200)
  const rec = recommend(events, plan, {
    exportedKeys,
    ...(o.headroom !== undefined ? { headroom: parseShare('--headroom', o.headroom) } : {}),
    ...(days !== undefined ? { days } : {}),
    paths: Math.max(paths ?? DEFAULT_PATHS, DEFAULT_PATHS),
    ...(seed !== undefined ? { seed } : {}),
  });
  // the report's forecast runs the recommended plan: what happens if the admin applies it
  progress.step('forecasting the recommended plan');
  const fc = await forecast(events, rec.plan, {
    // which days the current limits held down is judged under them, not under the recommendation
    recordedPlan: plan,
    exportedKeys,
    onProgress: (share) => progress.share(share, 1),
    ...(days !== undefined ? { days } : {}),
    ...(paths !== undefined ? { paths } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(workers !== undefined ? { workers } : {}),
    // the report sets the same futures under the other profile beside the plan's (where the docs and the code disagree)
    compare: { paths: COMPARE_PATHS },
    ...(signal ? { signal } : {}),
  });
  progress.step('writing the files');
  const files = buildExport(rec, fc);
  checkExportTarget(o.out, planPath, files.map((f) => f.path));
  return writeExportFiles(o.out, files);
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write the recommended configuration: plan (JSON, YAML), keys CSV, support request drafts, report (Markdown, HTML)')
    .argument('[plan]', 'plan file (JSON or YAML); default: the default plan')
    .requiredOption('--db <ledger>', 'the ledger (SQLite file)')
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .option('--from <iso>', 'use history from this time')
    .option('--to <iso>', 'use history before this time')
    .option('--days <n>', "days the report's forecast covers (default 30)")
    .option('--paths <n>', "Monte Carlo paths for the report's forecast (default 200; 0 = none)")
    .option('--seed <n>', 'random seed (default 1)')
    .option('--workers <n>', 'worker threads (default: one per core; 0 = none)')
    .option('--headroom <share>', 'added on top before rounding: to the p99 window spend for the spend limits, and to the runs per 24 h for the trigger limits asked of support (default 25%)')
    .option('--json', 'print the files written as JSON')
    .action(async (planPath: string | undefined, opts: ExportCliOptions) => {
      await runCommand(opts.json, async (signal) => {
        const progress = cliProgress('export', { json: opts.json });
        let files: string[];
        try {
          files = await runExport(planPath, opts, signal, progress);
        } finally {
          progress.done();
        }
        return opts.json ? `${JSON.stringify({ files })}\n` : `${files.map((f) => `wrote ${f}`).join('\n')}\n`;
      });
    });
}
