/**
 * One canonical row (SPEC §6) → an event's columns: the values of a row, given as offsets into
 * its text, are trimmed, checked against the field limit, parsed, and handed to the sink; each bad
 * value is reported with its column. It never silently becomes zero.
 */
import { EventType } from '../engine/events.ts';
import type { EventColumnsBuilder, EventTypeCode, NameTable } from '../engine/events.ts';
import type { InputErrorDetail } from '../errors.ts';
import { fieldChars, isSpace } from './chars.ts';
import type { Codes } from './chars.ts';
import type { ColumnMap } from './header.ts';
import { JoinedRow } from './joined-row.ts';
import { MAX_FIELD_CHARS, fieldTooLong } from './limits.ts';
import { clip } from './messages.ts';
import type { FieldError } from './messages.ts';
import { costProblem, usdMicrosAt } from './money.ts';
import { parseTimestampAt, timestampAt } from './timestamp.ts';

/** One canonical row, parsed. */
export interface CanonicalRow {
  time: number;
  type: EventTypeCode;
  subject: string;
  costMicros: number;
  id: string | null;
}

/**
 * Receives rows as they are read. Positional arguments, not an object per row: a million
 * allocations show up in the parse time.
 */
export interface CanonicalRowSink {
  row(time: number, type: EventTypeCode, subject: string, costMicros: number, id: string | null, line: number): void;
  /** Returns false to stop reading. */
  error(detail: InputErrorDetail): boolean;
  /**
   * When set, plain rows go straight into these columns instead of through `row` (no string per
   * row for its subject or id); rows read by papaparse still come through `row`.
   */
  columns?: EventColumnsBuilder;
  /** Reading a file: each run of bytes as read (before anything is taken off), e.g. to hash them. */
  onRead?(bytes: Uint8Array): void;
  /**
   * Reading a file: called between blocks of whole lines (and every few thousand rows of the
   * quoted path) with the bytes read so far, e.g. to hand the rows on in batches.
   */
  afterBlock?(bytes: number): void;
}

function typeCodeOf(c: Codes, s: string, start: number, end: number): EventTypeCode | -1 {
  const len = end - start;
  // Tell the three names apart by their first letter, then confirm.
  if (len === 3 && c[start] === 97 /* a */ && c[start + 1] === 112 && c[start + 2] === 105) return EventType.api;
  if (len === 7) {
    if (c[start] === 116 /* t */ && s.startsWith('trigger', start)) return EventType.trigger;
    if (c[start] === 109 /* m */ && s.startsWith('message', start)) return EventType.message;
  }
  switch (s.slice(start, end).trim().toLowerCase()) {
    case 'api':
      return EventType.api;
    case 'trigger':
      return EventType.trigger;
    case 'message':
      return EventType.message;
    default:
      return -1;
  }
}

function columnName(cols: ColumnMap, k: number): string {
  if (k === cols.timestamp) return 'timestamp';
  if (k === cols.type) return 'type';
  if (k === cols.subject) return 'subject';
  if (k === cols.cost) return 'cost_usd';
  if (k === cols.id) return 'id';
  return `(field ${k + 1})`;
}

function report(sink: CanonicalRowSink, file: string, line: number, column: string, s: string, start: number, end: number, message: string): boolean {
  // a value of megabytes is named by its start, not echoed whole
  return sink.error({ file, line, column, value: clip(s.slice(start, Math.min(end, start + 1000))), message });
}

/**
 * Parses one row's values given as offsets into `s` / `c` (starts/ends indexed by column). Calls
 * `sink.row`, or reports each bad value through `sink.error`; returns false to stop reading.
 */
