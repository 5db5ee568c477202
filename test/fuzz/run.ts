// `npm run fuzz`: 100,000 events CSVs (one in ten imported too) and 25,000 plans through the
// command line, unless HEADROOM_FUZZ_CASES / HEADROOM_FUZZ_PLAN_CASES say otherwise;
// HEADROOM_FUZZ_SEED replays another series. The cases run in a few worker processes
// (HEADROOM_FUZZ_WORKERS, default 2), each running the CLI in its own process space (test/fuzz/worker.ts);
// every 100th case also runs the real binary as its own process. A case that runs past its bound
// gets its worker killed and is a finding (a hang). Progress: test-results/fuzz-progress-CASES.log;
// counts: printed at the end and in test-results/fuzz-summary-CASES.json. Exit 0 only without findings.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseOptions, CaseOutcome, Finding } from './cases.ts';
import type { FromWorker, ToWorker } from './worker.ts';

const env = process.env;
const CASES = Number(env.HEADROOM_FUZZ_CASES ?? 100_000);
const PLAN_CASES = Number(env.HEADROOM_FUZZ_PLAN_CASES ?? Math.round(CASES / 4));
const SEED = Number(env.HEADROOM_FUZZ_SEED ?? 1);
const WORKERS = Math.max(1, Number(env.HEADROOM_FUZZ_WORKERS ?? 2));
const options: CaseOptions = {
  importEvery: Number(env.HEADROOM_FUZZ_IMPORT_EVERY ?? 10),
  compareEvery: Number(env.HEADROOM_FUZZ_COMPARE_EVERY ?? 10),
  processEvery: Number(env.HEADROOM_FUZZ_PROCESS_EVERY ?? 100),
  boundMs: Number(env.HEADROOM_FUZZ_BOUND_MS ?? 30_000),
};
/** a case runs up to four commands (simulate, import, and both again as processes) */
const CASE_KILL_MS = options.boundMs * 4;
/** a worker is replaced after this many cases, so that nothing one case leaves behind builds up */
const RECYCLE = 2_000;
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

mkdirSync('test-results', { recursive: true });
const PROGRESS = join('test-results', `fuzz-progress-${CASES}.log`);
writeFileSync(PROGRESS, '');

const queue: { kind: 'csv' | 'plan'; seed: number }[] = [];
for (let i = 0; i < CASES; i++) queue.push({ kind: 'csv', seed: SEED * 1_000_003 + i });
for (let i = 0; i < PLAN_CASES; i++) queue.push({ kind: 'plan', seed: SEED * 1_000_003 + i });
let next = 0;

const findings: Finding[] = [];
const counts = {
  csv: 0, imports: 0, plans: 0, commands: 0, exit0: 0, exit2: 0, exitOther: 0, refusedImportsLedgerUnchanged: 0, processRuns: 0,
  hangsKilled: 0, workersDied: 0, slowestMs: 0, slowestSeed: -1, ms: { simulate: 0, import: 0, plan: 0, process: 0 },
};
const started = Date.now();

function note(f: Finding): void {
  findings.push(f);
  appendFileSync(PROGRESS, `FINDING seed ${f.seed}: ${f.what}: ${f.detail.replaceAll('\n', ' | ')}\n`);
}

function record(kind: 'csv' | 'plan', seed: number, o: CaseOutcome): void {
  if (kind === 'csv') counts.csv++;
  else counts.plans++;
  if (o.imported) counts.imports++;
  counts.exit0 += o.exit0;
  counts.exit2 += o.exit2;
  counts.exitOther += o.other;
  counts.commands += o.exit0 + o.exit2 + o.other;
  counts.refusedImportsLedgerUnchanged += o.refusedUnchanged;
  counts.processRuns += o.processRuns;
  for (const k of ['simulate', 'import', 'plan', 'process'] as const) counts.ms[k] += o.ms[k];
  if (o.slowestMs > counts.slowestMs) {
    counts.slowestMs = o.slowestMs;
    counts.slowestSeed = seed;
  }
  for (const f of o.findings) note(f);
  const done = counts.csv + counts.plans;
  if (done % 1000 === 0) {
    const s = Math.round((Date.now() - started) / 1000);
    appendFileSync(PROGRESS, `${new Date().toISOString()} ${s}s ${counts.csv} csv (${counts.imports} imported), ${counts.plans} plans, ${counts.processRuns} process runs, ${findings.length} findings, ms ${JSON.stringify(counts.ms)}\n`);
  }
}

