import type { Settled } from './errors.ts';
import type { ProgressEvent } from './types.ts';

/**
 * The messages between the relaying process (Electron's main, or any Node process) and the
 * service process (src/entries/service-process.ts). Plain data: they cross Electron's utilityProcess port or
 * Node's fork channel by structured clone.
 */
export interface ServiceInit {
  userDataDir: string;
  /** the ledger to open instead of the default one (after a restart: the one that was open) */
  ledgerPath?: string;
  /** seed a new default ledger with the demo workspace */
  demo: boolean;
}

export type ToService =
  | { type: 'init'; init: ServiceInit }
  | { type: 'call'; id: number; channel: string; input: unknown }
  | { type: 'close' };

export type FromService =
  // the entry listens: messages sent from now on are read
  | { type: 'hello' }
  // the service is built and its ledger can be opened
  | { type: 'ready' }
  | { type: 'progress'; id: number; event: ProgressEvent }
  // sent before a call's answer, so the relay knows the open ledger and the recent list when the call settles
  | { type: 'state'; recent: string[]; ledger: string | null }
  | { type: 'settled'; id: number; settled: Settled<unknown> }
  | { type: 'fatal'; message: string };

export function isFromService(m: unknown): m is FromService {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}
