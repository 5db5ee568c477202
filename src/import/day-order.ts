import { DAY } from '../engine/units.ts';
import { parseMappedTime } from './parse.ts';

/**
 * Which way round a spreadsheet re-saved the platform's dates and times (`01/09/2026`,
 * `9/1/2026 14:05`): the exports write `YYYY-MM-DD`, which no one misreads, but a re-saved copy
 * writes its locale's order, and `01/09` is the 1st of September or the 9th of January.
 */

export type DayOrder = 'ymd' | 'dmy' | 'mdy';

/** The order an admin can give a platform export's slash dates (`headroom import --dates`, the app's "Dates are"). */
export type GivenDayOrder = Exclude<DayOrder, 'ymd'>;

/** a day as a spreadsheet re-saves it: 01/09/2026, 9/1/2026, 01.09.2026 (an optional 00:00 after it) */
export const SLASH_DAY = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}(?:[ T]0?0:00(?::00)?)?$/;
/** a time as a spreadsheet re-saves it: a slash day, then hh:mm, hh:mm:ss (and a fraction), or h:mm AM */
export const SLASH_TIME = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp][Mm])?)?$/;

/**
 * What a file's own form says of the locale a spreadsheet saved it in, apart from its dates: a
 * decimal comma in its amounts (no locale that writes dates month first writes one), or, more
 * weakly, `;` between its fields (the list separator of the locales whose decimal mark is the
 * comma). Either is a day-first locale's.
 */
export type LocaleSign = 'decimal-comma' | 'semicolon';

/**
 * Why a day order was taken: the dates themselves (`rows`: a part above 12, dots, or no slash date
 * at all), the file's locale (LocaleSign), or only how close together the dates lie read each way
 * (`nearness`, a guess the "read as" line says how to undo), or the admin (`given`: `headroom
 * import --dates`, the app preview's "Dates are").
 */
export type DayOrderBasis = 'rows' | LocaleSign | 'nearness' | 'given';

/**
 * The order, told by a column's values one at a time: `dmy` or `mdy` as soon as only one reading
 * holds (a part above 12), otherwise, at the end (DayOrderScan#reading), the file's locale, then
 * the reading in which the values lie closer together (an export covers consecutive days; read the
 * wrong way round, 01/09 and 02/09 are a month apart); null when nothing tells (then such a value
 * is refused, never guessed).
 */
export class DayOrderScan {
  private readonly pattern: RegExp;
  private slashes = 0;
  /**
   * whether every value so far writes its day with dots (`03.10.2026`): the German, Swiss,
   * Austrian, Nordic, Polish, Czech, Russian, Turkish way, always day first; no locale writes
   * month first with dots, so such a column is day first unless a part above 12 says otherwise
   */
  private dotted = true;
  private dmyOk = true;
  private mdyOk = true;
  private readonly lo = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  private readonly hi = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];

  constructor(pattern: RegExp) {
    this.pattern = pattern;
  }

  add(value: string): void {
    const v = value.trim();
    if (v === '') return;
    if (!this.pattern.test(v)) return;
    this.slashes++;
    if (!/^\d{1,2}\.\d{1,2}\.\d{4}/.test(v)) this.dotted = false;
    const readings: [boolean, 'dmy' | 'mdy'][] = [
      [this.dmyOk, 'dmy'],
      [this.mdyOk, 'mdy'],
    ];
    readings.forEach(([ok, order], k) => {
      if (!ok) return;
      const t = parseMappedTime(v, order, 'UTC');
      if (t === null) {
        if (k === 0) this.dmyOk = false;
        else this.mdyOk = false;
        return;
      }
      this.lo[k] = Math.min(this.lo[k]!, t);
      this.hi[k] = Math.max(this.hi[k]!, t);
    });
  }

  /** True once more values cannot change the answer (a part above 12 has told). */
  get decided(): boolean {
    return this.slashes > 0 && this.dmyOk !== this.mdyOk;
  }

  /**
   * The order only a part above 12 tells (`ymd` when no value is a slash date), null otherwise:
   * for a sheet to map, whose rows need not be consecutive days (one row a month read the wrong
   * way round lies closer together), so nearness tells nothing.
   */
  get told(): DayOrder | null {
    if (this.slashes === 0) return 'ymd';
    if (this.dmyOk !== this.mdyOk) return this.dmyOk ? 'dmy' : 'mdy';
    return this.dmyOk && this.dotted ? 'dmy' : null;
  }

  /**
   * The order of an export's values and why: the values themselves when they tell (DayOrderScan#told),
   * else the file's locale (`sign`: an export re-saved with a decimal comma was read month first
   * when its days lay closer so, and the export as downloaded then added every day again), else
   * nearness; null when nothing tells.
   */
  reading(sign: LocaleSign | null): { order: DayOrder | null; by: DayOrderBasis } {
    const told = this.told;
    if (told !== null) return { order: told, by: 'rows' };
    if (!this.dmyOk) return { order: null, by: 'rows' };
    if (sign !== null) return { order: 'dmy', by: sign };
    const a = this.hi[0]! - this.lo[0]!;
    const b = this.hi[1]! - this.lo[1]!;
    return { order: a < b ? 'dmy' : b < a ? 'mdy' : null, by: 'nearness' };
  }
}

