/**
 * A 75 MB consumption export (seeded generator: test/support/dust-exports.ts) imported through
 * the command line and through the app's path (the service's handlers: preview, import and the
 * page's next calls, with the import and compute workers), each into a fresh ledger: wall time, peak memory, and the app's longest
 * main-thread stall. Targets: the app within 2x the CLI's time; no stall over 100 ms.
 */
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureProcess } from './harness.ts';
import type { Benchmark, BenchContext, Figure } from './harness.ts';
import { dustWorkspace } from '../test/support/dust-exports.ts';

const TARGET_BYTES = 75 * 1024 * 1024;

function ensureExport(ctx: BenchContext): { path: string } {
  const path = join(tmpdir(), 'headroom-bench-consumption-75mb.csv');
  if (!existsSync(path)) {
    ctx.log('generating the 75 MB consumption export (seed 16)…');
    // 250 people and 20 keys over 210 days: about 75 MB, 400k lines
    const ws = dustWorkspace({ seed: 16, days: 210, people: 250, keys: 20, labels: true });
    writeFileSync(path, ws.consumption);
  }
  const size = statSync(path).size;
  if (size < TARGET_BYTES * 0.8) ctx.log(`note: the export is ${(size / 2 ** 20).toFixed(0)} MB`);
  return { path };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'import a 75 MB consumption export: CLI and the app path (the service: preview, import, the next calls of the page)',
    group: 'import',
    async run(ctx) {
      const { path } = ensureExport(ctx);
      const size = statSync(path).size;
      const dbCli = join(tmpdir(), `headroom-bench-dust-cli-${process.pid}.sqlite`);
      const dbApp = join(tmpdir(), `headroom-bench-dust-app-${process.pid}.sqlite`);
      const clean = () => {
        for (const f of [dbCli, dbApp]) for (const x of ['', '-wal', '-shm']) rmSync(f + x, { force: true });
      };
      clean();
      try {
        const bin = join(ctx.root, 'bin', 'headroom.js');
        const cli = await measureProcess(process.execPath, [bin, 'import', path, '--db', dbCli, '--json'], { cwd: ctx.root, log: ctx.log });
        if (cli.exitCode !== 0) throw new Error(`headroom import exited with ${cli.exitCode}: ${cli.stderr.slice(0, 2000)}`);
        const app = await measureProcess(process.execPath, [join(ctx.root, 'bench', '_app-import.ts'), path, dbApp], { cwd: ctx.root, log: ctx.log });
        if (app.exitCode !== 0) throw new Error(`the app path exited with ${app.exitCode}: ${app.stderr.slice(0, 2000)}`);
        const a = JSON.parse(app.stdout.trim().split('\n').pop() ?? '{}') as {
          rows: number;
          events: number;
          previewMs: number;
          firstProgressMs: number | null;
          firstBytesMs: number | null;
          longestStallMs: number;
          longestStallCpuMs: number;
          longestStallIn: string;
          longestBusyStallMs: number;
          stallsOver50: string[];
        };
        const over100 = a.stallsOver50.filter((x) => Number(/: (\d+) ms/.exec(x)?.[1] ?? 0) > 100);
        ctx.log(`main-thread stalls: ${a.stallsOver50.length} over 50 ms, ${over100.length} over 100 ms${over100.length > 0 ? ` (wall, and this thread's CPU in it: ${over100.join('; ')})` : ''}`);
        const figures: Figure[] = [
          { label: 'file', value: size / 2 ** 20, unit: 'MB', note: `${a.rows.toLocaleString('en-US')} lines make ${a.events.toLocaleString('en-US')} events` },
          { label: 'CLI wall time', value: cli.wallMs / 1000, unit: 's' },
          { label: 'CLI peak memory', value: (cli.peakRssBytes ?? 0) / 2 ** 20, unit: 'MB' },
          { label: 'app wall time (preview + import)', value: app.wallMs / 1000, unit: 's', max: (2 * cli.wallMs) / 1000, note: 'target: within 2x the CLI' },
          { label: 'app preview', value: a.previewMs / 1000, unit: 's' },
          { label: 'app preview: first progress / first bytes read reported', value: (a.firstBytesMs ?? Number.NaN) / 1000, unit: 's', max: 1, note: `the first report (0 bytes) at ${((a.firstProgressMs ?? Number.NaN) / 1000).toFixed(2)} s` },
          { label: 'app peak memory', value: (app.peakRssBytes ?? 0) / 2 ** 20, unit: 'MB' },
          { label: 'app longest main-thread stall', value: a.longestStallMs, unit: 'ms', max: 100, note: `in the ${a.longestStallIn}; this thread ran ${a.longestStallCpuMs.toFixed(0)} ms of it (the rest: waiting for a core)` },
          { label: 'app longest main-thread stall spent running', value: a.longestBusyStallMs, unit: 'ms', max: 100, note: "the thread's own CPU time within one stall: its work, not the machine's load" },
        ];
        return figures;
      } finally {
        clean();
      }
    },
  },
];
