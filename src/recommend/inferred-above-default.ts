/**
 * A webhook the plan leaves out is replayed at the platform's default of 42 runs per 24 h
 * (engine/simulate.ts `inferredTrigger`, SPEC section 9). An export that holds more than 42 of its
 * runs in some 24 h proves the platform held it at a higher limit: the replay still models the plan
 * as given, but `headroom simulate` and `recommend` say that its refusals there are runs the
 * platform ran, and that the plan should state the limit.
 */
import { DEFAULT_TRIGGER_LIMIT } from '../engine/plan-rules.ts';
import { counted } from '../engine/words.ts';

/** Whether a webhook the plan infers at the default ran above it in some 24 h of its export. */
export function aboveInferredDefault(peak24h: number): boolean {
  return peak24h > DEFAULT_TRIGGER_LIMIT;
}

/**
 * The sentence: "its history holds up to 50 runs in 24 h, above the default 42 the plan infers
 * for it …; if that history is the platform's export, …". `limited` is how many runs the replay
 * refused (or delayed) by that limit; `verb` whether it refused or delayed them.
 */
export function inferredAboveDefaultText(peak24h: number, limited: number, verb: 'refuses' | 'delays'): string {
  const replay =
    limited > 0
      ? `the ${counted(limited, 'run')} the replay ${verb} above ${DEFAULT_TRIGGER_LIMIT} are runs the platform ran`
      : `runs above ${DEFAULT_TRIGGER_LIMIT} are runs the platform ran`;
  // the events may be the platform's export or demand (a demo, an events CSV): the history alone
  // does not say which, so the reading is given for the export, as the held list's is
  return (
    `its history holds up to ${counted(peak24h, 'run')} in 24 h, above the default ${DEFAULT_TRIGGER_LIMIT} the plan infers for it (it names no limit for it); ` +
    `if that history is the platform's export, the platform held it at a higher limit (an override support granted), and ${replay}: put its limit in the plan`
  );
}
