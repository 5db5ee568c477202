import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.ts';
import { fuzzCsv, fuzzPlan } from './generate.ts';

/**
 * The fuzz suite (issue 15): seeded bad inputs through `simulate`, `import` (into an empty ledger,
 * which takes the parallel path for events, and into one with events) and the plan loader. Every
 * case must exit 0 or 2 (never 1: that is a crash of ours), within a time bound, and a refused
 * import must leave the ledger byte for byte as it was. `npm test` runs a few thousand cases;
 * `npm run fuzz` runs 100,000 (HEADROOM_FUZZ_CASES, HEADROOM_FUZZ_SEED to replay from a seed).
 */

const CASES = Number(process.env.HEADROOM_FUZZ_CASES ?? 900);
const PLAN_CASES = Number(process.env.HEADROOM_FUZZ_PLAN_CASES ?? Math.max(900, Math.round(CASES / 4)));
/** every case goes through simulate; every n-th also through import (an import costs some four simulates) */
const IMPORT_EVERY = Number(process.env.HEADROOM_FUZZ_IMPORT_EVERY ?? 3);
const SEED = Number(process.env.HEADROOM_FUZZ_SEED ?? 1);
/** a case slower than this is a hang or a super-linear path (inputs are at most a few MB) */
const CASE_BOUND_MS = Number(process.env.HEADROOM_FUZZ_BOUND_MS ?? 30_000);
/** cases per vitest test, so that each stays well inside its own timeout */
const CHUNK = 400;

interface Finding {
  seed: number;
  what: string;
  detail: string;
}

const findings: Finding[] = [];
const counts = { csv: 0, imports: 0, plans: 0, exit0: 0, exit2: 0, slowestMs: 0, slowestSeed: -1, ms: { simulate: 0, import: 0, plan: 0 } };
const PROGRESS = join('test-results', `fuzz-progress-${CASES}.log`);

/** One line per 100 cases, for a long run to be followed (`tail -f test-results/fuzz-progress-CASES.log`). */
function progress(): void {
  const done = counts.csv + counts.plans;
  if (done % 100 !== 0) return;
  appendFileSync(PROGRESS, `${new Date().toISOString()} ${counts.csv} csv (${counts.imports} imported), ${counts.plans} plans, ${findings.length} findings, ms ${JSON.stringify(counts.ms)}\n`);
}

let dir = '';
let plan = '';
let tiny = '';
const ledgers: { path: string; pristine: Buffer }[] = [];

beforeAll(async () => {
  mkdirSync('test-results', { recursive: true });
  writeFileSync(PROGRESS, '');
  dir = mkdtempSync(join(tmpdir(), 'headroom-fuzz-'));
  plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ workspace: { name: 'Fuzz', seats: 3 }, apiKeys: [{ id: 'k_mkt', capUsd: 5 }] }));
  tiny = join(dir, 'tiny.csv');
  writeFileSync(tiny, 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k_mkt,1\n2026-01-05T11:00:00Z,trigger,t_pr,\n');
  // an empty ledger (an events file goes the parallel way) and one that holds events
  for (const name of ['empty', 'holding']) {
    const path = join(dir, `${name}.sqlite`);
    const r = await runCli('import', name === 'empty' ? join(dir, 'none.csv') : tiny, '--db', path);
    if (name === 'empty') {
      // a ledger with its tables and nothing in them: created by a refused import of nothing
      writeFileSync(join(dir, 'e.csv'), 'timestamp,type,subject,cost_usd\n');
      await runCli('import', join(dir, 'e.csv'), '--db', path);
    } else expect(r.code).toBe(0);
    ledgers.push({ path, pristine: readFileSync(path) });
  }
}, 120_000);

