import { describe, expect, it, vi } from 'vitest';
import { API_CHANNELS, COMMAND_CHANNEL, methodName, PROGRESS_CHANNEL } from '../src/api/channels.ts';
import { JobRegistry } from '../src/api/handlers.ts';
import type { ApiHandlers } from '../src/api/handlers.ts';
import type { Settled } from '../src/api/errors.ts';
import type { Service } from '../src/api/service.ts';
import { startApp } from '../electron/main/app.ts';
import { guardSession, guardWebContents, isAppUrl, isSafeExternalUrl } from '../electron/main/security.ts';
import { buildMenuTemplate } from '../electron/main/menu.ts';
import type { MenuItemSpec } from '../electron/main/menu.ts';
import { buildPreloadApi } from '../electron/preload/api.ts';
import type { GuardEvent, IpcMainInvokeEventLike, WindowOptions } from '../electron/main/types.ts';

const APP_URL = 'file:///opt/Headroom/resources/app.asar/out/renderer/index.html';

type Listener = (...args: never[]) => unknown;

class FakeContents {
  listeners = new Map<string, Listener[]>();
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  sent: [string, unknown][] = [];
  on(event: string, l: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
    return this;
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' } | { action: 'allow' }) {
    this.openHandler = h;
  }
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
  getURL() {
    return APP_URL;
  }
  fire(event: string, ...args: unknown[]) {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  }
}

function navEvent(): GuardEvent & { prevented: boolean } {
  const e = { prevented: false, preventDefault: () => (e.prevented = true) };
  return e;
}

function fakeHandlers(): ApiHandlers {
  const value = async () => ({ ok: true });
  return Object.fromEntries(API_CHANNELS.map((c) => [c, vi.fn(value)])) as unknown as ApiHandlers;
}

function fakeElectron(lock = true) {
  const handles = new Map<string, (event: IpcMainInvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const appListeners = new Map<string, Listener[]>();
  const windows: { options: WindowOptions; contents: FakeContents; loaded: string[] }[] = [];
  const permissionRequest: { handler: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null } = { handler: null };
  const permissionCheck: { handler: ((wc: unknown, p: string) => boolean) | null } = { handler: null };
  const openExternal = vi.fn(async (_url: string) => {});
  let menu: unknown = null;
  const electron = {
    app: {
      requestSingleInstanceLock: () => lock,
      quit: vi.fn(),
      whenReady: async () => {},
      getPath: () => '/tmp/headroom-fake-user-data',
      on: (event: string, l: Listener) => {
        appListeners.set(event, [...(appListeners.get(event) ?? []), l]);
        return electron.app;
      },
    },
    BrowserWindow: class {
      webContents: FakeContents;
      constructor(options: WindowOptions) {
        this.webContents = new FakeContents();
        windows.push({ options, contents: this.webContents, loaded: this.loaded });
        for (const l of appListeners.get('web-contents-created') ?? []) (l as (...a: unknown[]) => unknown)({}, this.webContents);
      }
      loaded: string[] = [];
      async loadURL(url: string) {
        this.loaded.push(url);
      }
      show() {}
      focus() {}
      isMinimized() {
        return false;
      }
      restore() {}
      isDestroyed() {
        return false;
      }
      once() {
        return this;
      }
    },
    ipcMain: {
      handle: (channel: string, l: (event: IpcMainInvokeEventLike, ...args: unknown[]) => Promise<unknown>) => {
        if (handles.has(channel)) throw new Error(`second handler for ${channel}`);
        handles.set(channel, l);
      },
      removeHandler: (channel: string) => handles.delete(channel),
    },
    Menu: {
      buildFromTemplate: (t: unknown[]) => t,
      setApplicationMenu: (m: unknown) => {
        menu = m;
      },
    },
    dialog: {
      showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] as string[] })),
      showSaveDialog: vi.fn(async () => ({ canceled: true })),
      showErrorBox: vi.fn(),
    },
    shell: { openExternal },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof permissionRequest.handler) => {
          permissionRequest.handler = h;
        },
        setPermissionCheckHandler: (h: typeof permissionCheck.handler) => {
          permissionCheck.handler = h;
        },
      },
    },
  };
  return { electron, handles, windows, permissionRequest, permissionCheck, openExternal, menu: () => menu as MenuItemSpec[] };
}

