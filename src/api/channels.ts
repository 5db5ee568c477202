import { MODELING_CHANNELS } from '../modeling/channels.ts';

/**
 * The channel names, alone, so the preload can name one function per channel without bundling
 * the schemas or the handlers.
 */
export const API_CHANNELS = [
  'ledger-info',
  'ledger-open',
  'ledger-new',
  'ledger-demo',
  'plan-get',
  'plan-save',
  'plan-simulate',
  'workspace-overview',
  'projection-get',
  // the plan under the docs beside the platform's code (SPEC section 9)
  'profile-compare',
  'import-preview',
  'import-run',
  'import-history',
  'import-undo',
  'job-cancel',
  // an admin's name for a key, trigger or person, and a trigger's kind, kept in the ledger
  'entity-rename',
  'trigger-kind',
  // the modeling screens (src/modeling/channels.ts)
  ...MODELING_CHANNELS,
] as const;

export type ApiChannel = (typeof API_CHANNELS)[number];

/** `'import-run'` → `'importRun'`: the preload's and the client's function names. */
export function methodName(channel: string): string {
  return channel.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** IPC channel on which main pushes progress to the window. */
export const PROGRESS_CHANNEL = 'headroom:progress';
/**
 * IPC channel on which the preload asks main for a handle to a file dropped on (or chosen in) the
 * window: the preload sends the file's path (webUtils.getPathForFile), the page never sees it.
 */
export const GRANT_FILE_CHANNEL = 'headroom:grant-file';
/** IPC channel on which main asks the window to do something from a menu or a drop. */
export const COMMAND_CHANNEL = 'headroom:command';

export type AppCommand =
  | { kind: 'navigate'; page: 'overview' | 'import' | 'projection' }
  // handle: an opaque id the main process granted for a file of its own dialog (never a path)
  | { kind: 'import-file'; handle: string; name: string }
  | { kind: 'refresh' };
