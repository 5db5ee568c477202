import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzCsv, fuzzPlan } from './generate.ts';

/**
 * One fuzz case, the same in `npm test` (test/fuzz/fuzz.test.ts) and in `npm run fuzz`
 * (test/fuzz/run.ts with its workers): an events CSV through `simulate` and now and then `import`
 * (into an empty ledger, which takes the parallel path, or into one that holds events), or a plan
 * through the plan loader. The verdict of a case is its exit codes: 0 or 2, never 1, within a
 * time bound; a refused import leaves the ledger byte for byte as it was.
 */

export interface CliResult {
  code: number;
  stderr: string;
  /** the process ended by a signal (real processes only) */
  signal?: string | null;
  /** the process was killed for running past the bound (real processes only) */
  timedOut?: boolean;
}

/** Runs `headroom ARGS…` and says how it ended. */
export type Cli = (...args: string[]) => Promise<CliResult>;

export interface Finding {
  seed: number;
  what: string;
  detail: string;
}

export interface CaseOptions {
  /** every n-th CSV also goes through import (an import costs some four simulates) */
  importEvery: number;
  /**
   * every n-th case runs `simulate` as users do, with the other profile's comparison (a second
   * thread, some 75 ms to start); the others run `--no-compare`, which reads, simulates and
   * prints the same and differs only in that comparison, whose failure never changes the exit code
   */
  compareEvery: number;
  /** every n-th case runs again through the real binary as its own process (signals, crashes, hangs of the real thing) */
  processEvery: number;
  /** a command slower than this is a hang or a super-linear path (inputs are at most a few MB) */
  boundMs: number;
}

export interface CaseOutcome {
  findings: Finding[];
  /** exit codes seen, each command counted */
  exit0: number;
  exit2: number;
  other: number;
  imported: boolean;
  /** imports refused whose ledger was checked byte-identical afterwards */
  refusedUnchanged: number;
  /** commands run through the real binary */
  processRuns: number;
  slowestMs: number;
  ms: { simulate: number; import: number; plan: number; process: number };
}

function emptyOutcome(): CaseOutcome {
  return { findings: [], exit0: 0, exit2: 0, other: 0, imported: false, refusedUnchanged: 0, processRuns: 0, slowestMs: 0, ms: { simulate: 0, import: 0, plan: 0, process: 0 } };
}

/** A working folder with a plan, a small events file and two ledgers (empty, and holding events) kept pristine between cases. */
export class FuzzBench {
  readonly dir: string;
  readonly plan: string;
  readonly tiny: string;
  private readonly ledgers: { path: string; pristine: Buffer }[] = [];

  private readonly cli: Cli;
  private readonly processCli: Cli | null;
  private readonly options: CaseOptions;

  private constructor(cli: Cli, processCli: Cli | null, options: CaseOptions) {
    this.cli = cli;
    this.processCli = processCli;
    this.options = options;
    this.dir = mkdtempSync(join(tmpdir(), 'headroom-fuzz-'));
    this.plan = join(this.dir, 'plan.json');
    this.tiny = join(this.dir, 'tiny.csv');
  }

