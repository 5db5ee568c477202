/**
 * Writes canonical events CSV (SPEC §6): `id,timestamp,type,subject,cost_usd`, ISO timestamps
 * with milliseconds and `Z`, costs with six decimals formatted from the integer micro-USD (never
 * through a float, so 0.1 + 0.2 stays 0.300000). Rows are buffered into large chunks and written
 * to a temporary file that is renamed into place when complete, so a failed run never leaves a
 * half-written file under the real name.
 */
import { EVENT_TYPE_NAMES } from '../engine/events.ts';
import type { EventColumns, EventIds } from '../engine/events.ts';
import { HOUR } from '../engine/units.ts';
import { AtomicWriter } from '../fs/atomic.ts';
import type { AtomicOptions } from '../fs/atomic.ts';

export const EVENTS_CSV_HEADER = 'id,timestamp,type,subject,cost_usd';

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Six-decimal dollars from integer micro-USD: 1234567 → "1.234567", -5 → "-0.000005". */
export function formatMicros(micros: number): string {
  if (!Number.isSafeInteger(micros)) throw new RangeError(`cost must be an integer number of micro-USD, not ${micros}`);
  const abs = micros < 0 ? -micros : micros;
  const whole = Math.floor(abs / 1_000_000);
  const frac = abs - whole * 1_000_000;
  const text = `${whole}.${THREE[Math.floor(frac / 1000)]}${THREE[frac % 1000]}`;
  return micros < 0 ? `-${text}` : text;
}

/** RFC 4180: quote a field only when it holds a separator, a quote or a line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * ISO 8601 with milliseconds, as Date#toISOString, but the date and hour part is computed once
 * per hour: rows come mostly in time order, and toISOString on ten million rows takes seconds.
 */
class IsoFormatter {
  private hour = Number.NaN;
  private prefix = '';

  format(ms: number): string {
    if (!Number.isInteger(ms)) throw new RangeError(`timestamp must be integer epoch milliseconds, not ${ms}`);
    const hour = Math.floor(ms / HOUR);
    if (hour !== this.hour) {
      const iso = new Date(hour * HOUR).toISOString(); // throws RangeError outside the Date range
      this.prefix = iso.slice(0, iso.indexOf('T') + 4);
      this.hour = hour;
    }
    const within = ms - hour * HOUR;
    const minutes = Math.floor(within / 60_000);
    const rest = within - minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    return `${this.prefix}${TWO[minutes]}:${TWO[seconds]}.${THREE[rest - seconds * 1000]}Z`;
  }
}

/** Columns of some events: an EventColumns, or a chunk from the generator. */
export interface EventRows {
  count: number;
  time: ArrayLike<number>;
  type: ArrayLike<number>;
  subject: ArrayLike<number>;
  cost: ArrayLike<number>;
}

export interface CsvWriteSummary {
  path: string;
  rows: number;
  bytes: number;
}

const FLUSH_CHARS = 1 << 20;

/**
 * Streams rows to a CSV file. Rows without an id get `e<row number>` (`e1` is the first data
 * row). Messages carry no cost and fair-use trigger runs none worth writing: their cost cell is
 * left empty, which reads back as 0.
 */
export class EventsCsvWriter {
  readonly path: string;
  private readonly file: AtomicWriter;
  private open = true;
  private buffer = '';
  private rows = 0;
  private bytes = 0;
  private readonly iso = new IsoFormatter();
  private escapedSubjects: string[] = [];
  private escapedSubjectsOf: readonly string[] | null = null;

  /** `durable: false` skips the fsync: for large files that can be generated again. */
  constructor(path: string, options: AtomicOptions = {}) {
    this.path = path;
    this.file = new AtomicWriter(path, options);
    this.buffer = `${EVENTS_CSV_HEADER}\n`;
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Appends rows; `subjects` names the subject indexes, `ids` (if any) is indexed like the rows. */
  writeRows(rows: EventRows, subjects: readonly string[], ids: EventIds | null = null): void {
    if (this.escapedSubjectsOf !== subjects) {
      this.escapedSubjects = [];
      this.escapedSubjectsOf = subjects;
    }
    const escaped = this.escapedSubjects;
    let buf = this.buffer;
    for (let i = 0; i < rows.count; i++) {
      const s = rows.subject[i];
      let subject = escaped[s];
      if (subject === undefined) {
        const name = subjects[s];
        if (name === undefined) throw new RangeError(`row ${this.rows + 1}: subject index ${s} has no name`);
        subject = escaped[s] = csvField(name);
      }
      const type = rows.type[i];
      const typeName = EVENT_TYPE_NAMES[type];
      if (typeName === undefined) throw new RangeError(`row ${this.rows + 1}: unknown event type code ${type}`);
      const cost = rows.cost[i];
      const costText = type === 0 || cost !== 0 ? formatMicros(cost) : '';
      this.rows++;
      const id = ids?.at(i);
      const idText = id === null || id === undefined ? `e${this.rows}` : csvField(id);
      buf += `${idText},${this.iso.format(rows.time[i])},${typeName},${subject},${costText}\n`;
      if (buf.length >= FLUSH_CHARS) {
        this.flush(buf);
        buf = '';
      }
    }
    this.buffer = buf;
  }

  private flush(text: string): void {
    if (!this.open) throw new Error(`${this.path}: writer is closed`);
    if (text.length === 0) return;
    // all ASCII except quoted names: the UTF-8 length is what lands on disk
    this.bytes += Buffer.byteLength(text);
    this.file.write(text);
  }

  /** Writes what is buffered and moves the file into place. */
  close(): CsvWriteSummary {
    try {
      this.flush(this.buffer);
      this.buffer = '';
      this.open = false;
      this.file.commit();
    } catch (err) {
      this.abort();
      throw err;
    }
    return { path: this.path, rows: this.rows, bytes: this.bytes };
  }

  /** Drops the partial file; the target is left as it was. */
  abort(): void {
    this.open = false;
    this.file.abort();
  }
}

export function writeEventsCsv(path: string, events: EventColumns, options: AtomicOptions = {}): CsvWriteSummary {
  const writer = new EventsCsvWriter(path, options);
  try {
    writer.writeRows(events, events.subjects, events.ids);
  } catch (err) {
    writer.abort();
    throw err;
  }
  return writer.close();
}

/** The same text as writeEventsCsv, in memory (small inputs, tests). */
export function eventsToCsv(events: EventColumns): string {
  const iso = new IsoFormatter();
  const lines = [EVENTS_CSV_HEADER];
  for (let i = 0; i < events.count; i++) {
    const type = events.type[i];
    const cost = events.cost[i];
    const id = events.ids?.at(i) ?? null;
    lines.push(
      [
        id === null ? `e${i + 1}` : csvField(id),
        iso.format(events.time[i]),
        EVENT_TYPE_NAMES[type],
        csvField(events.subjects[events.subject[i]]),
        type === 0 || cost !== 0 ? formatMicros(cost) : '',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
