/**
 * The platform's cost export gives one total per UTC day, agent, key and source, not requests.
 * The importer spreads each row over the day's 24 hours so that caps and windows see spend at
 * plausible times (import/formats.ts): one event at half past each hour, the parts of the row's
 * total by an hour-of-day profile. Those events are pieces of one figure, made up, and a key's
 * evidence must not count them as requests (a key with 4 days in the cost export read as "96
 * requests on 4 days"). The columns carry no flag for them (the app reads the events cache, which
 * holds no ids), so they are told apart by the shape the importer gives them, here beside it.
 */
import { EventType } from './events.ts';
import type { EventColumns } from './events.ts';
import { DAY, HOUR, MINUTE } from './units.ts';

/** Where in its hour a cost row's piece lies: the spend of an hour, not of its first millisecond. */
export const COST_ROW_PIECE_OFFSET = 30 * MINUTE;

/** The time of a cost row's piece for `hour` (0..23) of the UTC day starting at `day` (epoch ms). */
export function costRowPieceTime(day: number, hour: number): number {
  return day + hour * HOUR + COST_ROW_PIECE_OFFSET;
}

const ALL_HOURS = 0xffffff;
const MASK_SPAN = 2 ** 24;
// a key-day as one number: subject ids are small, epoch days fit in 22 bits either side of 1970
const DAY_SPAN = 2 ** 23;
const DAY_BIAS = 2 ** 22;

/**
 * By API key: the UTC days (epoch ms of 00:00) on which the key's spend includes a cost export's
 * row, with the number of pieces those rows were spread into. A row of any spend has a piece in
 * every hour (the profile gives each hour a share and the export's cents outweigh the 24 parts),
 * so a key-day counts when its events at half past the hour fill all 24 hours; its pieces are 24
 * for each row (a key under two agents has two rows a day), and any further event at half past
 * is a request that fell there. A day the consumption export covers has no pieces: the ledger
 * holds the cost rows of such a day aside (ledger/overlap.ts). One pass over the events, with a
 * map only for the events at half past an hour, which requests seldom are.
 */
export function costRowDays(events: EventColumns): Map<string, Map<number, number>> {
  const seen = new Map<number, number>();
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] !== EventType.api) continue;
    const t = events.time[i];
    const inHour = t - Math.floor(t / HOUR) * HOUR;
    if (inHour !== COST_ROW_PIECE_OFFSET) continue;
    const day = Math.floor(t / DAY);
    const hour = Math.floor((t - day * DAY) / HOUR);
    const at = events.subject[i] * DAY_SPAN + (day + DAY_BIAS);
    // the hours seen in the low 24 bits, the count of pieces above them
    const v = seen.get(at) ?? 0;
    const mask = v % MASK_SPAN;
    seen.set(at, (v - mask) + MASK_SPAN + (mask | (1 << hour)));
  }
  const out = new Map<string, Map<number, number>>();
  for (const [at, v] of seen) {
    if (v % MASK_SPAN !== ALL_HOURS) continue;
    const n = Math.floor(v / MASK_SPAN);
    const subject = Math.floor(at / DAY_SPAN);
    const day = (at - subject * DAY_SPAN - DAY_BIAS) * DAY;
    const id = events.subjects[subject];
    let days = out.get(id);
    if (days === undefined) {
      days = new Map();
      out.set(id, days);
    }
    days.set(day, 24 * Math.floor(n / 24));
  }
  return out;
}
