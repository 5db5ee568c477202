import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { openLedger } from '../src/ledger/ledger.ts';
import { CancelledError } from '../src/errors.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import { withLedgerFacts } from '../src/ledger/entities.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { dustWorkspace } from './support/dust-exports.ts';
import type { DustWorkspace } from './support/dust-exports.ts';
import { countedSpend, sortedSpend } from './support/counted-spend.ts';
import { importFile } from '../src/import/importer.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});


async function importAll(l: Ledger, files: string[]): Promise<void> {
  for (const f of files) await importFile(l, f);
}

describe('the cost and the consumption export of one workspace: one spend counted once', () => {
  const ws = dustWorkspace({ seed: 7, days: 45, start: Date.UTC(2026, 8, 10) });

  function write(w: DustWorkspace): { cost: string[]; consumption: string } {
    return {
      cost: w.cost.map((c, i) => scope.tmp.write(`cost-${i + 1}.csv`, c)),
      consumption: scope.tmp.write('consumption.csv', w.consumption),
    };
  }

  it('either import order gives per-key daily totals equal to the truth, and says what overlaps', async () => {
    const files = write(ws);
    expect(ws.cost.length).toBe(2);
    await importAll(ledger, [...files.cost, files.consumption]);
    const first = countedSpend(ledger, ws);
    expect(sortedSpend(first)).toEqual(sortedSpend(ws.truth));

    const other = scope.open('other.sqlite');
    const last = await (async () => {
      await importFile(other, files.consumption);
      await importFile(other, files.cost[1]!);
      return importFile(other, files.cost[0]!);
    })();
    expect(sortedSpend(countedSpend(other, ws))).toEqual(sortedSpend(ws.truth));
    // every covered scope-day counts the consumption lines; the cost rows stay as a cross-check
    expect(last.overlap).toMatchObject({ countedCost: 0, disagreementCount: 0 });
    expect(last.overlap!.scopeDays).toBe(ws.truth.size);
    expect(last.overlap!.countedConsumption).toBe(ws.truth.size);
    expect(ledger.db.prepare('SELECT count(*) FROM events_held').pluck().get()).toBeGreaterThan(0);
  });

  it('N/A is never a key; usageType programmatic makes a programmatic trigger named after its agent', async () => {
    const files = write(ws);
    await importAll(ledger, [files.consumption, ...files.cost]);
    const apiSubjects = new Set(eventsOf(ledger).filter((e) => e.type === 'api').map((e) => e.subject));
    expect([...apiSubjects].sort()).toEqual([...ws.keys].sort());
    const entities = ledger.entities();
    expect(entities.some((e) => e.type === 'api' && /^(n\/a|)$/i.test(e.subject))).toBe(false);
    const plan = withLedgerFacts(validatePlan({}), entities);
    const byId = new Map(plan.triggers.map((t) => [t.id, t]));
    expect(byId.get('trg_prrev')).toMatchObject({ mode: 'programmatic', name: '@Ops watcher', kind: 'webhook' });
    expect(byId.get('trg_digest')).toMatchObject({ mode: 'fair_use', kind: 'scheduled', name: 'Release notes' });
    // a programmatic schedule stays a webhook in the plan (the plan has no programmatic schedule)
    expect(byId.get('trg_sync')).toMatchObject({ mode: 'programmatic' });
    expect(plan.apiKeys.map((k) => k.id)).not.toContain('N/A');
  });

  it('an agent’s spend without a key is a pseudo-trigger only while some of it counts: none once the consumption export counts those runs', async () => {
    const files = write(ws);
    const noKey = (p: ReturnType<typeof validatePlan>) => p.triggers.filter((t) => t.id.startsWith('no-key:')).map((t) => t.id);
    // the cost export alone: the agents' spend without a key counts, as programmatic pseudo-triggers
    const costOnly = scope.open('cost-only.sqlite');
    await importAll(costOnly, files.cost);
    const before = withLedgerFacts(validatePlan({}), costOnly.entities());
    expect(noKey(before).length).toBeGreaterThan(0);
    // the consumption export after it: every such row is held, and the pseudo-triggers leave the plan
    // (an admin's own limit on one stays)
    await importAll(costOnly, [files.consumption]);
    const mine = { ...before.triggers.find((t) => t.id.startsWith('no-key:'))!, limitPer24h: 10 };
    const after = withLedgerFacts({ ...before, triggers: before.triggers.map((t) => (t.id === mine.id ? mine : t)) }, costOnly.entities());
    expect(noKey(after)).toEqual([mine.id]);
    expect(after.triggers.filter((t) => t.id === mine.id)).toEqual([mine]);
    expect(noKey(withLedgerFacts(before, costOnly.entities()))).toEqual([]);
    // both at once: none, while the agents' real triggers are there
    await importAll(ledger, [files.consumption, ...files.cost]);
    const both = withLedgerFacts(validatePlan({}), ledger.entities());
    expect(noKey(both)).toEqual([]);
    expect(both.triggers.some((t) => t.id === 'trg_prrev')).toBe(true);
  });

  it('display labels in contextOrigin and creditsDirect read as the raw values do', async () => {
    const w = dustWorkspace({ seed: 11, days: 20, labels: true, creditsDirect: true });
    const files = write(w);
    await importAll(ledger, [files.consumption, ...files.cost]);
    expect(sortedSpend(countedSpend(ledger, w))).toEqual(sortedSpend(w.truth));
    const types = new Map(eventsOf(ledger).map((e) => [e.subject, e.type]));
    expect(types.get('key-marketing')).toBe('api');
    expect(types.get('trg_prrev')).toBe('trigger');
    expect(types.get('u000')).toBe('message');
  });

  it('undoing one batch restores the other export’s events, totals unchanged', async () => {
    const files = write(ws);
    await importAll(ledger, [...files.cost, files.consumption]);
    const consumptionBatch = ledger.listBatches().find((b) => b.format === 'dust-consumption')!.id;
    ledger.undoBatch(consumptionBatch);
    expect(sortedSpend(countedSpend(ledger, ws))).toEqual(sortedSpend(ws.truth));
    expect(ledger.db.prepare('SELECT count(*) FROM events_held').pluck().get()).toBe(0);
    // importing the consumption export again holds the cost rows back again; the cost files add nothing
    await importFile(ledger, files.consumption);
    const again = await importFile(ledger, files.cost[0]!);
    expect(again.imported).toBe(0);
    expect(sortedSpend(countedSpend(ledger, ws))).toEqual(sortedSpend(ws.truth));
    for (const b of ledger.listBatches().filter((x) => x.format === 'dust-cost' && x.undoneAt === null)) ledger.undoBatch(b.id);
    expect(sortedSpend(countedSpend(ledger, ws))).toEqual(sortedSpend(ws.truth));
  });

  it('a day the consumption export has only in part counts the cost export’s day, and lists the difference', async () => {
    // the consumption export cut at noon of its last day
    const lastDay = new Date(Date.UTC(2026, 8, 10) + 44 * 86_400_000).toISOString().slice(0, 10);
    const cut = ws.consumption
      .split('\n')
      .filter((l) => !(l.startsWith(lastDay) && l.slice(11, 13) >= '12'))
      .join('\n');
    const files = write(ws);
    const consumption = scope.tmp.write('consumption-cut.csv', cut);
    await importFile(ledger, consumption);
    let last = null;
    for (const f of files.cost) last = await importFile(ledger, f);
    expect(sortedSpend(countedSpend(ledger, ws))).toEqual(sortedSpend(ws.truth));
    expect(last!.overlap!.countedCost).toBeGreaterThan(0);
    expect(last!.overlap!.disagreements.every((d) => new Date(d.day).toISOString().startsWith(lastDay) && d.counted === 'cost')).toBe(true);
  });

  it('cancel in the middle of an import leaves the ledger file byte-identical', async () => {
    const big = dustWorkspace({ seed: 5, days: 60, keys: 6, people: 30 });
    const files = write(big);
    const path = scope.tmp.path('cancel.sqlite');
    const l1 = openLedger(path);
    await importFile(l1, files.cost[0]!);
    l1.close();
    const digest = (): string => createHash('sha256').update(readFileSync(path)).digest('hex');
    const before = digest();
    const l2 = openLedger(path);
    const signal = { aborted: false };
    let chunks = 0;
    const err = await importFile(l2, files.consumption, { signal, chunkBytes: 64 << 10, onProgress: () => { chunks++; if (chunks === 2) signal.aborted = true; } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    l2.close();
    expect(digest()).toBe(before);
  });
});
