import { fileURLToPath } from 'node:url';
import type { ForkService } from '../../src/api/service-relay.ts';

/** The part of Electron's utilityProcess that starting the service needs. */
export interface UtilityProcessLike {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'inherit' | 'ignore' | 'pipe' },
  ): {
    postMessage(message: unknown): void;
    on(event: 'message', listener: (message: unknown) => void): unknown;
    on(event: 'exit', listener: (code: number) => void): unknown;
    kill(): boolean;
  };
}

/**
 * The service process as an Electron utility process (Chromium's process model, as Actual runs
 * loot-core): a Node process of its own, so main's event loop only relays.
 */
export function utilityForkService(utilityProcess: UtilityProcessLike): ForkService {
  return (entry) => {
    const child = utilityProcess.fork(fileURLToPath(entry), [], { serviceName: 'Headroom service', stdio: 'inherit' });
    return {
      postMessage: (m) => child.postMessage(m),
      onMessage: (l) => void child.on('message', l),
      onExit: (l) => void child.on('exit', (code) => l(code)),
      kill: () => void child.kill(),
    };
  };
}
