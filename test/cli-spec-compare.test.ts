/**
 * dust-facts' last section and SPEC section 9: every way the platform's code differs from its
 * docs shows up for an admin in `headroom simulate`'s comparison, with the count and the rule
 * that explains it (docs/platform-profile.md numbers the rules). Each scenario is the smallest
 * history where that one rule changes a decision.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.ts';
import type { ProfileComparison } from '../src/compare/profiles.ts';
import { planFile, scenarioDir, series, simulateCli } from './fixtures/cli-scenario.ts';
import type { Profile, ScenarioPlan } from './fixtures/cli-scenario.ts';

let dir = { path: '', remove: () => {} };
beforeAll(() => {
  dir = scenarioDir();
});
afterAll(() => dir.remove());

async function compare(plan: ScenarioPlan, rows: readonly string[], profile: Profile = 'documented'): Promise<ProfileComparison> {
  const r = await simulateCli(dir.path, plan, profile, rows, ['--compare']);
  expect(r.code).toBe(0);
  const profiles = (r.report as unknown as { profiles?: ProfileComparison } | null)?.profiles;
  if (profiles === undefined) throw new Error('--json --compare printed no profiles');
  return profiles;
}

function only(c: ProfileComparison): { sentence: string; why: string } {
  expect(c.differences).toHaveLength(1);
  const d = c.differences[0]!;
  return { sentence: d.sentence, why: d.why.join('; ') };
}

const fairUse1 = { triggers: [{ id: 't', name: 'Edge', kind: 'webhook', mode: 'fair_use', limitPer24h: 1 }] };

describe("each difference between the docs and the platform's code is shown with its rule", () => {
  it('rule 1, the window edge: a run exactly 24 h after another', async () => {
    const d = only(await compare(fairUse1, ['r1,2026-01-05T10:00:00Z,trigger,t,', 'r2,2026-01-06T10:00:00Z,trigger,t,']));
    expect(d.sentence).toBe("Edge: the docs say all 2 runs go through at once; the platform's code drops 1 of 2 (50%) (1 by its 24 h run limit)");
    expect(d.why).toContain('until 1 ms after it is a full window old');
    expect(d.why).toContain('(rule 1)');
    expect(d.why).not.toContain('rule 5');
  });

  it('rule 2, programmatic triggers keep 42 runs per 24 h', async () => {
    const plan = { triggers: [{ id: 'p', name: 'Lead enrichment', kind: 'webhook', mode: 'programmatic', limitPer24h: null }] };
    const d = only(await compare(plan, series(43, 'p', '2026-01-05T10:00:00Z', 60_000, 'trigger', () => 'p')));
    expect(d.sentence).toBe("Lead enrichment: the docs say all 43 runs go through at once; the platform's code drops 1 of 43 (2%) (1 by its 24 h run limit)");
    expect(d.why).toBe('the code limits programmatic triggers to 42 runs per 24 h too, unless support sets an override (rule 2)');
  });

  it('rule 3, schedules: only the allowance, never the run limit; a programmatic schedule is noted', async () => {
    const plan = { workspace: { seats: 1, messagesPerSeatPerDay: 2, fairUseShare: 1 }, triggers: [{ id: 's', name: 'Digest', kind: 'scheduled', mode: 'fair_use', limitPer24h: 1 }] };
    const d = only(await compare(plan, ['s1,2026-01-05T10:00:00Z,trigger,s,', 's2,2026-01-05T11:00:00Z,trigger,s,', 's3,2026-01-05T12:00:00Z,trigger,s,']));
    expect(d.sentence).toBe("Digest: the docs say 2 are skipped (2 by its 24 h run limit); the platform's code skips 1 of 3 (33%) (1 by the message allowance)");
    expect(d.why).toContain('never its run limit or the pool (rule 3)');
    const programmatic = { workspace: { seats: 1, messagesPerSeatPerDay: 1 }, triggers: [{ id: 'q', name: 'Nightly', kind: 'scheduled', mode: 'programmatic' }] };
    const c = await compare(programmatic, ['m,2026-01-05T09:00:00Z,message,u,', 'q1,2026-01-05T10:00:00Z,trigger,q,1'], 'platform');
    expect(c.notes).toEqual(['Nightly: the docs do not allow a programmatic schedule; counted as fair use there']);
    // under the docs the schedule is fair use and the message has taken the allowance of 1
    expect(only(c).sentence).toBe("Nightly: the docs say 1 is skipped (1 by the message allowance); the platform's code lets its one run through at once");
  });

  it('rule 4, pool units burned by runs their own limit refuses', async () => {
    const plan = {
      workspace: { seats: 1, messagesPerSeatPerDay: 4, fairUseShare: 0.5 },
      triggers: [
        { id: 'a', name: 'Noisy', kind: 'webhook', mode: 'fair_use', limitPer24h: 0 },
        { id: 'b', name: 'Quiet', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 },
      ],
      enforcement: { webhookWhenLimited: 'drop' },
    };
    const c = await compare(plan, ['a1,2026-01-05T10:00:00Z,trigger,a,', 'a2,2026-01-05T10:01:00Z,trigger,a,', 'b1,2026-01-05T10:02:00Z,trigger,b,']);
    // Noisy is dropped alike by both readings; only Quiet is decided differently
    const d = only(c);
    expect(d.sentence).toBe("Quiet: the docs say its one run goes through at once; the platform's code drops 1 of 1 (100%) (1 by the fair-use pool)");
    expect(d.why).toContain("a run its own limit or the allowance refuses has still used a pool unit (rule 4)");
  });

  it('rule 5, a limited webhook is dropped where the docs pause it', async () => {
    const d = only(await compare(fairUse1, ['w1,2026-01-05T10:00:00Z,trigger,t,', 'w2,2026-01-05T11:00:00Z,trigger,t,']));
    expect(d.sentence).toBe("Edge: the docs say 1 run waits up to 23h; the platform's code drops 1 of 2 (50%) (1 by its 24 h run limit)");
    expect(d.why).toBe('the docs pause a limited webhook run until capacity returns; the code drops it (rule 5)');
  });

  it('rule 6, key caps freed at 00:00 UTC', async () => {
    const plan = { apiKeys: [{ id: 'k', name: 'Marketing', capUsd: 1 }] };
    const d = only(await compare(plan, ['a,2026-01-05T10:00:00Z,api,k,1', 'c,2026-02-04T00:00:00Z,api,k,0.5']));
    expect(d.sentence).toBe("Marketing: the docs say 1 is blocked (1 by its cap); the platform's code lets all 2 requests through at once");
    expect(d.why).toContain('freed at 00:00 UTC, not 30 days to the millisecond after each request (rule 6)');
  });

  it('rule 7, throttles per key, per person and per workspace', async () => {
    const rows = [...series(101, 'r', '2026-01-05T10:00:00Z', 100, 'api', () => 'k', '0'), ...series(21, 'm', '2026-01-05T11:00:00Z', 1000, 'message', (i) => `u${i}`)];
    const c = await compare({ workspace: { seats: 2 } }, rows);
    expect(c.differences.map((d) => [d.sentence, d.why.join('; ')])).toEqual([
      ["k: the docs say all 101 requests go through at once; the platform's code blocks 1 of 101 (1%) (1 by its per-minute throttle)", 'the code throttles each key to 100 a minute and 3,000 an hour (rule 7)'],
      [
        "People's messages: the docs say all 21 messages go through at once; the platform's code blocks 1 of 21 (5%) (1 by the workspace's per-minute throttle on messages)",
        "the code throttles people's messages: 100 a minute per person, 3,000 an hour per person, 20 a minute for the whole workspace (rule 7)",
      ],
    ]);
  });

  it('the readable summary prints each sentence with its reason, from either profile', async () => {
    const csv = join(dir.path, 'summary.csv');
    writeFileSync(csv, 'id,timestamp,type,subject,cost_usd\nw1,2026-01-05T10:00:00Z,trigger,t,\nw2,2026-01-05T11:00:00Z,trigger,t,\n');
    for (const profile of ['documented', 'platform'] as const) {
      const planPath = join(dir.path, `summary-${profile}.json`);
      writeFileSync(planPath, JSON.stringify(planFile(fairUse1, profile)));
      const { code, stdout } = await runCli('simulate', planPath, csv);
      expect(code).toBe(0);
      const lines = stdout.split('\n');
      const at = lines.indexOf("  - Edge: the docs say 1 run waits up to 23h; the platform's code drops 1 of 2 (50%) (1 by its 24 h run limit).");
      expect(at).toBeGreaterThan(0);
      expect(lines[at + 1]).toBe('    Why: the docs pause a limited webhook run until capacity returns; the code drops it (rule 5).');
    }
  });
});
