import * as electron from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startApp } from './app.ts';
import { APP_PAGE_URL } from './protocol.ts';
import type { ElectronLike } from './types.ts';
import { ComputeClient } from '../../src/api/compute.ts';
import { createService } from '../../src/api/service.ts';
import { demoWorkspace, importWorkerUrl, ledgerStoreOpener } from '../../src/api/ledger-store.ts';
import { workerFile } from '../../src/worker-files.ts';

// electron-vite puts main, preload and the renderer side by side under out/.
const here = import.meta.dirname;
const devServer = process.env.ELECTRON_RENDERER_URL;
const appUrl = devServer ?? APP_PAGE_URL;

void startApp(electron as unknown as ElectronLike, {
  appUrl,
  // the built renderer answers on app://headroom/ (never file://); the dev server serves itself
  ...(devServer === undefined ? { rendererDir: join(here, '../renderer') } : {}),
  dev: devServer !== undefined || !electron.app.isPackaged,
  argv: process.argv,
  cwd: process.cwd(),
  preload: join(here, '../preload/index.cjs'),
  // Installed builds take their icon from the package; a checkout uses build/icon.png.
  ...(existsSync(join(here, '../../build/icon.png')) ? { icon: join(here, '../../build/icon.png') } : {}),
  makeService: (userDataDir, files) =>
    createService({
      userDataDir,
      files,
      openStore: ledgerStoreOpener(importWorkerUrl()),
      compute: new ComputeClient(workerFile('compute-worker')),
      demo: demoWorkspace,
    }),
  log: (msg) => console.warn(msg),
});
