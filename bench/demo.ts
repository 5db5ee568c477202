/** The generator and the CSV writer on their own: how fast test data of any size can be made. */
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWorkspace } from '../src/demo/generator.ts';
import { writeEventsCsv } from '../src/demo/csv-writer.ts';
import { writeWorkspace } from '../src/demo/write.ts';
import { optionsFor } from './generate.ts';
import type { Benchmark, Figure } from './harness.ts';

const MB = 1_000_000;

export const benchmarks: Benchmark[] = [
  {
    name: 'demo: generate 1M events in memory, then write them as CSV',
    group: 'demo',
    async run(): Promise<Figure[]> {
      const path = join(tmpdir(), `headroom-bench-write-${process.pid}.csv`);
      try {
        const t0 = performance.now();
        const w = generateWorkspace(optionsFor(1_000_000));
        const t1 = performance.now();
        writeEventsCsv(path, w.events);
        const t2 = performance.now();
        const bytes = statSync(path).size;
        return [
          { label: 'generate', value: (t1 - t0) / 1000, unit: 's', note: `${w.events.count.toLocaleString('en-US')} events` },
          { label: 'write CSV', value: (t2 - t1) / 1000, unit: 's' },
          { label: 'write throughput', value: w.events.count / ((t2 - t1) / 1000), unit: 'rows/s' },
          { label: 'write bandwidth', value: bytes / MB / ((t2 - t1) / 1000), unit: 'MB/s' },
        ];
      } finally {
        rmSync(path, { force: true });
      }
    },
  },
  {
    name: 'demo: headroom demo defaults (60 days, 25 seats) to disk',
    group: 'demo',
    async run(): Promise<Figure[]> {
      const dir = join(tmpdir(), `headroom-bench-demo-${process.pid}`);
      try {
        const t0 = performance.now();
        const w = writeWorkspace(dir);
        const ms = performance.now() - t0;
        return [
          { label: 'events', value: w.events, unit: 'count' },
          { label: 'wall time', value: ms / 1000, unit: 's', max: 1 },
        ];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
