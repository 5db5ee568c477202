/**
 * How large a CSV's parts may be. Both readers (the canonical scanner `simulate` and the import
 * pipeline use, and the importer's general reader) apply the same limits with the same words,
 * so the same bytes get the same verdict on every path.
 */

export const MAX_REPORTED_ERRORS = 20;

/**
 * The longest field a row may have, in characters: a longer one makes the row bad (named, never
 * truncated). The importer's reader applies the same limit, so the same bytes get the same verdict.
 */
export const MAX_FIELD_CHARS = 1 << 16;

/**
 * The longest record (a line, or several inside quotes) the reader holds: beyond it a file is
 * refused with the line where the record starts. Real exports' records are a few KB; the cap
 * keeps a runaway quote or a line of megabytes from being buffered (and rescanned) without end.
 */
export const MAX_RECORD_CHARS = 1 << 20;

/** The problem of a field longer than MAX_FIELD_CHARS (`chars` long), as both readers word it. */
export function fieldTooLong(chars: number): string {
  return `is ${chars.toLocaleString('en-US')} characters long; a field may hold at most ${MAX_FIELD_CHARS.toLocaleString('en-US')}`;
}