/**
 * A later row that tells an export's order the first rows only guessed by how close together their
 * dates lie: the first slash day or time the other order cannot read (a part above 12), kept with
 * its line, so that the "read as" line names it rather than "no day above 12 tells". Each row is
 * read in the guessed order, so a row only the other order reads is refused by that reading.
 */
export class LaterOrderTell {
  private readonly other: GivenDayOrder;
  private found: { value: string; line: number } | null = null;

  constructor(order: GivenDayOrder) {
    this.other = order === 'dmy' ? 'mdy' : 'dmy';
  }

  /** a value the guessed order read, on its file's line */
  see(value: string, line: number): void {
    if (this.found === null && parseMappedTime(value, this.other, 'UTC') === null) this.found = { value, line };
  }

  get told(): { value: string; line: number } | null {
    return this.found;
  }
}

/** A slash day or time the first rows could not place: the whole file is asked (importer.ts), then the import runs again. */
export class DayOrderUnknown extends Error {
  /** the column (as the header names it) whose values tell the order */
  readonly column: string;
  constructor(column: string) {
    super(`the day order of "${column}" is not told by the first rows`);
    this.column = column;
  }
}

/** The day order's words for a message: `day first (dd/mm/yyyy)`. */
export function dayOrderWords(order: DayOrder): string {
  return order === 'dmy' ? 'day first (dd/mm/yyyy)' : order === 'mdy' ? 'month first (mm/dd/yyyy)' : 'YYYY-MM-DD';
}

/**
 * How a file writes its dates, as the "read as" line says it: the platform's `YYYY-MM-DD`, a
 * spreadsheet's slash days (their order is DayOrder's), the month as a word (`2-Dec-2026`: no
 * order to guess), Excel date serials or epoch numbers.
 */
export type DateForm = 'iso' | 'slash' | 'month-word' | 'excel-serial' | 'epoch';

const ISO_START = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/;
const MONTH_WORD = /(?:^|[^A-Za-z])(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:$|[^A-Za-z])/i;
const SERIAL = /^\d{5}(?:\.\d+)?$/;
const EPOCH_NUMBER = /^(?:\d{9,11}(?:\.\d+)?|\d{12,14})$/;

/** The form of one date or time, null when it is none of these (such a value is refused when read). */
export function dateFormOf(value: string): DateForm | null {
  const v = value.trim();
  if (v === '') return null;
  if (ISO_START.test(v)) return 'iso';
  if (SLASH_TIME.test(v)) return 'slash';
  if (SERIAL.test(v)) return 'excel-serial';
  if (EPOCH_NUMBER.test(v)) return 'epoch';
  if (MONTH_WORD.test(v)) return 'month-word';
  return null;
}

/** The forms `values` (a file's first rows) write, in the order first seen. */
export function dateFormsOf(values: readonly string[]): DateForm[] {
  const forms: DateForm[] = [];
  for (const v of values) {
    const f = dateFormOf(v);
    if (f !== null && !forms.includes(f)) forms.push(f);
  }
  return forms;
}

/** A date written with dots (`01.10.2026`, an optional time after it). */
const DOTTED = /^\d{1,2}\.\d{1,2}\.\d{4}(?:$|[ T])/;

/** Where a cell of a dotted column was read, and what as. */
export interface DottedCell {
  line: number;
  value: string;
  /** its wall-clock reading (epoch ms as if UTC) month first and day first; null where it reads no date */
  monthFirst: number | null;
  dayFirst: number | null;
}

/**
 * Dotted dates read month first because a mapping says `"dateFormat": "mdy"`: what the rows say
 * of that reading. Every locale that writes dates with dots writes them day first, so such a
 * mapping is kept (the admin's explicit choice) but said, with what makes it doubtful: a cell that
 * is no date month first, and the days the rows span read either way (an export covers nearby
 * days; read the wrong way round, 01.10 and 02.10 lie a month apart).
 */
