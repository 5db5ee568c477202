import { writeFile } from 'node:fs/promises';
import { COMMAND_CHANNEL, PROGRESS_CHANNEL } from '../../src/api/channels.ts';
import type { AppCommand } from '../../src/api/channels.ts';
import type { ServiceLink } from '../../src/api/service-link.ts';
import type { Settled } from '../../src/api/errors.ts';
import { GrantedFiles } from './granted-files.ts';
import { registerIpc } from './ipc.ts';
import { registerFileGrant } from './file-grant.ts';
import { buildMenuTemplate } from './menu.ts';
import { guardSession, guardWebContents, openExternalSafely } from './security.ts';
import { createMainWindow } from './window.ts';
import { csvPathsFromArgv } from './open-files.ts';
import { handleAppProtocol, registerAppScheme } from './protocol.ts';
import type { BrowserWindowLike, ElectronLike } from './types.ts';

export interface StartOptions {
  /** the renderer: the dev server while developing; otherwise APP_PAGE_URL, served from rendererDir */
  appUrl: string;
  /** the renderer's build folder, answered on app://headroom/ (absent with a dev server) */
  rendererDir?: string;
  /** DevTools and nothing else: on only while developing */
  dev?: boolean;
  /** process.argv of this instance: a .csv the system opened the app with */
  argv?: readonly string[];
  cwd?: string;
  preload: string;
  icon?: string;
  /**
   * The link to the service (in the app: a ServiceRelay to the service process). `files`: what
   * main's own dialogs were given; the window's handles are resolved only there.
   */
  makeService(userDataDir: string, files: GrantedFiles): ServiceLink;
  platform?: NodeJS.Platform;
  log?: (msg: string) => void;
}

export interface RunningApp {
  window: () => BrowserWindowLike | null;
  service: ServiceLink;
}

const HELP_URL = 'https://github.com/headroom-app/headroom#readme';

/** A call main makes itself (menus, dialogs): its value, or its error thrown for the dialog to show. */
async function valueOf<T>(settled: Promise<Settled<unknown>>): Promise<T> {
  const s = await settled;
  if (!s.ok) throw new Error(s.error.message);
  return s.value as T;
}

/**
 * Main, kept thin: lock, guards, one window, IPC relayed to the service, menus and dialogs. All
 * the work is in the service process (src/entries/service-process.ts); main checks calls and relays.
 */
