#!/usr/bin/env node
// Entry point of `npx headroom`. The CLI is TypeScript run by Node's type stripping (Node >= 22.18,
// no build step). When the `node` found on PATH is older (a system Node 20), run the same command
// again with the project's own Node (the `node` package in node_modules).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
const canStripTypes = major > 22 || (major === 22 && minor >= 18);

if (!canStripTypes) {
  const candidates = ['../node_modules/.bin/node', '../node_modules/node/bin/node'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const local = candidates.find((p) => existsSync(p));
  if (!local || process.env.HEADROOM_REEXEC) {
    process.stderr.write(`headroom: needs Node 22.18 or later (this is ${process.version}); run \`npm install\` in the project first\n`);
    process.exit(1);
  }
  // Asynchronous, so that a SIGINT/SIGTERM sent to this process (not only Ctrl-C, which reaches
  // both) is passed on, and the child's way of ending (an exit code, or a signal) is ours.
  const child = spawn(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, HEADROOM_REEXEC: '1' },
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (err) => {
    process.stderr.write(`headroom: cannot start ${local}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.removeListener('SIGINT', forward);
    process.removeListener('SIGTERM', forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  // Type stripping may announce itself as experimental; that is noise for CLI users.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name !== 'ExperimentalWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
  });
  // Keep compiled modules (type-stripped TypeScript included) on disk between runs: the second
  // start loads in a third of the time (about 0.3 s → 0.1 s here).
  module.enableCompileCache?.();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv);
}
