/**
 * Large seeded inputs for the benchmarks, in bench/data/ (gitignored): a plan and an events CSV
 * of about 1M or 10M events with 200 keys, 500 triggers and 5,000 people. Most webhooks get more
 * deliveries than their limits allow, so their queues stay busy the whole period.
 *
 * Each data set is cached under a name made of its parameters and a hash of the generator's
 * source: a rerun with the same inputs skips generation; a changed generator regenerates.
 *
 *   node bench/generate.ts [1m|10m|all]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, expectedEventCount } from '../src/demo/generator.ts';
import type { GenerateOptions } from '../src/demo/generator.ts';
import { writeWorkspace } from '../src/demo/write.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DATA_DIR = join(ROOT, 'bench', 'data');

/** The shape every large data set shares; only the event count differs. */
export const LARGE_SHAPE: GenerateOptions = { seed: 20_261_102, days: 60, keys: 200, triggers: 500, people: 5000, seats: 5000 };

export const DATA_SETS = {
  '1m': { targetEvents: 1_000_000 },
  '10m': { targetEvents: 10_000_000 },
} as const;
export type DataSetName = keyof typeof DATA_SETS;

export interface BenchData {
  name: DataSetName;
  dir: string;
  planPath: string;
  eventsPath: string;
  events: number;
  bytes: number;
  /** true when this call generated it, false when it came from the cache */
  generated: boolean;
  generateMs: number;
}

const GENERATOR_SOURCES = ['src/demo/generator.ts', 'src/demo/prng.ts', 'src/demo/csv-writer.ts'];

function cacheKey(options: GenerateOptions): string {
  const h = createHash('sha256').update(JSON.stringify(options));
  for (const f of GENERATOR_SOURCES) h.update(readFileSync(join(ROOT, f)));
  return h.digest('hex').slice(0, 12);
}

/** Options that give about `targetEvents` events: the generator's rates, scaled. */
export function optionsFor(targetEvents: number): GenerateOptions {
  const expected = expectedEventCount(buildModel({ ...LARGE_SHAPE, scale: 1 }));
  return { ...LARGE_SHAPE, scale: targetEvents / expected };
}

/** Returns the data set, generating it only when no cached copy matches. */
export function ensureBenchData(name: DataSetName, log: (line: string) => void = console.log): BenchData {
  const options = optionsFor(DATA_SETS[name].targetEvents);
  const key = cacheKey(options);
  const dir = join(DATA_DIR, `events-${name}-${key}`);
  const metaPath = join(dir, 'meta.json');
  const planPath = join(dir, 'plan.json');
  const eventsPath = join(dir, 'events.csv');
  if (existsSync(metaPath) && existsSync(planPath) && existsSync(eventsPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { events: number; bytes: number; generateMs: number };
    return { name, dir, planPath, eventsPath, events: meta.events, bytes: meta.bytes, generated: false, generateMs: meta.generateMs };
  }
  mkdirSync(DATA_DIR, { recursive: true });
  // older copies of this size (another generator version) only take disk space
  for (const entry of readdirSync(DATA_DIR)) {
    if (entry.startsWith(`events-${name}-`) && entry !== `events-${name}-${key}`) rmSync(join(DATA_DIR, entry), { recursive: true, force: true });
  }
  log(`generating ${name} benchmark data in ${dir} …`);
  const started = performance.now();
  // no fsync: the data can be generated again, and fsync of 500 MB costs seconds
  const w = writeWorkspace(dir, options, {}, { durable: false });
  const generateMs = performance.now() - started;
  // written last: a run cut short leaves no meta.json and is regenerated next time
  writeFileSync(metaPath, `${JSON.stringify({ options, events: w.events, byType: w.byType, bytes: w.bytes, generateMs }, null, 2)}\n`);
  log(`  ${w.events.toLocaleString('en-US')} events, ${(w.bytes / 1e6).toFixed(0)} MB in ${(generateMs / 1000).toFixed(1)} s`);
  return { name, dir, planPath, eventsPath, events: w.events, bytes: w.bytes, generated: true, generateMs };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const which = process.argv[2] ?? 'all';
  const names = which === 'all' ? (Object.keys(DATA_SETS) as DataSetName[]) : [which];
  for (const n of names) {
    if (!(n in DATA_SETS)) {
      console.error(`unknown data set "${n}"; use one of: ${Object.keys(DATA_SETS).join(', ')}, all`);
      process.exit(2);
    }
    const d = ensureBenchData(n as DataSetName);
    if (!d.generated) console.log(`${n}: cached, ${d.events.toLocaleString('en-US')} events in ${d.dir}`);
  }
}
