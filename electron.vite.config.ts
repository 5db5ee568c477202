import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin, UserConfig } from 'vite';
import { CONTENT_SECURITY_POLICY } from './src/host/csp.ts';

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
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          // The simulation worker is its own entry so that main can start it as a file.
          'compute-worker': resolve(root, 'src/api/compute-worker.ts'),
          'import-worker': resolve(root, 'src/api/import-worker.ts'),
          // the modeling screens' worker (src/modeling/compute.ts finds it beside index.js)
          'modeling-worker': resolve(root, 'src/modeling/worker.ts'),
          // the import's CSV parsing thread (src/import/importer.ts finds it beside the bundled importer)
          'import-parse-worker': resolve(root, 'src/import/parse-worker.ts'),
        },
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
