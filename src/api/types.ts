/**
 * The shapes the UI receives. Plain, serialisable data only (no typed arrays, no classes), and
 * nothing here imports Node or Electron, so the renderer can import these types.
 */
import type { TriggerReport } from '../engine/report.ts';
import type { ImportFindings } from '../import/findings.ts';
import type { DayOrderBasis, GivenDayOrder } from '../import/day-order.ts';
import type { ApiError } from './errors.ts';
import type { Status } from '../views/status.ts';
import type { KeyFigure } from '../views/key-figure.ts';
import type { HeldLimits } from '../views/held-limits.ts';

// One status vocabulary and one key figure for every screen (src/views).
export type { Status } from '../views/status.ts';
export type { KeyFigure } from '../views/key-figure.ts';
export type { HeldLimitFigure, HeldLimits } from '../views/held-limits.ts';

export interface LedgerInfo {
  path: string;
  workspaceName: string;
  events: number;
  firstEvent: number | null;
  lastEvent: number | null;
  recent: string[];
}

/** A trigger's line on the Overview: the report's figures, delays 0 when none ran. */
export interface TriggerFigure
  extends Pick<
    TriggerReport,
    'id' | 'name' | 'kind' | 'mode' | 'inferred' | 'limit' | 'arrivals' | 'admitted' | 'delayed' | 'dropped' | 'skipped' | 'pending' | 'peakQueue'
  > {
  maxDelayMs: number;
  p95DelayMs: number;
  status: Status;
}

export interface CapacityFigure {
  id: string;
  label: string;
  /** null = unlimited */
  limit: number | null;
  peak: number;
  peakShare: number | null;
  blocked: number;
  unit: 'messages' | 'runs' | 'usd';
  status: Status;
}

export interface Overview {
  ledger: LedgerInfo;
  planName: string;
  horizon: number;
  events: number;
  keys: KeyFigure[];
  triggers: TriggerFigure[];
  capacity: CapacityFigure[];
  /**
   * The limits this history reached with nothing refused beyond them (src/views/held-limits.ts):
   * the platform's own limits cut an export's history there, so real demand was higher.
   */
  held: HeldLimits;
  /** `keysThrottled`: keys a per-minute or per-hour throttle refused requests of (SPEC section 9 rule 7) */
  headline: { keysCapped: number; keysThrottled: number; keysLimited: number; keysNear: number; triggersLimited: number; blockedMessages: number };
  /**
   * Present when this is the overview stored for the same events, plan and code
   * (src/ledger/overview-snapshot-file.ts), served while the live one is computed: when it was
   * computed, and by what (the app's last live answer, or a command-line import or undo).
   */
  stored?: { savedAt: number; by: 'app' | 'import' };
}

export interface Span {
  from: number;
  until: number;
}

export interface KeyChart {
  id: string;
  name: string;
  capUsd: number | null;
  peakUsd: number;
  /** the same status the key has on every screen (src/views) */
  status: Status;
  /** rolling spend, USD */
  spend: Series;
  cappedSpans: Span[];
}

/** A chart's values, one per point; point i stands at `start + i * bucketMs` of its projection. */
export type Series = number[];

export interface Projection {
  start: number;
  /** where the axis ends: the data's end, or the queue's drain after it */
  end: number;
  /** the last event; null without events */
  dataEnd: number | null;
  /** when runs queued before the data's end have all run, if after it */
  drainEnd: number | null;
  /** until here a rolling 30-day window is still filling: its sums start from zero, not from use */
  warmUntil: number;
  bucketMs: number;
  width: number;
  events: number;
  /** keys in the plan; `keys` holds the first `maxKeys` of them, most constrained first */
  totalKeys: number;
  keys: KeyChart[];
  pool: { limit: number | null; used: Series };
  allowance: { limit: number | null; used: Series };
  /** waiting runs, and the longest wait (minutes) of the runs admitted */
  queue: { queued: Series; maxDelayMin: Series };
  /** admitted spend in each limit's window, USD */
  spendLimits: { id: string; limitUsd: number; window: 'utc-day' | 'calendar-month' | 'rolling-30d'; used: Series }[];
  /** how long the engine and the preparation took, for the curious */
  computeMs: number;
  /** threads that simulated for it: 0 when kept results answered, 2 when both parts ran at once */
  computeThreads: number;
}

