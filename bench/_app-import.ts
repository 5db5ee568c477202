/**
 * The app's import path, alone in a process (bench/import-dust.ts times it whole): the service's
 * handlers over a ledger store with its import worker and the compute worker, as the desktop app
 * and the web host run them: preview, import, then what the page asks next (the ledger's facts,
 * the overview). Prints the longest stall of this (main) thread meanwhile, measured by a 10 ms
 * ticker, and where it happened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importWorkerUrl, ledgerStoreOpener } from '../src/api/ledger-store.ts';
import { ComputeClient } from '../src/api/compute.ts';
import { createService } from '../src/api/service.ts';
import type { CallContext } from '../src/api/handlers.ts';
import { workerFile } from '../src/worker-files.ts';

const [file, db] = process.argv.slice(2) as [string, string];
const userDataDir = mkdtempSync(join(tmpdir(), 'headroom-bench-app-'));
const service = createService({ userDataDir, openStore: ledgerStoreOpener(importWorkerUrl()), compute: new ComputeClient(workerFile('compute-worker')), demo: null, ledgerPath: db });
let phase = 'open';
let last = performance.now();
let lastCpu = process.threadCpuUsage();
let longest = { ms: 0, cpuMs: 0, phase: '' };
// stalls over 50 ms, with this thread's own CPU time in them: a stall this thread spent running
// is its own work; one it spent waiting for a core is the machine's load
const stalls: { ms: number; cpuMs: number; phase: string }[] = [];
const ticker = setInterval(() => {
  const now = performance.now();
  const cpu = process.threadCpuUsage();
  const stall = { ms: now - last, cpuMs: (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000, phase };
  if (stall.ms > longest.ms) longest = stall;
  if (stall.ms > 50) stalls.push(stall);
  last = now;
  lastCpu = cpu;
}, 10);
const started = performance.now();
let firstProgressMs: number | null = null;
// the first report of bytes actually read (the first one says 0 of the file's size)
let firstBytesMs: number | null = null;
const ctx = (): CallContext => ({
  signal: new AbortController().signal,
  progress: (done) => {
    firstProgressMs ??= performance.now() - started;
    if (done > 0) firstBytesMs ??= performance.now() - started;
  },
});
await service.handlers['ledger-info']({}, ctx());
phase = 'preview';
const previewStarted = performance.now();
const preview = await service.handlers['import-preview']({ source: { path: file }, format: 'auto' }, ctx());
const previewMs = performance.now() - previewStarted;
const previewFirstProgressMs = firstProgressMs;
const previewFirstBytesMs = firstBytesMs;
phase = 'import';
const result = await service.handlers['import-run']({ source: { path: file }, format: 'auto', skipBadRows: false }, ctx());
phase = 'after the import (ledger facts, overview)';
await service.handlers['ledger-info']({}, ctx());
await service.handlers['workspace-overview']({}, ctx());
clearInterval(ticker);
await service.close();
rmSync(userDataDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    rows: result.rows,
    imported: result.imported,
    events: result.facts?.events ?? null,
    previewRows: preview.totalRows,
    previewMs,
    firstProgressMs: previewFirstProgressMs,
    firstBytesMs: previewFirstBytesMs,
    longestStallMs: longest.ms,
    longestStallCpuMs: longest.cpuMs,
    longestStallIn: longest.phase,
    longestBusyStallMs: stalls.reduce((m, x) => Math.max(m, x.cpuMs), 0),
    stallsOver50: stalls.map((x) => `${x.phase}: ${x.ms.toFixed(0)} ms (${x.cpuMs.toFixed(0)} ms CPU)`),
  }),
);
