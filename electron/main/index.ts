import * as electron from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startApp } from './app.ts';
import { APP_PAGE_URL } from './protocol.ts';
import type { ElectronLike } from './types.ts';
import { ServiceRelay } from '../../src/api/service-relay.ts';
import { workerFile } from '../../src/worker-files.ts';
import { utilityForkService } from './utility-service.ts';

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
  // SQLite, imports and compute orchestration run in a utility process; main validates and relays
  makeService: (userDataDir, files) =>
    new ServiceRelay({
      fork: utilityForkService(electron.utilityProcess),
      entry: workerFile('service-process'),
      init: { userDataDir, demo: true },
      files,
      log: (msg) => console.warn(msg),
    }),
  log: (msg) => console.warn(msg),
});
