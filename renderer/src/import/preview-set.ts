/**
 * When the Import page's previews still say what Import will do. Several files are previewed as
 * the set they are imported as (each file given the ones above it), so a preview is stale once
 * the files above it change: a file removed, a mapping, a day order or the format changed. A file
 * above it that was imported meanwhile changes nothing: it is in the ledger now, as the preview assumed.
 */
import type { ColumnMappingView } from '../../../src/api/types.ts';
import type { GivenDayOrder } from '../../../src/import/day-order.ts';

/** What a file's preview was made from: the file, whether it is handed over, its mapping, the day order given its dates. */
export function entryOf(it: { key: number; source: unknown; mapping: ColumnMappingView | null; dates?: GivenDayOrder | null }): string {
  return `${it.key}:${it.source === null ? '-' : '+'}:${JSON.stringify(it.mapping)}:${it.dates ?? 'auto'}`;
}

/** The files (entryOf, in order) and format whose previews are on the page. */
export interface ShownPreviews {
  format: string;
  entries: readonly string[];
}

/**
 * True when the previews shown hold for `current`: the same format, and each file now on the
 * page was previewed with exactly the files now above it, plus files above it imported since.
 */
export function previewsHold(shown: ShownPreviews | null, current: readonly string[], format: string, imported: ReadonlySet<string>): boolean {
  if (shown === null || shown.format !== format || current.length === 0) return false;
  let at = 0;
  for (const entry of current) {
    // files previewed above this one and gone since must have been imported
    while (at < shown.entries.length && shown.entries[at] !== entry) {
      if (!imported.has(shown.entries[at]!)) return false;
      at++;
    }
    if (at === shown.entries.length) return false;
    at++;
  }
  return true;
}

/** The file of a set the preview's progress is about (phase `preview-set:<index>`), or null. */
export function fileOfPhase(phase: string): number | null {
  const m = /^preview-set:(\d+)$/.exec(phase);
  return m === null ? null : Number(m[1]);
}
