import { DAY, formatUsd } from '../engine/units.ts';
import { counted } from '../engine/words.ts';
import { scattered, spanDays } from './day-order.ts';
import type { DateForm, DayOrder, DayOrderBasis, DottedMonthFirst, GivenDayOrder, GivenOrderDoubt } from './day-order.ts';
import type { ImportResult, TimeOfDayNote } from './importer.ts';
import type { TriggerAgents } from './trigger-agents.ts';
import { COST_FIELDS } from './renamed-export.ts';
import type { ExportLike, MatchedColumn, RecognisedExport } from './renamed-export.ts';

/**
 * What an import found that an admin should see before and after importing, worded for them,
 * each place as `file:line`: what the reader guessed about the file (so that a wrong guess is
 * caught before anything is written), the header rows repeated inside it, and the rows already in
 * the ledger with another amount. The command line prints these lines; the app shows them in the
 * preview and the result (src/api/import-facts.ts).
 */
export interface ImportFindings {
  /** one line: encoding, separator, decimal mark, day order, as read or guessed */
  readAs: string | null;
  /** "2 header rows repeated inside the file were left out (lines 120, 451): …" */
  repeatedHeaders: string | null;
  /**
   * a sentence, then one line per row (the first few): `file:line: already in the ledger with
   * $3.10, …`, `file:line: id "e1" is already in the ledger with other content (… vs …): kept the ledger's`
   */
  differing: { summary: string; rows: string[] } | null;
  /** consumption lines that completed messages earlier imports held in part */
  completed: string | null;
  /** "Line 1 above the header is not data (“Usage report, Acme”): left out." */
  preamble: string | null;
  /** a mapped file's time-of-day column left out (its rows at midnight), or read where rows read without it are in the ledger */
  timeOfDay: string | null;
  /**
   * `file: column "Datum": …`: dotted dates (`01.10.2026`) read month first as the mapping says,
   * though dotted dates are day first wherever they are written; kept, and said with what in the
   * rows makes it doubtful
   */
  dottedMonthFirst: string | null;
  /** `file:line: trigger "t1" runs under agent "B" here, but under agent "A" at line 3: …` (TriggerAgents) */
  triggerAgents: string | null;
  /**
   * `file: column "date": read day first, as --dates says, …`: an export's dates read in the order
   * given, which no date contradicts, but which puts some after the import or the rows far apart
   * where the other order gives them close together (GivenOrderDoubt)
   */
  givenOrderDoubt: string | null;
  /** `file: read as the platform's cost export, its columns renamed: "Date" as date, …` (RecognisedExport) */
  recognised: string | null;
  /** `The ledger holds 203 events of files of these columns read as a sheet to map (batch 5) …; undo batch 5 …` (RecognisedExport.sheetsBefore) */
  sheetsBefore: string | null;
  /** `file looks like the platform's cost export …, but … It is read as a sheet to map …: … counts twice` (ExportLike) */
  exportLike: string | null;
}

/**
 * Who reads the findings, and when: the command line names its options (`--dates dmy`), after the
 * import (where a wrong reading is undone first) or in its preview (`--preview`: nothing was
 * imported, so the way is to import with the option); the app names its import preview's
 * controls, in the preview (where a choice reads the file again) or after the import. The app has
 * no command line to point to.
 */
export type FindingsReader = 'cli' | 'cli-preview' | 'app-preview' | 'app-imported';


/** Rows named one by one; the rest are counted. */
export const SHOWN_FINDINGS = 10;

/** How dates written in each form were read (the slash form's words are its day order's). */
const DATE_FORM_WORDS: Record<Exclude<DateForm, 'slash'>, string> = {
  iso: 'as YYYY-MM-DD',
  'month-word': 'with month names (2-Dec-2026)',
  'excel-serial': 'as Excel date serials (days since 1899-12-30)',
  epoch: 'as epoch seconds or milliseconds',
};

