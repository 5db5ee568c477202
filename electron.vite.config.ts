import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin, UserConfig } from 'vite';
import { CONTENT_SECURITY_POLICY } from './src/host/csp.ts';
import { BUNDLE_CHUNKS_DIR, WORKER_SOURCES } from './src/worker-files.ts';
import { hashSources } from './src/fs/source-version.ts';

const root = import.meta.dirname;

/**
 * The CSP goes into the built page (the packaged app loads it from a file, with no headers). The
 * dev server is left without it: React's refresh preamble is an inline script.
 */
const cspMeta = (): Plugin => ({
  name: 'headroom-csp-meta',
  apply: 'build',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      // frame-ancestors only works as a header; in a meta tag browsers ignore it with a warning.
      attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY.replace(/; frame-ancestors [^;]+/, '') },
      injectTo: 'head',
    },
  ],
});

/** The renderer's build, shared by the app (electron-vite) and the web host (bin/serve.js). */
export const rendererConfig: UserConfig = {
  root: resolve(root, 'renderer'),
  base: './',
  plugins: [react(), cspMeta()],
  build: {
    outDir: resolve(root, 'out/renderer'),
    emptyOutDir: true,
    rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } },
  },
};

export default defineConfig({
  main: {
    // the code's version a stored overview is keyed on (src/fs/source-version.ts): the bundle's is
    // that of the sources it is built from, as the command line computes it from them
    define: { __HEADROOM_SOURCE_VERSION__: JSON.stringify(hashSources(resolve(root, 'src'))) },
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          // Each worker thread's script is an entry of its own, so that it can be started as a file,
          // named as src/worker-files.ts looks for it (out/main/<name>.js).
          ...Object.fromEntries(Object.entries(WORKER_SOURCES).map(([name, source]) => [name, resolve(root, 'src', source)])),
        },
        // shared code: src/worker-files.ts looks for the entries one folder up from here
        output: { chunkFileNames: `${BUNDLE_CHUNKS_DIR}/[name]-[hash].js` },
        external: ['better-sqlite3'],
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Sandboxed preloads cannot load modules: one self-contained CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