async function started(lock = true) {
  const fake = fakeElectron(lock);
  const handlers = fakeHandlers();
  const service: Service = { handlers, jobs: new JobRegistry(), recent: () => ['/data/a.sqlite'], close: async () => {}, warmUp: async () => {} };
  const running = await startApp(fake.electron, { appUrl: APP_URL, preload: '/app/out/preload/index.cjs', makeService: () => service, platform: 'linux' });
  return { ...fake, handlers, running };
}

const fromApp: IpcMainInvokeEventLike = { senderFrame: { url: APP_URL } };

describe('Electron main (with fakes of Electron)', () => {
  it('registers one handler per channel of the handler map, and no other', async () => {
    const { handles } = await started();
    expect([...handles.keys()].sort()).toEqual([...API_CHANNELS].sort());
  });

  it('opens one isolated, sandboxed window without Node on the app page', async () => {
    const { windows } = await started();
    expect(windows).toHaveLength(1);
    const prefs = windows[0]!.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(windows[0]!.loaded).toEqual([APP_URL]);
  });

  it('quits when another instance holds the lock', async () => {
    const { running, electron, windows } = await started(false);
    expect(running).toBeNull();
    expect(electron.app.quit).toHaveBeenCalled();
    expect(windows).toHaveLength(0);
  });

  it('validates every call: bad input settles as a typed, serialisable error and the handler never runs', async () => {
    const { handles, handlers } = await started();
    const bad: Record<string, unknown> = {
      'projection-get': { width: 'wide' },
      'import-undo': { batch: -1 },
      'ledger-open': {},
      'import-run': { source: { name: 'x.csv' } },
      'workspace-overview': { extra: true },
      'job-cancel': { jobId: 42 },
    };
    for (const [channel, input] of Object.entries(bad)) {
      const settled = (await handles.get(channel)!(fromApp, input)) as Settled<unknown>;
      expect(settled.ok, channel).toBe(false);
      if (!settled.ok) {
        expect(settled.error.code).toBe('invalid_input');
        expect(settled.error.details.length).toBeGreaterThan(0);
        expect(JSON.parse(JSON.stringify(settled.error))).toEqual(settled.error);
      }
      expect(handlers[channel as keyof ApiHandlers]).not.toHaveBeenCalled();
    }
    const ok = (await handles.get('projection-get')!(fromApp, { width: 800 })) as Settled<unknown>;
    expect(ok).toEqual({ ok: true, value: { ok: true } });
  });

  it('turns a handler failure into a settled error, not an exception', async () => {
    const { handles, handlers } = await started();
    vi.mocked(handlers['import-undo']).mockRejectedValueOnce(new Error('disk full'));
    const settled = (await handles.get('import-undo')!(fromApp, { batch: 3 })) as Settled<unknown>;
    expect(settled).toEqual({ ok: false, error: { code: 'internal', message: 'disk full', details: [] } });
  });

  it('answers only the app page', async () => {
    const { handles, handlers } = await started();
    const settled = (await handles.get('ledger-info')!({ senderFrame: { url: 'https://evil.example/' } }, {})) as Settled<unknown>;
    expect(settled.ok).toBe(false);
    expect(handlers['ledger-info']).not.toHaveBeenCalled();
  });

  it('denies navigation away from the app, new windows, webviews and permissions', async () => {
    const { windows, permissionRequest, permissionCheck, openExternal } = await started();
    const contents = windows[0]!.contents;
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'http://127.0.0.1:9/', 'javascript:alert(1)']) {
      const e = navEvent();
      contents.fire('will-navigate', e, url);
      expect(e.prevented, url).toBe(true);
    }
    const same = navEvent();
    contents.fire('will-navigate', same, `${APP_URL}#import`);
    expect(same.prevented).toBe(false);
    const webview = navEvent();
    contents.fire('will-attach-webview', webview);
    expect(webview.prevented).toBe(true);
    expect(contents.openHandler!({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'https://example.com/docs' })).toEqual({ action: 'deny' });
    let granted: boolean | null = null;
    permissionRequest.handler!({}, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(permissionCheck.handler!({}, 'clipboard-read')).toBe(false);
    // Of all the URLs above only the https one went to the system browser.
    expect(openExternal.mock.calls.map((c) => c[0])).toEqual(['https://example.com/', 'https://example.com/docs']);
  });

  it('opens only https links externally, and only through shell.openExternal', () => {
    expect(isSafeExternalUrl('https://dust.tt/docs')).toBe(true);
    for (const url of ['http://dust.tt', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@host/', 'not a url']) {
      expect(isSafeExternalUrl(url), url).toBe(false);
    }
    const shell = { openExternal: vi.fn(async () => {}) };
    const contents = new FakeContents();
    guardWebContents(contents, { appUrl: APP_URL, shell });
    contents.openHandler!({ url: 'ftp://example.com' });
    contents.fire('will-redirect', navEvent(), 'http://example.com');
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it('treats the dev server by origin and the packaged page by its file', () => {
    expect(isAppUrl('http://localhost:5173/src/x', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('file:///other/index.html', APP_URL)).toBe(false);
  });

  it('guards the session: every permission request is refused', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
    guardSession({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: () => {} });
    const answers: boolean[] = [];
    for (const p of ['geolocation', 'notifications', 'openExternal']) request!({}, p, (g) => answers.push(g));
    expect(answers).toEqual([false, false, false]);
  });

  it('pushes progress to the window', async () => {
    const { handles, handlers, windows } = await started();
    vi.mocked(handlers['import-run']).mockImplementationOnce(async (_input, ctx) => {
      ctx.progress(5, 10, 'import');
      return { file: 'a.csv', format: 'events', batch: 1, rows: 1, imported: 1, duplicates: 0, rejected: 0, errors: [] };
    });
    await handles.get('import-run')!(fromApp, { source: { name: 'a.csv', text: 'x' }, jobId: 'j1' });
    expect(windows[0]!.contents.sent).toContainEqual([PROGRESS_CHANNEL, { jobId: 'j1', done: 5, total: 10, phase: 'import' }]);
  });

  it('has the File menu with new plan, open ledger, recent ledgers, import and export, and the standard menus', async () => {
    const { menu } = await started();
    const template = menu();
    const labels = template.map((m) => m.label ?? m.role);
    expect(labels).toEqual(['File', 'editMenu', 'viewMenu', 'windowMenu', 'Help']);
    const file = template[0]!.submenu!.map((m) => m.label ?? m.role ?? m.type);
    expect(file).toEqual(['New Plan…', 'Open Ledger…', 'Open Recent', 'separator', 'Import CSV…', 'Export Plan…', 'separator', 'quit']);
    expect(template[0]!.submenu![2]!.submenu!.map((m) => m.label)).toEqual(['/data/a.sqlite']);
    expect(buildMenuTemplate({ newPlan() {}, openLedger() {}, importCsv() {}, exportPlan() {}, openRecent() {}, learnMore() {} }, [], 'darwin')[0]!.role).toBe('appMenu');
  });

  it('menu Import CSV asks for a file and hands it to the window', async () => {
    const { menu, electron, windows } = await started();
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/data/usage.csv'] });
    menu()[0]!.submenu![4]!.click!();
    // the window gets an opaque handle and the name, never the path
    await vi.waitFor(() => expect(windows[0]!.contents.sent).toContainEqual([COMMAND_CHANNEL, { kind: 'import-file', handle: expect.stringMatching(/^[\w-]{32}$/), name: 'usage.csv' }]));
    expect(JSON.stringify(windows[0]!.contents.sent)).not.toContain('/data/');
  });
});

describe('preload', () => {
  it('exposes one named function per channel and listeners, nothing generic', async () => {
    const invoke = vi.fn(async (channel: string, input: unknown) => ({ ok: true, value: { channel, input } }));
    const api = buildPreloadApi({ invoke, on: () => {}, removeListener: () => {} });
    expect(Object.keys(api).sort()).toEqual([...API_CHANNELS.map(methodName), 'onCommand', 'onProgress'].sort());
    expect(api).not.toHaveProperty('invoke');
    expect(Object.isFrozen(api)).toBe(true);
    await (api.importUndo as (x: unknown) => Promise<unknown>)({ batch: 2 });
    expect(invoke).toHaveBeenCalledWith('import-undo', { batch: 2 });
  });
});