const SLASH_ORDER_WORDS: Record<Exclude<DayOrder, 'ymd'>, string> = {
  dmy: 'day first (dd/mm/yyyy',
  mdy: 'month first (mm/dd/yyyy',
};

/** Where the day order came from: a mapping's order is no guess, and saying "guessed" hid where to change it. */
const ORDER_FROM_WORDS: Record<Exclude<DayOrderBasis, 'nearness' | 'given'> | 'mapping' | 'saved', string> = {
  rows: ', guessed from the rows',
  mapping: ', as the mapping says',
  saved: ', as the mapping saved for this shape of file says',
  // why, since the dates themselves could be either: an admin who knows the file's origin can judge it
  'decimal-comma': ": the file's decimal comma is a day-first locale's",
  semicolon: ": the file's semicolons between fields are a day-first locale's",
};

/** The app's control that gives an export's day order (renderer/src/import/DayOrderChoice.tsx), as its words say it. */
const APP_CHOICE = (order: GivenDayOrder): string => `“Dates are: ${order === 'dmy' ? 'day' : 'month'} first”`;

/** How the reader reads the file in `order` instead: an option or a control, after an undo once imported. */
function otherOrderWay(order: GivenDayOrder, reader: FindingsReader): string {
  switch (reader) {
    case 'cli':
      return `undo this import and import it again telling the order (--dates ${order} on the command line)`;
    case 'cli-preview':
      return `import it with --dates ${order}`;
    case 'app-preview':
      return `choose ${APP_CHOICE(order)} in this preview`;
    case 'app-imported':
      return `undo this import and import the file again choosing ${APP_CHOICE(order)} in its preview`;
  }
}

/** An order the admin gave, said with where they gave it. */
function givenWords(reader: FindingsReader): string {
  return reader === 'cli' || reader === 'cli-preview' ? ', as --dates says' : ', as chosen under “Dates are” in the preview';
}

/**
 * An export's order taken only from how close together its dates lie: said to be that guess, with
 * the way to another reading where the reader can take it: the command line's --dates, the app
 * preview's "Dates are" (a mapping would read the file as a sheet to map, whose identities are not
 * the export's), or the dates as the platform writes them.
 */
function nearnessWords(order: GivenDayOrder, reader: FindingsReader): string {
  const otherOrder: GivenDayOrder = order === 'dmy' ? 'mdy' : 'dmy';
  const other = otherOrder === 'dmy' ? 'day' : 'month';
  return `, guessed from how close together the rows' dates lie: no day above 12 nor decimal comma tells; if they are ${other} first, ${otherOrderWay(otherOrder, reader)}, or import the export as downloaded`;
}

/**
 * The dates as they were really read: `ymd` only says no slash date needed an order, so the forms
 * the rows write name what was read (`dates with month names`, never `as YYYY-MM-DD` for them).
 */
function datesText(order: DayOrder, forms: readonly DateForm[] | undefined, from: DayOrderBasis | 'mapping' | 'saved', reader: FindingsReader, toldBy?: { value: string; line: number }): string {
  const written = forms === undefined || forms.length === 0 ? (['iso'] as const) : forms;
  // a later row told what the first rows only guessed: named, since "no day above 12" would be untrue
  const fromWords = (o: Exclude<DayOrder, 'ymd'>): string =>
    from === 'nearness' ? nearnessWords(o, reader) : from === 'given' ? givenWords(reader) : from === 'rows' && toldBy !== undefined ? `, told by ${JSON.stringify(toldBy.value)} at line ${toldBy.line}` : ORDER_FROM_WORDS[from];
  const slash = order === 'ymd' ? '' : `${SLASH_ORDER_WORDS[order]}${fromWords(order)})`;
  const words = written.flatMap((f) => (f === 'slash' ? (order === 'ymd' ? [] : [slash]) : [DATE_FORM_WORDS[f]]));
  // an order the first rows did not write is named all the same, since later rows did (the whole
  // file told it); one given for a file of no slash date was used for none, so it is not named
  if (order !== 'ymd' && !written.includes('slash') && from !== 'given') words.unshift(slash);
  return `dates ${words.length === 0 ? DATE_FORM_WORDS.iso : words.join(' and ')}`;
}

