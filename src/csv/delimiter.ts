/** The field separator of the importer's reader: given, or sniffed from the first line. */
import { MAX_RECORD_CHARS } from './limits.ts';

export const DELIMITERS = ['auto', ',', ';', '\t'] as const;

export type Delimiter = (typeof DELIMITERS)[number];

/**
 * The separator of a file from its first line: the most frequent of `,`, `;` and tab outside
 * quotes (`,` on a tie or none). A European spreadsheet writes `;` (its decimal separator is the
 * comma); a copy from a table, tabs.
 */
export function sniffDelimiter(firstLine: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < firstLine.length; i++) {
    const c = firstLine[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ',' || c === ';' || c === '\t')) counts[c]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

/**
 * The first line of the text read so far, a BOM and blank lines before it skipped; null while it
 * may still go on in the next chunk (up to MAX_RECORD_CHARS, past which the start is taken).
 */
export function firstLineOf(text: string, final: boolean): string | null {
  const body = text.replace(/^\uFEFF/, '').replace(/^(?:[ \t]*\r?\n)+/, '');
  const nl = body.indexOf('\n');
  if (nl === -1 && !final && text.length < MAX_RECORD_CHARS) return null;
  return nl === -1 ? body : body.slice(0, nl);
}
