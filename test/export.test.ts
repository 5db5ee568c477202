import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { buildExport, parsePlanYaml, planToJson, planToYaml, supportRequests, toHtml } from '../src/export/index.ts';
import { parsePlanJson, validatePlan, PlanError } from '../src/engine/plan.ts';
import { recommend } from '../src/recommend/index.ts';
import { synthHistory } from './forecast-helpers.ts';

const plan = validatePlan({
  workspace: { name: 'Acme <R&D>', seats: 12, messagesPerSeatPerDay: 100, fairUseShare: 0.5, spendLimits: [{ id: 'daily', amountUsd: 250.5, window: 'utc-day' }] },
  apiKeys: [{ id: 'k_mkt', name: 'Marketing', capUsd: 100 }],
  triggers: [
    { id: 't_pr', name: 'PR review', kind: 'webhook' },
    { id: 't_cron', name: 'Digest | daily', kind: 'scheduled' },
  ],
  enforcement: { keyCapWindowDays: 30, capCheck: 'spent_plus_cost', webhookWhenLimited: 'drop', maxQueueWaitHours: 6 },
});

const history = synthHistory(
  45,
  [
    { type: 'api', subject: 'k_mkt', daily: () => 8_000_000, costPerRequest: 80_000 },
    { type: 'api', subject: 'k_new', daily: () => 2_500_000, costPerRequest: 25_000 },
    { type: 'trigger', subject: 't_pr', daily: () => 75 },
    { type: 'trigger', subject: 't_cron', daily: () => 45 },
    { type: 'message', subject: 'u', daily: () => 300 },
  ],
  11,
  false,
);
const rec = recommend(history, plan);

describe('export', () => {
  it('round-trips the recommended plan through JSON and YAML unchanged', () => {
    const fromJson = parsePlanJson(planToJson(rec.plan), 'plan.json');
    expect(fromJson).toEqual(rec.plan);
    const fromYaml = parsePlanYaml(planToYaml(rec.plan));
    expect(fromYaml).toEqual(rec.plan);
    // and again: exporting what was loaded gives the same text
    expect(planToJson(fromYaml)).toBe(planToJson(rec.plan));
    expect(fromJson.apiKeys.map((k) => [k.id, k.capUsd])).toEqual([
      // $240 and $75 every 30 days exactly: the next round caps above them
      ['k_mkt', 250],
      ['k_new', 80],
    ]);
    expect(fromJson.enforcement).toEqual(plan.enforcement);
  });

  it('rejects a bad YAML plan with the field path', () => {
    expect(() => parsePlanYaml('triggers:\n  - id: a\n    mode: sometimes\n')).toThrow(PlanError);
    expect(() => parsePlanYaml('triggers:\n  - id: a\n    mode: sometimes\n')).toThrow(/triggers\[0\]\.mode/);
    expect(() => parsePlanYaml('a: [')).toThrow(/not valid YAML/);
  });

  it('writes keys and caps as CSV', () => {
    const csv = buildExport(rec, null).find((f) => f.path === 'keys.csv')!.content;
    const parsed = Papa.parse<Record<string, string>>(csv.trim(), { header: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data.map((r) => [r.key_id, r.current_cap_usd, r.recommended_cap_usd, r.days_observed])).toEqual([
      ['k_mkt', '100', '250', '45'],
      ['k_new', '', '80', '45'],
    ]);
    expect(parsed.data[0].rolling30_p99_usd).toBe('240.00');
  });

  it('drafts a support request per trigger needing more, with use case and daily volume', () => {
    const reqs = supportRequests(rec, 'Acme');
    expect(reqs.map((r) => r.triggerId).sort()).toEqual(['t_cron', 't_pr']);
    const pr = reqs.find((r) => r.triggerId === 't_pr')!;
    expect(pr.body).toMatch(/programmatic usage mode/);
    expect(pr.body).toMatch(/Use case:/);
    expect(pr.body).toMatch(/Expected daily volume:\n {2}About 75 runs a day/);
    const cron = reqs.find((r) => r.triggerId === 't_cron')!;
    // 45 a day, but a sliding 24 h reaches 57 (p95 53): + 25 % is 66, asked as 75
    expect(cron.body).toMatch(/raise the execution limit to 75 runs per 24 hours/);
    const files = buildExport(rec, null).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['plan.json', 'plan.yaml', 'keys.csv', 'support/t_pr.txt', 'support/t_cron.txt', 'report.md', 'report.html']));
  });

  it('renders a readable report with escaped HTML', () => {
    const files = buildExport(rec, null);
    const md = files.find((f) => f.path === 'report.md')!.content;
    expect(md).toMatch(/^# Headroom report: Acme <R&D>/);
    expect(md).toMatch(/\| k_mkt \| \$100.00 \| \$250.00 \| raise \|/);
    const html = files.find((f) => f.path === 'report.html')!.content;
    expect(html).toContain('Acme &lt;R&amp;D&gt;');
    expect(html).not.toContain('<R&D>');
    expect(toHtml({ title: '<x>', sections: [] })).toContain('<h1>&lt;x&gt;</h1>');
  });
});

describe('the exported plan file', () => {
  it("leaves out the way with limited webhooks its profile takes anyway, so that switching the file's profile switches it too", () => {
    for (const [profile, way] of [['documented', 'queue'], ['platform', 'drop']] as const) {
      const plan = validatePlan({ enforcement: { profile, webhookWhenLimited: way } });
      const json = planToJson(plan);
      expect(json).not.toContain('webhookWhenLimited');
      expect(parsePlanJson(json, 'plan.json')).toEqual(plan);
      // the admin edits the profile in the file: the other profile's way follows
      const other = profile === 'documented' ? 'platform' : 'documented';
      const edited = JSON.parse(json) as { enforcement: Record<string, unknown> };
      edited.enforcement.profile = other;
      expect(validatePlan(edited).enforcement.webhookWhenLimited).toBe(way === 'queue' ? 'drop' : 'queue');
    }
  });

  it("keeps the admin's own choice against the profile's way (a what-if)", () => {
    const plan = validatePlan({ enforcement: { profile: 'platform', webhookWhenLimited: 'queue' } });
    expect(JSON.parse(planToJson(plan)).enforcement.webhookWhenLimited).toBe('queue');
    expect(parsePlanYaml(planToYaml(plan))).toEqual(plan);
  });
});