/** How each text encoding is said (the others as their name, `UTF-16LE`). */
const ENCODING_WORDS: Partial<Record<string, string>> = {
  'utf-8': 'UTF-8',
  'windows-1252': 'Windows-1252 (not UTF-8)',
  macintosh: 'Mac Roman (not UTF-8; its accented letters read as Mac Roman\u2019s, as Excel for Mac\u2019s “CSV (Macintosh)” writes them)',
};

/** "UTF-8, comma-separated, decimal point, dates as YYYY-MM-DD": what the file was read as. */
export function readAsText(r: Pick<ImportResult, 'form' | 'guessed' | 'rows'>, reader: FindingsReader = 'cli'): string | null {
  const parts: string[] = [];
  const f = r.form;
  if (f !== undefined) {
    if (f.gzip) parts.push('gzip');
    parts.push(ENCODING_WORDS[f.encoding] ?? f.encoding.toUpperCase());
    parts.push(f.delimiter === ',' ? 'comma-separated' : f.delimiter === ';' ? 'semicolon-separated' : 'tab-separated');
  }
  // a file without data rows (only its header) told nothing: no decimal mark or date form is claimed
  const g = r.rows > 0 ? r.guessed : undefined;
  if (g !== undefined) {
    if (g.decimal !== undefined) parts.push(g.decimal === ',' ? 'decimal comma (12,34 is 12.34)' : 'decimal point (12.34)');
    if (g.dayOrder !== undefined) parts.push(g.dayOrder === null ? 'dates that could be day or month first (refused)' : datesText(g.dayOrder, g.dates, g.dayOrderFrom ?? g.dayOrderBy ?? 'rows', reader, g.dayOrderToldBy));
    // said, so that an admin sees the two columns make one time (a guess that left it out put every event at midnight)
    if (g.timeOfDay !== undefined) parts.push(`times of day from the column ${JSON.stringify(g.timeOfDay)}`);
  }
  return parts.length === 0 ? null : parts.join(', ');
}

/** "batch 1", "batches 1 and 2": the imports whose rows were read at midnight. */
function batchesText(batches: readonly number[]): string {
  return batches.length === 1 ? `batch ${batches[0]}` : `batches ${batches.slice(0, -1).join(', ')} and ${batches[batches.length - 1]}`;
}

/** What a mapped file's time-of-day column did not do, and what to do about it (TimeOfDayNote). */
export function timeOfDayText(n: TimeOfDayNote): string {
  const col = JSON.stringify(n.column);
  const time = JSON.stringify(n.time);
  const name = `"timeOfDay": ${col}`;
  switch (n.kind) {
    case 'kept': {
      const which = batchesText(n.batches);
      return (
        `The column ${col} holds times of day, but the mapping saved for this shape of file (guessed before such columns were read) leaves it out, ` +
        `and the ledger holds ${counted(n.events, 'event')} of such files read so, at midnight (${which}). ` +
        `This file's rows are read the same way, at midnight of their ${time}, so that none counts twice. ` +
        `To read the times of day: undo ${which} (and this import, if it adds rows), then import the files again; the time of day is then read from ${col}. ` +
        `Read with it while ${which} ${n.batches.length === 1 ? 'stays' : 'stay'} (a mapping naming ${name}), each of ${n.batches.length === 1 ? 'its' : 'their'} rows would count again, at its time, beside its copy at midnight.`
      );
    }
    case 'left-out':
      return (
        `The column ${col} holds times of day, and the mapping${n.from === 'saved' ? ' saved for this shape of file' : ''} leaves it out: every row is read at midnight of its ${time}. ` +
        `To read them at their time, name it in the mapping (${name})` +
        (n.batches.length > 0
          ? `, after undoing ${batchesText(n.batches)} (${counted(n.events, 'event')} of such files read at midnight), whose rows would otherwise count again, at their time.`
          : '.')
      );
    case 'again': {
      const which = batchesText(n.batches);
      return (
        `The ledger holds ${counted(n.events, 'event')} of files of these columns read without a time of day, at midnight (${which}). ` +
        `This file reads the time of day from ${col}, so its rows among them do not find them and count again, at their time. ` +
        `To count each row once, undo ${which} and import ${n.batches.length === 1 ? 'its file' : 'their files'} again.`
      );
    }
    case 'unread':
      return (
        `The column ${col} is named as a time of day, but its cells are not written as one (${JSON.stringify(n.cell)}): left out, every row is read at midnight of its ${time}. ` +
        `If it holds times of day, write them as hh:mm (14:35) or name it in the mapping (${name}); a cell that is then no time of day is its row's error.`
      );
  }
}

