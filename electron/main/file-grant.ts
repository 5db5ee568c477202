import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { GRANT_FILE_CHANNEL } from '../../src/api/channels.ts';
import type { Settled } from '../../src/api/errors.ts';
import type { GrantedFiles } from './granted-files.ts';
import { isTrustedSender } from './security.ts';
import type { IpcMainLike } from './types.ts';

/** What the import dialog offers: a drop may not hand main anything else to read. */
const IMPORTABLE = /\.(?:csv|gz|tsv|txt)$/i;

const refused = (message: string): Settled<never> => ({ ok: false, error: { code: 'invalid_input', message, details: [{ column: 'file', message }] } });

/**
 * The preload's `grantFile`: a file dropped on or chosen in the window reaches main as its path
 * (Electron's webUtils.getPathForFile, in the preload), and the window gets back an opaque handle,
 * as for main's own dialog. Only an importable regular file is granted.
 */
export function registerFileGrant(ipcMain: IpcMainLike, granted: GrantedFiles, appUrl: string): () => void {
  ipcMain.handle(GRANT_FILE_CHANNEL, async (event, raw): Promise<Settled<{ handle: string; name: string }>> => {
    if (!isTrustedSender(event.senderFrame?.url, appUrl)) return refused('call from an untrusted page');
    // a File the page made itself (not from the file system) has no path
    if (typeof raw !== 'string' || raw === '' || !isAbsolute(raw)) return refused('this file is not on the computer’s disk: save it first, then drop or choose it');
    if (!IMPORTABLE.test(raw)) return refused('only .csv, .csv.gz, .tsv and .txt files can be imported');
    try {
      if (!statSync(raw).isFile()) return refused('a folder cannot be imported: drop the CSV files inside it');
    } catch (err) {
      return refused(`the file cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})`);
    }
    return { ok: true, value: granted.grant(raw) };
  });
  return () => ipcMain.removeHandler(GRANT_FILE_CHANNEL);
}
