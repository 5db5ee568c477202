import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../src/import/importer.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '../src/ledger/ledger.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import { withLedgerFacts } from '../src/ledger/entities.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { dustWorkspace } from './support/dust-exports.ts';

/**
 * Issue 16 / dust-facts: the platform's "monitor" trigger kind (it polls a mail box or a tool).
 * Its lines in the consumption export are trigger runs, never a person's messages; the ledger
 * keeps the kind the export names (a monitor's runs may come at a rhythm, yet it is no schedule);
 * a plan, which has webhook and scheduled triggers only, gets it as a webhook.
 */
const HEADER = dustWorkspace({ seed: 1, days: 1, people: 1, keys: 1 }).consumption.split('\n')[0]!;
const COLUMNS = HEADER.split(',');

function line(cells: Record<string, string>): string {
  return COLUMNS.map((c) => cells[c] ?? (c.startsWith('credits') ? '0.00' : '')).join(',');
}

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 9, 1, 6);

function monitorExport(): string {
  const rows = [HEADER];
  // the mail watcher finds mail every hour on the hour for two days: a regular rhythm
  for (let i = 0; i < 48; i++) {
    rows.push(line({ completedAt: new Date(T0 + i * HOUR).toISOString(), agentMessageId: `mon-${i}`, agentName: 'Mail watcher', userId: 'u_editor', userName: 'Editor', triggerId: 'trg_mail', contextOrigin: i % 2 === 0 ? 'Monitor' : 'triggered_monitor', totalCredits: '12.00', usageType: 'user' }));
  }
  // a monitor run without its trigger's id
  rows.push(line({ completedAt: new Date(T0 + 50 * HOUR).toISOString(), agentMessageId: 'mon-x', agentName: 'Tool watcher', userId: 'u_editor', contextOrigin: 'monitor', totalCredits: '3.00', usageType: 'user' }));
  // and a person's own message, for contrast
  rows.push(line({ completedAt: new Date(T0 + 51 * HOUR).toISOString(), agentMessageId: 'web-1', agentName: 'Helper', userId: 'u_editor', contextOrigin: 'Web', totalCredits: '1.00', usageType: 'user' }));
  return rows.join('\n') + '\n';
}

describe('monitor triggers in the consumption export', () => {
  let dir: string;
  let ledger: Ledger;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-monitor-'));
    ledger = openLedger(join(dir, 'ledger.sqlite'));
  });
  afterEach(() => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are trigger runs with the kind monitor, planned as webhooks under their own limit', async () => {
    const file = join(dir, 'consumption.csv');
    writeFileSync(file, monitorExport());
    const r = await importFile(ledger, file);
    expect(r.format).toBe('dust-consumption');
    const s = ledger.summary();
    expect(s.perType).toEqual({ api: 0, trigger: 49, message: 1 });
    const byId = new Map(ledger.entities().map((e) => [e.subject, e]));
    // hourly runs would read as a schedule: the export's word wins
    expect(byId.get('trg_mail')).toMatchObject({ type: 'trigger', kind: 'monitor', name: 'Mail watcher', mode: 'fair_use' });
    expect(byId.get('trigger of Tool watcher')).toMatchObject({ type: 'trigger', kind: 'monitor' });
    const plan = withLedgerFacts(validatePlan({}), ledger.entities());
    expect(plan.triggers.find((t) => t.id === 'trg_mail')).toMatchObject({ kind: 'webhook', mode: 'fair_use', limitPer24h: null, name: 'Mail watcher' });
    expect(() => validatePlan(plan)).not.toThrow();
  });
});
