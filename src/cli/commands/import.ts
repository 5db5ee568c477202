/**
 * `headroom import FILE... --db LEDGER.sqlite [--format auto|events|dust-cost|dust-consumption]
 * [--skip-bad-rows] [--json]` (SPEC §8), plus `--mapping`, `--preview`, `--history`, `--undo`.
 *
 * `--json` prints per file exactly SPEC §8's keys, in its order. `file` is the path as typed;
 * `format` the format detected or asked for (`mapping` when an unknown file was refused because
 * its columns could not be guessed; null only when nothing could be read to tell: an empty,
 * binary or unreadable file under `auto`); an error's `line` is the file's physical line, and a
 * problem of the header or of the file as a whole is placed on line 1. The event count (≠ rows
 * for the dust exports) is in the human-readable output only.
 * Inputs (format, mapping, undo number, files) are checked before the ledger is opened, and
 * `--history`/`--undo` need an existing ledger: a typo in a path creates no empty ledger.
 */
import { counted } from '../../engine/words.ts';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { CancelledError, InputError, formatDetail } from '../../errors.ts';
import type { InputErrorDetail } from '../../errors.ts';
import { isoOf } from '../../engine/units.ts';
import { openLedger } from '../../ledger/ledger.ts';
import { refreshEventsCache } from '../../ledger/events-cache-file.ts';
import { hasSnapshot } from '../../ledger/overview-snapshot-file.ts';
import { refreshStoredOverview, STORED_OVERVIEW_MAX_EVENTS } from '../stored-overview.ts';
import { FORMATS, givenOrderConflict, parseColumnMapping } from '../../import/formats.ts';
import type { FormatName } from '../../import/formats.ts';
import { badRowsRefusal, ImportRefusedError, importFile, LEDGER_UNCHANGED, previewImport } from '../../import/importer.ts';
import type { ImportResult } from '../../import/importer.ts';
import { scopeLabel } from '../../ledger/overlap.ts';
import { importFindings, overlapTexts } from '../../import/findings.ts';
import type { GivenDayOrder } from '../../import/day-order.ts';

export interface ImportCliOptions {
  db: string;
  format?: string;
  skipBadRows?: boolean;
  json?: boolean;
  mapping?: string;
  /** the day order of slash dates (a built-in export's, or a sheet's whose mapping is guessed or saved): dmy or mdy */
  dates?: string;
  preview?: boolean;
  history?: boolean;
  undo?: string;
}

/** `--dates`: the day order of slash dates, a platform export's or a mapped sheet's. */
function datesOption(value: string | undefined): GivenDayOrder | undefined {
  if (value === undefined || value === 'dmy' || value === 'mdy') return value;
  throw new InputError(`--dates "${value}" must be dmy (day first) or mdy (month first)`, [{ column: '--dates', value, message: 'must be dmy or mdy' }]);
}