export type ImportFormat = 'auto' | 'events' | 'dust-cost' | 'dust-consumption';

export interface ImportRowError {
  line: number;
  column?: string;
  value?: string;
  message: string;
}

export interface ImportPreview {
  name: string;
  format: string;
  mapping: { column: string; field: string }[];
  header: string[];
  rows: string[][];
  totalRows: number | null;
  errors: ImportRowError[];
  /** the column mapping used or guessed (any other CSV), for the mapping step; null otherwise */
  columnMapping: ColumnMappingView | null;
  /** what the mapping step must still ask (time, subject, the currency's rate …) */
  missing: string[];
  /** the file's own header and first records, as read */
  fileHeader: string[];
  sampleRows: string[][];
  facts: ImportFacts;
  /** what the import would count (SPEC §8's rows, imported, duplicates, rejected), for the result to be read against */
  counts: { rows: number; imported: number; duplicates: number; rejected: number };
}

/**
 * One file of a set previewed together (`import-preview-set`), in the set's order: its preview
 * given the files before it (a line an earlier file holds counts as a duplicate here, as its
 * import will count it), or why its import would be refused (naming the file and line).
 */
export type ImportSetEntry = { name: string; preview: ImportPreview; error: null } | { name: string; preview: null; error: ApiError };

/** A column mapping as the page edits it (src/import/formats.ts columnMappingSchema). */
export interface ColumnMappingView {
  time: string;
  dateFormat: 'iso' | 'epoch-ms' | 'epoch-s' | 'ymd' | 'mdy' | 'dmy' | 'excel-serial';
  /** the column with each day's time of day, when `time` holds days alone */
  timeOfDay: string | null;
  timeZone: string;
  type: { column: string } | { value: 'api' | 'trigger' | 'message' };
  typeValues: Record<string, 'api' | 'trigger' | 'message'>;
  subject: string;
  cost: string | null;
  costUnit: 'usd' | 'credits';
  decimal: '.' | ',';
  currency: string;
  usdPerUnit: number | null;
  id: string | null;
}

/** What the preview or the import found, in the words the page shows. */
export interface ImportFacts {
  /** first and last event time (epoch ms) of the file's new events */
  from: number | null;
  to: number | null;
  /** data lines read and the events they make (consumption lines fold into messages) */
  lines: number;
  events: number;
  /** data lines already in the ledger (SPEC §8's duplicates): counted, nothing added for them */
  duplicates: number;
  spendMicros: number;
  keys: number;
  triggers: number;
  people: number;
  /** encoding, separator, gzip */
  form: string | null;
  summaryRows: number;
  /** the cost export's days: how they are spread over hours, and why */
  spread: string | null;
  /** the cost and consumption exports' overlap: what counts, what is kept as a cross-check */
  overlap: string | null;
  /** key-days on which the two exports disagree by more than rounding */
  disagreements: { scope: string; day: number; costUsd: number; consumptionUsd: number; counted: 'cost' | 'consumption' }[];
  /** people active in the last 30 days of the history: the seats the plan is given while at the default */
  activeSeats: number | null;
  /** what was guessed, repeated headers, rows already in the ledger with another amount (import/findings.ts) */
  findings: ImportFindings;
  /**
   * How a platform export's slash dates got their day order (`by`, import/day-order.ts
   * DayOrderBasis; `order` null: nothing told, its rows refused): the preview offers "Dates are"
   * where the rows themselves did not decide. Null for a file without slash dates, and for any
   * other format (a mapping says its order in `dateFormat`).
   */
  dayOrder: { order: GivenDayOrder | null; by: DayOrderBasis } | null;
}

export interface ImportResult {
  file: string;
  format: string;
  batch: number | null;
  rows: number;
  imported: number;
  duplicates: number;
  rejected: number;
  errors: ImportRowError[];
  facts?: ImportFacts;
}

export interface BatchInfo {
  id: number;
  file: string;
  format: string;
  importedAt: number;
  imported: number;
  duplicates: number;
  rejected: number;
  undone: boolean;
}

export interface ProgressEvent {
  jobId: string;
  done: number;
  total: number;
  phase: string;
}
