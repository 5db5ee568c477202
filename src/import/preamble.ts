import { detectFormat } from './formats.ts';

/**
 * Where the header is among a file's first non-blank records: a spreadsheet saved as CSV often
 * carries a title or a few notes above it ("Usage report, Acme", "Exported 2026-11-03", a blank
 * line), which read as the header made the file "not a known export". Those lines are told apart
 * from the header, not guessed from words:
 * - a known export's header (events, the cost or the consumption export) among the records is the
 *   header, whatever is above it;
 * - else the first record is the header, unless it names fewer columns than a later record that
 *   looks like a header (every cell a name, not a number or a date) and names at least as many as
 *   the records after it: then the lines above that one are the preamble. Every line above names
 *   fewer columns than it (a title sits in one or two cells).
 * A record with a parse problem above the header keeps the first record the header: its error is
 * the one to report. Excel's separator hint (`sep=;`) on the first line is left out too.
 */

/** How many non-blank records are read before the header is decided. */
export const LEAD_RECORDS = 12;

export interface LeadRecord {
  fields: string[];
  problem: string | null;
}

/** The columns a record names: up to its last non-empty cell (a spreadsheet pads rows with empty ones). */
function named(fields: readonly string[]): number {
  let n = fields.length;
  while (n > 0 && fields[n - 1]!.trim() === '') n--;
  return n;
}

/** A cell that is a value rather than a column's name: digits with separators, signs, currency or a date's marks only. */
const VALUE_LIKE = /^[\s$€£¥%+\-()]*\d[\d\s.,:/\-T+Z%$€£¥()']*$/i;

function looksLikeHeader(fields: readonly string[]): boolean {
  const cells = fields.slice(0, named(fields)).map((f) => f.trim());
  return cells.length >= 2 && cells.every((c) => c === '' || !VALUE_LIKE.test(c)) && cells.filter((c) => c !== '').length >= 2;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
}

/** The index of the header among `records` (the file's first non-blank ones); 0 when nothing stands above it. */
export function headerIndex(records: readonly LeadRecord[]): number {
  // Excel's separator hint (`sep=;`) above the header: the separator is told from the lines
  // anyway; alone, it keeps its own message (src/csv/header.ts)
  if (isSeparatorHint(records[0])) return records.length > 1 && records[1]!.problem === null ? 1 : 0;
  for (let k = 0; k < records.length; k++) {
    if (records[k]!.problem !== null) return 0;
    if (detectFormat(records[k]!.fields.map((f) => f.trim())) !== null) return k;
  }
  for (let k = 1; k < records.length - 1; k++) {
    const width = named(records[k]!.fields);
    if (!records.slice(0, k).every((r) => named(r.fields) < width)) continue;
    if (!looksLikeHeader(records[k]!.fields)) continue;
    if (width >= median(records.slice(k + 1).map((r) => named(r.fields)))) return k;
  }
  return 0;
}

/** Excel's `sep=` line: one cell (the separator it names splits it off). */
export function isSeparatorHint(record: LeadRecord | undefined): boolean {
  return record !== undefined && /^sep=.?$/i.test(record.fields[0]?.trim() ?? '') && record.fields.slice(1).every((f) => f.trim() === '');
}

/** Up to 80 characters of a preamble line, its cells joined as written: what an admin recognises. */
export function preambleText(fields: readonly string[]): string {
  const text = fields
    .slice(0, named(fields))
    .map((f) => f.trim())
    .join(', ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
