import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Which code this is, as the content of its sources: what a stored answer (the overview kept
 * beside a ledger) is keyed on besides its inputs, so that it is served only to the code that
 * computed it. The same for every process that runs the same sources, whichever way it runs them:
 * the command line and the web host hash src/ when they start from it; the desktop app's bundle
 * carries the hash of the src/ it was built from (electron.vite.config.ts defines it), so an
 * overview that `headroom import` stored is the app's own when both come from one checkout.
 */
export function hashSources(srcDir: string): string {
  const hash = createHash('sha256');
  const files = (readdirSync(srcDir, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => f.endsWith('.ts'))
    // the same order on every platform: '/'-separated, by code unit
    .map((f) => f.split('\\').join('/'))
    .sort();
  for (const f of files) {
    hash.update(f);
    hash.update('\0');
    hash.update(readFileSync(join(srcDir, f)));
    hash.update('\0');
  }
  return `src-${hash.digest('hex').slice(0, 32)}`;
}

/** Set by the bundle's build (electron.vite.config.ts); undefined when running from src/. */
declare const __HEADROOM_SOURCE_VERSION__: string | undefined;

let known: string | null = null;

/** This code's version (hashSources of its src/), computed once per process when not built in. */
export function sourceVersion(): string {
  if (known === null) {
    known = typeof __HEADROOM_SOURCE_VERSION__ === 'string' ? __HEADROOM_SOURCE_VERSION__ : hashSources(fileURLToPath(new URL('..', import.meta.url)));
  }
  return known;
}
