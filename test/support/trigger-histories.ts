import { EventColumnsBuilder, EventType } from '../../src/engine/events.ts';
import type { EventColumns } from '../../src/engine/events.ts';
import { DAY, HOUR, MINUTE } from '../../src/engine/units.ts';

/** 1 October 2026, the histories' first day */
export const T0 = Date.UTC(2026, 9, 1);

/**
 * Webhook t6, every 3 days for 12 cycles: 40 runs 18:00 to 23:51, 40 more 00:00 to 05:51 the next
 * day. No calendar day holds more than 40, while 24 h spanning the two hold up to 80: a limit of
 * 42 holds it by the sliding 24 h only.
 */
export function nightBursts(): EventColumns {
  const b = new EventColumnsBuilder();
  for (let c = 0; c < 12; c++) {
    const d = 3 * c;
    for (let k = 0; k < 40; k++) b.push(T0 + d * DAY + 18 * HOUR + k * 9 * MINUTE + 17, EventType.trigger, 't6', 0);
    for (let k = 0; k < 40; k++) b.push(T0 + (d + 1) * DAY + k * 9 * MINUTE + 29, EventType.trigger, 't6', 0);
  }
  return b.build();
}
