import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Every worker thread's and the service process's script: its source under src/ (the entries are
 * in src/entries/, the one folder of code that starts a thread or a process; what they run lives in
 * the layers below), and the name of the entry the desktop app's bundle builds from it
 * (electron.vite.config.ts makes one main entry per line here, so a worker cannot be left out of
 * the bundle).
 */
export const WORKER_SOURCES = {
  'compute-worker': 'entries/compute-worker.ts',
  'compute-slow-worker': 'entries/compute-slow-worker.ts',
  'import-worker': 'entries/import-worker.ts',
  'import-parse-worker': 'entries/import-parse-worker.ts',
  'mc-worker': 'entries/mc-worker.ts',
  'part-worker': 'entries/part-worker.ts',
  'service-process': 'entries/service-process.ts',
} as const;

export type WorkerName = keyof typeof WORKER_SOURCES;

/** The folder, under the bundle's entries, that holds its shared chunks (electron.vite.config.ts). */
export const BUNDLE_CHUNKS_DIR = 'chunks';

/**
 * Where a worker's script is, or null when it is nowhere: the .ts source when running from src/;
 * in the bundle, the entry `<name>.js` in the entries' folder. This code is then in an entry
 * (out/main/x.js, the entry is beside it) or in a shared chunk (out/main/chunks/y.js, the entry
 * is one folder up).
 */
export function findWorkerFile(name: WorkerName): URL | null {
  const here = import.meta.url;
  try {
    const source = new URL(WORKER_SOURCES[name], here);
    if (existsSync(fileURLToPath(source))) return source;
    const dir = dirname(fileURLToPath(here));
    const entries = basename(dir) === BUNDLE_CHUNKS_DIR ? dirname(dir) : dir;
    const entry = pathToFileURL(join(entries, `${name}.js`));
    return existsSync(fileURLToPath(entry)) ? entry : null;
  } catch {
    // not a file URL (nothing to look for)
    return null;
  }
}

/** As findWorkerFile, for a worker that must be there: throws naming what is missing. */
export function workerFile(name: WorkerName): URL {
  const found = findWorkerFile(name);
  if (found === null) throw new Error(`The ${name} thread's script is missing (${WORKER_SOURCES[name]}, or ${name}.js in a bundle)`);
  return found;
}