const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const spanText = (from: number, to: number): string => (dayText(from) === dayText(to) ? dayText(from) : `${dayText(from)} to ${dayText(to)}`);
const dayFloor = (ms: number): number => ms - (((ms % DAY) + DAY) % DAY);

/** "4 days", "3 months": the UTC days from the first moment's to the last's, in words. */
function spanLength(from: number, to: number): string {
  const days = Math.round((dayFloor(to) - dayFloor(from)) / DAY) + 1;
  return days >= 60 ? counted(Math.round(days / 30.44), 'month') : counted(days, 'day');
}

/**
 * Dotted dates read month first because the mapping says so: kept (an admin's explicit choice)
 * but said, naming the file and the column, since every locale that writes dates with dots writes
 * them day first; with what in the rows makes the reading doubtful, a cell that is no date month
 * first, or days that lie closer together read day first.
 */
export function dottedMonthFirstText(file: string, d: DottedMonthFirst): string {
  const mapping = d.from === 'saved' ? 'the mapping saved for this shape of file' : 'the mapping';
  const first = d.first.monthFirst === null ? '' : ` (${d.first.value} as ${dayText(d.first.monthFirst)})`;
  const parts = [
    `${file}: column ${JSON.stringify(d.column)}: its dates are written with dots (${d.first.value}, line ${d.first.line}), which are day first wherever they are written, ` +
      `but ${mapping} says "dateFormat": "mdy", so they are read month first, as it says${first}.`,
  ];
  const bad = d.firstNotMonthFirst;
  if (d.notMonthFirst > 0 && bad !== null) {
    const where = `${d.notMonthFirst === 1 ? '' : 'the first '}${file}:${bad.line}: ${bad.value}${bad.dayFirst === null ? '' : `, day first ${dayText(bad.dayFirst)}`}`;
    parts.push(`${counted(d.notMonthFirst, 'row')} (${where}) ${d.notMonthFirst === 1 ? 'is' : 'are'} no date month first but ${d.notMonthFirst === 1 ? 'is one' : 'are dates'} day first: refused as ${d.notMonthFirst === 1 ? 'a bad row' : 'bad rows'}.`);
  }
  const m = d.monthFirst;
  const f = d.dayFirst;
  if (m !== null && f !== null && f.to - f.from < m.to - m.from) {
    parts.push(`Read day first the rows lie within ${spanLength(f.from, f.to)} (${spanText(f.from, f.to)}); read month first they spread over ${spanLength(m.from, m.to)} (${spanText(m.from, m.to)}).`);
  }
  parts.push(`If they are day first, give "dateFormat": "dmy" in the mapping${d.from === 'saved' ? ' (the mapping step, or --mapping)' : ''}.`);
  return parts.join(' ');
}


/**
 * The overlap of the cost and the consumption export in two parts, each to be labelled by its
 * caller: `file`, what the file just imported brought (its own key-days, and how those both
 * exports cover were counted), and `ledger`, what the ledger holds now over every batch. One line
 * of the ledger's whole span alone was read by an admin as describing the file they imported.
 * Null when the ledger has no day both exports cover.
 */
