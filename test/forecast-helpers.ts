import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { makeRng } from '../src/forecast/rng.ts';

/** 2026-01-05, a Monday, 00:00 UTC */
export const T0 = Date.UTC(2026, 0, 5);

export interface SynthSeries {
  type: 'api' | 'trigger' | 'message';
  subject: string;
  /** expected daily value on day d: spend in µUSD for api, a count otherwise */
  daily: (d: number) => number;
  /** µUSD per api request */
  costPerRequest?: number;
  /** hour of day all events fall in (default: spread over 08:00..18:00) */
  hours?: [number, number];
}

/** Builds a history from expected daily values, with Poisson-like noise when `noise`. */
export function synthHistory(days: number, series: SynthSeries[], seed = 7, noise = true): EventColumns {
  const b = new EventColumnsBuilder();
  const rng = makeRng(seed);
  const gauss = () => {
    const u = Math.max(rng(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
  for (let d = 0; d < days; d++) {
    for (const s of series) {
      const [h0, h1] = s.hours ?? [8, 18];
      const place = () => T0 + d * DAY + h0 * HOUR + Math.floor(rng() * (h1 - h0) * HOUR);
      const mean = s.daily(d);
      if (s.type === 'api') {
        const cost = s.costPerRequest ?? 100_000;
        const expected = mean / cost;
        const n = Math.max(0, Math.round(noise ? expected + Math.sqrt(expected) * gauss() : expected));
        for (let i = 0; i < n; i++) b.push(place(), EventType.api, s.subject, cost);
      } else {
        const n = Math.max(0, Math.round(noise ? mean + Math.sqrt(mean) * gauss() : mean));
        for (let i = 0; i < n; i++) b.push(place(), s.type === 'trigger' ? EventType.trigger : EventType.message, s.subject, 0);
      }
    }
  }
  return b.build();
}

/** Weekday pattern Sun..Sat, mean 1: quiet weekends. */
export const WEEKLY = [0.4, 1.2, 1.2, 1.2, 1.2, 1.2, 0.6];
/** weekday of T0 + d days (T0 is a Monday) */
export const wd = (d: number) => (d + 1) % 7;
