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

/** How many of a file's first lines the separator is told from. */
export const SNIFFED_LINES = 10;

/**
 * The first SNIFFED_LINES non-blank lines of the text read so far (a BOM skipped); null while
 * more may come in the next chunk and fewer are complete (up to MAX_RECORD_CHARS of text, past
 * which those read are taken).
 */
export function firstLinesOf(text: string, final: boolean): string[] | null {
  const body = text.replace(/^\uFEFF/, '');
  const lines: string[] = [];
  let at = 0;
  while (lines.length < SNIFFED_LINES) {
    const nl = body.indexOf('\n', at);
    if (nl === -1) {
      if (!final && text.length < MAX_RECORD_CHARS) return null;
      if (body.slice(at).trim() !== '') lines.push(body.slice(at));
      break;
    }
    const line = body.slice(at, nl);
    if (line.trim() !== '') lines.push(line);
    at = nl + 1;
  }
  return lines;
}

/**
 * The separator of a file from its first lines (`firstLinesOf`): the one that splits the most of
 * them into the same number of fields, the most fields on a tie, else as `sniffDelimiter` reads
 * the first line. The first line alone misled on a spreadsheet saved with a title above its
 * header ("Usage report" then `Date;Key;Amount` rows: no separator on the title, so `,`, and every
 * row one field).
 */
export function sniffDelimiterOf(lines: readonly string[]): ',' | ';' | '\t' {
  const first = sniffDelimiter(lines[0] ?? '');
  if (lines.length < 2) return first;
  const perLine = { ',': [] as number[], ';': [] as number[], '\t': [] as number[] };
  let quoted = false;
  for (const line of lines) {
    const counts = { ',': 0, ';': 0, '\t': 0 };
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === '"') quoted = !quoted;
      else if (!quoted && (c === ',' || c === ';' || c === '\t')) counts[c]++;
    }
    for (const d of [',', ';', '\t'] as const) perLine[d].push(counts[d]);
  }
  let best: { d: ',' | ';' | '\t'; lines: number; fields: number } | null = null;
  for (const d of [',', ';', '\t'] as const) {
    // the most frequent non-zero count, the larger on a tie
    const seen = new Map<number, number>();
    for (const c of perLine[d]) if (c > 0) seen.set(c, (seen.get(c) ?? 0) + 1);
    let fields = 0;
    let count = 0;
    for (const [c, k] of seen) if (k > count || (k === count && c > fields)) [fields, count] = [c, k];
    if (count === 0) continue;
    if (best === null || count > best.lines || (count === best.lines && fields > best.fields)) best = { d, lines: count, fields };
  }
  // one line alone that agrees with itself says no more than the first line does
  return best === null || best.lines < 2 ? first : best.d;
}