export interface DottedMonthFirst {
  /** the time column, as the header names it */
  column: string;
  /** the mapping given (`mapping`), or the one saved for the file's shape (`saved`) */
  from: 'mapping' | 'saved';
  /** rows whose time cell is a dotted date */
  rows: number;
  first: DottedCell;
  /** cells no date month first that are one day first (`13.10.2026`), and the first of them */
  notMonthFirst: number;
  firstNotMonthFirst: DottedCell | null;
  /** the first and last wall-clock moment (epoch ms as if UTC) the rows that read both ways give, each way; null when none reads both ways */
  monthFirst: { from: number; to: number } | null;
  dayFirst: { from: number; to: number } | null;
}

/**
 * Watches a mapped time column read month first (`mdy`) for dotted dates (DottedMonthFirst).
 * `result()` is null when no cell is dotted, or when the cells themselves say month first (one is
 * no date day first, `10.13.2026`, and none is no date month first): then nothing is doubtful.
 */
export class DottedMonthFirstCheck {
  private readonly column: string;
  readonly from: 'mapping' | 'saved';
  private rows = 0;
  private first: DottedCell | null = null;
  private notMonthFirst = 0;
  private firstNotMonthFirst: DottedCell | null = null;
  private notDayFirst = 0;
  private readonly lo = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  private readonly hi = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];

  constructor(column: string, from: 'mapping' | 'saved') {
    this.column = column;
    this.from = from;
  }

  /**
   * Records one time cell; returns its day-first reading when it is a dotted date that is no date
   * month first but is one day first (the caller's row error then says so), null otherwise.
   */
  add(text: string, line: number): number | null {
    const v = text.trim();
    if (!DOTTED.test(v)) return null;
    this.rows++;
    // the dates as written (UTC, whatever the mapping's zone): the days said are the sheet's own
    const mdy = parseMappedTime(v, 'mdy', 'UTC');
    const dmy = parseMappedTime(v, 'dmy', 'UTC');
    this.first ??= { line, value: v, monthFirst: mdy, dayFirst: dmy };
    if (mdy === null && dmy !== null) {
      this.notMonthFirst++;
      this.firstNotMonthFirst ??= { line, value: v, monthFirst: mdy, dayFirst: dmy };
      return dmy;
    }
    if (dmy === null && mdy !== null) this.notDayFirst++;
    if (mdy !== null && dmy !== null) {
      this.lo[0] = Math.min(this.lo[0]!, mdy);
      this.hi[0] = Math.max(this.hi[0]!, mdy);
      this.lo[1] = Math.min(this.lo[1]!, dmy);
      this.hi[1] = Math.max(this.hi[1]!, dmy);
    }
    return null;
  }

  result(): DottedMonthFirst | null {
    if (this.first === null) return null;
    if (this.notDayFirst > 0 && this.notMonthFirst === 0) return null;
    const span = (k: number) => (this.lo[k]! <= this.hi[k]! ? { from: this.lo[k]!, to: this.hi[k]! } : null);
    return {
      column: this.column,
      from: this.from,
      rows: this.rows,
      first: this.first,
      notMonthFirst: this.notMonthFirst,
      firstNotMonthFirst: this.firstNotMonthFirst,
      monthFirst: span(0),
      dayFirst: span(1),
    };
  }
}

/** How a reading of slash dates spreads: its first and last day (epoch ms, as if UTC) and how many distinct days it falls on. */
export interface DaySpread {
  from: number;
  to: number;
  days: number;
}

/**
 * An export's slash dates read in the order the admin gave (`--dates`, the app's "Dates are")
 * though no row contradicts it (every date reads both ways), when that reading looks wrong: some
 * dates fall after the import's own time (`later`), or the other order puts the rows far closer
 * together (scattered: one row a month read so, consecutive days the other way).
 */
export interface GivenOrderDoubt {
  /** the date column, as the header names it */
  column: string;
  order: GivenDayOrder;
  /** rows whose date is a slash date */
  rows: number;
  given: DaySpread;
  other: DaySpread;
  /** the rows read as given that lie after the import's own time (a day's slack for time zones), the first of them, and that time */
  later: { count: number; line: number; value: string; time: number; now: number } | null;
}

/** A row whose slash date only the order the admin did not give reads (`13/08/2026` under `mdy`): its whole file is refused (formats.ts). */
export interface GivenOrderContradiction {
  /** the part above 12 where the order given puts the month */
  part: number;
  /** the order the file writes */
  writes: GivenDayOrder;
}

