import { API_CHANNELS } from '../../src/api/channels.ts';
import { dispatch } from '../../src/api/handlers.ts';
import type { ApiHandlers, JobRegistry } from '../../src/api/handlers.ts';
import type { Settled } from '../../src/api/errors.ts';
import type { ProgressEvent } from '../../src/api/types.ts';
import { isTrustedSender } from './security.ts';
import type { IpcMainLike } from './types.ts';

/**
 * One `ipcMain.handle` per channel of the handler map. Every call is checked against its schema
 * by `dispatch` and settles with `{ ok, value }` or `{ ok: false, error }`; errors never cross IPC
 * as exceptions, which Electron would flatten to a string.
 */
/** Channels that name a path: main calls them from its own dialogs and recent list; the window may not. */
const MAIN_ONLY: ReadonlySet<string> = new Set(['ledger-open', 'ledger-new']);

export function registerIpc(ipcMain: IpcMainLike, handlers: ApiHandlers, jobs: JobRegistry, appUrl: string, emit: (e: ProgressEvent) => void): () => void {
  for (const channel of API_CHANNELS) {
    ipcMain.handle(channel, async (event, raw): Promise<Settled<unknown>> => {
      if (!isTrustedSender(event.senderFrame?.url, appUrl)) {
        return { ok: false, error: { code: 'invalid_input', message: 'call from an untrusted page', details: [] } };
      }
      if (MAIN_ONLY.has(channel)) {
        return { ok: false, error: { code: 'invalid_input', message: 'ledgers are opened and created from the File menu, not by a path from the window', details: [{ message: 'use File > Open Ledger or New Plan' }] } };
      }
      return dispatch(handlers, jobs, channel, raw, emit);
    });
  }
  return () => {
    for (const channel of API_CHANNELS) ipcMain.removeHandler(channel);
  };
}
