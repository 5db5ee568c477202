/**
 * `npm run bench [-- GROUP...]`: runs the benchmarks and prints their figures. Timings live here,
 * never in tests (the machine is shared and noisy).
 *
 * Adding benchmarks: create `bench/<name>.ts` exporting `benchmarks`, an array of
 *
 *   interface Benchmark {
 *     name: string;                       // shown in the output, e.g. 'import 1M rows into the ledger'
 *     group: string;                      // `npm run bench -- import` runs only this group
 *     run(ctx: BenchContext): Promise<Figure[]>;  // ctx.root = repository root, ctx.log(line)
 *   }
 *   interface Figure {
 *     label: string;                      // 'wall time'
 *     value: number;
 *     unit: 's' | 'ms' | 'MB' | 'events/s' | 'rows/s' | 'rows' | 'MB/s' | 'count';
 *     max?: number;                       // target: PASS when value < max, else MISS
 *     note?: string;
 *   }
 *
 * (types in bench/harness.ts, which also has measureProcess() for timing a whole child process
 * with its peak RSS, and bench/generate.ts has ensureBenchData('1m' | '10m') for the cached
 * large inputs). Every bench/*.ts module with a `benchmarks` export is picked up; run.ts needs
 * no edit. Arguments select groups (exactly) or else name fragments: `npm run bench -- simulate demo`,
 * `npm run bench -- 10M`.
 * `npm run bench -- --list` lists them. A benchmark that throws is reported and the rest run.
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatCount } from './harness.ts';
import type { Benchmark, Figure } from './harness.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
/** modules that are not benchmark lists */
const NOT_BENCHMARKS = new Set(['run.ts', 'harness.ts', 'generate.ts']);

async function loadBenchmarks(): Promise<{ module: string; benchmarks: Benchmark[] }[]> {
  const files = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_') && !NOT_BENCHMARKS.has(f))
    .sort();
  const out: { module: string; benchmarks: Benchmark[] }[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(BENCH_DIR, f)).href)) as { benchmarks?: unknown };
    if (!Array.isArray(mod.benchmarks)) continue;
    out.push({ module: f, benchmarks: mod.benchmarks as Benchmark[] });
  }
  return out;
}

function formatValue(f: Figure): string {
  switch (f.unit) {
    case 's':
      return `${f.value.toFixed(f.value < 10 ? 3 : 2)} s`;
    case 'ms':
      return `${f.value.toFixed(1)} ms`;
    case 'MB':
    case 'MB/s':
      return `${f.value.toFixed(f.value < 10 ? 1 : 0)} ${f.unit}`;
    case 'count':
      return Number.isInteger(f.value) ? formatCount(f.value) : f.value.toFixed(2);
    default:
      return `${formatCount(f.value)} ${f.unit}`;
  }
}

function verdict(f: Figure): string {
  if (f.max === undefined) return '';
  const target = `target < ${f.unit === 'count' ? String(f.max) : `${f.max} ${f.unit}`}`;
  return `${target.padEnd(18)} ${f.value < f.max ? 'PASS' : 'MISS'}`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const list = args.includes('--list');
  const selectors = args.filter((a) => !a.startsWith('--')).map((a) => a.toLowerCase());
  const modules = await loadBenchmarks();
  const all = modules.flatMap((m) => m.benchmarks.map((b) => ({ ...b, module: m.module })));
  // a selector that names a group selects exactly that group; any other matches name fragments
  const groups = new Set(all.map((b) => b.group.toLowerCase()));
  const chosen = all.filter(
    (b) =>
      selectors.length === 0 ||
      selectors.some((s) => (groups.has(s) ? b.group.toLowerCase() === s : b.name.toLowerCase().includes(s))),
  );
  if (list || chosen.length === 0) {
    if (chosen.length === 0 && !list) console.error(`no benchmark matches ${selectors.join(', ')}`);
    for (const b of all) console.log(`${b.group.padEnd(10)} ${b.name}  (bench/${b.module})`);
    return list ? 0 : 2;
  }
  const [load1] = loadavg();
  const cores = availableParallelism();
  console.log(`headroom benchmarks — node ${process.version}, ${new Date().toISOString()}, ${cores} cores, load ${load1.toFixed(1)}`);
  if (load1 > cores) console.log(`(the machine is busy: load ${load1.toFixed(1)} on ${cores} cores; times will read high)`);
  console.log('');
  const summary: string[] = [];
  let failed = 0;
  for (const b of chosen) {
    console.log(`▸ ${b.name}  [${b.group}]`);
    try {
      const figures = await b.run({ root: ROOT, log: (line) => console.log(`    ${line}`) });
      const width = Math.max(24, ...figures.map((f) => f.label.length));
      for (const f of figures) {
        const line = `    ${f.label.padEnd(width)} ${formatValue(f).padStart(18)}   ${verdict(f)}${f.note ? `  (${f.note})` : ''}`;
        console.log(line.trimEnd());
        if (f.max !== undefined) summary.push(`${f.value < f.max ? 'PASS' : 'MISS'}  ${b.name}: ${f.label} ${formatValue(f)} (${verdict(f).split('  ')[0].trim()})`);
      }
    } catch (err) {
      failed++;
      const msg = err instanceof Error ? err.message : String(err);
      console.log(`    ERROR: ${msg}`);
      summary.push(`ERROR ${b.name}: ${msg.split('\n')[0]}`);
    }
    console.log('');
  }
  if (summary.length > 0) {
    console.log('Summary');
    for (const s of summary) console.log(`  ${s}`);
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
