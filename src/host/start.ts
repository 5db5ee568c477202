import { join } from 'node:path';
import { ComputeClient } from '../api/compute.ts';
import { createService } from '../api/service.ts';
import type { Service } from '../api/service.ts';
import { demoWorkspace, importWorkerUrl, ledgerStoreOpener } from '../api/ledger-store.ts';
import { workerFile } from '../worker-files.ts';
import { startWebHost } from './server.ts';
import { Uploads } from './uploads.ts';
import type { WebHost } from './server.ts';

export interface HeadroomHostOptions {
  userDataDir: string;
  staticDir: string;
  ledgerPath?: string;
  port?: number;
  token?: string;
}

export interface HeadroomHost {
  host: WebHost;
  service: Service;
  close(): Promise<void>;
}

/** The web host with the real handlers over a real ledger: what `npm run serve` and the browser tests run. */
export async function startHeadroomHost(opts: HeadroomHostOptions): Promise<HeadroomHost> {
  const uploads = new Uploads(join(opts.userDataDir, 'uploads'));
  const service = createService({
    files: uploads,
    userDataDir: opts.userDataDir,
    openStore: ledgerStoreOpener(importWorkerUrl()),
    compute: new ComputeClient(workerFile('compute-worker')),
    demo: demoWorkspace,
    ...(opts.ledgerPath !== undefined ? { ledgerPath: opts.ledgerPath } : {}),
  });
  const host = await startWebHost({
    handlers: service.handlers,
    jobs: service.jobs,
    staticDir: opts.staticDir,
    uploads,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
  });
  void service.warmUp();
  return {
    host,
    service,
    close: async () => {
      await host.close();
      await service.close();
      uploads.close();
    },
  };
}

export const defaultLedgerIn = (dir: string): string => join(dir, 'headroom.sqlite');
