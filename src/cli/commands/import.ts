/**
 * `headroom import FILE... --db LEDGER.sqlite [--format auto|events|dust-cost|dust-consumption]
 * [--skip-bad-rows] [--json]` (SPEC §8), plus `--mapping`, `--preview`, `--history`, `--undo`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { CancelledError, InputError, formatDetail } from '../../errors.ts';
import { isoOf } from '../../engine/units.ts';
import { openLedger } from '../../ledger/ledger.ts';
import { FORMATS } from '../../import/formats.ts';
import type { FormatName } from '../../import/formats.ts';
import { ImportRefusedError } from '../../import/importer.ts';
import type { ImportResult } from '../../import/importer.ts';

export interface ImportCliOptions {
  db: string;
  format?: string;
  skipBadRows?: boolean;
  json?: boolean;
  mapping?: string;
  preview?: boolean;
  history?: boolean;
  undo?: string;
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

function failedResult(file: string, format: FormatName, err: InputError): ImportResult {
  return {
    file,
    format,
    batch: null,
    rows: 0,
    imported: 0,
    duplicates: 0,
    rejected: 0,
    errors: err.details.map((d) => ({ line: d.line ?? 0, column: d.column ?? null, value: d.value ?? null, message: d.message })),
    events: 0,
    mapping: null,
  };
}

function describe(r: ImportResult, preview: boolean): string {
  const head = preview ? `${r.file}: preview (nothing written), ${r.format}` : `${r.file}: ${r.format}, batch ${r.batch}`;
  const parts = [`${n(r.rows)} rows`, `${n(r.imported)} ${preview ? 'new' : 'imported'}`, `${n(r.duplicates)} duplicates`, `${n(r.rejected)} rejected`];
  const extra = r.format === 'dust-cost' ? `, spread by the ${r.profile ?? 'default'} hour-of-day profile` : '';
  const lines = [`${head}: ${parts.join(', ')} (${n(r.events)} events${extra})`];
  for (const e of r.errors.slice(0, 10)) {
    lines.push(`  ${formatDetail({ file: r.file, line: e.line, ...(e.column !== null ? { column: e.column } : {}), ...(e.value !== null ? { value: e.value } : {}), message: e.message })}`);
  }
  if (r.errors.length > 10) lines.push(`  ... ${n(r.rejected - 10)} more bad rows`);
  return lines.join('\n');
}

/** Runs the command; returns what to print and the exit code (2 when any file was refused). */
export async function runImport(files: string[], options: ImportCliOptions, signal?: AbortSignal): Promise<CliOutput> {
  if (!options.db) throw new InputError('--db LEDGER.sqlite is required', [{ column: '--db', message: 'is required' }]);
  const format = (options.format ?? 'auto') as FormatName | 'auto';
  if (format !== 'auto' && !(FORMATS as readonly string[]).includes(format)) {
    throw new InputError(`--format "${options.format}" must be auto, ${FORMATS.join(', ')}`, [{ column: '--format', value: options.format ?? '', message: `must be auto, ${FORMATS.join(', ')}` }]);
  }
  const mapping = options.mapping === undefined ? undefined : readMapping(options.mapping);
  const ledger = openLedger(options.db);
  const out: string[] = [];
  const err: string[] = [];
  let exitCode = 0;
  try {
    if (options.undo !== undefined) {
      const id = Number(options.undo);
      if (!Number.isSafeInteger(id) || id <= 0) throw new InputError(`--undo "${options.undo}" must be a batch number`, [{ column: '--undo', value: options.undo, message: 'must be a batch number' }]);
      const removed = ledger.undoBatch(id);
      out.push(options.json ? JSON.stringify({ batch: id, removed }) : `batch ${id} undone: ${n(removed)} events removed`);
    }
    if (options.history) {
      const batches = ledger.listBatches();
      if (options.json) out.push(...batches.map((b) => JSON.stringify(b)));
      else {
        for (const b of batches) {
          out.push(
            `${String(b.id).padStart(4)}  ${isoOf(b.importedAt).slice(0, 19)}Z  ${b.format.padEnd(16)} ${b.fileName}  ${n(b.rows)} rows, ${n(b.imported)} imported, ${n(b.duplicates)} duplicates, ${n(b.rejected)} rejected${b.undoneAt !== null ? '  (undone)' : ''}`,
          );
        }
        const s = ledger.summary();
        out.push(
          s.events === 0
            ? 'the ledger holds no events'
            : `the ledger holds ${n(s.events)} events from ${isoOf(s.from!)} to ${isoOf(s.to!)}: ${n(s.perType.api)} API requests (${s.subjects.api} keys), ${n(s.perType.trigger)} trigger runs (${s.subjects.trigger} triggers), ${n(s.perType.message)} messages (${s.subjects.message} people)`,
        );
      }
    }
    if (files.length === 0 && options.undo === undefined && !options.history) {
      throw new InputError('no file to import: headroom import FILE... --db LEDGER.sqlite', [{ message: 'no file to import' }]);
    }
    const tty = process.stderr.isTTY === true && !options.json;
    for (const file of files) {
      const opts = {
        format,
        skipBadRows: options.skipBadRows === true,
        ...(mapping !== undefined ? { mapping } : {}),
        ...(signal ? { signal } : {}),
        ...(tty
          ? { onProgress: (p: { rows: number; bytes: number; totalBytes: number }) => process.stderr.write(`\r${basename(file)}: ${n(p.rows)} rows, ${Math.floor((100 * p.bytes) / Math.max(1, p.totalBytes))}%`) }
          : {}),
      };
      try {
        const r = options.preview ? await ledger.previewImport(file, opts) : await ledger.importFile(file, opts);
        if (tty) process.stderr.write('\r\x1b[K');
        if (options.json) {
          const { file: f, format: fm, batch, rows, imported, duplicates, rejected, errors, events } = r;
          out.push(JSON.stringify({ file: f, format: fm, batch, rows, imported, duplicates, rejected, errors, events }));
        } else out.push(describe(r, options.preview === true));
      } catch (e) {
        if (tty) process.stderr.write('\r\x1b[K');
        if (e instanceof CancelledError) throw e;
        if (!(e instanceof InputError)) throw e;
        exitCode = 2;
        const r = e instanceof ImportRefusedError ? e.result : failedResult(basename(file), format === 'auto' ? 'events' : format, e);
        if (options.json) {
          const { file: f, format: fm, batch, rows, imported, duplicates, rejected, errors, events } = r;
          out.push(JSON.stringify({ file: f, format: fm, batch, rows, imported, duplicates, rejected, errors, events }));
        }
        err.push(e.message);
      }
    }
  } finally {
    ledger.close();
  }
  return { stdout: out.length ? `${out.join('\n')}\n` : '', stderr: err.length ? `${err.join('\n')}\n` : '', exitCode };
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('add usage exports (CSV) to a ledger: canonical events, the daily cost export, the consumption export, or any CSV through a column mapping')
    .argument('[files...]', 'CSV files; each becomes one batch, imported in one transaction')
    .requiredOption('--db <ledger>', 'the ledger (SQLite file), created if missing')
    .option('--format <format>', `auto (detect from the header), ${FORMATS.join(', ')}`, 'auto')
    .option('--skip-bad-rows', 'import the good rows of a file with bad rows and list the bad ones (default: refuse the file)')
    .option('--json', 'print one JSON object per file')
    .option('--mapping <file.json>', 'column mapping for any other CSV (time, dateFormat, timeZone, type, subject, cost, ...)')
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
