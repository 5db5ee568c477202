/**
 * The platform's cost export with its header renamed, as a spreadsheet or an admin tidying it
 * leaves it (`Date,Agent,API Key,Source,Spend (USD)`). Read as a sheet to map, its rows were not
 * the export's: each day's spend at midnight under other identities than the export's, so the
 * export as downloaded and the consumption export of the same days counted it again (every
 * dollar twice), and a key written `N/A` (spend without a key) became a key named "N/A". Its
 * columns are told here by their names' meaning and their values (days, the export's sources, USD
 * amounts); when every one is told, the file is read as the export it is, with all its rules.
 */
import { DAY } from '../engine/units.ts';
import { isNoKey, norm } from './cells.ts';
import { SLASH_DAY } from './day-order.ts';
import { EXCEL_SERIAL } from './excel-dates.ts';
import { parseMappedTime, parseMoneyToMicros, splitCurrency } from './parse.ts';
import { isAccountingZero } from './accounting.ts';

/** The cost export's columns, as the platform names them (dust-facts: `date,agent_name,api_key,source,total_spend_usd`). */
export const COST_FIELDS = ['date', 'agent_name', 'api_key', 'source', 'total_spend_usd'] as const;
export type CostField = (typeof COST_FIELDS)[number];

/** Where each of the cost export's columns sits in a header (indexes); a field without one is absent. */
export type CostColumns = Partial<Record<CostField, number>>;

/**
 * Names (as `norm` reads them) a spreadsheet or an admin gives each column, the export's own first:
 * English as people write them, then the words of a sheet kept in German, French, Spanish,
 * Portuguese or Italian. A currency other than USD in the amount's name (`Spend (EUR)`) is no
 * alias: an amount in another currency is never taken as USD.
 */
const ALIASES: Record<CostField, readonly string[]> = {
  date: ['date', 'day', 'usagedate', 'spenddate', 'dateutc', 'dayutc', 'datum', 'tag', 'jour', 'fecha', 'dia', 'data', 'giorno'],
  agent_name: ['agentname', 'agent', 'agents', 'assistant', 'assistantname', 'agentnom', 'nomdelagent', 'nomagent', 'nombredelagente', 'agente', 'nomedoagente'],
  api_key: ['apikey', 'apikeyname', 'key', 'keyname', 'apikeys', 'apischlussel', 'schlussel', 'cleapi', 'cle', 'claveapi', 'clave', 'chaveapi', 'chave', 'chiaveapi', 'chiave'],
  source: ['source', 'sources', 'origin', 'sourcetype', 'quelle', 'herkunft', 'origine', 'fuente', 'origen', 'origem', 'fonte'],
  total_spend_usd: [
    'totalspendusd', 'totalspend', 'spendusd', 'spend', 'spendinusd', 'totalcostusd', 'totalcost', 'costusd', 'cost', 'costinusd', 'amountusd', 'amount', 'totalusd', 'usd',
    'kostenusd', 'kosten', 'betragusd', 'betrag', 'ausgaben', 'coutusd', 'cout', 'montantusd', 'montant', 'depenses', 'gastousd', 'gasto', 'costeusd', 'coste', 'importeusd', 'importe',
    'custousd', 'custo', 'gastos', 'costousd', 'costo', 'spesa', 'importo',
  ],
};

/** The export's `source` values (and their labels): what tells a renamed `Source` or `Type` column by its cells. */
const SOURCES: ReadonlySet<string> = new Set(['api', 'trigger', 'triggers', 'triggered', 'triggeredprogrammatic', 'workflow', 'workflows', 'schedule', 'scheduled', 'webhook']);

/**
 * The columns `header` names as the cost export's, by their names: the export's own name first,
 * then the aliases, each column for one field only. What the importer reads an export's renamed
 * columns with (formats.ts dustCostHandler), whether it told the export from them or was told to.
 */
