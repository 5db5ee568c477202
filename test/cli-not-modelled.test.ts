/**
 * The readable summary's "Docs vs the platform's code" block also says what neither profile
 * models (docs/semantics.md), so that "the platform's code decides all N events as the docs do"
 * is not read as the platform letting everything through; --json stays the report alone.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.ts';
import { tempDir } from './fixtures/ledger-helpers.ts';

describe('simulate: what neither profile models', () => {
  it('is said under the comparison, and not without it', async () => {
    const tmp = tempDir('headroom-cli-');
    try {
      const plan = tmp.write('plan.json', JSON.stringify({ version: 1, enforcement: { profile: 'platform' } }));
      const events = tmp.write('events.csv', 'timestamp,type,subject,cost_usd\n2026-09-01T10:00:00Z,api,k1,1.50\n');
      const withCompare = await runCli('simulate', plan, events);
      expect(withCompare.code).toBe(0);
      expect(withCompare.stdout).toMatch(/Docs vs the platform's code[^\n]*\n {2}The platform's code decides the 1 event as the docs do\.\n {2}Neither profile models: credit-priced plans[^\n]*\(docs\/semantics\.md\)\.\n$/);
      const without = await runCli('simulate', plan, events, '--no-compare');
      expect(without.stdout).not.toContain('Neither profile models');
      const json = await runCli('simulate', plan, events, '--json');
      expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
    } finally {
      tmp.remove();
    }
  });
});