export function overlapTexts(r: Pick<ImportResult, 'format' | 'overlap' | 'fileOverlap'>): { file: string | null; ledger: string } | null {
  const o = r.overlap;
  if (o === undefined || o.scopeDays === 0 || o.from === null || o.to === null) return null;
  const scopesText = (k: number): string => `${counted(k, 'key')}${k === 1 ? ' or agent' : ' and agents'}`;
  const ledger =
    `${counted(o.scopeDays, 'key-day')} of ${scopesText(o.scopes)}, ${spanText(o.from, o.to)}, ${o.scopeDays === 1 ? 'is' : 'are'} in both the consumption and the cost export, counted once: ` +
    `${o.countedConsumption.toLocaleString('en-US')} count the consumption lines (the cost export's rows kept as a cross-check, not counted), ` +
    // "held back" says a limit refused runs elsewhere in the app: this is spend left out, not runs
    `${o.countedCost.toLocaleString('en-US')} the cost export's spend for the day (the consumption lines add up to less); ${formatUsd(o.heldMicros)} of the two exports' spend left out so that nothing counts twice` +
    (o.disagreementCount > 0 ? `; the two exports disagree on ${counted(o.disagreementCount, 'key-day')}` : '');
  const f = r.fileOverlap;
  if (f === undefined || f.ownScopeDays === 0 || f.ownFrom === null || f.ownTo === null) return { file: null, ledger };
  const cost = r.format === 'dust-cost';
  const other = cost ? 'the consumption export' : 'the cost export';
  const own = `${counted(f.ownScopeDays, 'key-day')} of ${scopesText(f.ownScopes)}, ${spanText(f.ownFrom, f.ownTo)}`;
  if (f.scopeDays === 0) return { file: `${own}; none of them is in ${other}: ${f.ownScopeDays === 1 ? 'it counts' : 'they count'} as this file has ${f.ownScopeDays === 1 ? 'it' : 'them'}`, ledger };
  const both = `${f.scopeDays === f.ownScopeDays ? (f.scopeDays === 1 ? 'it is' : 'all of them are') : `${f.scopeDays.toLocaleString('en-US')} of them ${f.scopeDays === 1 ? 'is' : 'are'}`} in ${other} too`;
  const counts = cost
    ? [
        f.countedConsumption > 0 ? `${f.countedConsumption.toLocaleString('en-US')} count the consumption lines (this file's rows for them kept as a cross-check, not counted)` : '',
        f.countedCost > 0 ? `${f.countedCost.toLocaleString('en-US')} count this file's spend for the day (the consumption lines add up to less; their runs and requests still count, carrying it)` : '',
      ]
    : [
        f.countedConsumption > 0 ? `${f.countedConsumption.toLocaleString('en-US')} count this file's lines (the cost export's rows for them kept as a cross-check, not counted)` : '',
        f.countedCost > 0 ? `${f.countedCost.toLocaleString('en-US')} count the cost export's spend for the day (this file's lines add up to less; their runs and requests still count, carrying it)` : '',
      ];
  return { file: `${own}; ${both}: ${counts.filter((c) => c !== '').join(', ')}`, ledger };
}

