import { homedir } from 'node:os';
import { join } from 'node:path';

/** The folder Electron calls userData for an app named Headroom, so both hosts share one ledger. */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Headroom');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Headroom');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Headroom');
}
