import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.ts';
import { FuzzBench } from './cases.ts';
import type { CaseOutcome, Finding } from './cases.ts';
import { processCli } from './clis.ts';

/**
 * The fuzz suite of `npm test` (issue 15): seeded bad inputs through `simulate`, `import` (into an
 * empty ledger, which takes the parallel path for events, and into one with events) and the plan
 * loader, the CLI run in this process and every 100th case also as the real binary in its own
 * process. Every case must exit 0 or 2 (never 1: that is a crash of ours), within a time bound,
 * and a refused import must leave the ledger byte for byte as it was. The same cases, 100,000 of
 * them in worker processes, are `npm run fuzz` (test/fuzz/run.ts).
 */

const CASES = Number(process.env.HEADROOM_FUZZ_CASES ?? 900);
const PLAN_CASES = Number(process.env.HEADROOM_FUZZ_PLAN_CASES ?? 900);
const SEED = Number(process.env.HEADROOM_FUZZ_SEED ?? 1);
const BOUND_MS = Number(process.env.HEADROOM_FUZZ_BOUND_MS ?? 30_000);
/** cases per vitest test, so that each stays well inside its own timeout */
const CHUNK = 300;

const findings: Finding[] = [];
const counts = { csv: 0, imports: 0, plans: 0, exit0: 0, exit2: 0, refusedUnchanged: 0, processRuns: 0, slowestMs: 0 };
let bench: FuzzBench;

beforeAll(async () => {
  // every third CSV imported, every tenth simulate with the profile comparison (the rest --no-compare)
  bench = await FuzzBench.create(runCli, processCli(BOUND_MS), { importEvery: 3, compareEvery: 10, processEvery: 100, boundMs: BOUND_MS });
}, 120_000);

afterAll(() => {
  bench?.close();
  mkdirSync('test-results', { recursive: true });
  writeFileSync(join('test-results', `fuzz-summary-${CASES}.json`), `${JSON.stringify({ ...counts, findings: findings.length, seed: SEED, first: findings.slice(0, 50) }, null, 2)}\n`);
  console.log(
    `fuzz: ${counts.csv} CSVs through simulate, ${counts.imports} of them through import too, and ${counts.plans} plans, from seed ${SEED}: ${counts.exit0} exit 0, ${counts.exit2} exit 2, ` +
      `${counts.refusedUnchanged} refused imports left the ledger byte-identical, ${counts.processRuns} runs as a process, ${findings.length} findings; slowest command ${counts.slowestMs} ms`,
  );
});

function add(o: CaseOutcome, kind: 'csv' | 'plan'): void {
  counts[kind === 'csv' ? 'csv' : 'plans']++;
  if (o.imported) counts.imports++;
  counts.exit0 += o.exit0;
  counts.exit2 += o.exit2;
  counts.refusedUnchanged += o.refusedUnchanged;
  counts.processRuns += o.processRuns;
  counts.slowestMs = Math.max(counts.slowestMs, o.slowestMs);
  findings.push(...o.findings);
}

const chunks = (total: number): [number, number][] => Array.from({ length: Math.ceil(total / CHUNK) }, (_, i) => [i * CHUNK, Math.min(total, (i + 1) * CHUNK)]);

describe('fuzz: events CSVs through simulate and import', () => {
  for (const [from, to] of chunks(CASES)) {
    it(`cases ${from}..${to - 1} exit 0 or 2 in time, refusals leave the ledger as it was`, async () => {
      const before = findings.length;
      for (let i = from; i < to; i++) add(await bench.csvCase(SEED * 1_000_003 + i), 'csv');
      expect(findings.slice(before)).toEqual([]);
    }, 3_600_000);
  }
  it('ran every kind of check', () => {
    // the cases above prove something only if refusals, imports and real processes happened
    expect(counts.exit2).toBeGreaterThan(0);
    expect(counts.refusedUnchanged).toBeGreaterThan(0);
    expect(counts.processRuns).toBeGreaterThan(0);
  });
});

describe('fuzz: plans through the plan loader', () => {
  for (const [from, to] of chunks(PLAN_CASES)) {
    it(`plans ${from}..${to - 1} exit 0 or 2 in time`, async () => {
      const before = findings.length;
      for (let i = from; i < to; i++) add(await bench.planCase(SEED * 1_000_003 + i), 'plan');
      expect(findings.slice(before)).toEqual([]);
    }, 3_600_000);
  }
});