export function importFindings(r: ImportResult, reader: FindingsReader = 'cli'): ImportFindings {
  const where = (line: number): string => `${r.file}:${line}`;
  let repeatedHeaders: string | null = null;
  const rh = r.repeatedHeaders ?? 0;
  if (rh > 0) {
    const lines = (r.repeatedHeaderLines ?? []).slice(0, SHOWN_FINDINGS);
    const more = rh > lines.length ? `, and ${counted(rh - lines.length, 'more')}` : '';
    repeatedHeaders =
      `${counted(rh, 'header row')} repeated inside the file ${rh === 1 ? 'was' : 'were'} left out, not data` +
      ` (${lines.map(where).join(', ')}${more}): files joined one after the other?`;
  }
  let differing: ImportFindings['differing'] = null;
  const d = r.differingDuplicates;
  if (d !== undefined && d.count > 0) {
    // dates read in a doubtful order land on days of other rows: that is the likelier cause then
    const why = r.givenOrderDoubt === undefined ? 'a day exported before it ended?' : 'its dates read in the wrong order, as said above? or a day exported before it ended?';
    const rows = d.rows
      .slice(0, SHOWN_FINDINGS)
      .map((x) => `${where(x.line)}: already in the ledger with ${formatUsd(x.storedMicros)}, this export says ${formatUsd(x.fileMicros)} (${why}) — kept ${formatUsd(x.storedMicros)}`);
    if (d.count > rows.length) rows.push(`${r.file}: ... and ${counted(d.count - rows.length, 'more row')} already in the ledger with another amount, each kept as the ledger has it`);
    differing = {
      summary:
        `${counted(d.count, 'row')} of this file ${d.count === 1 ? 'is' : 'are'} already in the ledger with another amount: the ledger keeps its own (the first import of a day wins). ` +
        'To take this file’s amounts, undo the earlier import and import again.',
      rows,
    };
  }
  // an id already in the ledger with other content: the same finding, for the events' own ids
  const i = r.differingIds;
  if (i !== undefined && i.count > 0) {
    const rows = i.rows.slice(0, SHOWN_FINDINGS).map((x) => `${where(x.line)}: id ${JSON.stringify(x.id)} is already in the ledger with other content (${x.stored} vs ${x.file}): kept the ledger's`);
    if (i.count > rows.length) rows.push(`${r.file}: ... and ${counted(i.count - rows.length, 'more row')} whose id is already in the ledger with other content, each kept as the ledger has it`);
    const summary =
      `${counted(i.count, 'row')} of this file ${i.count === 1 ? 'has an id' : 'have ids'} already in the ledger with other content (time, type, subject or cost): an id names one event, so the ledger keeps its own. ` +
      'To take this file’s, undo the earlier import and import again.';
    differing = differing === null ? { summary, rows } : { summary: `${differing.summary} ${summary}`, rows: [...differing.rows, ...rows] };
  }
  const c = r.completedMessages;
  const completed =
    c === undefined || c.messages === 0
      ? null
      : `${counted(c.lines, 'line')} completed ${counted(c.messages, 'agent message')} an earlier import had in part (an export cut in the middle of a message): added to ${c.messages === 1 ? 'it' : 'them'}, not counted twice.`;
  const p = r.preamble;
  const preamble =
    p === undefined || p.lines.length === 0
      ? null
      : p.separatorHint && p.lines.length === 1
        ? `Line ${p.lines[0]} is Excel's separator hint (“${p.text}”), not data: left out; the header is line ${p.header}.`
        : `${p.lines.length === 1 ? `Line ${p.lines[0]} above the header (line ${p.header}) is` : `Lines ${p.lines[0]}–${p.lines[p.lines.length - 1]} above the header (line ${p.header}) are`} not data (“${p.text}”${p.lines.length > 1 ? ', …' : ''}): left out.`;
  return {
    readAs: readAsText(r, reader),
    repeatedHeaders,
    differing,
    completed,
    preamble,
    timeOfDay: r.timeOfDay === undefined ? null : timeOfDayText(r.timeOfDay),
    dottedMonthFirst: r.dottedMonthFirst === undefined ? null : dottedMonthFirstText(r.file, r.dottedMonthFirst),
    triggerAgents: r.triggerAgents === undefined ? null : triggerAgentsText(r.file, r.triggerAgents),
    givenOrderDoubt: r.givenOrderDoubt === undefined ? null : givenOrderDoubtText(r.file, r.givenOrderDoubt, reader),
    recognised: r.recognised === undefined ? null : recognisedText(r.file, r.recognised),
    sheetsBefore: r.recognised?.sheetsBefore == null ? null : sheetsBeforeText(r.file, r.recognised.sheetsBefore),
    exportLike: r.exportLike === undefined ? null : exportLikeText(r.file, r.exportLike, reader),
  };
}

