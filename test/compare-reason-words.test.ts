/**
 * The comparison's reasons in words (src/engine/reason-words.ts): each clause of a sentence
 * counts the reasons of its own events, in words, and the pieces the app shows carry the engine's
 * code beside the words, so that nothing downstream has to parse a sentence.
 */
import { describe, expect, it } from 'vitest';
import { compareProfiles, formatComparison, sentenceOf } from '../src/compare/profiles.ts';
import { reasonCounts, reasonWords } from '../src/engine/reason-words.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { events, h } from './support/scenario.ts';

describe('reasonWords', () => {
  it("says each check for what it holds back, a key's or a trigger's own as 'its'", () => {
    expect(reasonWords('trigger_limit', 'trigger')).toBe('its 24 h run limit');
    expect(reasonWords('key_cap', 'key')).toBe('its cap');
    expect(reasonWords('actor_minute', 'key')).toBe('its per-minute throttle');
    expect(reasonWords('actor_hour', 'messages')).toBe("each person's per-hour throttle");
    expect(reasonWords('pool', 'trigger')).toBe('the fair-use pool');
    expect(reasonWords('spend_limit:daily', 'key')).toBe('the workspace spend limit "daily"');
  });

  it('keeps a code it does not know as it is, so that its count is never lost', () => {
    expect(reasonCounts({ some_new_check: 3, pool: 5 }, 'trigger')).toEqual([
      { reason: 'pool', count: 5, words: 'the fair-use pool' },
      { reason: 'some_new_check', count: 3, words: 'some_new_check' },
    ]);
  });
});

describe('a difference says each outcome with its own reasons', () => {
  // limit 1, queued under the docs with a 30 h wait limit: the run at h(1) is admitted at h(24)
  // (23 h), the ones at h(2) and h(3) would wait 46 h and 45 h and are dropped; the platform's
  // code drops all three at once. Every one of them was held by the trigger's own limit.
  const plan = validatePlan({
    workspace: { seats: 10, messagesPerSeatPerDay: null, spendLimits: [] },
    triggers: [{ id: 't', name: 'Deploy', limitPer24h: 1 }],
    enforcement: { maxQueueWaitHours: 30 },
  });
  const ev = events([
    [h(0), 'trigger', 't'],
    [h(1), 'trigger', 't'],
    [h(2), 'trigger', 't'],
    [h(3), 'trigger', 't'],
  ]);
  const c = compareProfiles(plan, ev);
  const d = c.differences[0]!;

  it('counts the dropped runs by their reasons, not the ones that only waited', () => {
    expect(d.documented).toMatchObject({ delayed: 1, dropped: 2, byReason: { trigger_limit: 3 } });
    expect(d.documented.reasons.dropped).toEqual([{ reason: 'trigger_limit', count: 2, words: 'its 24 h run limit' }]);
    expect(d.documented.reasons.delayed).toEqual([{ reason: 'trigger_limit', count: 1, words: 'its 24 h run limit' }]);
    expect(d.sentence).toBe("Deploy: the docs say 1 run waits up to 23h and 2 are dropped (2 by its 24 h run limit); the platform's code drops 3 of 4 (75%) (3 by its 24 h run limit)");
  });

  it('gives the sentence in pieces, each reason count with its code, as the terminal prints it', () => {
    expect(sentenceOf(d.parts)).toBe(d.sentence);
    expect(d.parts.filter((p) => p.reason !== undefined)).toEqual([
      { text: '2 by its 24 h run limit', reason: 'trigger_limit' },
      { text: '3 by its 24 h run limit', reason: 'trigger_limit' },
    ]);
    expect(formatComparison(c)).toContain(`  - ${d.sentence}.\n`);
  });
});
