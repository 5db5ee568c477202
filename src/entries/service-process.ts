/**
 * The service process's entry: Electron's main starts it with `utilityProcess.fork` (Node tests
 * and the bench with `child_process.fork`), so SQLite, previews, imports and the compute
 * orchestration never run on main's event loop. It answers ToService messages with FromService
 * ones (service-protocol.ts).
 */
import { constants, setPriority } from 'node:os';
import type { FromService, ServiceInit, ToService } from '../api/service-protocol.ts';

// Batch work (imports, forecasts) yields the CPU to the window's processes: set before any worker
// thread starts, so that every thread of the service inherits it (Linux sets nice per thread).
try {
  setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // not allowed here: the service runs at normal priority
}

interface Port {
  post(message: FromService): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function parentPort(): Port {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort !== undefined) {
    return { post: (m) => electronPort.postMessage(m), onMessage: (l) => electronPort.on('message', (e) => l(e.data)) };
  }
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('the service process must be started by Headroom (utilityProcess or child_process.fork)');
  return { post: (m) => void send(m), onMessage: (l) => void process.on('message', l) };
}

const port = parentPort();
// What arrives while the service's modules load waits here.
const early: ToService[] = [];
let handle: (m: ToService) => void = (m) => void early.push(m);
port.onMessage((m) => handle(m as ToService));
port.post({ type: 'hello' });
// Node's fork: the parent is gone, so is the service (Electron ends utility processes itself)
process.on('disconnect', () => process.exit(0));

async function main(): Promise<void> {
  // loaded after the hello, so no message is missed while they load
  const [{ createService }, { dispatch }, { ComputeClient }, store, { workerFile }] = await Promise.all([
    import('../api/service.ts'),
    import('../api/handlers.ts'),
    import('../api/compute.ts'),
    import('../api/ledger-store.ts'),
    import('../worker-files.ts'),
  ]);
  let service: ReturnType<typeof createService> | null = null;

  const build = (init: ServiceInit): void => {
    service = createService({
      userDataDir: init.userDataDir,
      openStore: store.ledgerStoreOpener(store.importWorkerUrl()),
      compute: new ComputeClient(workerFile('compute-worker')),
      demo: init.demo ? store.demoWorkspace : null,
      ...(init.ledgerPath !== undefined ? { ledgerPath: init.ledgerPath } : {}),
    });
    port.post({ type: 'ready' });
    // the first overview is computed while the window loads
    void service.warmUp().then(() => service !== null && port.post({ type: 'state', recent: service.recent(), ledger: service.ledgerPath() }));
  };

  const call = async (id: number, channel: string, input: unknown): Promise<void> => {
    if (service === null) {
      port.post({ type: 'settled', id, settled: { ok: false, error: { code: 'internal', message: 'the service was called before it was started', details: [] } } });
      return;
    }
    const s = service;
    const settled = await dispatch(s.handlers, s.jobs, channel, input, (event) => port.post({ type: 'progress', id, event }));
    port.post({ type: 'state', recent: s.recent(), ledger: s.ledgerPath() });
    port.post({ type: 'settled', id, settled });
  };

  handle = (m) => {
    switch (m.type) {
      case 'init':
        try {
          build(m.init);
        } catch (err) {
          port.post({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
          process.exit(1);
        }
        return;
      case 'call':
        void call(m.id, m.channel, m.input);
        return;
      case 'close':
        void (async () => {
          await (service as ReturnType<typeof createService> | null)?.close();
          process.exit(0);
        })();
        return;
    }
  };
  for (const m of early.splice(0)) handle(m);
}

main().catch((err: unknown) => {
  port.post({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
