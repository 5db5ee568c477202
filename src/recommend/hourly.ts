import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { DAY, HOUR } from '../engine/units.ts';
import type { History } from '../forecast/series.ts';

/** People's messages and each trigger's arrivals per hour over the last `days` of the history. */
export interface HourlyLoad {
  hours: number;
  messages: Float64Array;
  perTrigger: Map<string, Float64Array>;
}

export function hourlyLoad(events: EventColumns, history: History, days: number): HourlyLoad {
  const from = history.end - days * DAY;
  const hours = days * 24;
  const messages = new Float64Array(hours);
  const perTrigger = new Map<string, Float64Array>();
  for (let i = 0; i < events.count; i++) {
    const t = events.time[i];
    if (t < from || t >= history.end) continue;
    const h = Math.floor((t - from) / HOUR);
    if (events.type[i] === EventType.message) messages[h]++;
    else if (events.type[i] === EventType.trigger) {
      const id = events.subjects[events.subject[i]];
      let a = perTrigger.get(id);
      if (!a) perTrigger.set(id, (a = new Float64Array(hours)));
      a[h]++;
    }
  }
  return { hours, messages, perTrigger };
}

/** Rolling 24 h sums of hourly counts (the hour itself and the 23 before). */
export function roll24(counts: Float64Array): Float64Array {
  const out = new Float64Array(counts.length);
  let acc = 0;
  for (let h = 0; h < counts.length; h++) {
    acc += counts[h];
    if (h >= 24) acc -= counts[h - 24];
    out[h] = acc;
  }
  return out;
}