  /** `cli` runs each case; `processCli` (the real binary as a process) runs every `processEvery`-th case again. */
  static async create(cli: Cli, processCli: Cli | null, options: CaseOptions): Promise<FuzzBench> {
    const b = new FuzzBench(cli, processCli, options);
    writeFileSync(b.plan, JSON.stringify({ workspace: { name: 'Fuzz', seats: 3 }, apiKeys: [{ id: 'k_mkt', capUsd: 5 }] }));
    writeFileSync(b.tiny, 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k_mkt,1\n2026-01-05T11:00:00Z,trigger,t_pr,\n');
    // a ledger with its tables and nothing in them (created by a refused import of a header-only
    // file, or an accepted one: either way no events), and one that holds events
    const empty = join(b.dir, 'empty.sqlite');
    writeFileSync(join(b.dir, 'e.csv'), 'timestamp,type,subject,cost_usd\n');
    await cli('import', join(b.dir, 'e.csv'), '--db', empty);
    if (!existsSync(empty)) throw new Error(`fuzz set-up: importing a header-only file made no ledger at ${empty}`);
    const holding = join(b.dir, 'holding.sqlite');
    const r = await cli('import', b.tiny, '--db', holding);
    if (r.code !== 0) throw new Error(`fuzz set-up: importing ${b.tiny} exited ${r.code}: ${r.stderr}`);
    for (const path of [empty, holding]) b.ledgers.push({ path, pristine: readFileSync(path) });
    return b;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async timed(o: CaseOutcome, seed: number, what: 'simulate' | 'import' | 'plan' | 'process', run: () => Promise<CliResult>): Promise<number> {
    const t0 = performance.now();
    const r = await run();
    const ms = Math.round(performance.now() - t0);
    o.ms[what] += ms;
    if (ms > o.slowestMs) o.slowestMs = ms;
    if (r.signal) o.findings.push(finding(seed, `${what} ended by signal ${r.signal}`, r.stderr));
    else if (r.timedOut) o.findings.push(finding(seed, `${what} killed after ${ms} ms`, r.stderr));
    else if (r.code === 0) o.exit0++;
    else if (r.code === 2) o.exit2++;
    else {
      o.other++;
      o.findings.push(finding(seed, `${what} exit ${r.code}`, r.stderr));
    }
    if (ms > this.options.boundMs && !r.timedOut) o.findings.push(finding(seed, `${what} took ${ms} ms`, r.stderr));
    return r.code;
  }

  private simulateArgs(seed: number, plan: string, csv: string): string[] {
    return seed % this.options.compareEvery === 0 ? ['simulate', plan, csv] : ['simulate', '--no-compare', plan, csv];
  }

  /** The events CSV of `seed` through simulate, and through import when it is that case's turn. */
  async csvCase(seed: number): Promise<CaseOutcome> {
    const o = emptyOutcome();
    const csv = join(this.dir, 'case.csv');
    writeFileSync(csv, fuzzCsv(seed));
    const sim = await this.timed(o, seed, 'simulate', () => this.cli(...this.simulateArgs(seed, this.plan, csv)));
    const real = this.processCli !== null && seed % this.options.processEvery === 0 ? this.processCli : null;
    if (real !== null) {
      // the real binary as users run it (with the comparison thread)
      const code = await this.timed(o, seed, 'process', () => real('simulate', this.plan, csv));
      o.processRuns++;
      if (code !== sim && (code === 0 || code === 2)) o.findings.push(finding(seed, `simulate exit ${sim} in process, ${code} as its own process`, ''));
    }
    if (seed % this.options.importEvery !== 0) return o;
    o.imported = true;
    const ledger = this.ledgers[Math.floor(seed / this.options.importEvery) % this.ledgers.length]!;
    await this.importInto(o, seed, csv, ledger, this.cli, 'import');
    if (real !== null) {
      await this.importInto(o, seed, csv, ledger, real, 'process');
      o.processRuns++;
    }
    return o;
  }

  private async importInto(o: CaseOutcome, seed: number, csv: string, ledger: { path: string; pristine: Buffer }, cli: Cli, what: 'import' | 'process'): Promise<void> {
    const code = await this.timed(o, seed, what, () => cli('import', csv, '--db', ledger.path));
    const wal = `${ledger.path}-wal`;
    if (code === 2) {
      if (!readFileSync(ledger.path).equals(ledger.pristine)) o.findings.push(finding(seed, `${what}: import refused but changed the ledger`, ''));
      else if (existsSync(wal) && statSync(wal).size > 0) o.findings.push(finding(seed, `${what}: import refused but left a -wal`, ''));
      else o.refusedUnchanged++;
    }
    if (code !== 2 || o.findings.length > 0) {
      // back to the same ledger for the next case
      writeFileSync(ledger.path, ledger.pristine);
      rmSync(wal, { force: true });
      rmSync(`${ledger.path}-shm`, { force: true });
    }
  }

  /** The plan of `seed` through the plan loader (simulated over the small events file). */
  async planCase(seed: number): Promise<CaseOutcome> {
    const o = emptyOutcome();
    const text = fuzzPlan(seed);
    const path = join(this.dir, /^\s*[[{\uFEFF]/.test(text) ? 'fuzz-plan.json' : 'fuzz-plan.yaml');
    writeFileSync(path, text);
    const code = await this.timed(o, seed, 'plan', () => this.cli(...this.simulateArgs(seed, path, this.tiny)));
    if (this.processCli !== null && seed % this.options.processEvery === 0) {
      const real = await this.timed(o, seed, 'process', () => this.processCli!('simulate', path, this.tiny));
      o.processRuns++;
      if (real !== code && (real === 0 || real === 2)) o.findings.push(finding(seed, `plan: exit ${code} in process, ${real} as its own process`, ''));
    }
    return o;
  }
}

function finding(seed: number, what: string, detail: string): Finding {
  return { seed, what, detail: detail.slice(0, 400) };
}
