import type { BrowserWindowLike, ElectronLike, WindowOptions } from './types.ts';

/** The one window's settings: isolated, sandboxed, no Node, no webviews. */
export function windowOptions(preload: string, icon?: string, dev = false): WindowOptions {
  return {
    width: 1360,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Headroom',
    backgroundColor: '#f6f7f9',
    ...(icon !== undefined ? { icon } : {}),
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: dev,
    },
  };
}

export function createMainWindow(electron: Pick<ElectronLike, 'BrowserWindow'>, appUrl: string, preload: string, icon?: string, dev = false): BrowserWindowLike {
  const win = new electron.BrowserWindow(windowOptions(preload, icon, dev));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(appUrl);
  return win;
}
