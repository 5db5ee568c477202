/**
 * A whole canonical events CSV (text, bytes or a file) into the engine's event columns, every
 * problem listed with its file and line, and two rows of one id with different content refused.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { EventColumnsBuilder } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { firstIdClash } from '../engine/id-clash.ts';
import { InputError, formatDetail } from '../errors.ts';
import type { InputErrorDetail } from '../errors.ts';
import type { CanonicalRowSink } from './canonical-row.ts';
import { MAX_REPORTED_ERRORS } from './limits.ts';
import { clip } from './messages.ts';
import { scanEventsCsv } from './scan-events.ts';
import { scanEventsCsvFile } from './scan-events-file.ts';

export interface ReadEventsOptions {
  /** name used in messages, e.g. `events.csv` */
  file?: string;
  maxErrors?: number;
  /** bytes read at a time from a file (tests use tiny blocks to cross every boundary) */
  blockBytes?: number;
}

/** Runs a scan into columns; throws InputError listing up to `maxErrors` problems. */
function collect(file: string, maxErrors: number, scan: (sink: CanonicalRowSink) => void, expectedRows = 0): EventColumns {
  const builder = new EventColumnsBuilder();
  builder.reserve(expectedRows);
  const errors: InputErrorDetail[] = [];
  let truncated = false;
  scan({
    columns: builder,
    row(time, type, subject, cost, id) {
      builder.push(time, type, subject, cost, id);
    },
    error(d) {
      if (errors.length >= maxErrors) {
        truncated = true;
        return false;
      }
      errors.push(d);
      return true;
    },
  });
  if (errors.length > 0) {
    // Header problems carry no value and name their column in the message already.
    const lines = errors.map((d) => (d.value === undefined ? formatDetail({ ...d, column: undefined }) : formatDetail(d)));
    if (truncated) lines.push(`${file}: stopped after ${maxErrors} errors`);
    throw new InputError(lines.join('\n'), errors);
  }
  const events = builder.build();
  const clash = firstIdClash(events);
  if (clash !== null) throw idClashError(file, scan, events, clash);
  return events;
}

/** The error for two rows with one id and different content, named by their lines (found by reading again: only on this error). */
function idClashError(file: string, scan: (sink: CanonicalRowSink) => void, events: EventColumns, [first, second]: [number, number]): InputError {
  const lines: number[] = [];
  let row = 0;
  scan({
    row(_time, _type, _subject, _cost, _id, line) {
      if (row === first || row === second) lines.push(line);
      row++;
    },
    error: () => false,
  });
  const id = events.ids?.at(second) ?? '';
  const message = `repeats the id of the row on line ${lines[0] ?? '?'} with different content (time, type, subject or cost)`;
  const detail: InputErrorDetail = { file, line: lines[1], column: 'id', value: clip(id), message };
  return new InputError(formatDetail(detail), [detail]);
}

/**
 * Reads a whole canonical events CSV (text, or UTF-8 bytes) into columns. Throws InputError
 * listing up to `maxErrors` problems (`events.csv:118: cost_usd "abc" is not a number`).
 */
export function readEventsCsv(input: string | Uint8Array, options: ReadEventsOptions = {}): EventColumns {
  const file = options.file ?? 'events.csv';
  return collect(file, options.maxErrors ?? MAX_REPORTED_ERRORS, (sink) => scanEventsCsv(input, file, sink));
}

/** Reads a canonical events CSV file in blocks; messages name it by its base name. */
export function readEventsCsvFile(path: string, options: Omit<ReadEventsOptions, 'file'> = {}): EventColumns {
  const file = basename(path);
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // reported when the scan opens it
  }
  // Rows of a canonical file take 40-60 bytes: sized up front, the columns are never copied to
  // grow (a generous guess is given back at the end).
  const expectedRows = Math.min(Math.ceil(size / 45), 1 << 28);
  return collect(file, options.maxErrors ?? MAX_REPORTED_ERRORS, (sink) => scanEventsCsvFile(path, file, sink, options.blockBytes), expectedRows);
}
