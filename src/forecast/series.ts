import { DAY, HOUR } from '../engine/units.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { InputError } from '../errors.ts';
import type { SeriesModel } from './model.ts';

/** Least history the forecast accepts, in whole UTC days. */
export const MIN_HISTORY_DAYS = 14;
/** Most days a daily series holds: two years, ending with the last event's day. */
export const MAX_HISTORY_DAYS = 730;

export type SeriesKind = 'key_spend' | 'trigger_runs' | 'messages';

/** One daily series taken from the ledger: a key's spend (µUSD), a trigger's runs, or messages. */
export interface DailySeries {
  kind: SeriesKind;
  /** key or trigger id; '(people)' for messages */
  id: string;
  /** epoch ms of 00:00 UTC of values[0] */
  start: number;
  /** one value per UTC day, oldest first, up to the last history day */
  values: number[];
  /** spend per UTC day in µUSD (keys: = values; triggers: their runs' cost; messages: 0) */
  spend: number[];
  /** share of the series' events in each UTC hour (24 entries summing to 1) */
  hourProfile: number[];
  /** events seen (requests, runs or messages) */
  events: number;
  /** µUSD per request (keys) or per run (triggers) over the last 28 days (0 when none) */
  meanCost: number;
  /** the part of a cut last day (History.partialDay) the export holds, or null when none was cut */
  partial: PartialDay | null;
}

/**
 * What the export holds of the day it was cut part-way through: the day's known part, kept as
 * is, and the share of the series' day still to come after the cut (by its hour-of-day rhythm),
 * the only part the forecast draws.
 */
export interface PartialDay {
  /** the known part in the series' unit (µUSD, runs or messages) */
  value: number;
  /** its spend in µUSD */
  spend: number;
  /** events it holds */
  events: number;
  /** share of the series' day after the cut, 0..1 */
  rest: number;
}

export interface History {
  /** 00:00 UTC of the first day with an event */
  start: number;
  /** end of the history (exclusive): 00:00 UTC after the last day with an event */
  end: number;
  days: number;
  keys: DailySeries[];
  triggers: DailySeries[];
  messages: DailySeries;
  eventCount: number;
  /** time of the last event */
  lastEvent: number;
  /** a last day left out because the history ends part-way through it (ISO date), or null */
  partialDay: string | null;
  /** when partialDay is set: the cut, just after the last event (epoch ms); else null */
  cutAt: number | null;
  /** events older than the MAX_HISTORY_DAYS the series keep (left out of the fit) */
  eventsBefore: number;
  /**
   * When the consumption export ends days before the latest event (shorterExportEnd): its last day,
   * where the history now ends, the latest event's day, and the events after the end, left out.
   */
  shorterExport: { endedOn: string; latestOn: string; eventsAfter: number } | null;
}

export const PEOPLE = '(people)';

/**
 * A last day is judged cut short when a whole day's events would all fall before its last one
 * with less than this chance (each event placed by the history's hour-of-day shares).
 */
const PARTIAL_DAY_CHANCE = 0.01;

/**
 * Cuts the ledger into daily series. A key or trigger first seen part-way through starts its
 * series on its first day, so its trend is not dragged down by days before it existed.
 */
