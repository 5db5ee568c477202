import type { ImportResult as LedgerImportResult } from '../import/importer.ts';
import { scopeLabel } from '../ledger/overlap.ts';
import { importFindings, overlapTexts } from '../import/findings.ts';
import type { ImportFacts } from './types.ts';

/** The day order of an export's slash dates and why (ImportFacts.dayOrder), null when it has none to give. */
function dayOrderOf(r: LedgerImportResult): ImportFacts['dayOrder'] {
  const g = r.guessed;
  if ((r.format !== 'dust-cost' && r.format !== 'dust-consumption') || g === undefined || g.dayOrder === undefined || g.dayOrder === 'ymd' || g.dayOrderBy === undefined) return null;
  return { order: g.dayOrder, by: g.dayOrderBy };
}

/** The cost export's days spread over hours: how, and why (it gives days, not times). */
function spreadText(r: LedgerImportResult): string | null {
  if (r.format !== 'dust-cost') return null;
  const how =
    r.profile === 'ledger'
      ? "by the hour-of-day shape of the ledger's own API calls"
      : 'by a business-hours shape (quiet nights, 08:00–17:00 UTC plateau), until the ledger holds 200 API calls to learn from';
  return `The cost export gives a total per day, not times: each day's spend is spread over its 24 hours ${how}; every day's total stays exact.`;
}

/**
 * The overlap in two labelled sentences: what this file brought, then what the ledger holds over
 * every batch (findings.ts overlapTexts). The ledger's span alone was read as the file's.
 */
function overlapText(r: LedgerImportResult): string | null {
  const o = overlapTexts(r);
  if (o === null) return null;
  return `${o.file !== null ? `This file: ${o.file}. ` : ''}The ledger ${r.batch === null ? 'after its import' : 'now'}: ${o.ledger}.`;
}

/** `stage`: the preview, or the import done (a finding's way to another reading then starts with an undo). */
export function importFacts(r: LedgerImportResult, stage: 'preview' | 'imported'): ImportFacts {
  const f = r.found;
  const form = r.form === undefined ? null : `${r.form.gzip ? 'gzip, ' : ''}${r.form.encoding}, separated by ${r.form.delimiter === '\t' ? 'tabs' : `"${r.form.delimiter}"`}`;
  return {
    from: f?.from ?? null,
    to: f?.to ?? null,
    lines: r.rows,
    events: f?.events ?? r.events,
    duplicates: r.duplicates,
    spendMicros: f?.spendMicros ?? 0,
    keys: f?.keys ?? 0,
    triggers: f?.triggers ?? 0,
    people: f?.people ?? 0,
    form,
    summaryRows: r.summaryRows ?? 0,
    spread: spreadText(r),
    overlap: overlapText(r),
    // this file's key-days on which the two exports disagree (an earlier file's were said with it)
    disagreements: ((r.fileOverlap ?? r.overlap)?.disagreements ?? []).map((d) => ({
      scope: scopeLabel(d.scope),
      day: d.day,
      costUsd: d.costMicros / 1e6,
      consumptionUsd: d.consumptionMicros / 1e6,
      counted: d.counted,
    })),
    activeSeats: r.activeSeats ?? null,
    findings: importFindings(r, stage === 'preview' ? 'app-preview' : 'app-imported'),
    dayOrder: dayOrderOf(r),
  };
}
