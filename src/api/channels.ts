/**
 * The IPC plumbing's names, alone: the preload and the renderer import this (at run time) without
 * bundling the schemas or the handlers. The API's own channel list is derived from the domain
 * modules (src/api/domains/index.ts) and reaches the preload from main (API_NAMES_CHANNEL).
 */
export type { ApiChannel } from './domains/index.ts';

/** `'import-run'` → `'importRun'`: the preload's and the client's function names. */
export function methodName(channel: string): string {
  return channel.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** `'importRun'` → `'import-run'`: the inverse of methodName. */
export function channelOf(method: string): string {
  return method.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** What a channel name may look like (checked where names cross a process boundary). */
export const CHANNEL_NAME = /^[a-z]+(?:-[a-z]+)*$/;

/** IPC channel on which main pushes progress to the window. */
export const PROGRESS_CHANNEL = 'headroom:progress';
/**
 * IPC channel on which the preload asks main for a handle to a file dropped on (or chosen in) the
 * window: the preload sends the file's path (webUtils.getPathForFile), the page never sees it.
 */
export const GRANT_FILE_CHANNEL = 'headroom:grant-file';
/** IPC channel on which main asks the window to do something from a menu or a drop. */
export const COMMAND_CHANNEL = 'headroom:command';
/** Synchronous IPC channel on which the preload asks main for the API's channel names, once. */
export const API_NAMES_CHANNEL = 'headroom:api-names';

export type AppCommand =
  | { kind: 'navigate'; page: 'overview' | 'import' | 'projection' }
  // handle: an opaque id the main process granted for a file of its own dialog (never a path)
  | { kind: 'import-file'; handle: string; name: string }
  | { kind: 'refresh' };