afterAll(() => {
  const summary = { ...counts, findings: findings.length, seed: SEED, cases: CASES, planCases: PLAN_CASES };
  mkdirSync('test-results', { recursive: true });
  writeFileSync(join('test-results', `fuzz-summary-${CASES}.json`), `${JSON.stringify({ ...summary, first: findings.slice(0, 50) }, null, 2)}\n`);
  console.log(
    `fuzz: ${counts.csv} CSVs through simulate, ${counts.imports} of them through import too, and ${counts.plans} plans, from seed ${SEED}: ${counts.exit0} exit 0, ${counts.exit2} exit 2, ` +
      `${findings.length} findings; slowest case ${counts.slowestMs} ms (seed ${counts.slowestSeed})`,
  );
  rmSync(dir, { recursive: true, force: true });
});

function note(seed: number, what: string, detail: string): void {
  findings.push({ seed, what, detail: detail.slice(0, 400) });
  // written at once: a long run shows what it found while it runs
  appendFileSync(PROGRESS, `FINDING seed ${seed}: ${what}: ${detail.slice(0, 400).replaceAll('\n', ' | ')}\n`);
}

async function timed(seed: number, run: () => Promise<{ code: number; stderr: string }>, what: 'simulate' | 'import' | 'plan'): Promise<number> {
  const t0 = performance.now();
  const r = await run();
  const ms = Math.round(performance.now() - t0);
  counts.ms[what] += ms;
  if (ms > counts.slowestMs) {
    counts.slowestMs = ms;
    counts.slowestSeed = seed;
  }
  if (r.code !== 0 && r.code !== 2) note(seed, `${what} exit ${r.code}`, r.stderr);
  else if (r.code === 0) counts.exit0++;
  else counts.exit2++;
  if (ms > CASE_BOUND_MS) note(seed, `${what} took ${ms} ms`, r.stderr);
  return r.code;
}

async function csvCase(seed: number): Promise<void> {
  const csv = join(dir, `case.csv`);
  writeFileSync(csv, fuzzCsv(seed));
  await timed(seed, () => runCli('simulate', plan, csv), 'simulate');
  counts.csv++;
  progress();
  if (seed % IMPORT_EVERY !== 0) return;
  counts.imports++;
  const ledger = ledgers[Math.floor(seed / IMPORT_EVERY) % ledgers.length]!;
  const code = await timed(seed, () => runCli('import', csv, '--db', ledger.path), 'import');
  const wal = `${ledger.path}-wal`;
  if (code === 2) {
    if (!readFileSync(ledger.path).equals(ledger.pristine)) note(seed, 'import refused but changed the ledger', '');
    if (existsSync(wal) && statSync(wal).size > 0) note(seed, 'import refused but left a -wal', '');
  }
  if (code !== 2) {
    // back to the same ledger for the next case
    writeFileSync(ledger.path, ledger.pristine);
    rmSync(wal, { force: true });
    rmSync(`${ledger.path}-shm`, { force: true });
  }
}

async function planCase(seed: number): Promise<void> {
  const text = fuzzPlan(seed);
  const path = join(dir, /^\s*[[{\uFEFF]/.test(text) ? 'fuzz-plan.json' : 'fuzz-plan.yaml');
  writeFileSync(path, text);
  await timed(seed, () => runCli('simulate', path, tiny), 'plan');
  counts.plans++;
  progress();
}

const chunks = (total: number): [number, number][] => Array.from({ length: Math.ceil(total / CHUNK) }, (_, i) => [i * CHUNK, Math.min(total, (i + 1) * CHUNK)]);

describe('fuzz: events CSVs through simulate and import', () => {
  for (const [from, to] of chunks(CASES)) {
    it(`cases ${from}..${to - 1} exit 0 or 2 in time, refusals leave the ledger as it was`, async () => {
      for (let i = from; i < to; i++) await csvCase(SEED * 1_000_003 + i);
      expect(findings.filter((f) => f.what !== 'plan')).toEqual([]);
    }, 3_600_000);
  }
});

describe('fuzz: plans through the plan loader', () => {
  for (const [from, to] of chunks(PLAN_CASES)) {
    it(`plans ${from}..${to - 1} exit 0 or 2 in time`, async () => {
      for (let i = from; i < to; i++) await planCase(SEED * 1_000_003 + i);
      expect(findings).toEqual([]);
    }, 3_600_000);
  }
});