/** Whole UTC days from a spread's first day to its last, both counted. */
export function spanDays(s: Pick<DaySpread, 'from' | 'to'>): number {
  return Math.floor(s.to / DAY) - Math.floor(s.from / DAY) + 1;
}

/**
 * Whether the order given scatters the rows the other order keeps together: its span is at least
 * SCATTER times the other's (consecutive days up to the 12th read the wrong way round fall one a
 * month, a span some 30 times theirs). A span only somewhat wider is no sign: 2 October to
 * 3 November read day first spans more than 10 February to 11 March read month first.
 */
export function scattered(given: DaySpread, other: DaySpread): boolean {
  return spanDays(other) * SCATTER <= spanDays(given);
}
const SCATTER = 4;

/** Distinct days of a reading, up to this many (an ambiguous date has 144 forms a year). */
const MAX_TRACKED_DAYS = 4096;
/** a date read after the import's time by less than this is no doubt: a re-saved time may be a zone's ahead of UTC */
const LATER_SLACK = DAY;

/**
 * Watches an export's slash dates read in the order given (GivenDayOrder): each date is read both
 * ways, so that a date only the other order reads refuses the file (unless an earlier date only
 * the given order reads: then the file mixes both, and that row is bad), and so that a reading
 * the file cannot contradict but that scatters its rows is said (GivenOrderDoubt).
 */
export class GivenDayOrderCheck {
  readonly order: GivenDayOrder;
  private readonly other: GivenDayOrder;
  private slashes = 0;
  /** a date only the given order reads has been seen: the file itself says the order */
  private confirmed = false;
  private readonly spans = [
    { lo: Number.POSITIVE_INFINITY, hi: Number.NEGATIVE_INFINITY, days: new Set<number>() },
    { lo: Number.POSITIVE_INFINITY, hi: Number.NEGATIVE_INFINITY, days: new Set<number>() },
  ];
  /** the first date read after the import's time, and how many are */
  private firstLater: { line: number; value: string; time: number } | null = null;
  private laterCount = 0;
  private readonly now: number;

  /** `now`: the import's own time (epoch ms) */
  constructor(order: GivenDayOrder, now: number) {
    this.order = order;
    this.other = order === 'dmy' ? 'mdy' : 'dmy';
    this.now = now;
  }

  /** Whether the file has slash dates at all (the "read as" line names the order only then). */
  get sawSlashDates(): boolean {
    return this.slashes > 0;
  }

  /**
   * One slash date (its text trimmed), at `line`: its time read in the order given, null when that
   * order reads no date; `contradiction` when only the other order reads it and no earlier date
   * said the order given (then the file writes the other order).
   */
  read(value: string, line: number): { time: number | null; contradiction: GivenOrderContradiction | null } {
    this.slashes++;
    const given = parseMappedTime(value, this.order, 'UTC');
    const other = parseMappedTime(value, this.other, 'UTC');
    if (given === null) {
      if (other === null || this.confirmed) return { time: null, contradiction: null };
      const m = /^(\d{1,2})[/.-](\d{1,2})/.exec(value);
      const part = m === null ? 0 : Number(this.order === 'mdy' ? m[1] : m[2]);
      return { time: null, contradiction: { part, writes: this.other } };
    }
    if (other === null) this.confirmed = true;
    this.note(0, given);
    if (other !== null) this.note(1, other);
    if (given > this.now + LATER_SLACK) {
      this.laterCount++;
      this.firstLater ??= { line, value, time: given };
    }
    return { time: given, contradiction: null };
  }

  private note(k: number, t: number): void {
    const s = this.spans[k]!;
    s.lo = Math.min(s.lo, t);
    s.hi = Math.max(s.hi, t);
    if (s.days.size < MAX_TRACKED_DAYS) s.days.add(Math.floor(t / DAY));
  }

  /**
   * After the rows: the doubt the reading leaves (GivenOrderDoubt), null when the file says the
   * order itself (a date only it reads), has no slash date, or when the reading looks right.
   */
  doubt(column: string): GivenOrderDoubt | null {
    if (this.slashes === 0 || this.confirmed) return null;
    const spread = (k: number): DaySpread => ({ from: this.spans[k]!.lo, to: this.spans[k]!.hi, days: this.spans[k]!.days.size });
    const given = spread(0);
    const other = spread(1);
    if (given.from > given.to) return null;
    if (!scattered(given, other) && this.firstLater === null) return null;
    return {
      column,
      order: this.order,
      rows: this.slashes,
      given,
      other,
      later: this.firstLater === null ? null : { ...this.firstLater, count: this.laterCount, now: this.now },
    };
  }
}
