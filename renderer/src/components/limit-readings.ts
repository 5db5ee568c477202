/**
 * What a trigger's run limit is under the other reading of the limits (SPEC section 9), said in
 * its row on Triggers, beside the mode and limit the admin decides: the docs-vs-code block above
 * the table tells what happened over the history, this tells what the choice means under each.
 */
import { resolveTriggerLimit, UNLIMITED } from '../../../src/engine/plan.ts';
import type { EnforcementProfile } from '../../../src/engine/plan.ts';
import { int } from '../format.ts';

export interface TriggerChoice {
  kind: 'webhook' | 'scheduled';
  mode: 'fair_use' | 'programmatic';
  /** the plan's override: null = the mode's default, -1 = no limit */
  limitPer24h: number | null;
}

export interface OtherReading {
  /** short, for the row: "the platform's code: 42 runs (rule 2)" */
  text: string;
  /** the rule in a sentence, for the hover and screen readers */
  why: string;
}

const limitWords = (n: number): string => (n === UNLIMITED ? 'no limit' : `${int(n)} runs`);

/**
 * The limit under the reading the plan is not simulated under, when it differs from this one's;
 * null when both readings apply the same limit to this trigger.
 */
export function otherReading(t: TriggerChoice, profile: EnforcementProfile): OtherReading | null {
  const other: EnforcementProfile = profile === 'platform' ? 'documented' : 'platform';
  const who = other === 'platform' ? 'the platform’s code' : 'the docs';
  if (t.kind === 'scheduled') {
    // rule 3: the code checks a schedule against the allowance or the spend limits only
    const docsLimit = resolveTriggerLimit(t.limitPer24h, t.mode, 'documented');
    if (docsLimit === UNLIMITED) return null;
    return other === 'platform'
      ? { text: `${who}: not checked (rule 3)`, why: 'The platform’s code never checks a schedule against its own run limit or the pool, only the message allowance (fair use) or the spend limits (programmatic).' }
      : { text: `${who}: ${limitWords(docsLimit)} (rule 3)`, why: 'The docs check a schedule against its run limit per 24 h; the platform’s code, which this plan follows, never does.' };
  }
  const here = resolveTriggerLimit(t.limitPer24h, t.mode, profile);
  const there = resolveTriggerLimit(t.limitPer24h, t.mode, other);
  if (here === there) return null;
  return {
    text: `${who}: ${limitWords(there)} (rule 2)`,
    why:
      'The docs set no run limit on a programmatic trigger; the platform’s code limits it to 42 runs per 24 h too, unless support sets an override (a limit entered here).',
  };
}
