import { describe, expect, it, vi } from 'vitest';
import { COMMAND_CHANNEL, GRANT_FILE_CHANNEL, channelOf, methodName, PROGRESS_CHANNEL } from '../src/api/channels.ts';
import { API_CHANNELS, JobRegistry } from '../src/api/handlers.ts';
import type { ApiHandlers } from '../src/api/handlers.ts';
import { apiInputSchemas } from '../src/api/schemas.ts';
import type { Settled } from '../src/api/errors.ts';
import { localLink } from '../src/api/service-link.ts';
import { webHostRoutes } from '../src/host/server.ts';
import { startApp } from '../electron/main/app.ts';
import type { StartOptions } from '../electron/main/app.ts';
import { guardSession, guardWebContents, isAllowedExternalUrl, isAppUrl, isSafeExternalUrl } from '../electron/main/security.ts';
import { APP_PAGE_URL, appFileFor } from '../electron/main/protocol.ts';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildMenuTemplate } from '../electron/main/menu.ts';
import type { MenuItemSpec } from '../electron/main/menu.ts';
import { buildPreloadApi } from '../electron/preload/api.ts';
import type { GuardEvent, IpcMainEventLike, IpcMainInvokeEventLike, WindowOptions } from '../electron/main/types.ts';

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
  const syncListeners = new Map<string, (event: IpcMainEventLike) => void>();
  const appListeners = new Map<string, Listener[]>();
  const windows: { options: WindowOptions; contents: FakeContents; loaded: string[] }[] = [];
  const permissionRequest: { handler: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null } = { handler: null };
  const permissionCheck: { handler: ((wc: unknown, p: string) => boolean) | null } = { handler: null };
  const openExternal = vi.fn(async (_url: string) => {});
  let menu: unknown = null;
  let ready = false;
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  const electron = {
    app: {
      requestSingleInstanceLock: () => lock,
      quit: vi.fn(),
      whenReady: async () => {
        ready = true;
      },
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
      on: (channel: string, l: (event: IpcMainEventLike) => void) => void syncListeners.set(channel, l),
      removeAllListeners: (channel: string) => syncListeners.delete(channel),
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
      showMessageBox: vi.fn(async () => ({ response: 0 })),
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn((_schemes: unknown[]) => {
        // Electron's rule: only before the app is ready
        if (ready) throw new Error('registerSchemesAsPrivileged after ready');
      }),
      handle: vi.fn((scheme: string, handler: (request: Request) => Promise<Response>) => {
        if (!ready) throw new Error('protocol.handle before ready');
        protocolHandlers.set(scheme, handler);
      }),
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
  const fireApp = (event: string, ...args: unknown[]) => {
    for (const l of appListeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  };
  /** ipcRenderer.sendSync as the preload would make it, answered by main's listener */
  const sendSync = (channel: string): unknown => {
    const event: IpcMainEventLike = { returnValue: undefined };
    syncListeners.get(channel)?.(event);
    return event.returnValue;
  };
  return { electron, handles, sendSync, windows, permissionRequest, permissionCheck, openExternal, protocolHandlers, fireApp, menu: () => menu as MenuItemSpec[] };
}

async function started(lock = true, extra: Partial<StartOptions> = {}) {
  const fake = fakeElectron(lock);
  const handlers = fakeHandlers();
  const service = localLink({ handlers, jobs: new JobRegistry(), recent: () => ['/data/a.sqlite'], close: async () => {} });
  const running = await startApp(fake.electron, { appUrl: APP_URL, preload: '/app/out/preload/index.cjs', makeService: () => service, platform: 'linux', ...extra });
  return { ...fake, handlers, running };
}

const fromApp: IpcMainInvokeEventLike = { senderFrame: { url: APP_URL } };

describe('Electron main (with fakes of Electron)', () => {
  it('registers one handler per channel of the handler map, and no other', async () => {
    const { handles } = await started();
    // plus the preload's file grant (electron/main/file-grant.ts), which takes a dropped file's path
    expect([...handles.keys()].sort()).toEqual([...API_CHANNELS, GRANT_FILE_CHANNEL].sort());
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

  it('relays an edit as a plan patch: a bad entry is refused in main naming where, a good patch reaches the service as sent', async () => {
    const { handles, handlers } = await started();
    const bad = (await handles.get('model-project')!(fromApp, { base: 'v-1', patch: { apiKeys: [null, null, null, { id: 'k_d', capUsd: -1 }] } })) as Settled<unknown>;
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', details: [{ path: 'patch.apiKeys[3].capUsd' }] } });
    expect(handlers['model-project']).not.toHaveBeenCalled();
    const patch = { apiKeys: [null, { id: 'k_b', capUsd: 7 }] };
    const ok = (await handles.get('model-project')!(fromApp, { base: 'v-1', patch, jobId: 'live' })) as Settled<unknown>;
    expect(ok.ok).toBe(true);
    expect(vi.mocked(handlers['model-project']).mock.calls[0]?.[0]).toEqual({ base: 'v-1', patch, jobId: 'live' });
  });

  it('lets only main open or create a ledger by path: the window is refused, the handler never runs', async () => {
    const { handles, handlers } = await started();
    for (const channel of ['ledger-open', 'ledger-new'] as const) {
      const settled = (await handles.get(channel)!(fromApp, { path: '/home/me/other.sqlite' })) as Settled<unknown>;
      expect(settled, channel).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/File menu/) } });
      expect(handlers[channel]).not.toHaveBeenCalled();
    }
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
    expect(contents.openHandler!({ url: 'https://docs.dust.tt/docs/rate-limits' })).toEqual({ action: 'deny' });
    let granted: boolean | null = null;
    permissionRequest.handler!({}, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(permissionCheck.handler!({}, 'clipboard-read')).toBe(false);
    // Of all the URLs above only the allowed host's went to the system browser (the fake dialog says yes).
    await vi.waitFor(() => expect(openExternal.mock.calls.map((c) => c[0])).toEqual(['https://docs.dust.tt/docs/rate-limits']));
  });

  it('opens only https links externally, and only through shell.openExternal', () => {
    expect(isSafeExternalUrl('https://dust.tt/docs')).toBe(true);
    for (const url of ['http://dust.tt', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@host/', 'not a url']) {
      expect(isSafeExternalUrl(url), url).toBe(false);
    }
    const shell = { openExternal: vi.fn(async () => {}) };
    const contents = new FakeContents();
    guardWebContents(contents, { appUrl: APP_URL, shell, confirm: async () => true });
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

  it('a file dropped on the window reaches main as a path and the window as a handle the service resolves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-drop-'));
    try {
      const path = join(dir, 'consumption.csv');
      writeFileSync(path, 'completedAt,agentMessageId\n');
      let files: { resolve(handle: string): { path: string; name: string } } | null = null;
      const fake = fakeElectron();
      const service = localLink({ handlers: fakeHandlers(), jobs: new JobRegistry(), recent: () => [], close: async () => {} });
      await startApp(fake.electron, { appUrl: APP_URL, preload: '/app/out/preload/index.cjs', platform: 'linux', makeService: (_dir, granted) => ((files = granted), service) });
      const grant = fake.handles.get(GRANT_FILE_CHANNEL)!;
      const r = (await grant(fromApp, path)) as Settled<{ handle: string; name: string }>;
      expect(r).toEqual({ ok: true, value: { handle: expect.stringMatching(/^[\w-]{32}$/), name: 'consumption.csv' } });
      expect(JSON.stringify(r)).not.toContain(dir);
      expect(files!.resolve((r as { value: { handle: string } }).value.handle).path).toBe(path);
      // another page gets nothing
      expect(((await grant({ senderFrame: { url: 'https://evil.example/' } }, path)) as Settled<unknown>).ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
    const { sendSync } = await started();
    const invoke = vi.fn(async (channel: string, input: unknown) => ({ ok: true, value: { channel, input } }));
    const api = buildPreloadApi({ invoke, sendSync, on: () => {}, removeListener: () => {} });
    expect(Object.keys(api).sort()).toEqual([...API_CHANNELS.map(methodName), 'onCommand', 'onProgress'].sort());
    expect(api).not.toHaveProperty('invoke');
    expect(Object.isFrozen(api)).toBe(true);
    await (api.importUndo as (x: unknown) => Promise<unknown>)({ batch: 2 });
    expect(invoke).toHaveBeenCalledWith('import-undo', { batch: 2 });
  });

  it('exposes exactly the names the web host routes, each with a schema (all derived from the domain modules)', async () => {
    const { sendSync } = await started();
    const api = buildPreloadApi({ invoke: async () => ({ ok: true }), sendSync, on: () => {}, removeListener: () => {} });
    const preloadCalls = Object.keys(api)
      .filter((n) => n !== 'onProgress' && n !== 'onCommand')
      .map(channelOf)
      .sort();
    const hostCalls = [...webHostRoutes().values()].sort();
    expect(preloadCalls).toEqual(hostCalls);
    expect([...webHostRoutes().keys()].every((r) => r === `/api/${webHostRoutes().get(r)}`)).toBe(true);
    expect(Object.keys(apiInputSchemas).sort()).toEqual(hostCalls);
    expect(preloadCalls.length).toBeGreaterThan(20);
  });

  it('refuses to start when main does not answer with plain call names', () => {
    const ipc = (answer: unknown) => ({ invoke: async () => ({}), sendSync: () => answer, on: () => {}, removeListener: () => {} });
    expect(() => buildPreloadApi(ipc(undefined))).toThrow(/did not list/);
    expect(() => buildPreloadApi(ipc(['ledger-info', 'constructor.prototype']))).toThrow(/did not list/);
    expect(Object.keys(buildPreloadApi(ipc(['ledger-info'])))).toEqual(['ledgerInfo', 'onProgress', 'onCommand']);
  });
});

describe('Electron hardening (issue 15, finding 7)', () => {
  it('flips the fuses in the packaged app: no run-as-node, NODE_OPTIONS or --inspect; encrypted cookies; asar only and checked', () => {
    const config = parseYaml(readFileSync(new URL('../electron-builder.yml', import.meta.url), 'utf8')) as { electronFuses?: Record<string, boolean> };
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('serves the renderer on app://headroom from its build folder only, registered before ready', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-app-protocol-'));
    try {
      const renderer = join(dir, 'renderer');
      mkdirSync(join(renderer, 'assets'), { recursive: true });
      writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>app</title>');
      writeFileSync(join(renderer, 'assets', 'a.js'), 'export {}');
      writeFileSync(join(dir, 'secret.txt'), 'not for the page');
      const { electron, protocolHandlers, windows } = await started(true, { appUrl: APP_PAGE_URL, rendererDir: renderer });
      expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
      expect(windows[0]!.loaded).toEqual(['app://headroom/index.html']);
      const get = async (url: string) => protocolHandlers.get('app')!(new Request(url));
      const page = await get('app://headroom/index.html');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect((await get('app://headroom/assets/a.js')).status).toBe(200);
      for (const url of ['app://headroom/../secret.txt', 'app://headroom/%2e%2e/secret.txt', 'app://headroom/..%2fsecret.txt', 'app://other/index.html', 'app://headroom/%E0%A4%A', 'app://headroom/nope.js']) {
        const r = await get(url);
        expect(r.status, url).toBe(404);
      }
      expect(appFileFor('app://headroom/..%5csecret.txt', renderer)).toBeNull();
      // the page's own URLs are the app's; other schemes and hosts are not
      expect(isAppUrl('app://headroom/index.html#import', APP_PAGE_URL)).toBe(true);
      expect(isAppUrl('app://evil/index.html', APP_PAGE_URL)).toBe(false);
      expect(isAppUrl('file:///etc/passwd', APP_PAGE_URL)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens links only to allowed hosts, and only after the user says yes', async () => {
    expect(isAllowedExternalUrl('https://docs.dust.tt/docs/rate-limits')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/headroom-app/headroom')).toBe(true);
    for (const url of ['https://example.com/', 'https://dust.tt.evil.example/', 'https://github.com:8443/', 'http://github.com/', 'https://user@github.com/']) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
    const shell = { openExternal: vi.fn(async () => {}) };
    const asked: string[] = [];
    let answer = false;
    const contents = new FakeContents();
    guardWebContents(contents, { appUrl: APP_URL, shell, confirm: async (url) => (asked.push(url), answer) });
    contents.openHandler!({ url: 'https://github.com/headroom-app/headroom' });
    contents.openHandler!({ url: 'https://example.com/phish' });
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toEqual(['https://github.com/headroom-app/headroom']);
    expect(shell.openExternal).not.toHaveBeenCalled();
    answer = true;
    contents.openHandler!({ url: 'https://github.com/headroom-app/headroom' });
    await vi.waitFor(() => expect(shell.openExternal).toHaveBeenCalledWith('https://github.com/headroom-app/headroom'));
  });

  it('asks in a dialog of its own before the Help link leaves the app', async () => {
    const { electron, menu, openExternal } = await started();
    electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    const help = menu().find((m) => m.label === 'Help')!.submenu![0]!;
    help.click!();
    await vi.waitFor(() => expect(electron.dialog.showMessageBox).toHaveBeenCalledTimes(1));
    expect(openExternal).not.toHaveBeenCalled();
    help.click!();
    await vi.waitFor(() => expect(openExternal).toHaveBeenCalledTimes(1));
  });

  it('has DevTools only while developing', async () => {
    expect((await started()).windows[0]!.options.webPreferences.devTools).toBe(false);
    expect((await started(true, { dev: true })).windows[0]!.options.webPreferences.devTools).toBe(true);
  });

  it('a .csv the system opens the app with goes to the import preview: argv, second instance, open-file', async () => {
    const { windows, fireApp } = await started(true, { argv: ['/opt/Headroom/headroom', '--no-sandbox', 'usage.csv', 'notes.txt'], cwd: '/home/me/exports' });
    const contents = windows[0]!.contents;
    const imports = () => contents.sent.filter(([channel]) => channel === COMMAND_CHANNEL).map(([, c]) => c as { kind: string; handle: string; name: string });
    // nothing before the page can listen
    expect(imports()).toEqual([]);
    contents.fire('did-finish-load');
    expect(imports().map((c) => c.name)).toEqual(['usage.csv']);
    fireApp('second-instance', {}, ['C:\\Headroom\\Headroom.exe', '/data/second.CSV'], '/');
    const ev = navEvent();
    fireApp('open-file', ev, '/Users/me/Downloads/cost.csv');
    fireApp('open-file', navEvent(), '/Users/me/Downloads/plan.sqlite');
    expect(ev.prevented).toBe(true);
    expect(imports().map((c) => c.name)).toEqual(['usage.csv', 'second.CSV', 'cost.csv']);
    // as with the dialog, the window gets opaque handles, never the paths
    expect(imports().every((c) => c.kind === 'import-file' && /^[\w-]{32}$/.test(c.handle))).toBe(true);
    expect(JSON.stringify(contents.sent)).not.toMatch(/\/home\/me|\/data\/|\/Users\//);
  });
});