/** One worker process: sends it the next case when it is free; kills it when a case runs past its bound. */
function startWorker(): Promise<void> {
  return new Promise((resolve) => {
    const child: ChildProcess = fork(WORKER, [], { env: { ...env, HEADROOM_FUZZ_OPTIONS: JSON.stringify(options) }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => {
      stderr = (stderr + c).slice(-2000);
    });
    let current: { kind: 'csv' | 'plan'; seed: number } | null = null;
    let timer: NodeJS.Timeout | undefined;
    let dir = '';
    let handled = 0;
    let killedForHang = false;
    const send = (m: ToWorker): void => {
      child.send(m);
    };
    const feed = (): void => {
      if (next >= queue.length || handled >= RECYCLE) {
        current = null;
        send({ kind: 'stop' });
        return;
      }
      current = queue[next++]!;
      handled++;
      timer = setTimeout(() => {
        killedForHang = true;
        child.kill('SIGKILL');
      }, CASE_KILL_MS);
      send(current);
    };
    child.on('message', (m: FromWorker) => {
      if (m.kind === 'ready') {
        dir = m.dir;
        feed();
        return;
      }
      clearTimeout(timer);
      if (current !== null) record(current.kind, m.seed, m.outcome);
      feed();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (current !== null) {
        // the case in flight took its worker down, or hung
        if (killedForHang) counts.hangsKilled++;
        else counts.workersDied++;
        note({ seed: current.seed, what: killedForHang ? `${current.kind} case still running after ${CASE_KILL_MS} ms (killed)` : `${current.kind} case ended its worker (exit ${code}, signal ${signal})`, detail: stderr.slice(-400) });
        if (current.kind === 'csv') counts.csv++;
        else counts.plans++;
      }
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
      else {
        // it never got ready: a broken set-up, not a case; replacing it would only fail again
        console.error(`fuzz: a worker ended before it was ready (exit ${code}, signal ${signal}):\n${stderr}`);
        process.exit(1);
      }
      // a replacement carries on while cases are left
      if (next < queue.length) void startWorker().then(resolve);
      else resolve();
    });
  });
}

await Promise.all(Array.from({ length: WORKERS }, () => startWorker()));

const seconds = Math.round((Date.now() - started) / 1000);
const summary = { ...counts, findings: findings.length, seed: SEED, cases: CASES, planCases: PLAN_CASES, workers: WORKERS, options, seconds };
writeFileSync(join('test-results', `fuzz-summary-${CASES}.json`), `${JSON.stringify({ ...summary, first: findings.slice(0, 50) }, null, 2)}\n`);
const line =
  `fuzz: ${counts.csv} CSVs through simulate, ${counts.imports} of them through import too, and ${counts.plans} plans, from seed ${SEED}, in ${seconds} s on ${WORKERS} workers: ` +
  `${counts.commands} commands, ${counts.exit0} exit 0, ${counts.exit2} exit 2, ${counts.exitOther} other exits, ${counts.hangsKilled} hangs, ${counts.workersDied} workers died; ` +
  `${counts.refusedImportsLedgerUnchanged} refused imports left the ledger byte-identical; ${counts.processRuns} runs of the real binary as its own process; ` +
  `${findings.length} findings; slowest command ${counts.slowestMs} ms (seed ${counts.slowestSeed})`;
appendFileSync(PROGRESS, `${line}\n`);
console.log(line);
for (const f of findings.slice(0, 20)) console.log(`  seed ${f.seed}: ${f.what}: ${f.detail.replaceAll('\n', ' | ')}`);
process.exit(findings.length === 0 ? 0 : 1);
