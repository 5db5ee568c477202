/**
 * The comparison's "Why" names only the SPEC section 9 rules that apply to this plan and history:
 * the ones that changed a decision of this trigger, key or people's messages, or of the others it
 * shares a limit with. A reviewer read rules 3-5 (about triggers) under people's messages in a
 * workspace without triggers, and the webhook rules under a workspace with schedules only.
 */
import { describe, expect, it } from 'vitest';
import { compareProfiles } from '../src/compare/profiles.ts';
import type { ProfileComparison } from '../src/compare/profiles.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { events, h } from './support/scenario.ts';

const EDGE = 'the code counts an entry of a sliding window until 1 ms after it is a full window old, the docs let it go at exactly that moment (rule 1)';

function whyOf(c: ProfileComparison, name: string): string[] {
  const d = c.differences.find((x) => x.name === name);
  if (!d) throw new Error(`no difference for ${name}: ${c.differences.map((x) => x.name).join(', ')}`);
  return d.why;
}

describe("the comparison's Why names the rules that apply here", () => {
  it('a workspace without triggers: people\'s messages at the allowance edge are explained by the edge alone', () => {
    // an allowance of 2: the third message comes exactly 24 h after the first
    const plan = validatePlan({ workspace: { seats: 1, messagesPerSeatPerDay: 2 } });
    const c = compareProfiles(plan, events([[h(0), 'message', 'u1'], [h(1), 'message', 'u1'], [h(24), 'message', 'u1']]));
    expect(whyOf(c, "People's messages")).toEqual([EDGE]);
  });

  it('schedules only: no webhook rule, and no rule 3 for a schedule its own limit never held', () => {
    // allowance 2, a pool as large: the digest's second run comes exactly 24 h after its first,
    // which the docs let go and the code still counts; a message then finds room only on the code's side
    const plan = validatePlan({
      workspace: { seats: 1, messagesPerSeatPerDay: 2, fairUseShare: 1 },
      triggers: [{ id: 's', name: 'Digest', kind: 'scheduled', mode: 'fair_use' }],
    });
    const c = compareProfiles(
      plan,
      events([
        [h(0), 'trigger', 's'],
        [h(1), 'message', 'u1'],
        [h(24), 'trigger', 's'],
        [h(24.5), 'message', 'u1'],
      ]),
    );
    expect(c.differences.map((d) => d.name).sort()).toEqual(['Digest', "People's messages"]);
    expect(whyOf(c, 'Digest')).toEqual([EDGE]);
    expect(whyOf(c, "People's messages")).toEqual([EDGE]);
  });

  it('people\'s messages after a webhook the code drops: rule 5, not "rules 3-5", and no edge where no entry was a full window old', () => {
    // a webhook limited to 1 a day, allowance 3: the docs queue its second run into the next day,
    // where it takes the allowance a message then finds full; the code drops it
    const plan = validatePlan({
      workspace: { seats: 1, messagesPerSeatPerDay: 3, fairUseShare: 1 },
      triggers: [{ id: 'w', name: 'Hook', kind: 'webhook', mode: 'fair_use', limitPer24h: 1 }],
    });
    const c = compareProfiles(
      plan,
      events([
        [h(0), 'trigger', 'w'],
        [h(1), 'trigger', 'w'],
        [h(25.5), 'message', 'u1'],
        [h(25.6), 'message', 'u1'],
        [h(25.7), 'message', 'u1'],
      ]),
    );
    expect(whyOf(c, 'Hook')).toEqual(['the docs pause a limited webhook run until capacity returns; the code drops it (rule 5)']);
    expect(whyOf(c, "People's messages")).toEqual(['fair-use trigger runs take the allowance at other times under the code (rule 5)']);
  });

  it('a key held by a spend limit it shares: the rules that changed the others there, not the edge of a window it has not', () => {
    // a $10 UTC-day limit: a programmatic webhook's 43 runs of $0.20 (its 43rd refused at 42 by
    // the code, rule 2) and the key's $1.50 make $10.10 on the docs' side, $9.90 on the code's:
    // the key's next request passes there only
    const runs = Array.from({ length: 43 }, (_, i) => [h(1 + i / 60), 'trigger', 'p', '0.20'] as const);
    const plan = validatePlan({
      workspace: { seats: 1, spendLimits: [{ id: 'day', amountUsd: 10, window: 'utc-day' }] },
      apiKeys: [{ id: 'k', name: 'Key' }],
      triggers: [{ id: 'p', name: 'Lead enrichment', kind: 'webhook', mode: 'programmatic' }],
    });
    const c = compareProfiles(plan, events([...runs, [h(2), 'api', 'k', '1.50'], [h(3), 'api', 'k', '0.20']]));
    expect(whyOf(c, 'Lead enrichment')).toEqual(['the code limits programmatic triggers to 42 runs per 24 h too, unless support sets an override (rule 2)']);
    expect(whyOf(c, 'Key')).toEqual(['the spend limits are shared with the keys and programmatic triggers, which the code decides differently (rule 2)']);
  });
});
