import { hash } from 'node:crypto';
import { z } from 'zod';
import { EventType } from '../engine/events.ts';
import type { EventTypeCode, EventTypeName } from '../engine/events.ts';
import { HOUR, MINUTE } from '../engine/units.ts';
import { parseUsdToMicros } from '../engine/units.ts';
import { parseTimestampAt } from '../engine/csv.ts';
import { InputError } from '../errors.ts';
import { creditsToMicros, DATE_FORMATS, guessDateFormat, isValidTimeZone, parseMappedTime, parseMoneyToMicros } from './parse.ts';
import { splitByLargestRemainder } from './profile.ts';
import { canonicalColumns, ContentOccurrences } from './canonical.ts';

export const FORMATS = ['events', 'dust-cost', 'dust-consumption', 'mapping'] as const;
export type FormatName = (typeof FORMATS)[number];

/** Where rows go. `add` is false when the identity is already in the ledger. */
export interface EventSink {
  /**
   * `ident` null: a row without an id, whose identity is its content and `occurrence` (the n-th
   * identical row of the file); otherwise `occurrence` is 0. `givenId`: `ident` is the file's own
   * id column (not made up by the format, as dust-cost's are).
   */
  add(time: number, type: EventTypeCode, subject: string, cost: number, ident: string | null, occurrence: number, givenId: boolean): boolean;
  /** adds `cost` to the event of this identity made earlier in this same file */
  fold(time: number, type: EventTypeCode, subject: string, cost: number, ident: string): 'new' | 'merged' | 'duplicate';
}

export type RowOutcome = 'new' | 'duplicate';

export class RowError extends Error {
  readonly column: string | undefined;
  readonly value: string | undefined;
  constructor(column: string | undefined, value: string | undefined, message: string) {
    super(message);
    this.column = column;
    this.value = value;
  }
}

export interface FormatHandler {
  format: FormatName;
  mapping: ColumnMapping | null;
  row(fields: string[], line: number, sink: EventSink): RowOutcome;
}

const TYPE_CODES: Record<string, EventTypeCode> = { api: EventType.api, trigger: EventType.trigger, message: EventType.message };