/** `"Date" as date, "Type" as source (its cells are the export's sources)`. */
function matchedText(matched: readonly MatchedColumn[]): string {
  return matched.map((m) => `${JSON.stringify(m.column)} as ${m.field}${m.byValues === true ? ' (its cells are the export’s sources)' : ''}`).join(', ');
}

/**
 * The imports not undone that read files of a renamed cost export's columns as a sheet to map:
 * their rows count beside this file's, read as the export's, until undone.
 */
export function sheetsBeforeText(file: string, s: NonNullable<RecognisedExport['sheetsBefore']>): string {
  const which = batchesText(s.batches);
  return (
    `The ledger holds ${counted(s.events, 'event')} of files of ${file}'s columns read as a sheet to map (${which}), each day's spend at midnight under a sheet's identities: ` +
    `${file}'s rows, read as the export's, do not find them, so the spend of ${which} counts beside the export's, every dollar twice; undo ${which} to count each once.`
  );
}

/**
 * The cost export read with its columns renamed (RecognisedExport): which column was read as
 * which, and that its rows are the export's, with all the export's rules.
 */
export function recognisedText(file: string, r: RecognisedExport): string {
  return (
    `${file}: read as the platform's cost export, its columns renamed: ${matchedText(r.columns)}. ` +
    `Its rows are the export's: a row the export as downloaded holds counts once, the days the consumption export covers count once, "N/A" is spend without a key, and each day's spend is spread over its hours.`
  );
}

/**
 * A file read as a sheet to map that looks like the cost export (ExportLike), said with the columns
 * matched, why it is not taken for the export, what reading it as a sheet does (its spend counts
 * again beside the exports of the same days; `N/A` a key), and how to read it as the export.
 */
export function exportLikeText(file: string, e: ExportLike, reader: FindingsReader): string {
  const imported = reader === 'cli' || reader === 'app-imported';
  const why = [...(e.unmatched.length === 0 ? [] : [`no column reads as its ${e.unmatched.join(' or ')}`]), ...e.reasons];
  const partly = why.length > 0;
  const head =
    e.read === 'guess'
      ? `${file} looks like the platform's cost export with its columns renamed (${matchedText(e.matched)}), but not surely: ${why.join('; ')}. It is read as a sheet to map, not as the export`
      : `${file} has the platform's cost export's columns${partly ? ' in part' : ''}, renamed (${matchedText(e.matched)}${partly ? `; ${why.join('; ')}` : ''}), and is read through the mapping ${e.read === 'saved' ? 'saved for this shape of file' : 'given'}, as a sheet to map, not as the export`;
  const noKey = e.noKeyAsKey === null ? '' : `, and "N/A" in ${JSON.stringify(e.noKeyAsKey)} is read as a key named "N/A", where the export means spend without a key`;
  const names = COST_FIELDS.join(',');
  const asExport =
    e.read === 'guess'
      ? `name its columns as the export does (${names})`
      : `${partly ? `name its columns as the export does (${names}) and ` : ''}import it ${reader === 'app-preview' || reader === 'app-imported' ? 'with “Detect automatically”' : 'without --mapping'}`;
  const way = imported ? `undo this import, ${asExport}, and import it again` : `${asExport} before importing it`;
  return (
    `${head}: each day's spend at midnight, under other identities than the export's, so beside the cost or the consumption export of the same days its spend counts twice${noKey}. ` +
    `If it is the export, ${way}, or import the export as downloaded.`
  );
}

/** The mode of a trigger as said: "fair use", "programmatic". */
const MODE_WORDS = { fair_use: 'fair use', programmatic: 'programmatic' } as const;

/**
 * A trigger id this file gives to two agents, named where it first does: read as one trigger (its
 * id names it, and its limit counts its runs), which is right for an agent renamed inside the
 * export's span (all of one agent's lines, then all of the other's) and wrong for two triggers,
 * which the platform never gives one id (their lines interleave). Their spend is one trigger's
 * only when it is programmatic (fair-use runs have none). When the agents' lines give the trigger
 * different modes, which was taken, from which line.
 */
