import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const RENDERER_OUT = join(ROOT, 'out', 'renderer');

function newest(dir: string): number {
  let m = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    m = Math.max(m, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return m;
}

/** Whether the built renderer is older than its sources (renderer/ and the core modules it imports, anywhere in src/). */
export function rendererStale(): boolean {
  const index = join(RENDERER_OUT, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return [join(ROOT, 'renderer'), join(ROOT, 'src')].some((d) => newest(d) > built);
}

/** Builds the renderer with the app's own Vite config when it is missing or stale. */
export async function ensureRenderer(log: (msg: string) => void = () => {}): Promise<string> {
  if (!rendererStale()) return RENDERER_OUT;
  log('building the renderer…');
  const { build } = await import('vite');
  const { rendererConfig } = await import('../../electron.vite.config.ts');
  // Always a production build: test runners set NODE_ENV=test, which would give React's
  // development build (several times slower, and effects run twice).
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ ...rendererConfig, configFile: false, logLevel: 'warn', mode: 'production' });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
  return RENDERER_OUT;
}