export async function startApp(electron: ElectronLike, opts: StartOptions): Promise<RunningApp | null> {
  const { app } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  const platform = opts.platform ?? process.platform;
  const dev = opts.dev ?? false;
  let win: BrowserWindowLike | null = null;
  // a link leaves the app only after the user said yes, in a dialog of main's own
  const confirm = async (url: string): Promise<boolean> => {
    if (!win) return false;
    const r = await electron.dialog.showMessageBox(win, {
      type: 'question',
      buttons: ['Open in browser', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      title: 'Open link',
      message: `Open ${new URL(url).hostname} in your browser?`,
      detail: url,
    });
    return r.response === 0;
  };
  const guard = { appUrl: opts.appUrl, shell: electron.shell, confirm, ...(opts.log ? { log: opts.log } : {}) };
  if (opts.rendererDir !== undefined) registerAppScheme(electron.protocol);

  // files reach the window as handles, never paths (granted-files.ts)
  const granted = new GrantedFiles();
  // CSV files the system opens the app with, held until the window can take them
  const pendingFiles: string[] = [];
  let windowLoaded = false;
  const importFromSystem = (path: string): void => {
    if (win && windowLoaded && !win.isDestroyed()) command({ kind: 'import-file', ...granted.grant(path) });
    else pendingFiles.push(path);
  };
  for (const path of csvPathsFromArgv(opts.argv ?? [], opts.cwd ?? process.cwd(), dev)) pendingFiles.push(path);

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, guard));
  app.on('second-instance', (_event, argv, workingDirectory) => {
    for (const path of csvPathsFromArgv(argv ?? [], workingDirectory ?? process.cwd(), dev)) importFromSystem(path);
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // macOS: may come before the app is ready, and for a running app
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (/\.csv$/i.test(path)) importFromSystem(path);
  });
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });

  await app.whenReady();
  guardSession(electron.session.defaultSession);
  if (opts.rendererDir !== undefined) handleAppProtocol(electron.protocol, opts.rendererDir);
  // the service warms its first overview up itself while the window loads
  const service = opts.makeService(app.getPath('userData'), granted);
  app.on('before-quit', () => void service.close());

  const send = (channel: string, payload: unknown): void => {
    if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
  };
  const command = (c: AppCommand): void => send(COMMAND_CHANNEL, c);
  registerIpc(electron.ipcMain, service, opts.appUrl, (e) => send(PROGRESS_CHANNEL, e));
  // drops and the page's file picker: main reads the file by path, the window holds a handle
  registerFileGrant(electron.ipcMain, granted, opts.appUrl);

  const fail = (title: string, err: unknown): void => electron.dialog.showErrorBox(title, err instanceof Error ? err.message : String(err));

  const openLedger = async (path: string): Promise<void> => {
    try {
      await valueOf(service.call('ledger-open', { path }));
      setMenu();
      command({ kind: 'refresh' });
    } catch (err) {
      fail('Could not open the ledger', err);
    }
  };

  const setMenu = (): void => {
    const template = buildMenuTemplate(
      {
        newPlan: () => {
          if (!win) return;
          void electron.dialog
            .showSaveDialog(win, { title: 'New plan', defaultPath: 'plan.sqlite', filters: [{ name: 'Headroom ledger', extensions: ['sqlite'] }] })
            .then(async (r) => {
              if (r.canceled || !r.filePath) return;
              await valueOf(service.call('ledger-new', { path: r.filePath }));
              setMenu();
              command({ kind: 'refresh' });
            })
            .catch((err: unknown) => fail('Could not create the plan', err));
        },
        openLedger: () => {
          if (!win) return;
          void electron.dialog
            .showOpenDialog(win, { title: 'Open ledger', properties: ['openFile'], filters: [{ name: 'Headroom ledger', extensions: ['sqlite', 'db'] }] })
            .then((r) => (!r.canceled && r.filePaths[0] ? openLedger(r.filePaths[0]) : undefined));
        },
        importCsv: () => {
          if (!win) return;
          void electron.dialog
            .showOpenDialog(win, { title: 'Import CSV', properties: ['openFile', 'multiSelections'], filters: [{ name: 'CSV', extensions: ['csv', 'gz', 'tsv', 'txt'] }] })
            .then((r) => {
              // the window gets a handle per file, never its path
              if (!r.canceled) for (const path of r.filePaths) command({ kind: 'import-file', ...granted.grant(path) });
            });
        },
        exportPlan: () => {
          if (!win) return;
          void electron.dialog
            .showSaveDialog(win, { title: 'Export plan', defaultPath: 'plan.json', filters: [{ name: 'Plan JSON', extensions: ['json'] }] })
            .then(async (r) => {
              if (r.canceled || !r.filePath) return;
              const { plan } = await valueOf<{ plan: unknown }>(service.call('plan-get', {}));
              await writeFile(r.filePath, `${JSON.stringify(plan, null, 2)}\n`);
            })
            .catch((err: unknown) => fail('Could not export the plan', err));
        },
        openRecent: (path) => void openLedger(path),
        learnMore: () => void openExternalSafely(HELP_URL, guard),
      },
      service.recent(),
      platform,
    );
    electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(template));
  };
  setMenu();
  // the recent list arrives from the service process, and changes when a ledger opens
  service.onChange(setMenu);

  const open = (): BrowserWindowLike => {
    const w = createMainWindow(electron, opts.appUrl, opts.preload, opts.icon, dev);
    windowLoaded = false;
    // the page listens for commands once loaded: files opened before then go to it now
    w.webContents.on('did-finish-load', () => {
      windowLoaded = true;
      for (const path of pendingFiles.splice(0)) command({ kind: 'import-file', ...granted.grant(path) });
    });
    return w;
  };
  win = open();
  app.on('activate', () => {
    if (win === null || win.isDestroyed()) win = open();
  });
  return { window: () => win, service };
}
