import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';
import type { Cli, CliResult } from './cases.ts';

/**
 * The two ways the fuzz runner (test/fuzz/worker.ts) runs the command line without vitest: in this
 * process (fast, most cases), and the real binary as its own process (a sample: what a signal, a
 * native crash or a hang of the real thing looks like).
 */

/** `main()` in this process, with what it writes to stdout and stderr captured instead of printed. */
export const inProcessCli: Cli = async (...args) => {
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'headroom', ...args]), stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
};

const BIN = fileURLToPath(new URL('../../bin/headroom.js', import.meta.url));

/** `node bin/headroom.js ARGS…` as its own process, killed (and said so) after `boundMs`. */
export function processCli(boundMs: number): Cli {
  return (...args) =>
    new Promise<CliResult>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      let timedOut = false;
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (stderr.length < 4096) stderr += chunk;
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, boundMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ code: 1, stderr: `cannot start ${BIN}: ${e.message}` });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stderr, signal: timedOut ? null : signal, timedOut });
      });
    });
}
