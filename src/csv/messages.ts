/**
 * The problems a CSV file as a whole can have, in the words every reader uses, and how a value is
 * echoed in a message (`events.csv:118: cost_usd "abc" is not a number`).
 */
import { InputError, formatDetail } from '../errors.ts';
import type { InputErrorDetail } from '../errors.ts';

/** A problem with one value of a row, before the file and line are known. */
export type FieldError = Omit<InputErrorDetail, 'file' | 'line'> & { column: string };

/** A value as a message echoes it: at most 80 characters, a longer one cut with `...`. */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A canonical file of nothing but whitespace. */
export const EMPTY_MESSAGE = 'is empty (expected a header line: timestamp,type,subject,cost_usd)';

/** Lines end in CR alone (classic Mac): the whole file would read as one header line. */
export const CR_ONLY_MESSAGE = 'has lines that end in CR alone (old Mac line ends); save the file with LF or CRLF line ends';

/** A NUL byte: not a text file (the importer's reader says the same). */
export function nulMessage(offset: number, first?: Uint8Array): string {
  const workbook = first === undefined ? null : workbookMessage(first);
  return workbook ?? `contains a NUL byte (offset ${offset}): this is a binary file, not a CSV`;
}

/**
 * A spreadsheet workbook renamed `.csv` (or saved as "Excel Workbook" under a .csv name), told by
 * its first bytes: "binary file" alone left the admin guessing what to do. Null for other bytes.
 */
export function workbookMessage(first: Uint8Array): string | null {
  const starts = (sig: number[]): boolean => sig.every((b, i) => first[i] === b);
  // .xlsx (and .ods, .numbers) are zip archives: `PK\x03\x04`; .xls is an OLE2 compound file
  const kind = starts([0x50, 0x4b, 0x03, 0x04]) ? 'an Excel workbook (.xlsx: a zip archive, it starts with PK)' : starts([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) ? 'an Excel 97-2003 workbook (.xls)' : null;
  return kind === null ? null : `is ${kind}, not a CSV: open it in the spreadsheet and save it as CSV (File > Save As, "CSV UTF-8"), then import that file`;
}

/** The refusal of a canonical file that cannot be opened or read, by its error code. */
export function cannotRead(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  const detail = { file: path, message: code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(err)})` };
  return new InputError(formatDetail(detail), [detail]);
}
