/**
 * One API key, one capped-out chance. recommend and the report's key table gave the share of
 * forecast paths whose ordinary use reaches the cap (2.5 %); the report's Monte Carlo table gave,
 * under the same name, the share of paths in which the paths' simulation blocked the key at all,
 * runaway days and the spend already in its window included (another computation: 3 %, or 100 %
 * for a key whose window already holds a runaway day), `headroom forecast` rounded it to a whole
 * percent, and `export --paths N` ran recommend on its default 200 paths beside a forecast of N.
 * Now the capped-out chance is one computation (cap-risk.ts cappedOutChance) on the same paths,
 * said by one function (rounding.ts chanceText); the simulation's figure is named for what it is.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../src/ledger/ledger.ts';
import { EVENT_TYPE_NAMES } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { runExport } from '../src/cli/commands/export.ts';
import { describeForecast, runForecast } from '../src/cli/commands/forecast.ts';
import { describeRecommend, runRecommend } from '../src/cli/commands/recommend.ts';
import { chanceText } from '../src/forecast/rounding.ts';
import { importFile } from '../src/import/importer.ts';
import { synthHistory } from './forecast-helpers.ts';

function toCsv(ev: EventColumns): string {
  const lines = ['timestamp,type,subject,cost_usd'];
  for (let i = 0; i < ev.count; i++) lines.push(`${new Date(ev.time[i]!).toISOString()},${EVENT_TYPE_NAMES[ev.type[i]!]},${ev.subjects[ev.subject[i]!]},${(ev.cost[i]! / 1e6).toFixed(6)}`);
  return `${lines.join('\n')}\n`;
}

let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-chance-'));
  // k_ops: about $10 a day, and a script that looped for $400 ten days before the export: the cap
  // is sized on ordinary use, while the simulation starts from a window that still holds the runaway
  const ev = synthHistory(56, [
    { type: 'api', subject: 'k_ops', daily: (d) => (d === 46 ? 400_000_000 : 10_000_000), costPerRequest: 500_000 },
    // k_web: a few $2 requests a day, growing: its capped-out chance lands between round caps
    { type: 'api', subject: 'k_web', daily: (d) => 7_000_000 * (1 + d / 40), costPerRequest: 2_000_000 },
    { type: 'message', subject: 'u1', daily: () => 40 },
  ]);
  writeFileSync(join(dir, 'events.csv'), toCsv(ev));
  writeFileSync(join(dir, 'plan.json'), JSON.stringify({ workspace: { name: 'Ops', spendLimits: [] }, apiKeys: [{ id: 'k_ops', capUsd: 900 }, { id: 'k_web', capUsd: 150 }] }));
  const ledger = openLedger(join(dir, 'ledger.sqlite'));
  await importFile(ledger, join(dir, 'events.csv'));
  ledger.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a key's capped-out chance across recommend, the key table and the Monte Carlo table", () => {
  it('is one figure on the same paths, and the simulation’s blocked share is named apart', async () => {
    const out = join(dir, 'out');
    // more than recommend's default of 200 paths: the export runs recommend on the forecast's draws
    await runExport(join(dir, 'plan.json'), { db: join(dir, 'ledger.sqlite'), out, paths: '400', workers: '0' });
    const rows = readFileSync(join(out, 'report.md'), 'utf8').split('\n');
    expect(rows.find((l) => l.startsWith('| key | cap |'))).toContain(
      '| capped-out chance (ordinary use reaches the cap) | blocked by its cap in the simulation (runaway days and spend already in its window included) |',
    );
    const simulated = new Map<string, string>();
    for (const id of ['k_ops', 'k_web']) {
      const mc = rows.find((l) => l.startsWith(`| ${id} | $`) && l.includes(' of paths |'))!.split(' | ');
      const table = rows.find((l) => l.startsWith(`| ${id} | $`) && !l.includes(' of paths |'))!.split(' | ');
      // the key table's capped-out chance is the Monte Carlo table's (after its basis column)
      expect(table[7]).toBe(mc[2]);
      expect(table[8]).toContain(`reached in ${mc[2]}`);
      simulated.set(id, mc[3]!);
    }
    // the simulation of k_ops starts from a window still holding the runaway day: a figure of its
    // own, beside the capped-out chance
    expect(simulated.get('k_ops')).toBe('in 100 % of paths');
    // (the ordinary-use figure the cap is sized on stays within the 5 % risk; its exact value moves with the model)
    const opsRow = rows.find((l) => l.startsWith('| k_ops | $') && l.includes(' of paths |'))!;
    const [, chance] = /^\| k_ops \| \$400\.00 \| (\d+(?:\.\d)?) % \| in 100 % of paths \|/.exec(opsRow) ?? [];
    expect(Number(chance)).toBeLessThanOrEqual(5);
    expect(rows).toContain(
      "A key's capped-out chance is the share of the forecast's 400 paths whose ordinary use reaches its cap: the figure the caps are sized on (Recommended API key caps). " +
        "The paths' simulation also runs the runaway days and starts from the spend already in each key's window, so the share of paths in which it blocks the key is another figure, given beside it.",
    );
  });

  it('fewer simulated paths than 200: the capped-out chance still reads the draws the caps are sized on, and says how many', async () => {
    const out = join(dir, 'out60');
    await runExport(join(dir, 'plan.json'), { db: join(dir, 'ledger.sqlite'), out, paths: '60', workers: '0' });
    const rows = readFileSync(join(out, 'report.md'), 'utf8').split('\n');
    const web = rows.find((l) => l.startsWith('| k_web | $') && l.includes(' of paths |'))!.split(' | ');
    expect(rows.find((l) => l.startsWith('| k_web | $') && !l.includes(' of paths |'))!.split(' | ')[7]).toBe(web[2]);
    // 5 % of the 200 draws reach the cap; the simulation of 60 paths blocks it in 2 of them
    expect(web.slice(2, 4)).toEqual(['5 %', 'in 3.3 % of paths']);
    expect(rows.some((l) => l.startsWith("A key's capped-out chance is the share of the forecast's 200 paths"))).toBe(true);
  });

  it('recommend, the key table and the Monte Carlo table agree on the same paths', async () => {
    const out = join(dir, 'out200');
    await runExport(join(dir, 'plan.json'), { db: join(dir, 'ledger.sqlite'), out, workers: '0' });
    const report = readFileSync(join(out, 'report.md'), 'utf8').split('\n');
    const rec = runRecommend(join(dir, 'plan.json'), { db: join(dir, 'ledger.sqlite') });
    for (const k of rec.keys) {
      const said = chanceText(k.throttleChance);
      expect(report.find((l) => l.startsWith(`| ${k.id} | $`) && l.includes(' of paths |'))!.split(' | ')[2]).toBe(said);
      expect(report.find((l) => l.startsWith(`| ${k.id} | $`) && !l.includes(' of paths |'))!.split(' | ')[7]).toBe(said);
      expect(describeRecommend(rec)).toContain(`${k.id}: ${k.action} cap $${k.recommendedCapUsd.toLocaleString('en-US')}`);
      expect(describeRecommend(rec)).toContain(`capped-out chance ${said}`);
    }
  });

  it('headroom forecast says a chance of 2.5 % as 2.5 %, and names which figure it is', async () => {
    const fc = await runForecast(join(dir, 'plan.json'), { db: join(dir, 'ledger.sqlite'), paths: '20', workers: '0' });
    const mc = fc.monteCarlo!;
    const k = mc.keys[0]!;
    const at = { ...fc, monteCarlo: { ...mc, keys: [{ ...k, cappedOutChance: 0.025, firstCappedOut: { ...k.firstCappedOut, probability: 0.025 } }] } };
    const line = describeForecast(at)
      .split('\n')
      .find((l) => l.startsWith(`  key ${k.id}:`))!;
    expect(line).toContain('blocked by its cap in 2.5 % of paths (runaway days and spend already in its window included); capped-out chance (ordinary use reaches the cap) 2.5 %');
    expect(chanceText(0.025)).toBe('2.5 %');
    expect(chanceText(0.03)).toBe('3 %');
    expect(chanceText(0.125)).toBe('12.5 %');
  });
});
