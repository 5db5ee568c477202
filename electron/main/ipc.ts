import { API_NAMES_CHANNEL } from '../../src/api/channels.ts';
import { API_CHANNELS, MAIN_ONLY_CHANNELS } from '../../src/api/handlers.ts';
import type { Settled } from '../../src/api/errors.ts';
import type { ServiceLink } from '../../src/api/service-link.ts';
import type { ProgressEvent } from '../../src/api/types.ts';
import { isTrustedSender } from './security.ts';
import type { IpcMainLike } from './types.ts';

/**
 * One `ipcMain.handle` per call of the domain modules. Main only checks who calls and relays:
 * the link checks the input against its schema (here, in main) and runs the call in the service
 * process. Every call settles with `{ ok, value }` or `{ ok: false, error }`; errors never cross
 * IPC as exceptions, which Electron would flatten to a string.
 */
export function registerIpc(ipcMain: IpcMainLike, link: ServiceLink, appUrl: string, emit: (e: ProgressEvent) => void): () => void {
  // The preload names one function per call; it asks main for the names once, as it starts.
  ipcMain.on(API_NAMES_CHANNEL, (event) => {
    event.returnValue = [...API_CHANNELS];
  });
  for (const channel of API_CHANNELS) {
    ipcMain.handle(channel, async (event, raw): Promise<Settled<unknown>> => {
      if (!isTrustedSender(event.senderFrame?.url, appUrl)) {
        return { ok: false, error: { code: 'invalid_input', message: 'call from an untrusted page', details: [] } };
      }
      if (MAIN_ONLY_CHANNELS.has(channel)) {
        return { ok: false, error: { code: 'invalid_input', message: 'ledgers are opened and created from the File menu, not by a path from the window', details: [{ message: 'use File > Open Ledger or New Plan' }] } };
      }
      return link.call(channel, raw, emit);
    });
  }
  return () => {
    ipcMain.removeAllListeners(API_NAMES_CHANNEL);
    for (const channel of API_CHANNELS) ipcMain.removeHandler(channel);
  };
}
