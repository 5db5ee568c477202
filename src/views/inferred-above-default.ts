/**
 * Webhooks the plan leaves out (or names without a limit, as a ledger's import adds them), replayed at the platform's default of 42 runs per 24 h, whose
 * history holds more than 42 in some 24 h (recommend/inferred-above-default.ts): the platform held
 * them at a higher limit. `headroom simulate` says so beside its held limits; the replay's
 * decisions stay the plan's.
 */
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { partsOf } from '../engine/parts.ts';
import { DEFAULT_TRIGGER_LIMIT } from '../engine/plan-rules.ts';
import { withId } from '../engine/report.ts';
import type { Report } from '../engine/report.ts';
import type { SimulationResult } from '../engine/result.ts';
import { DAY } from '../engine/units.ts';
import { aboveInferredDefault, inferredAboveDefaultText } from '../recommend/inferred-above-default.ts';
import { peakInWindow } from './held-limits.ts';

/** One such webhook as `headroom simulate` names it. */
export interface InferredAboveDefault {
  id: string;
  name: string;
  /** most runs of it in one sliding 24 h of the history */
  peak: number;
  /** the default the plan infers for it */
  limit: number;
  /** the runs the replay refused or delayed by that limit */
  limited: number;
  text: string;
}

/** The webhooks the plan infers at the default that ran above it, in the report's order. */
export function inferredAboveDefault(events: EventColumns, result: SimulationResult, report: Report): InferredAboveDefault[] {
  const plan = result.plan;
  // only a webhook with more runs than the default in all can have had more in one 24 h
  const byDefault = (j: number): boolean => {
    const pt = plan.triggers[j];
    return pt !== undefined && pt.kind === 'webhook' && (pt.inferred || pt.limitByDefault === true);
  };
  const read = Uint8Array.from(report.triggers, (t, j) => (byDefault(j) && t.limit === DEFAULT_TRIGGER_LIMIT && t.arrivals > DEFAULT_TRIGGER_LIMIT ? 1 : 0));
  if (!read.includes(1)) return [];
  const times: number[][] = report.triggers.map(() => []);
  const TRIGGER = EventType.trigger;
  // a joined result is walked part by part, as held-limits.ts does, not joined for these few events
  for (const part of partsOf(result) ?? [{ events, result }]) {
    const { type, time, count } = part.events;
    const entity = part.result.entity;
    for (let i = type.indexOf(TRIGGER); i !== -1 && i < count; i = type.indexOf(TRIGGER, i + 1)) {
      const e = entity[i]!;
      if (read[e] === 1) times[e]!.push(time[i]!);
    }
  }
  const out: InferredAboveDefault[] = [];
  report.triggers.forEach((t, j) => {
    if (read[j] !== 1) return;
    const peak = peakInWindow(Float64Array.from(times[j]!).sort(), DAY, plan.edgeMs);
    if (!aboveInferredDefault(peak)) return;
    const limited = t.limitedBy.trigger_limit ?? 0;
    const verb = t.dropped + t.skipped > 0 ? 'refuses' : 'delays';
    out.push({ id: t.id, name: t.name, peak, limit: DEFAULT_TRIGGER_LIMIT, limited, text: `${withId(t.name, t.id)}: ${inferredAboveDefaultText(peak, limited, verb)}` });
  });
  return out;
}
