/**
 * The app's import path, alone in a process (bench/import-dust.ts times it whole): the ledger
 * store with its import worker, as the desktop app and the web host run it. Prints the longest
 * stall of this (main) thread while the import ran, measured by a 10 ms ticker.
 */
import { importWorkerUrl, ledgerStoreOpener } from '../src/api/ledger-store.ts';

const [file, db] = process.argv.slice(2) as [string, string];
const store = ledgerStoreOpener(importWorkerUrl())(db);
let last = performance.now();
let longest = 0;
const ticker = setInterval(() => {
  const now = performance.now();
  longest = Math.max(longest, now - last);
  last = now;
}, 10);
const started = performance.now();
let firstProgressMs: number | null = null;
const preview = await store.preview({ path: file }, 'auto');
const previewMs = performance.now() - started;
const result = await store.importFile({ path: file }, {
  format: 'auto',
  skipBadRows: false,
  onProgress: () => {
    firstProgressMs ??= performance.now() - started;
  },
  signal: new AbortController().signal,
});
clearInterval(ticker);
store.close();
console.log(JSON.stringify({ rows: result.rows, imported: result.imported, events: result.facts?.events ?? null, previewRows: preview.totalRows, previewMs, firstProgressMs, longestStallMs: longest }));
