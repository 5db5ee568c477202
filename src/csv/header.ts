/**
 * Header lines: the canonical header's columns (matched by name, in any order) and, for the
 * importer's reader, a header record's column names.
 */
import { InputError } from '../errors.ts';
import { isSpace } from './chars.ts';
import { CR_ONLY_MESSAGE } from './messages.ts';
import type { FieldError } from './messages.ts';
import type { CanonicalRowSink } from './canonical-row.ts';

export const CANONICAL_COLUMNS = ['timestamp', 'type', 'subject', 'cost_usd'] as const;

/** Where each canonical column sits in a row (-1: no `id` column). */
export interface ColumnMap {
  timestamp: number;
  type: number;
  subject: number;
  cost: number;
  id: number;
  /** number of columns in the header; every row must have exactly this many */
  width: number;
}

type Role = keyof Omit<ColumnMap, 'width'>;

const ROLES = new Map<string, Role>([
  ['timestamp', 'timestamp'],
  ['type', 'type'],
  ['subject', 'subject'],
  ['cost_usd', 'cost'],
  ['id', 'id'],
]);

/** Maps header names to roles; names are matched trimmed and case-insensitively. */
export function readHeader(names: readonly string[]): ColumnMap | FieldError[] {
  const map: ColumnMap = { timestamp: -1, type: -1, subject: -1, cost: -1, id: -1, width: names.length };
  const errors: FieldError[] = [];
  names.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    const role = ROLES.get(name);
    if (role !== undefined) {
      if (map[role] !== -1) errors.push({ column: name, message: `column "${name}" appears twice in the header` });
      else map[role] = i;
    }
    // Other columns are ignored, so exports with extra fields still load.
  });
  const missing = CANONICAL_COLUMNS.filter((c) => map[c === 'cost_usd' ? 'cost' : c] === -1);
  if (missing.length > 0) {
    errors.push({
      column: missing[0],
      message: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the header must name timestamp,type,subject,cost_usd, and optionally id; found: ${names.map((n) => n.trim()).join(',') || 'nothing'})${platformExportHint(names)}`,
    });
  }
  return errors.length > 0 ? errors : map;
}

/**
 * The consumption export's columns that a sheet of the admin's own hardly names (not agentName,
 * userId, userName, triggerId, status), lower case without `_` or spaces.
 */
const CONSUMPTION_COLUMNS = [
  'completedat', 'conversationid', 'spaceid', 'agentmessageid', 'consumptiontype', 'agentid', 'agentversion', 'agenttagids', 'agentrootid',
  'agentparentid', 'agentdepth', 'modelproviderid', 'modelid', 'modelname', 'modelreasoningeffort', 'modelresolutionmethod', 'usergroupids',
  'usergroupnames', 'contextorigin', 'apikeyname', 'toolname', 'toolservername', 'tooldisplayname', 'toolparentservername', 'toolactionid',
  'attributedskillids', 'attributedskillnames', 'creditssystem', 'creditsinput', 'creditsoutput', 'creditsreasoning', 'creditsaction',
  'creditsdirect', 'totalcredits', 'usagetype', 'stepindex', 'executiontimems',
];

/**
 * The consumption export, whatever columns were cut (a cut export without agentMessageId too,
 * which the importer then refuses naming that column): its time column, `completedAt`, and two
 * more of its own column names, or six of them. Three alone refused sheets of the admin's own
 * (`Model name`, `Usage type`, `Total credits`) as a cut export, with no way to map them.
 */
export function isConsumptionHeader(names: ReadonlySet<string>): boolean {
  let n = 0;
  for (const c of CONSUMPTION_COLUMNS) if (names.has(c)) n++;
  return names.has('completedat') ? n >= 3 : n >= 6;
}

/**
 * The platform's own exports are not the canonical events CSV: they are read into a ledger first
 * (SPEC section 8). Said when a header is one of theirs, so that the next command is known.
 */
function platformExportHint(names: readonly string[]): string {
  const set = new Set(names.map((n) => n.trim().toLowerCase().replace(/[\s_]/g, '')));
  const kind = set.has('totalspendusd') && set.has('date') ? 'cost export' : isConsumptionHeader(set) ? 'consumption export' : null;
  return kind === null ? '' : `; this is the platform's ${kind}: import it into a ledger (headroom import FILE... --db LEDGER.sqlite), then simulate PLAN --db LEDGER.sqlite`;
}

/**
 * Where the header starts: after any blank (whitespace-only) lines, which the importer skips too.
 * Returns its offset and physical line.
 */
export function headerStart(text: string): { at: number; line: number } {
  let at = 0;
  let line = 1;
  for (;;) {
    const nl = text.indexOf('\n', at);
    if (nl === -1) return { at, line };
    for (let i = at; i < nl; i++) if (!isSpace(text.charCodeAt(i))) return { at, line };
    at = nl + 1;
    line++;
  }
}

/** Reads the header line `text[start, end)` (physical line `line`); reports problems and returns null when it is unusable. */
export function headerOf(text: string, end: number, file: string, sink: CanonicalRowSink, start = 0, line = 1): ColumnMap | null {
  const head = text.slice(start, end).replace(/\r$/, '');
  if (head.includes('\r')) {
    sink.error({ file, line, message: CR_ONLY_MESSAGE });
    return null;
  }
  const cols = readHeader(head.split(','));
  if (Array.isArray(cols)) {
    for (const e of cols) if (!sink.error({ file, line, ...e })) break;
    return null;
  }
  return cols;
}

/**
 * The header record of a file: its trimmed column names, or null for a blank line before it.
 * A header that cannot be parsed, or that has a column without a name, refuses the file.
 */
export function readHeaderRecord(fields: string[], line: number, problem: string | null, name: string): string[] | null {
  if (problem === null && fields.every((f) => f.trim() === '')) return null;
  if (problem !== null) throw new InputError(`${name}:${line}: header: ${problem}`, [{ file: name, line, message: `header: ${problem}` }]);
  // CR-only line ends make the whole file one "header": refused as simulate refuses it (headerOf)
  if (fields.some((f) => f.includes('\r'))) throw new InputError(`${name}:${line}: ${CR_ONLY_MESSAGE}`, [{ file: name, line, message: CR_ONLY_MESSAGE }]);
  // Excel's separator hint (`sep=;`), which some tools write above the header: named, not
  // reported as a column without a name
  if (/^sep=.?$/i.test(fields[0]!.trim()) && fields.slice(1).every((f) => f.trim() === '')) {
    const message = `the first line is Excel's separator hint ("sep="), not the header: delete that line and import again (the separator is found from the header)`;
    throw new InputError(`${name}:${line}: ${message}`, [{ file: name, line, value: fields.join(''), message }]);
  }
  const header = fields.map((f) => f.trim());
  // A separator at the end of every line (a spreadsheet whose used range ran a column too far)
  // leaves unnamed columns after the last named one: no column of any format, so kept empty and
  // never read (the canonical events CSV's reader, which simulate uses, skips them the same way).
  // A column without a name between named ones is refused: which field it was is not known.
  let named = header.length;
  while (named > 0 && header[named - 1] === '') named--;
  const blank = header.slice(0, named).findIndex((f) => f === '');
  if (blank !== -1 || named === 0) {
    throw new InputError(`${name}:${line}: header: column ${blank + 1} has no name`, [
      { file: name, line, column: `(column ${blank + 1})`, value: fields.join(','), message: 'header: a column has no name' },
    ]);
  }
  return header;
}