/** Header name as compared: lower case, letters and digits only (`Cost (USD)` → `costusd`). */
export function norm(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A file's shape: its normalized header, hashed; the key its saved mapping is stored under. */
export function shapeOf(header: string[]): string {
  return hash('sha256', header.map(norm).join('\u0001'), 'hex').slice(0, 32);
}

export function detectFormat(header: string[]): Exclude<FormatName, 'mapping'> | null {
  // Most of a known header is that format with a column missing: say which, rather than guess a mapping.
  const exact = new Set(header.map((c) => c.trim().toLowerCase()));
  const has = (set: Set<string>, names: string[]) => names.filter((c) => set.has(c)).length;
  if (has(exact, ['timestamp', 'type', 'subject', 'cost_usd']) >= 3) return 'events';
  const h = new Set(header.map(norm));
  if (has(h, ['date', 'agentname', 'apikey', 'source', 'totalspendusd']) >= 4) return 'dust-cost';
  if (h.has('agentmessageid') && has(h, ['contextorigin', 'totalcredits', 'completedat']) >= 2) return 'dust-consumption';
  return null;
}

function columnIndex(header: string[], file: string, names: string[], required = true): number {
  const normalized = header.map(norm);
  for (const name of names) {
    const i = normalized.indexOf(norm(name));
    if (i !== -1) return i;
  }
  if (!required) return -1;
  throw new InputError(`${file}:1: missing column "${names[0]}" (header: ${header.join(',')})`, [
    { file, line: 1, column: names[0], value: header.join(','), message: `missing column "${names[0]}"` },
  ]);
}

function checkWidth(fields: string[], header: string[]): void {
  if (fields.length === header.length) return;
  const column = fields.length < header.length ? header[fields.length] : `(extra field ${header.length + 1})`;
  const text = fields.join(',');
  throw new RowError(column, text.length > 80 ? `${text.slice(0, 77)}...` : text, `has ${fields.length} fields; the header has ${header.length}`);
}

// ---------------------------------------------------------------------------------------------
// events: the canonical CSV of SPEC §6

export function eventsHandler(header: string[], file: string): FormatHandler {
  // the same header rules and value parsers as `simulate` over a CSV, so both decide alike
  const { timestamp: ti, type: ty, subject: su, cost: co, id } = canonicalColumns(header, file);
  const occurrences = new ContentOccurrences();
  return {
    format: 'events',
    mapping: null,
    row(f, _line, sink) {
      checkWidth(f, header);
      const ts = f[ti]!.trim();
      const time = parseTimestampAt(ts, 0, ts.length);
      if (typeof time === 'string') throw new RowError('timestamp', f[ti], time);
      const typeText = f[ty]!.trim();
      const type = TYPE_CODES[typeText] ?? TYPE_CODES[typeText.toLowerCase()];
      if (type === undefined) throw new RowError('type', f[ty], typeText === '' ? 'is empty (expected api, trigger or message)' : 'is not api, trigger or message');
      const subject = f[su]!.trim();
      if (subject === '') throw new RowError('subject', f[su], 'is empty (expected the API key, trigger or user id)');
      const costText = f[co]!.trim();
      let cost = 0;
      // cost is ignored for messages (SPEC §3), optional for triggers
      if (type !== EventType.message && !(type === EventType.trigger && costText === '')) {
        const c = parseUsdToMicros(costText);
        if (c === null) throw new RowError('cost_usd', f[co], costText === '' ? 'is required for api events' : 'is not a number');
        if (c < 0) throw new RowError('cost_usd', f[co], 'must be >= 0');
        cost = c;
      }
      const given = id === -1 ? '' : f[id]!.trim();
      const added = given !== '' ? sink.add(time, type, subject, cost, given, 0, true) : sink.add(time, type, subject, cost, null, occurrences.next(time, type, subject, cost), false);
      return added ? 'new' : 'duplicate';
    },
  };
}

// ---------------------------------------------------------------------------------------------
// dust-cost: one row per day, agent, key and source
//
// The exported USD includes the platform's 30 % markup over token prices. That marked-up amount
// is what a key's cap and the workspace spend limits count, so it is imported as is.
// Each row's spend becomes API events of its key at mid-hour, split over the UTC day by the
// hour-of-day profile (profile.ts) by largest remainder: the day's total is exact to the µUSD.
// A row without a key is charged to "<agent> (no key)"; a $0 row adds no event.

export function dustCostHandler(header: string[], file: string, profile: readonly number[]): FormatHandler {
  const di = columnIndex(header, file, ['date']);
  const ai = columnIndex(header, file, ['agent_name']);
  const ki = columnIndex(header, file, ['api_key']);
  const si = columnIndex(header, file, ['source']);
  const ci = columnIndex(header, file, ['total_spend_usd']);
  return {
    format: 'dust-cost',
    mapping: null,
    row(f, _line, sink) {
      checkWidth(f, header);
      const date = f[di]!.trim();
      const day = /^\d{4}-\d{2}-\d{2}/.test(date) ? parseMappedTime(date.slice(0, 10), 'ymd', 'UTC') : null;
      if (day === null || (date.length > 10 && parseMappedTime(date, 'ymd', 'UTC') === null)) {
        throw new RowError(header[di], f[di], 'is not a date: expected YYYY-MM-DD (a UTC day)');
      }
      const spend = parseMoneyToMicros(f[ci]!);
      if (spend === null) throw new RowError(header[ci], f[ci], 'is not an amount: expected USD like 12.34');
      if (spend < 0) throw new RowError(header[ci], f[ci], 'is negative: expected a spend >= 0');
      const agent = f[ai]!.trim();
      const key = f[ki]!.trim();
      const source = f[si]!.trim();
      const subject = key !== '' ? key : `${agent || 'unknown agent'} (no key)`;
      const base = `dust-cost:${date.slice(0, 10)}|${agent}|${key}|${source}`;
      if (spend === 0) return 'new';
      const parts = splitByLargestRemainder(spend, profile);
      let added = false;
      for (let h = 0; h < 24; h++) {
        const part = parts[h]!;
        if (part === 0) continue;
        // mid-hour: the spend of an hour, not of its first millisecond
        if (sink.add(day + h * HOUR + 30 * MINUTE, EventType.api, subject, part, `${base}#${h}`, 0, false)) added = true;
      }
      return added ? 'new' : 'duplicate';
    },
  };
}

// ---------------------------------------------------------------------------------------------
// dust-consumption: lines folded into one event per agent message

export function dustConsumptionHandler(header: string[], file: string): FormatHandler {
  const ti = columnIndex(header, file, ['completedAt']);
  const mi = columnIndex(header, file, ['agentMessageId']);
  const oi = columnIndex(header, file, ['contextOrigin']);
  const ki = columnIndex(header, file, ['apiKeyName']);
  const tri = columnIndex(header, file, ['triggerId']);
  const ui = columnIndex(header, file, ['userId']);
  const uni = columnIndex(header, file, ['userName'], false);
  const ci = columnIndex(header, file, ['totalCredits']);
  return {
    format: 'dust-consumption',
    mapping: null,
    row(f, _line, sink) {
      checkWidth(f, header);
      const time = parseMappedTime(f[ti]!, 'ymd', 'UTC');
      if (time === null) throw new RowError(header[ti], f[ti], 'is not a time: expected ISO 8601 like 2026-01-05T10:00:00.000Z');
      const message = f[mi]!.trim();
      if (message === '') throw new RowError(header[mi], f[mi], 'is empty: expected the agent message id');
      const creditsText = f[ci]!.trim();
      const cost = creditsToMicros(creditsText);
      if (cost === null) throw new RowError(header[ci], f[ci], 'is not a number: expected credits like 12.34');
      if (cost < 0) throw new RowError(header[ci], f[ci], 'is negative: expected credits >= 0');
      const origin = f[oi]!.trim().toLowerCase();
      const keyName = f[ki]!.trim();
      const trigger = f[tri]!.trim();
      let type: EventTypeCode;
      let subject: string;
      if (trigger !== '' || origin.startsWith('triggered')) {
        if (trigger === '') throw new RowError(header[tri], f[tri], `is empty for a triggered run (contextOrigin ${origin}): expected the trigger id`);
        type = EventType.trigger;
        subject = trigger;
      } else if (origin === 'api' || keyName !== '') {
        type = EventType.api;
        subject = keyName !== '' ? keyName : '(unnamed API key)';
      } else {
        type = EventType.message;
        subject = f[ui]!.trim() || (uni === -1 ? '' : f[uni]!.trim());
        if (subject === '') throw new RowError(header[ui], f[ui], "is empty: expected the id of the person who sent the message");
      }
      const outcome = sink.fold(time, type, subject, type === EventType.message ? 0 : cost, `dust-msg:${message}`);
      return outcome === 'duplicate' ? 'duplicate' : 'new';
    },
  };
}

// ---------------------------------------------------------------------------------------------
// any other CSV, through a column mapping

export const columnMappingSchema = z.strictObject({
  time: z.string().min(1),
  dateFormat: z.enum(DATE_FORMATS),
  /** IANA zone, UTC or ±HH:MM: for times the file writes without a zone */
  timeZone: z.string().default('UTC'),
  /** a column holding the type, or one type for every row */
  type: z.union([z.strictObject({ column: z.string().min(1) }), z.strictObject({ value: z.enum(['api', 'trigger', 'message']) })]),
  /** the file's words for the types (`request` → api); api, trigger and message are always known */
  typeValues: z.record(z.string(), z.enum(['api', 'trigger', 'message'])).default({}),
  subject: z.string().min(1),
  cost: z.string().min(1).nullable().default(null),
  /** cost unit: USD, or credits at $0.01 */
  costUnit: z.enum(['usd', 'credits']).default('usd'),
  decimal: z.enum(['.', ',']).default('.'),
  id: z.string().min(1).nullable().default(null),
});
export type ColumnMapping = z.output<typeof columnMappingSchema>;

export function parseColumnMapping(raw: unknown, source: string): ColumnMapping {
  const r = columnMappingSchema.safeParse(raw);
  if (!r.success) {
    const details = r.error.issues.map((i) => ({ file: source, column: i.path.join('.'), message: i.message }));
    throw new InputError(`${source}: invalid column mapping: ${details.map((d) => `${d.column}: ${d.message}`).join('; ')}`, details);
  }
  if (!isValidTimeZone(r.data.timeZone)) {
    throw new InputError(`${source}: invalid column mapping: timeZone "${r.data.timeZone}" is not a time zone`, [
      { file: source, column: 'timeZone', value: r.data.timeZone, message: 'is not a time zone (IANA name like Europe/Paris, UTC, or +02:00)' },
    ]);
  }
  return r.data;
}

const GUESS = {
  time: ['timestamp', 'time', 'datetime', 'date', 'createdat', 'created', 'completedat', 'occurredat', 'when', 'day', 'eventtime'],
  type: ['type', 'eventtype', 'kind', 'category'],
  subject: ['subject', 'apikey', 'apikeyname', 'key', 'keyname', 'keyid', 'trigger', 'triggerid', 'user', 'userid', 'username', 'email', 'agent', 'agentname', 'name'],
  cost: ['costusd', 'cost', 'amountusd', 'amount', 'spendusd', 'spend', 'totalspendusd', 'totalcostusd', 'totalcost', 'usd', 'price', 'total', 'credits', 'totalcredits'],
  id: ['id', 'eventid', 'requestid', 'uuid'],
};

const TYPE_WORDS: Record<string, EventTypeName> = {
  api: 'api', request: 'api', apicall: 'api', apirequest: 'api', call: 'api',
  trigger: 'trigger', webhook: 'trigger', schedule: 'trigger', scheduled: 'trigger', run: 'trigger', triggerrun: 'trigger',
  message: 'message', msg: 'message', chat: 'message', usermessage: 'message',
};

/**
 * Guesses a mapping from header names and sample values. Returns the mapping, or the list of
 * what it could not decide (then the caller asks the admin).
 */
export function guessMapping(header: string[], samples: string[][]): { mapping: ColumnMapping | null; missing: string[] } {
  const normalized = header.map(norm);
  const find = (names: string[], exclude: number[] = []): number => {
    for (const n of names) {
      const i = normalized.findIndex((h, k) => h === n && !exclude.includes(k));
      if (i !== -1) return i;
    }
    return -1;
  };
  const missing: string[] = [];
  const ti = find(GUESS.time);
  const tyi = find(GUESS.type, [ti]);
  const si = find(GUESS.subject, [ti, tyi]);
  const ci = find(GUESS.cost, [ti, tyi, si]);
  const ii = find(GUESS.id, [ti, tyi, si, ci]);
  if (ti === -1) missing.push('time');
  if (si === -1) missing.push('subject');
  const dateFormat = ti === -1 ? null : guessDateFormat(samples.map((r) => r[ti] ?? ''));
  if (ti !== -1 && dateFormat === null) missing.push('dateFormat');
  let decimal: '.' | ',' = '.';
  if (ci !== -1) {
    const vals = samples.map((r) => (r[ci] ?? '').trim()).filter((v) => v !== '');
    const dotOk = vals.every((v) => parseMoneyToMicros(v, '.') !== null);
    const commaOk = vals.every((v) => parseMoneyToMicros(v, ',') !== null);
    if (!dotOk && commaOk) decimal = ',';
    else if (!dotOk) missing.push('cost');
  }
  const typeValues: Record<string, EventTypeName> = {};
  if (tyi !== -1) {
    for (const r of samples) {
      const v = (r[tyi] ?? '').trim();
      const t = TYPE_WORDS[norm(v)];
      if (t !== undefined && !(v in TYPE_CODES)) typeValues[v] = t;
    }
  }
  if (missing.length > 0 || ti === -1 || si === -1 || dateFormat === null) return { mapping: null, missing };
  const costHeader = ci === -1 ? null : header[ci]!;
  return {
    mapping: {
      time: header[ti]!,
      dateFormat,
      timeZone: 'UTC',
      type: tyi !== -1 ? { column: header[tyi]! } : { value: ci !== -1 ? 'api' : 'message' },
      typeValues,
      subject: header[si]!,
      cost: costHeader,
      costUnit: costHeader !== null && norm(costHeader).includes('credit') ? 'credits' : 'usd',
      decimal,
      id: ii === -1 ? null : header[ii]!,
    },
    missing,
  };
}

export function mappingHandler(header: string[], file: string, mapping: ColumnMapping): FormatHandler {
  const ti = columnIndex(header, file, [mapping.time]);
  const si = columnIndex(header, file, [mapping.subject]);
  const tyi = 'column' in mapping.type ? columnIndex(header, file, [mapping.type.column]) : -1;
  const fixedType = 'value' in mapping.type ? TYPE_CODES[mapping.type.value]! : null;
  const ci = mapping.cost === null ? -1 : columnIndex(header, file, [mapping.cost]);
  const ii = mapping.id === null ? -1 : columnIndex(header, file, [mapping.id]);
  const words = new Map<string, EventTypeCode>();
  for (const [k, v] of Object.entries(mapping.typeValues)) words.set(norm(k), TYPE_CODES[v]!);
  const occurrences = new ContentOccurrences();
  return {
    format: 'mapping',
    mapping,
    row(f, _line, sink) {
      checkWidth(f, header);
      const time = parseMappedTime(f[ti]!, mapping.dateFormat, mapping.timeZone);
      if (time === null) throw new RowError(header[ti], f[ti], `is not a time in the mapped format (${mapping.dateFormat})`);
      let type = fixedType;
      if (type === null) {
        const v = f[tyi]!.trim();
        type = TYPE_CODES[v] ?? words.get(norm(v)) ?? null;
        if (type === null) {
          const known = words.size ? ` or ${Object.keys(mapping.typeValues).join(', ')}` : '';
          const guess = TYPE_WORDS[norm(v)];
          const example = `"typeValues": {${JSON.stringify(v || 'request')}: "${guess ?? 'api'}"}`;
          throw new RowError(header[tyi], f[tyi], `is not a known event type: expected api, trigger or message${known}; name the file's own words in the mapping's typeValues, e.g. ${example}`);
        }
      }
      const subject = f[si]!.trim();
      if (subject === '') throw new RowError(header[si], f[si], 'is empty: expected an API key, trigger or user');
      let cost = 0;
      if (ci !== -1 && type !== EventType.message) {
        const text = f[ci]!.trim();
        if (!(text === '' && type === EventType.trigger)) {
          const c = mapping.costUnit === 'credits' ? creditsToMicros(text.replace(/,/g, mapping.decimal === '.' ? '' : '.')) : parseMoneyToMicros(text, mapping.decimal);
          if (c === null) throw new RowError(header[ci], f[ci], text === '' ? 'is empty: an api event needs a cost' : `is not an amount (decimal separator "${mapping.decimal}")`);
          if (c < 0) throw new RowError(header[ci], f[ci], 'is negative: expected a cost >= 0');
          cost = c;
        }
      } else if (ci === -1 && type === EventType.api) {
        throw new RowError(undefined, undefined, 'an api event needs a cost, and the mapping names no cost column');
      }
      const given = ii === -1 ? '' : f[ii]!.trim();
      const added = given !== '' ? sink.add(time, type, subject, cost, given, 0, true) : sink.add(time, type, subject, cost, null, occurrences.next(time, type, subject, cost), false);
      return added ? 'new' : 'duplicate';
    },
  };
}


