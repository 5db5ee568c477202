// `npm run fuzz`: the fuzz suite with 100,000 events CSVs (10,000 of them imported too) and 25,000 plans, unless
// HEADROOM_FUZZ_CASES says otherwise; the counts are printed at the end and written to
// test-results/fuzz-summary-100000.json (progress: fuzz-progress-100000.log). HEADROOM_FUZZ_SEED replays another series.
import { spawnSync } from 'node:child_process';

const env = {
  ...process.env,
  HEADROOM_FUZZ_CASES: process.env.HEADROOM_FUZZ_CASES ?? '100000',
  // one in ten of the 100,000 goes through import too (an import costs some four simulates)
  HEADROOM_FUZZ_IMPORT_EVERY: process.env.HEADROOM_FUZZ_IMPORT_EVERY ?? '10',
};
const r = spawnSync('npx', ['vitest', 'run', 'test/fuzz/'], { stdio: 'inherit', env, shell: process.platform === 'win32' });
process.exit(r.status ?? 1);
