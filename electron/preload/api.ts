import { API_NAMES_CHANNEL, CHANNEL_NAME, COMMAND_CHANNEL, GRANT_FILE_CHANNEL, methodName, PROGRESS_CHANNEL } from '../../src/api/channels.ts';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  sendSync(channel: string, ...args: unknown[]): unknown;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export type PreloadApi = Record<string, (arg: never) => unknown>;

/**
 * The API's channel names, from main: they are derived from the domain modules
 * (src/api/domains/), which the sandboxed preload cannot bundle. Anything but a list of plain
 * names is refused, so the page gets no function it should not have.
 */
function channelNames(ipc: IpcRendererLike): string[] {
  const names: unknown = ipc.sendSync(API_NAMES_CHANNEL);
  if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string' && CHANNEL_NAME.test(n))) {
    throw new Error('Headroom: main did not list the API calls');
  }
  return names;
}

/**
 * One named function per channel (`importRun(input)`), each bound to its own channel: the page
 * gets no generic invoke and no access to ipcRenderer.
 */
export function buildPreloadApi(ipc: IpcRendererLike, pathOfFile?: (file: File) => string): PreloadApi {
  const api: PreloadApi = {};
  for (const channel of channelNames(ipc)) {
    api[methodName(channel)] = (input: unknown) => ipc.invoke(channel, input);
  }
  const listen = (channel: string) => (cb: (payload: unknown) => void) => {
    const listener = (_event: unknown, payload: unknown) => cb(payload);
    ipc.on(channel, listener);
    return () => {
      ipc.removeListener(channel, listener);
    };
  };
  api.onProgress = listen(PROGRESS_CHANNEL);
  api.onCommand = listen(COMMAND_CHANNEL);
  // A file dropped on or chosen in the window: main reads it by path and hands back a handle, so
  // its text never passes through the page (a 75 MB export as a string froze the window).
  if (pathOfFile !== undefined) api.grantFile = (file: File) => ipc.invoke(GRANT_FILE_CHANNEL, pathOfFile(file));
  return Object.freeze(api);
}