export function parseRowAt(
  s: string,
  c: Codes,
  starts: Int32Array,
  ends: Int32Array,
  cols: ColumnMap,
  file: string,
  line: number,
  sink: CanonicalRowSink,
  subjects: NameTable | null = null,
  quoted: Uint8Array | null = null,
): boolean {
  // Kept to echo a cost made only of spaces as it was given.
  const costRawStart = starts[cols.cost];
  const costRawEnd = ends[cols.cost];
  // Surrounding spaces of an unquoted field are not meaningful (`a, b` is read as `a`,`b`). A
  // quoted subject or id is kept exactly as given (RFC 4180: spaces are part of a field), so that
  // `" padded "` round-trips; a quoted time, type or cost is still read without them.
  for (let k = 0; k < cols.width; k++) {
    if (quoted !== null && quoted[k] === 1 && (k === cols.subject || k === cols.id)) continue;
    while (starts[k] < ends[k] && isSpace(c[starts[k]])) starts[k]++;
    while (ends[k] > starts[k] && isSpace(c[ends[k] - 1])) ends[k]--;
  }
  let ok = true;
  for (let k = 0; k < cols.width; k++) {
    const chars = fieldChars(c, starts[k]!, ends[k]!);
    if (chars > MAX_FIELD_CHARS) {
      ok = false;
      const message = fieldTooLong(chars);
      if (!report(sink, file, line, columnName(cols, k), s, starts[k]!, ends[k]!, message)) return false;
    }
  }
  if (!ok) return true;
  const ts = cols.timestamp;
  const time = timestampAt(c, s, starts[ts], ends[ts]);
  if (time !== time) {
    ok = false;
    const message = parseTimestampAt(s, starts[ts], ends[ts]);
    if (!report(sink, file, line, 'timestamp', s, starts[ts], ends[ts], typeof message === 'string' ? message : 'is not a valid time')) return false;
  }

  const ty = cols.type;
  const type = typeCodeOf(c, s, starts[ty], ends[ty]);
  if (type === -1) {
    ok = false;
    const message = starts[ty] === ends[ty] ? 'is empty (expected api, trigger or message)' : 'is not api, trigger or message';
    if (!report(sink, file, line, 'type', s, starts[ty], ends[ty], message)) return false;
  }

  const su = cols.subject;
  if (starts[su] === ends[su]) {
    ok = false;
    if (!report(sink, file, line, 'subject', s, starts[su], ends[su], 'is empty (expected the API key, trigger or user id)')) return false;
  }

  let cost = 0;
  const co = cols.cost;
  // Spec: cost is ignored for messages, so whatever they carry is not checked.
  if (type === EventType.api || type === EventType.trigger) {
    let message: string | null = null;
    if (starts[co] === ends[co]) {
      if (type === EventType.api) message = 'is required for api events';
    } else {
      const micros = usdMicrosAt(c, s, starts[co], ends[co]);
      if (micros === null) message = costProblem(s.slice(starts[co], ends[co]));
      else if (micros < 0) message = 'must be >= 0';
      else cost = micros;
    }
    if (message !== null) {
      ok = false;
      if (starts[co] === ends[co]) {
        // blank: show the spaces that were there (a line's CR is not part of the value)
        let e = costRawEnd;
        if (e > costRawStart && c[e - 1] === 13) e--;
        if (!report(sink, file, line, 'cost_usd', s, costRawStart, e, message)) return false;
      } else if (!report(sink, file, line, 'cost_usd', s, starts[co], ends[co], message)) return false;
    }
  }
  if (!ok) return true;
  const into = sink.columns;
  if (into !== undefined && subjects !== null) {
    into.pushIndexed(time, type as EventTypeCode, into.subjectIdAt(s, c, starts[su], ends[su]), cost);
    const ic = cols.id;
    if (ic >= 0) {
      if (c instanceof Uint8Array) into.pushIdBytes(c, starts[ic], ends[ic]);
      else into.pushIdText(starts[ic] < ends[ic] ? s.slice(starts[ic], ends[ic]) : null);
    }
    return true;
  }
  const id = cols.id >= 0 && starts[cols.id] < ends[cols.id] ? s.slice(starts[cols.id], ends[cols.id]) : null;
  const subject = subjects === null ? s.slice(starts[su], ends[su]) : subjects.names[subjects.idAt(s, c, starts[su], ends[su])];
  sink.row(time, type as EventTypeCode, subject, cost, id, line);
  return true;
}

/**
 * Parses one canonical row given as separate values (for importers that read rows themselves).
 * Returns the row, or every problem with its values (without file and line).
 */
export function parseCanonicalFields(
  timestamp: string,
  type: string,
  subject: string,
  costUsd: string,
  id: string | null = null,
): CanonicalRow | FieldError[] {
  const joined = new JoinedRow();
  joined.set(id === null ? [timestamp, type, subject, costUsd] : [timestamp, type, subject, costUsd, id]);
  let row: CanonicalRow | null = null;
  const errors: FieldError[] = [];
  const cols: ColumnMap = { timestamp: 0, type: 1, subject: 2, cost: 3, id: id === null ? -1 : 4, width: id === null ? 4 : 5 };
  parseRowAt(joined.text, joined.codes, joined.starts, joined.ends, cols, '', 0, {
    row(time, typeCode, subj, costMicros, rowId) {
      row = { time, type: typeCode, subject: subj, costMicros, id: rowId };
    },
    error(d) {
      errors.push({ column: d.column ?? '', value: d.value, message: d.message });
      return true;
    },
  });
  return row ?? errors;
}
