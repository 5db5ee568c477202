// `npm run fuzz`: the fuzz suite with 100,000 events CSVs (and 25,000 plans) unless
// HEADROOM_FUZZ_CASES says otherwise; the counts are printed at the end and written to
// test-results/fuzz-summary.json. HEADROOM_FUZZ_SEED replays another series.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, HEADROOM_FUZZ_CASES: process.env.HEADROOM_FUZZ_CASES ?? '100000' };
const r = spawnSync('npx', ['vitest', 'run', 'test/fuzz/'], { stdio: 'inherit', env, shell: process.platform === 'win32' });
process.exit(r.status ?? 1);