export function costColumnsByName(header: readonly string[]): CostColumns {
  const normalized = header.map(norm);
  const taken = new Set<number>();
  const columns: CostColumns = {};
  // a column named exactly as the export names a field is that field's, whatever aliases come before
  for (const field of COST_FIELDS) {
    const k = normalized.indexOf(norm(field));
    if (k !== -1) {
      columns[field] = k;
      taken.add(k);
    }
  }
  for (const field of COST_FIELDS) {
    if (columns[field] !== undefined) continue;
    for (const alias of ALIASES[field]) {
      const k = normalized.findIndex((h, i) => h === alias && !taken.has(i));
      if (k === -1) continue;
      columns[field] = k;
      taken.add(k);
      break;
    }
  }
  return columns;
}

/** A day as the cost export or a re-saved copy of it writes one: no time of day. */
function isDay(value: string): boolean {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) || SLASH_DAY.test(value) || /^\d{5}$/.test(value)) return true;
  if (EXCEL_SERIAL.test(value) || /\d:\d/.test(value)) return false;
  const t = parseMappedTime(value, 'ymd', 'UTC');
  return t !== null && t % DAY === 0;
}

/** An amount in USD (or without a currency), with either decimal mark, or the Accounting format's zero. */
function isUsdAmount(value: string): boolean {
  if (isAccountingZero(value)) return true;
  const currency = splitCurrency(value).currency;
  if (currency !== null && currency !== 'USD') return false;
  return parseMoneyToMicros(value, '.') !== null || parseMoneyToMicros(value, ',') !== null;
}

/** A column of the file and the export's field it was read as. */
export interface MatchedColumn {
  field: CostField;
  column: string;
  /** told by its cells alone (a `Type` of `api` and `trigger` is the export's `source`), not its name */
  byValues?: true;
}

/**
 * What a file's header and first rows say of it being the cost export renamed:
 * - `confident`: every column is one of the export's five, each told by its name (or `source` by
 *   its cells), and the first rows hold what the export's do (days, its sources, USD amounts): it
 *   is read as the export;
 * - `partial`: a column of days, one of amounts and some of the export's own marks (its `source`
 *   values, an agent column, `N/A` keys), but not all: read as a sheet to map, and said, with the
 *   columns matched, the fields no column reads as (`unmatched`) and what else keeps it from being
 *   taken for the export (`reasons`), since read so its spend counts again beside the export.
 */
export type CostExportLikeness =
  | { kind: 'confident'; columns: Required<CostColumns>; matched: MatchedColumn[]; noKeyColumn: string | null }
  | { kind: 'partial'; matched: MatchedColumn[]; unmatched: CostField[]; reasons: string[]; noKeyColumn: string | null };

/**
 * Whether `header` and its first data rows (`samples`) are the cost export with its columns
 * renamed (CostExportLikeness), null when nothing says so. Only asked of a header no format was
 * told from by its names.
 */
