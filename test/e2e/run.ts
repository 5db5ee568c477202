// `npm run test:e2e`: the browser tests (vitest.e2e.config.ts), bounded so a stuck browser
// can never hang CI. Results: test-results/e2e.json; screenshots: test-results/screenshots/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
// the 75 MB import test alone takes 1–4 min on a busy 2-core machine
const LIMIT_MS = 25 * 60_000;
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`test:e2e: no Chromium at ${chromium}; install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  process.exit(1);
}
const vitest = resolve(root, 'node_modules/vitest/vitest.mjs');
const child = spawn(process.execPath, [vitest, 'run', '-c', 'vitest.e2e.config.ts', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
const timer = setTimeout(() => {
  console.error(`test:e2e: still running after ${LIMIT_MS / 60_000} min; stopping it`);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
}, LIMIT_MS);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  process.exit(code ?? (signal ? 1 : 0));
});