export interface CliOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function readMapping(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read the mapping (${(err as NodeJS.ErrnoException).code ?? String(err)})`, [{ file: path, message: 'cannot read the mapping' }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError(`${path}: the mapping is not JSON (${(err as Error).message})`, [{ file: path, message: 'not JSON' }]);
  }
}

/** Exactly the keys of SPEC §8, in its order; `format` is null only when none could be told. */
interface SpecImportObject {
  file: string;
  format: FormatName | null;
  batch: number | null;
  rows: number;
  imported: number;
  duplicates: number;
  rejected: number;
  errors: { line: number; column: string | null; value: string | null; message: string }[];
}

function specObject(r: ImportResult, format: FormatName | null = r.format): SpecImportObject {
  const { file, batch, rows, imported, duplicates, rejected } = r;
  const errors = r.errors.map((e) => ({ line: e.line, column: e.column, value: e.value, message: e.message }));
  return { file, format, batch, rows, imported, duplicates, rejected, errors };
}

/** Refuses a missing, unreadable or non-file input before the ledger is opened (or created). */
function checkInputFile(file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (err) {
    throw new InputError(`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}); nothing was imported`, [{ file, message: 'cannot read the file' }]);
  }
  if (!isFile) throw new InputError(`${file}: not a file (a directory?); nothing was imported`, [{ file, message: 'not a file' }]);
}

function describe(r: ImportResult, preview: boolean): string {
  const head = preview ? `${r.file}: preview (nothing written), ${r.format}` : `${r.file}: ${r.format}, batch ${r.batch}`;
  const parts = [counted(r.rows, 'row'), `${n(r.imported)} ${preview ? 'new' : 'imported'}`, counted(r.duplicates, 'duplicate'), `${n(r.rejected)} rejected`];
  const extra = r.format === 'dust-cost' ? `, spread by the ${r.profile ?? 'default'} hour-of-day profile` : '';
  // events ≠ rows for the dust exports (a daily row makes up to 24, consumption lines fold):
  // shown here, not in --json (SPEC §8 lists its keys exactly)
  const lines = [`${head}: ${parts.join(', ')} (${counted(r.events, 'event')}${extra})`];
  const found = importFindings(r, preview ? 'cli-preview' : 'cli');
  // what was guessed, every time: a wrong guess (a decimal comma, day first) is caught here
  if (found.readAs !== null) lines.push(`  read as ${found.readAs}`);
  // the cost export told by its columns' meaning, or a sheet that looks like it read as a sheet: said under what it was read as
  if (found.recognised !== null) lines.push(`  ${found.recognised}`);
  if (found.sheetsBefore !== null) lines.push(`  ${found.sheetsBefore}`);
  if (found.exportLike !== null) lines.push(`  ${found.exportLike}`);
  // the order --dates gave, which the file cannot contradict, but which scatters its rows: said under what it was read as
  if (found.givenOrderDoubt !== null) lines.push(`  ${found.givenOrderDoubt}`);
  const summary = r.summaryRows ?? 0;
  if (summary > 0) lines.push(`  ${n(summary)} summary ${summary === 1 ? 'row' : 'rows'} (TOTAL, Sum) left out: not data`);
  if (found.preamble !== null) lines.push(`  ${found.preamble}`);
  if (found.timeOfDay !== null) lines.push(`  ${found.timeOfDay}`);
  if (found.repeatedHeaders !== null) lines.push(`  ${found.repeatedHeaders}`);
  if (found.completed !== null) lines.push(`  ${found.completed}`);
  if (found.triggerAgents !== null) lines.push(`  ${found.triggerAgents}`);
  const overlap = overlapTexts(r);
  if (overlap !== null) {
    const d = (ms: number) => isoOf(ms).slice(0, 10);
    // the file's share first, then the whole ledger's, each labelled: the ledger's span alone was read as the file's
    if (overlap.file !== null) lines.push(`  this file: ${overlap.file}`);
    // the key-days of this file on which the two exports disagree (others were said when their file came in)
    const disagree = r.fileOverlap ?? r.overlap!;
    for (const x of disagree.disagreements.slice(0, 10)) {
      lines.push(
        `  disagree: ${d(x.day)} ${scopeLabel(x.scope)}: cost export $${(x.costMicros / 1e6).toFixed(2)}, consumption $${(x.consumptionMicros / 1e6).toFixed(2)} (spend counted: ${x.counted === 'cost' ? 'the cost export' : 'the consumption lines'})`,
      );
    }
    if (disagree.disagreementCount > 10) lines.push(`  ... and ${n(disagree.disagreementCount - 10)} more key-days that disagree`);
    lines.push(`  ${preview ? 'the ledger after its import' : 'the ledger now'}: ${overlap.ledger}`);
    // what an admin would otherwise read as runs lost: the cost rows replace spend, never runs
    const o = r.overlap;
    if (o !== undefined && o.countedCost > 0) {
      lines.push(
        `  runs and requests: the consumption export's all still count, at their own times; on the ${n(o.countedCost)} key-day${o.countedCost === 1 ? '' : 's'} whose spend the cost export gives, its total is shared over that day's runs and requests in proportion to their own cost`,
      );
    }
  }
  for (const e of r.errors.slice(0, 10)) {
    lines.push(`  ${formatDetail({ file: r.file, line: e.line, ...(e.column !== null ? { column: e.column } : {}), ...(e.value !== null ? { value: e.value } : {}), message: e.message })}`);
  }
  if (r.rejected > 10) lines.push(`  ... and ${n(r.rejected - 10)} more bad rows`);
  return lines.join('\n');
}

/**
 * Duplicates whose amount differs from the ledger's (SPEC section 8 keeps the first): a line each,
 * so that a day exported before it ended is noticed rather than silently kept partial.
 */
function differingLines(r: ImportResult, preview: boolean): string[] {
  return importFindings(r, preview ? 'cli-preview' : 'cli').differing?.rows ?? [];
}

/**
 * Refuses a mapping that is not valid before the ledger is opened. When it is refused for its own
 * fields, the files' headers are read first (each previewed into a ledger in memory, which the
 * importer refuses as soon as it has the header): a column it names that a file lacks is said
 * first, naming the field and the file's header, then the mapping's own problems. Refused for its
 * missing dateFormat alone, the admin whose time column was not in the file fixed the secondary
 * mistake first.
 */
async function checkMapping(mapping: unknown, source: string, files: readonly string[]): Promise<void> {
  try {
    parseColumnMapping(mapping, source);
    return;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const columns: string[] = [];
    const details: InputErrorDetail[] = [];
    for (const file of files) {
      // a file that cannot be read tells no header: the mapping's own refusal stands (the file's comes after)
      try {
        checkInputFile(file);
      } catch {
        continue;
      }
      const memory = openLedger(':memory:');
      try {
        await previewImport(memory, file, { mapping, mappingName: source, displayName: file });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        // the column details are the file's (the mapping's own are placed in the mapping file)
        const mine = e.details.filter((d) => d.file === file && d.column?.startsWith('mapping.') === true);
        if (mine.length > 0) {
          columns.push(e.message.slice(0, e.message.indexOf(`; and ${err.message}`)));
          for (const d of mine) details.push(d);
        }
      } finally {
        memory.close();
      }
    }
    if (columns.length === 0) throw err;
    throw new InputError([...columns, err.message].join('\n'), [...details, ...err.details]);
  }
}

/** A file of the command: whether it went in (a preview's: would go in), its batch, and its refusal's place in the command's stderr. */
interface FileOutcome {
  file: string;
  landed: boolean;
  batch: number | null;
  refusal: { at: number; error: InputError } | null;
}

/** "a.csv", "a.csv and b.csv", "a.csv, b.csv and c.csv" */
function joined(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * What a refused file's message says of the ledger: unchanged, or exactly what of the command went
 * in around it (`nothing of it was imported (a.csv, before it, was: batch 1; c.csv, after it, was:
 * batch 3)`), wherever the refused file stands among them. Said of the files before it alone, the
 * first file refused read "the ledger is unchanged" above the batch of the file after it.
 */
function ledgerClause(outcomes: readonly FileOutcome[], index: number, preview: boolean, undone: number | null): string {
  const landed = outcomes.flatMap((o, k) => (o.landed && k !== index ? [{ ...o, k }] : []));
  const part = (list: typeof landed, where: 'before' | 'after'): string[] => {
    if (list.length === 0) return [];
    const verb = preview ? 'would be' : list.length === 1 ? 'was' : 'were';
    const batches = preview ? '' : `: ${list.length === 1 ? 'batch' : 'batches'} ${joined(list.map((o) => String(o.batch)))}`;
    return [`${joined(list.map((o) => o.file))}, ${where} it, ${verb}${batches}`];
  };
  const parts = [
    ...(undone !== null ? [`batch ${undone} was undone first`] : []),
    ...part(landed.filter((o) => o.k < index), 'before'),
    ...part(landed.filter((o) => o.k > index), 'after'),
  ];
  return parts.length === 0 ? LEDGER_UNCHANGED : `nothing of it ${preview ? 'would be' : 'was'} imported (${parts.join('; ')})`;
}

/** Runs the command; returns what to print and the exit code (2 when any file was refused). */
export async function runImport(files: string[], options: ImportCliOptions, signal?: AbortSignal): Promise<CliOutput> {
  if (!options.db) throw new InputError('--db LEDGER.sqlite is required', [{ column: '--db', message: 'is required' }]);
  const format = (options.format ?? 'auto') as FormatName | 'auto';
  if (format !== 'auto' && !(FORMATS as readonly string[]).includes(format)) {
    throw new InputError(`--format "${options.format}" must be auto, ${FORMATS.join(', ')}`, [{ column: '--format', value: options.format ?? '', message: `must be auto, ${FORMATS.join(', ')}` }]);
  }
  // Every input is checked before the ledger is opened, so that a typo creates no empty ledger.
  const mapping = options.mapping === undefined ? undefined : readMapping(options.mapping);
  if (mapping !== undefined) await checkMapping(mapping, options.mapping!, files);
  const dates = datesOption(options.dates);
  if (mapping !== undefined && dates !== undefined) {
    // the mapping given orders its slash dates itself: --dates the other way is refused, not ignored
    const conflict = givenOrderConflict(parseColumnMapping(mapping, options.mapping!), dates);
    if (conflict !== null) throw new InputError(`${options.mapping}: ${conflict}`, [{ file: options.mapping!, column: 'dateFormat', value: dates, message: conflict }]);
  }
  let undoId: number | null = null;
  if (options.undo !== undefined) {
    undoId = Number(options.undo);
    if (!Number.isSafeInteger(undoId) || undoId <= 0) throw new InputError(`--undo "${options.undo}" must be a batch number`, [{ column: '--undo', value: options.undo, message: 'must be a batch number' }]);
  }
  if (files.length === 0 && undoId === null && !options.history) {
    throw new InputError('no file to import: headroom import FILE... --db LEDGER.sqlite', [{ message: 'no file to import' }]);
  }
  for (const file of files) checkInputFile(file);
  // --history and --undo read or change what is there: they never create a ledger
  // (an undo runs before the files are imported: on a new ledger there is no batch to undo)
  // A preview into a ledger that does not exist yet is a preview into an empty one: in memory,
  // so that a dry run leaves no file either.
  const existed = existsSync(options.db);
  const ledger =
    options.preview === true && undoId === null && !existed
      ? openLedger(':memory:')
      : openLedger(options.db, { mustExist: files.length === 0 || undoId !== null });
  let committed = false;
  /** each file of the command, in order: whether it went in (in a preview: would), or where its refusal is in `err` */
  const outcomes: FileOutcome[] = [];
  const out: string[] = [];
  const err: string[] = [];
  let exitCode = 0;
  try {
    if (undoId !== null) {
      const removed = ledger.undoBatch(undoId);
      out.push(options.json ? JSON.stringify({ batch: undoId, removed }) : `batch ${undoId} undone: ${counted(removed, 'event')} removed`);
    }
    if (options.history) {
      const batches = ledger.listBatches();
      if (options.json) for (const b of batches) out.push(JSON.stringify(b));
      else {
        for (const b of batches) {
          out.push(
            `${String(b.id).padStart(4)}  ${isoOf(b.importedAt).slice(0, 19)}Z  ${b.format.padEnd(16)} ${b.fileName}  ${counted(b.rows, 'row')}, ${n(b.imported)} imported, ${counted(b.duplicates, 'duplicate')}, ${n(b.rejected)} rejected${b.undoneAt !== null ? '  (undone)' : ''}`,
          );
        }
        const s = ledger.summary();
        out.push(
          s.events === 0
            ? 'the ledger holds no events'
            : `the ledger holds ${counted(s.events, 'event')} from ${isoOf(s.from!)} to ${isoOf(s.to!)}: ${counted(s.perType.api, 'API request')} (${counted(s.subjects.api, 'key')}), ${counted(s.perType.trigger, 'trigger run')} (${counted(s.subjects.trigger, 'trigger')}), ${counted(s.perType.message, 'message')} (${counted(s.subjects.message, 'person', 'people')})`,
        );
      }
    }
    const tty = process.stderr.isTTY === true && !options.json;
    const eachFile = async (): Promise<void> => {
      for (const file of files) {
        const opts = {
          format,
          // the path as typed: two export.csv from different folders stay apart
          displayName: file,
          skipBadRows: options.skipBadRows === true,
          afterImported: committed,
          ...(mapping !== undefined ? { mapping } : {}),
          ...(dates !== undefined ? { dates } : {}),
          ...(signal ? { signal } : {}),
          ...(tty
            ? { onProgress: (p: { rows: number; bytes: number; totalBytes: number }) => process.stderr.write(`\r${file}: ${n(p.rows)} rows, ${Math.floor((100 * p.bytes) / Math.max(1, p.totalBytes))}%`) }
            : {}),
        };
        try {
          const r = options.preview ? await previewImport(ledger, file, opts) : await importFile(ledger, file, opts);
          // the preview is the import's dry run: a file its import refuses for bad rows is refused here too
          if (options.preview === true && options.skipBadRows !== true && r.rejected > 0) throw badRowsRefusal(file, r, 'cli');
          if (r.batch !== null) committed = true;
          outcomes.push({ file, landed: options.preview === true || r.batch !== null, batch: r.batch, refusal: null });
          if (tty) process.stderr.write('\r\x1b[K');
          if (options.json) out.push(JSON.stringify(specObject(r)));
          else out.push(describe(r, options.preview === true));
          const found = importFindings(r, options.preview === true ? 'cli-preview' : 'cli');
          // the order --dates gave, doubtful: the text form says it under the file's line, --json
          // on stderr, before the amounts it may explain
          if (options.json && found.givenOrderDoubt !== null) err.push(found.givenOrderDoubt);
          // on stderr in both forms: --json's stdout keeps SPEC section 8's objects exactly
          for (const line of differingLines(r, options.preview === true)) err.push(line);
          // a reading the mapping asked for but the rows make doubtful: said beside --json's objects too
          if (found.dottedMonthFirst !== null) err.push(found.dottedMonthFirst);
          // a trigger id under two agents: the text form says it under the file's line, --json on stderr
          if (options.json && found.triggerAgents !== null) err.push(found.triggerAgents);
          // how a renamed cost export was read, or that a sheet like it counts again: --json on stderr
          if (options.json && found.recognised !== null) err.push(found.recognised);
          if (options.json && found.sheetsBefore !== null) err.push(found.sheetsBefore);
          if (options.json && found.exportLike !== null) err.push(found.exportLike);
        } catch (e) {
          if (tty) process.stderr.write('\r\x1b[K');
          if (e instanceof CancelledError) throw e;
          if (!(e instanceof InputError)) throw e;
          exitCode = 2;
          if (options.json) {
            const o: SpecImportObject =
              e instanceof ImportRefusedError
                ? specObject(e.result, e.format)
                : {
                    file,
                    format: format === 'auto' ? null : format,
                    batch: null,
                    rows: 0,
                    imported: 0,
                    duplicates: 0,
                    rejected: 0,
                    errors: e.details.map((d) => ({ line: d.line ?? 1, column: d.column ?? null, value: d.value ?? null, message: d.message })),
                  };
            out.push(JSON.stringify(o));
          }
          outcomes.push({ file, landed: false, batch: null, refusal: { at: err.length, error: e } });
          err.push(e.message);
        }
      }
    };
    // several files previewed as the set they are: each sees the ones before it, as their import will
    if (options.preview === true && files.length > 1) await ledger.previewSet(eachFile);
    else await eachFile();
    // a refusal says what of the command went in, once every file was tried: the files after the
    // refused one too, which its own message, written when it was refused, could not know
    outcomes.forEach((o, k) => {
      if (o.refusal === null) return;
      const clause = ledgerClause(outcomes, k, options.preview === true, undoId);
      const e = o.refusal.error;
      if (e instanceof ImportRefusedError && e.badRows) err[o.refusal.at] = badRowsRefusal(o.file, e.result, 'cli', clause).message;
      else if (clause !== LEDGER_UNCHANGED) err[o.refusal.at] = `${e.message}\n${o.file}: refused; ${clause}`;
    });
    // The app's first open reads the events from this cache instead of every row, and shows the
    // overview stored here for them (for a ledger it has shown) before it has simulated its own.
    // Not writing them (a read-only folder) is no import failure: that open reads the rows and
    // simulates, so nothing is said.
    if (committed || undoId !== null) {
      if (tty) process.stderr.write(`\r${options.db}: writing the events cache the app opens with`);
      const refreshed = refreshEventsCache(ledger);
      if (refreshed.events !== null && refreshed.key !== null && refreshed.events.count <= STORED_OVERVIEW_MAX_EVENTS && hasSnapshot(ledger.path)) {
        if (tty) process.stderr.write(`\r\x1b[K${options.db}: updating the overview the app opens with`);
        refreshStoredOverview(ledger, refreshed.events, refreshed.key);
      }
      if (tty) process.stderr.write('\r\x1b[K');
    }
  } finally {
    // a ledger this command created and into which nothing went (every file refused, or
    // cancelled) is removed: a refused first import leaves no file behind, as a typo does
    const remove = !existed && !committed && options.preview !== true && ledger.unusedNewFile();
    ledger.close();
    if (remove) {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${options.db}${suffix}`, { force: true });
    }
  }
  return { stdout: out.length ? `${out.join('\n')}\n` : '', stderr: err.length ? `${err.join('\n')}\n` : '', exitCode };
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('add usage exports (CSV) to a ledger: canonical events, the daily cost export, the consumption export, or any CSV through a column mapping')
    .argument('[files...]', 'CSV files; each becomes one batch, imported in one transaction')
    .requiredOption('--db <ledger>', 'the ledger (SQLite file), created by the first import; --history and --undo need an existing one')
    .option('--format <format>', `auto (detect from the header), ${FORMATS.join(', ')}`, 'auto')
    .option('--skip-bad-rows', 'import the good rows of a file with bad rows and list the bad ones (default: refuse the file)')
    .option('--json', 'print one JSON object per file')
    .option('--mapping <file.json>', 'column mapping for any other CSV (time, dateFormat, timeOfDay, timeZone, type, subject, cost, ...)')
    .option(
      '--dates <order>',
      "the day order of slash dates, dmy or mdy, when the file cannot tell: a platform export's (default: a day above 12, else the file's locale, else how close the dates lie), or a sheet's whose mapping is guessed (default: a day above 12); a --mapping says its own",
    )
    .option('--preview', 'dry run: detect, map and count new, duplicate and bad rows; write nothing')
    .option('--history', 'list the import batches and what the ledger holds')
    .option('--undo <batch>', 'remove the events of an import batch')
    .action(async (files: string[], opts: ImportCliOptions) => {
      const controller = new AbortController();
      const onInt = () => controller.abort();
      process.once('SIGINT', onInt);
      try {
        const r = await runImport(files, opts, controller.signal);
        process.stdout.write(r.stdout);
        // main() maps InputError to exit code 2 and prints its message on stderr
        if (r.exitCode !== 0) throw new InputError(r.stderr.trimEnd(), []);
        process.stderr.write(r.stderr);
      } finally {
        process.off('SIGINT', onInt);
      }
    });
}
