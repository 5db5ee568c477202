#!/usr/bin/env node
// `npm run serve`: Headroom in any browser, on 127.0.0.1 only, with a fresh token per run.
import { parseArgs } from 'node:util';
import { ensureRenderer } from '../src/host/build.ts';
import { startHeadroomHost } from '../src/host/start.ts';
import { defaultUserDataDir } from '../src/host/paths.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    ledger: { type: 'string' },
    'user-data': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm run serve -- [--port N] [--ledger FILE.sqlite] [--user-data DIR]');
  process.exit(0);
}
const staticDir = await ensureRenderer((m) => console.error(m));
const running = await startHeadroomHost({
  userDataDir: values['user-data'] ?? defaultUserDataDir(),
  staticDir,
  port: Number(values.port),
  ...(values.ledger ? { ledgerPath: values.ledger } : {}),
});
console.log(`Headroom is running at ${running.host.url}`);
console.log('Open that address (it carries this run\'s token). Ctrl+C stops.');
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