export function costExportLikeness(header: readonly string[], samples: readonly (readonly string[])[]): CostExportLikeness | null {
  const columns = costColumnsByName(header);
  const cells = (k: number): string[] => samples.map((r) => (r[k] ?? '').trim()).filter((v) => v !== '');
  const named = header.flatMap((h, k) => (h.trim() !== '' ? [k] : []));
  const taken = new Set(Object.values(columns));
  // `source` by its cells: a `Type` or `Kind` of api and trigger is the export's
  let sourceByValues = false;
  if (columns.source === undefined) {
    const k = named.find((i) => !taken.has(i) && cells(i).length > 0 && cells(i).every((v) => SOURCES.has(norm(v))));
    if (k !== undefined) {
      columns.source = k;
      taken.add(k);
      sourceByValues = true;
    }
  }
  const matched: MatchedColumn[] = COST_FIELDS.flatMap((field) => {
    const k = columns[field];
    return k === undefined ? [] : [{ field, column: header[k]!, ...(field === 'source' && sourceByValues ? { byValues: true as const } : {}) }];
  });
  const unmatched = COST_FIELDS.filter((f) => columns[f] === undefined);
  const reasons: string[] = [];
  const dayCells = columns.date === undefined ? [] : cells(columns.date);
  const days = dayCells.length > 0 && dayCells.every(isDay);
  // a sheet of times (one row a request) is no daily export, whatever its names
  if (!days) return null;
  const amountCells = columns.total_spend_usd === undefined ? [] : cells(columns.total_spend_usd);
  if (columns.total_spend_usd === undefined || amountCells.length === 0) return null;
  const sourceCells = columns.source === undefined ? [] : cells(columns.source);
  const sources = sourceCells.length > 0 && sourceCells.every((v) => SOURCES.has(norm(v)));
  const keyCells = columns.api_key === undefined ? [] : cells(columns.api_key);
  const noKeys = keyCells.some(isNoKey);
  // what a sheet of one's own hardly has: the export's sources, an agent beside a key, `N/A` keys
  const marks = (sources ? 1 : 0) + (columns.agent_name !== undefined ? 1 : 0) + (noKeys ? 1 : 0);
  if (marks === 0 || matched.length < 3) return null;

  if (columns.source !== undefined && !sources) {
    const other = sourceCells.find((v) => !SOURCES.has(norm(v)));
    reasons.push(other === undefined ? `the column ${JSON.stringify(header[columns.source]!)} is empty` : `the column ${JSON.stringify(header[columns.source]!)} holds ${JSON.stringify(other)}, which is no source of the export (api, trigger)`);
  }
  const badAmount = amountCells.find((v) => !isUsdAmount(v));
  if (badAmount !== undefined) reasons.push(`the column ${JSON.stringify(header[columns.total_spend_usd]!)} holds ${JSON.stringify(badAmount)}, which is no USD amount`);
  const extra = named.filter((k) => !taken.has(k)).map((k) => JSON.stringify(header[k]!));
  if (extra.length > 0) reasons.push(`${extra.length === 1 ? 'the column' : 'the columns'} ${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} none of the export's`);

  const noKeyColumn = noKeys && columns.api_key !== undefined ? header[columns.api_key]! : null;
  if (reasons.length === 0 && unmatched.length === 0) return { kind: 'confident', columns: columns as Required<CostColumns>, matched, noKeyColumn };
  return { kind: 'partial', matched, unmatched, reasons, noKeyColumn };
}

/** The columns not named as the export names them (`Spend (USD)` for total_spend_usd). */
export function renamedColumns(matched: readonly MatchedColumn[]): MatchedColumn[] {
  return matched.filter((m) => norm(m.column) !== norm(m.field));
}

/** The columns `costColumnsByName` told, as said. */
export function matchedByName(header: readonly string[], columns: CostColumns): MatchedColumn[] {
  return COST_FIELDS.flatMap((field) => (columns[field] === undefined ? [] : [{ field, column: header[columns[field]]! }]));
}

/**
 * The cost export read with its columns renamed (ImportResult.recognised): which column was read
 * as which, and the imports not undone that read files of these columns as a sheet to map (their
 * rows, at midnight under a sheet's identities, count beside this file's until undone).
 */
export interface RecognisedExport {
  export: 'dust-cost';
  columns: MatchedColumn[];
  sheetsBefore: { batches: number[]; events: number } | null;
}

/**
 * A file read as a sheet to map that looks like the cost export (ImportResult.exportLike): its
 * spend is not reconciled with the exports and counts again beside them. `read`: why it is read
 * as a sheet: its columns did not all tell (`guess`: `reasons`, `unmatched`), or a mapping given
 * (`mapping`) or saved for its shape (`saved`) said so. `noKeyAsKey`: the column whose `N/A` the
 * mapping reads as a key.
 */
export interface ExportLike {
  export: 'dust-cost';
  read: 'guess' | 'mapping' | 'saved';
  matched: MatchedColumn[];
  unmatched: CostField[];
  reasons: string[];
  noKeyAsKey: string | null;
}