export function triggerAgentsText(file: string, t: TriggerAgents): string {
  const more = t.triggers > 1 ? ` (as ${t.triggers === 2 ? 'does' : 'do'} ${counted(t.triggers - 1, 'more trigger id')})` : '';
  const first = JSON.stringify(t.firstAgent);
  const second = JSON.stringify(t.agent);
  const programmatic = t.mode?.taken === 'programmatic';
  const parts = [
    `${file}:${t.line}: trigger ${JSON.stringify(t.trigger)} runs under agent ${second} here, but under agent ${first} at line ${t.firstLine}${more}: ` +
      `a trigger id names one trigger, so both agents' runs are read as that trigger's, against one limit of runs per 24 h${programmatic ? ", and its spend as one trigger's" : ''}.`,
  ];
  parts.push(
    t.back === null
      ? `All of ${first}'s lines come before all of ${second}'s, as when an agent is renamed within the export, for which that is right; two triggers never share an id on the platform, so if these are two, the export is mislabelled.`
      : `Their lines alternate (${JSON.stringify(t.back.agent)} again at line ${t.back.line}), which no rename does: two agents' triggers under one id, which the platform never gives, so the export looks mislabelled.`,
  );
  const m = t.mode;
  if (m !== null && m.other !== null) {
    parts.push(
      `${JSON.stringify(m.other.agent)}'s lines give it ${MODE_WORDS[m.other.mode]} (line ${m.other.line}), ${JSON.stringify(m.from.agent)}'s ${MODE_WORDS[m.taken]} (line ${m.from.line}): ` +
        `it is read as ${MODE_WORDS[m.taken]}, from line ${m.from.line}, since any programmatic line makes its trigger programmatic.`,
    );
  }
  return parts.join(' ');
}

/** "12 days over 11 months (2026-01-10 to 2026-12-10)", "12 consecutive days (2026-10-01 to 2026-10-12)". */
function spreadText(s: { from: number; to: number; days: number }): string {
  const span = spanText(s.from, s.to);
  if (s.days === spanDays(s)) return s.days === 1 ? `one day (${span})` : `${s.days} consecutive days (${span})`;
  return `${counted(s.days, 'day')} over ${spanLength(s.from, s.to)} (${span})`;
}

/**
 * An export's dates read in the order the admin gave though the file cannot say otherwise (every
 * date reads both ways), said when that reading looks wrong: dates after the import, or the rows
 * spread over months where the other order puts them on consecutive days; with the tighter span,
 * and the way to the other reading.
 */
export function givenOrderDoubtText(file: string, d: GivenOrderDoubt, reader: FindingsReader): string {
  const words = (o: GivenDayOrder): string => (o === 'dmy' ? 'day first' : 'month first');
  const other: GivenDayOrder = d.order === 'dmy' ? 'mdy' : 'dmy';
  const l = d.later;
  const later =
    l === null
      ? ''
      : `; ${l.count === 1 ? 'one' : l.count.toLocaleString('en-US')} of them ${l.count === 1 ? 'falls' : 'fall'} after ${reader === 'cli' || reader === 'app-imported' ? 'the day of this import' : 'today'} (${dayText(l.now)}), which no export holds: ` +
        `${l.count === 1 ? '' : 'the first '}${file}:${l.line}, ${l.value} as ${dayText(l.time)}`;
  const closer = scattered(d.given, d.other);
  return (
    `${file}: column ${JSON.stringify(d.column)}: read ${words(d.order)}${givenWords(reader)}, the rows' dates fall on ${spreadText(d.given)}${later}. ` +
    `Read ${words(other)} they fall on ${spreadText(d.other)}${closer ? ', the tighter span' : ''}. ` +
    `Every date reads both ways (none has a day above 12), so the file cannot tell: if they are ${words(other)}, ${otherOrderWay(other, reader)}.`
  );
}
