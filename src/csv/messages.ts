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
export function nulMessage(offset: number): string {
  return `contains a NUL byte (offset ${offset}): this is a binary file, not a CSV`;
}

/** The refusal of a canonical file that cannot be opened or read, by its error code. */
export function cannotRead(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  const detail = { file: path, message: code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(err)})` };
  return new InputError(formatDetail(detail), [detail]);
}
