import type { ImportResult as LedgerImportResult } from '../import/importer.ts';
import { scopeLabel } from '../ledger/overlap.ts';
import { importFindings } from '../import/findings.ts';
import type { ImportFacts } from './types.ts';

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const usd = (micros: number): string => `$${(micros / 1e6).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The cost export's days spread over hours: how, and why (it gives days, not times). */
function spreadText(r: LedgerImportResult): string | null {
  if (r.format !== 'dust-cost') return null;
  const how =
    r.profile === 'ledger'
      ? "by the hour-of-day shape of the ledger's own API calls"
      : 'by a business-hours shape (quiet nights, 08:00–17:00 UTC plateau), until the ledger holds 200 API calls to learn from';
  return `The cost export gives a total per day, not times: each day's spend is spread over its 24 hours ${how}; every day's total stays exact.`;
}

/** One sentence on the overlap: the days, the scopes, what counts and what is kept as a check. */
function overlapText(r: LedgerImportResult): string | null {
  const o = r.overlap;
  if (o === undefined || o.scopeDays === 0 || o.from === null || o.to === null) return null;
  const span = o.from === o.to ? day(o.from) : `${day(o.from)} to ${day(o.to)}`;
  const parts = [
    `${span}: the spend of ${o.scopes} key${o.scopes === 1 ? '' : 's'} and agents is in both the consumption and the cost export (${o.scopeDays} key-days).`,
    o.countedConsumption > 0 ? `${o.countedConsumption} key-day${o.countedConsumption === 1 ? '' : 's'} count the consumption lines; the cost export's rows for them are kept as a cross-check, not counted.` : '',
    o.countedCost > 0
      ? `${o.countedCost} key-day${o.countedCost === 1 ? '' : 's'} where the consumption lines add up to less (an export cut before the day ended, or priced differently) count the cost export's spend instead, ` +
        "shared over that day's runs and requests in the consumption export: every run, request and message still counts, at its own time."
      : '',
    // "held back" says a limit refused runs elsewhere in the app: this is spend left out, not runs
    `${usd(o.heldMicros)} of the two exports' spend is left out so that nothing counts twice.`,
  ];
  return parts.filter((p) => p !== '').join(' ');
}

export function importFacts(r: LedgerImportResult): ImportFacts {
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
    disagreements: (r.overlap?.disagreements ?? []).map((d) => ({
      scope: scopeLabel(d.scope),
      day: d.day,
      costUsd: d.costMicros / 1e6,
      consumptionUsd: d.consumptionMicros / 1e6,
      counted: d.counted,
    })),
    activeSeats: r.activeSeats ?? null,
    findings: importFindings(r),
  };
}
