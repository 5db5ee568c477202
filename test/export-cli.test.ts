import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../src/ledger/ledger.ts';
import { EVENT_TYPE_NAMES } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { parsePlanJson } from '../src/engine/plan.ts';
import { parsePlanYaml } from '../src/export/index.ts';
import { runExport } from '../src/cli/commands/export.ts';
import { runRecommend } from '../src/cli/commands/recommend.ts';
import { runForecast, describeForecast } from '../src/cli/commands/forecast.ts';
import { synthHistory } from './forecast-helpers.ts';
import { importFile } from '../src/import/importer.ts';

function toCsv(ev: EventColumns): string {
  const lines = ['timestamp,type,subject,cost_usd'];
  for (let i = 0; i < ev.count; i++) {
    lines.push(`${new Date(ev.time[i]).toISOString()},${EVENT_TYPE_NAMES[ev.type[i]]},${ev.subjects[ev.subject[i]]},${(ev.cost[i] / 1e6).toFixed(6)}`);
  }
  return `${lines.join('\n')}\n`;
}

let dir = '';
const root = new URL('..', import.meta.url).pathname;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-export-'));
  const ev = synthHistory(35, [
    { type: 'api', subject: 'k_mkt', daily: () => 8_000_000, costPerRequest: 400_000 },
    { type: 'trigger', subject: 't_pr', daily: () => 70 },
    { type: 'message', subject: 'u1', daily: () => 100 },
  ]);
  writeFileSync(join(dir, 'events.csv'), toCsv(ev));
  writeFileSync(join(dir, 'short.csv'), toCsv(synthHistory(5, [{ type: 'message', subject: 'u1', daily: () => 10 }])));
  writeFileSync(join(dir, 'plan.json'), JSON.stringify({ workspace: { name: 'Acme' }, apiKeys: [{ id: 'k_mkt', capUsd: 50 }] }));
  for (const [db, csv] of [
    ['ledger.sqlite', 'events.csv'],
    ['short.sqlite', 'short.csv'],
  ]) {
    const ledger = openLedger(join(dir, db));
    await importFile(ledger, join(dir, csv));
    ledger.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('forecast, recommend and export over a ledger', () => {
  it('recommends from the ledger', () => {
    const r = runRecommend(join(dir, 'plan.json'), { db: join(dir, 'ledger.sqlite') });
    expect(r.keys[0]).toMatchObject({ id: 'k_mkt', currentCapUsd: 50, action: 'raise' });
    expect(r.triggers.find((t) => t.id === 't_pr')!.action).toBe('programmatic');
  });

  it('forecasts from the ledger with what-if options', async () => {
    const r = await runForecast(join(dir, 'plan.json'), { db: join(dir, 'ledger.sqlite'), paths: '4', workers: '0', days: '10', seats: '20', mode: ['t_pr=programmatic'] });
    expect(r.horizon.days).toBe(10);
    expect(r.monteCarlo?.paths).toBe(4);
    expect(r.plan.workspace.seats).toBe(20);
    expect(describeForecast(r)).toMatch(/backtest \(last 14 days\)/);
  });

  it('exports files that load back as the same plan', async () => {
    const out = join(dir, 'out');
    const files = await runExport(join(dir, 'plan.json'), { db: join(dir, 'ledger.sqlite'), out, paths: '4', workers: '0' });
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual(['keys.csv', 'plan.json', 'plan.yaml', 'report.html', 'report.md', 'support/t_pr.txt']);
    const fromJson = parsePlanJson(readFileSync(join(out, 'plan.json'), 'utf8'));
    const fromYaml = parsePlanYaml(readFileSync(join(out, 'plan.yaml'), 'utf8'));
    expect(fromYaml).toEqual(fromJson);
    // ~$240 of ordinary spend per 30 days: the smallest round cap reached in at most 5 % of the paths
    expect(fromJson.apiKeys).toHaveLength(1);
    expect(fromJson.apiKeys[0].id).toBe('k_mkt');
    expect(fromJson.apiKeys[0].capUsd).toBeGreaterThanOrEqual(250);
    expect(fromJson.apiKeys[0].capUsd).toBeLessThanOrEqual(350);
    expect((fromJson.apiKeys[0].capUsd ?? 0) % 50).toBe(0);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Monte Carlo: 4 paths/);
    expect(readFileSync(join(out, 'support/t_pr.txt'), 'utf8')).toMatch(/Expected daily volume/);
  });

  it('says plainly that a short history is too short, with exit code 2', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin/headroom.js'), 'recommend', '--db', join(dir, 'short.sqlite')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/only 5 days of history .* at least 14 days/);
    expect(r.stdout).toBe('');
    const e = spawnSync(process.execPath, [join(root, 'bin/headroom.js'), 'export', '--db', join(dir, 'short.sqlite'), '--out', join(dir, 'none')], { encoding: 'utf8' });
    expect(e.status).toBe(2);
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });

  it('prints JSON with --json', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin/headroom.js'), 'forecast', join(dir, 'plan.json'), '--db', join(dir, 'ledger.sqlite'), '--paths', '0', '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { history: { days: number }; monteCarlo: unknown };
    expect(report.history.days).toBe(35);
    expect(report.monteCarlo).toBeNull();
  });
});

describe('QA F7: export never overwrites the input plan', () => {
  it('refuses --out holding the input plan, with exit 2 and the plan unchanged', () => {
    const ow = join(dir, 'ow');
    spawnSync('mkdir', ['-p', ow]);
    const original = JSON.stringify({ workspace: { name: 'Acme' }, apiKeys: [{ id: 'k_mkt', capUsd: 50 }] });
    writeFileSync(join(ow, 'plan.json'), original);
    const r = spawnSync(process.execPath, [join(root, 'bin/headroom.js'), 'export', join(ow, 'plan.json'), '--db', join(dir, 'ledger.sqlite'), '--out', ow, '--paths', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/would overwrite the input plan/);
    expect(readFileSync(join(ow, 'plan.json'), 'utf8')).toBe(original);
    expect(existsSync(join(ow, 'report.md'))).toBe(false);
  });

  it('says plainly when --out names a file', async () => {
    await expect(runExport(join(dir, 'plan.json'), { db: join(dir, 'ledger.sqlite'), out: join(dir, 'plan.json'), paths: '0', workers: '0' })).rejects.toThrow(/is a file, not a directory/);
  });
});

describe('QA F6: what-if mistakes exit with code 2', () => {
  it('refuses a growth below -100 % and an unknown id', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/headroom.js'), 'forecast', join(dir, 'plan.json'), '--db', join(dir, 'ledger.sqlite'), '--paths', '0', ...args], { encoding: 'utf8' });
    const g = run('--key-growth', 'k_mkt=-150%');
    expect(g.status).toBe(2);
    expect(g.stderr).toMatch(/-150 %.*-100 %/);
    expect(g.stdout).not.toMatch(/NaN/);
    const u = run('--key-growth', 'nokey=20%');
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/unknown API key "nokey"/);
  });
});
