import { dispatch } from './handlers.ts';
import type { Settled } from './errors.ts';
import type { Service } from './service.ts';
import type { ProgressEvent } from './types.ts';

/**
 * How a front end (Electron's main, the web host) reaches the service: every call is checked
 * against its schema on this side, then run here (localLink) or in the service process
 * (ServiceRelay). Never throws: every outcome settles.
 */
export interface ServiceLink {
  call(channel: string, raw: unknown, emit?: (event: ProgressEvent) => void): Promise<Settled<unknown>>;
  /** the recent ledgers, as last known (the menu reads it synchronously) */
  recent(): string[];
  /** `listener` runs when the recent list may have changed (a ledger opened, created, a restart) */
  onChange(listener: () => void): void;
  close(): Promise<void>;
}

/** The service in this very process: the web host, and tests of main with fake handlers. */
export function localLink(service: Pick<Service, 'handlers' | 'jobs' | 'recent' | 'close'>): ServiceLink {
  const listeners: (() => void)[] = [];
  return {
    call: async (channel, raw, emit) => {
      const settled = await dispatch(service.handlers, service.jobs, channel, raw, emit);
      if (channel.startsWith('ledger-')) for (const l of listeners) l();
      return settled;
    },
    recent: () => service.recent(),
    onChange: (l) => void listeners.push(l),
    close: () => service.close(),
  };
}