export function buildHistory(events: EventColumns): History {
  if (events.count === 0) {
    throw new InputError('the ledger has no events: import some history first (at least 14 days) to forecast or recommend');
  }
  let minT = Infinity;
  let maxT = -Infinity;
  for (let i = 0; i < events.count; i++) {
    const t = events.time[i];
    if (t < minT) minT = t;
    if (t > maxT) maxT = t;
  }
  let lastDay = Math.floor(maxT / DAY);
  // bounded by construction: one event dated years from the rest must not make every series
  // years long; the series keep the last MAX_HISTORY_DAYS days (the replay still sees it all)
  let firstDay = Math.floor(minT / DAY);
  if (firstDay < lastDay - MAX_HISTORY_DAYS + 1) {
    const from = (lastDay - MAX_HISTORY_DAYS + 1) * DAY;
    let first = Infinity;
    for (let i = 0; i < events.count; i++) if (events.time[i] >= from && events.time[i] < first) first = events.time[i];
    firstDay = Math.floor(first / DAY);
  }
  // An export taken at 10:00 ends with a partial day; counted as a whole day it would read as a
  // sudden drop. When the hours before the last event normally carry under 90 % of a day's
  // events, and the last day holds too many events for all of them to have fallen before then by
  // chance, that day is left out of the series. A quiet day simply ending early is a whole day:
  // 11 runs spread over 07:00–21:00 all fall before 19:00 one day in five, and dropping such a
  // day started the forecast a day early (the generated webhooks: 1 in 3 lost its last day, and
  // the horizon traded its busiest last Monday for a quiet Saturday, understating delay odds).
  let partialDay: string | null = null;
  if (lastDay > firstDay) {
    const byHour = new Float64Array(24);
    let onLastDay = 0;
    for (let i = 0; i < events.count; i++) {
      byHour[Math.floor((events.time[i] % DAY) / HOUR)]++;
      if (events.time[i] >= lastDay * DAY) onLastDay++;
    }
    const lastHour = Math.floor((maxT - lastDay * DAY) / HOUR);
    let covered = 0;
    for (let h = 0; h <= lastHour; h++) covered += byHour[h];
    const share = covered / events.count;
    if (share < 0.9 && Math.pow(share, onLastDay) < PARTIAL_DAY_CHANCE) {
      partialDay = new Date(lastDay * DAY).toISOString().slice(0, 10);
      lastDay -= 1;
    }
  }
  // The two exports may end on different days: a cost export downloaded a week after the
  // consumption export carries keys' spend the consumption export does not reach. Read to the
  // latest event, every person's message and trigger run would be 0 on those days, fitted as a
  // sudden stop (a level shift to nothing, 0 / 0 / 0 forecasts, seats advice to cut). The history
  // then ends with the shorter export's last day, where every series is still seen.
  const shorter = shorterExportEnd(events, firstDay, lastDay, Math.floor(maxT / DAY));
  let shorterExport: History['shorterExport'] = null;
  if (shorter !== null) {
    shorterExport = { endedOn: new Date(shorter.end * DAY).toISOString().slice(0, 10), latestOn: new Date(Math.floor(maxT / DAY) * DAY).toISOString().slice(0, 10), eventsAfter: shorter.after };
    lastDay = shorter.end;
    partialDay = null;
  }
  const days = lastDay - firstDay + 1;

  const nSubj = events.subjects.length;
  // one accumulator per (type, subject); messages are pooled into one series
  const sums = new Map<number, Float64Array>();
  const counts = new Map<number, Float64Array>();
  const hours = new Map<number, Float64Array>();
  const first = new Map<number, number>();
  const recentCost = new Map<number, [number, number]>();
  const recentFrom = (lastDay - 27) * DAY;
  // the known part of a cut last day, per series: [value, spend, events]
  const cutParts = new Map<number, [number, number, number]>();
  let before = 0;
  for (let i = 0; i < events.count; i++) {
    if (events.time[i] >= (lastDay + 1) * DAY) {
      if (partialDay === null) continue;
      const type = events.type[i];
      const key = type === EventType.message ? 2 * nSubj : type === EventType.api ? events.subject[i] : nSubj + events.subject[i];
      const part = cutParts.get(key) ?? [0, 0, 0];
      part[0] += type === EventType.api ? events.cost[i] : 1;
      part[1] += type === EventType.message ? 0 : events.cost[i];
      part[2] += 1;
      cutParts.set(key, part);
      continue;
    }
    if (events.time[i] < firstDay * DAY) {
      before++;
      continue;
    }
    const type = events.type[i];
    const key = type === EventType.message ? 2 * nSubj : type === EventType.api ? events.subject[i] : nSubj + events.subject[i];
    let s = sums.get(key);
    let c = counts.get(key);
    let h = hours.get(key);
    if (!s || !c || !h) {
      s = new Float64Array(days);
      c = new Float64Array(days);
      h = new Float64Array(24);
      sums.set(key, s);
      counts.set(key, c);
      hours.set(key, h);
    }
    const t = events.time[i];
    const d = Math.floor(t / DAY) - firstDay;
    s[d] += events.cost[i];
    c[d] += 1;
    h[Math.floor((t - Math.floor(t / DAY) * DAY) / HOUR)] += 1;
    const f = first.get(key);
    if (f === undefined || d < f) first.set(key, d);
    if (type !== EventType.message && t >= recentFrom) {
      const rc = recentCost.get(key) ?? [0, 0];
      rc[0] += events.cost[i];
      rc[1] += 1;
      recentCost.set(key, rc);
    }
  }

  const start = firstDay * DAY;
  const cutAt = partialDay === null ? null : maxT + 1;
  const partialOf = (key: number, profile: readonly number[]): PartialDay | null => {
    if (cutAt === null) return null;
    const [value, spend, n] = cutParts.get(key) ?? [0, 0, 0];
    return { value, spend, events: n, rest: shareAfter(profile, cutAt) };
  };
  const make = (key: number, kind: SeriesKind, id: string): DailySeries => {
    const s = sums.get(key);
    const c = counts.get(key);
    const h = hours.get(key);
    if (!s || !c || !h) {
      const profile = flatProfile();
      return { kind, id, start, values: new Array<number>(days).fill(0), spend: new Array<number>(days).fill(0), hourProfile: profile, events: 0, meanCost: 0, partial: partialOf(key, profile) };
    }
    const from = first.get(key) ?? 0;
    const src = kind === 'key_spend' ? s : c;
    const total = h.reduce((a, b) => a + b, 0);
    const rc = recentCost.get(key);
    const hourProfile = total > 0 ? Array.from(h, (x) => x / total) : flatProfile();
    return {
      kind,
      id,
      start: start + from * DAY,
      values: Array.from(src.subarray(from)),
      spend: kind === 'messages' ? new Array<number>(days - from).fill(0) : Array.from(s.subarray(from)),
      hourProfile,
      events: total,
      meanCost: rc && rc[1] > 0 ? rc[0] / rc[1] : 0,
      partial: partialOf(key, hourProfile),
    };
  };
  const keys: DailySeries[] = [];
  const triggers: DailySeries[] = [];
  for (let j = 0; j < nSubj; j++) {
    if (sums.has(j)) keys.push(make(j, 'key_spend', events.subjects[j]));
    if (sums.has(nSubj + j)) triggers.push(make(nSubj + j, 'trigger_runs', events.subjects[j]));
  }
  return {
    start,
    end: (lastDay + 1) * DAY,
    days,
    keys,
    triggers,
    messages: make(2 * nSubj, 'messages', PEOPLE),
    eventCount: events.count,
    lastEvent: maxT,
    partialDay,
    cutAt,
    eventsBefore: before,
    shorterExport,
  };
}

