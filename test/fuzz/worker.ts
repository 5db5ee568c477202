// One worker of `npm run fuzz` (test/fuzz/run.ts forks a few): runs the cases it is sent in this
// process and answers each with its outcome. The parent bounds each case's time and kills this
// process when a case hangs; a fresh worker then takes over with fresh ledgers.
import { FuzzBench } from './cases.ts';
import type { CaseOptions, CaseOutcome } from './cases.ts';
import { inProcessCli, processCli } from './clis.ts';

export type ToWorker = { kind: 'csv' | 'plan'; seed: number } | { kind: 'stop' };
export type FromWorker = { kind: 'ready'; dir: string } | { kind: 'done'; seed: number; outcome: CaseOutcome };

const options = JSON.parse(process.env.HEADROOM_FUZZ_OPTIONS ?? '') as CaseOptions;
const send = (m: FromWorker): void => {
  process.send?.(m);
};

const bench = await FuzzBench.create(inProcessCli, processCli(options.boundMs), options);
process.on('message', (m: ToWorker) => {
  if (m.kind === 'stop') {
    bench.close();
    process.disconnect();
    return;
  }
  void (m.kind === 'csv' ? bench.csvCase(m.seed) : bench.planCase(m.seed)).then((outcome) => send({ kind: 'done', seed: m.seed, outcome }));
});
send({ kind: 'ready', dir: bench.dir });