/**
 * The cost export's spend without a key is imported as the agent's pseudo-trigger of this prefix
 * (src/ledger/entities.ts): its events come from that export, not from the consumption export.
 */
const NO_KEY_PREFIX = 'no-key:';

/** Days of the consumption side's last stretch that must have events for a silence after it to read as the export's end. */
const ACTIVE_DAYS = 7;
/**
 * The longest gap read as two exports taken on different days; a longer silence of every person
 * and trigger, while keys spend on, is the workspace's own history and is forecast as it is.
 */
const MAX_GAP_DAYS = 14;

/**
 * The last day of the consumption export's events (people's messages and trigger runs, which only
 * it holds), and how many events of any kind come after it, when it ends 2 to MAX_GAP_DAYS days
 * before the latest event of the rest (keys' spend) and was busy until then (events on
 * ACTIVE_DAYS of its last 14 days): a workspace whose people and triggers all fall silent on one
 * day while its keys spend on is an export that ends there, not a workspace that stopped. Null
 * otherwise. One pass over the events, by day.
 */
function shorterExportEnd(events: EventColumns, firstDay: number, lastDay: number, latestDay: number): { end: number; after: number } | null {
  const noKey = events.subjects.map((name) => name.startsWith(NO_KEY_PREFIX));
  // per day up to the latest event's (a cut last day included): whether the consumption side has
  // an event there, and how many events of any kind
  const days = latestDay - firstDay + 1;
  const consumption = new Uint8Array(days);
  const all = new Uint32Array(days);
  let others = false;
  for (let i = 0; i < events.count; i++) {
    const d = Math.floor(events.time[i] / DAY) - firstDay;
    if (d < 0 || d >= days) continue;
    all[d]++;
    const type = events.type[i];
    if (type === EventType.message || (type === EventType.trigger && !noKey[events.subject[i]])) consumption[d] = 1;
    else others = true;
  }
  const end = consumption.lastIndexOf(1);
  if (!others || end < 0) return null;
  const gap = lastDay - firstDay - end;
  if (gap < 2 || gap > MAX_GAP_DAYS || end < 13) return null;
  if (consumption.subarray(end - 13, end + 1).reduce((x, y) => x + y, 0) < ACTIVE_DAYS) return null;
  return { end: firstDay + end, after: all.subarray(end + 1).reduce((x, y) => x + y, 0) };
}

/** Throws the message an admin sees when the history is too short to forecast from. */
export function requireHistory(history: History, minDays = MIN_HISTORY_DAYS): void {
  if (history.days < minDays) {
    throw new InputError(
      `the ledger holds only ${history.days} day${history.days === 1 ? '' : 's'} of history ` +
        `(${new Date(history.start).toISOString().slice(0, 10)} to ${new Date(history.end - DAY).toISOString().slice(0, 10)}); ` +
        `forecasts and recommendations need at least ${minDays} days, so none is given`,
    );
  }
}

/**
 * A history cut part-way through its last day: each series' model keeps that day's known part
 * as its first forecast day and draws only the rest (SeriesModel.firstDay). Series the history
 * does not hold (a what-if's new trigger) draw the whole day.
 */
export function keepCutDay(history: History, series: readonly { kind: SeriesKind; id: string; model: SeriesModel }[]): void {
  if (history.cutAt === null) return;
  const parts = new Map<string, PartialDay>();
  for (const s of [...history.keys, ...history.triggers, history.messages]) if (s.partial) parts.set(`${s.kind}:${s.id}`, s.partial);
  for (const s of series) {
    const p = parts.get(`${s.kind}:${s.id}`);
    if (p) s.model.firstDay = { known: p.value, rest: p.rest };
  }
}

/** Share of a day's events (by hour-of-day shares) that fall at or after `at`'s time of day. */
export function shareAfter(profile: readonly number[], at: number): number {
  const ms = ((at % DAY) + DAY) % DAY;
  const hour = Math.floor(ms / HOUR);
  let share = profile[hour] * (1 - (ms - hour * HOUR) / HOUR);
  for (let h = hour + 1; h < 24; h++) share += profile[h];
  return Math.min(1, Math.max(0, share));
}

function flatProfile(): number[] {
  return new Array<number>(24).fill(1 / 24);
}
