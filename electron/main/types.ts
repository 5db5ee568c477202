/**
 * The few parts of Electron that main uses, as structural types, so that main's modules can be
 * exercised in Node with fakes (Electron never runs on the build machine).
 */
export interface GuardEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: GuardEvent, url: string) => void): unknown;
  on(event: 'did-finish-load', listener: () => void): unknown;
  on(event: 'will-attach-webview', listener: (event: GuardEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  send(channel: string, ...args: unknown[]): void;
  getURL(): string;
}

export interface SessionLike {
  setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
}

export interface ShellLike {
  openExternal(url: string): Promise<void>;
}

export interface IpcMainInvokeEventLike {
  senderFrame: { url: string } | null;
}

/** A synchronous message's event: main answers by setting returnValue. */
export interface IpcMainEventLike {
  returnValue: unknown;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcMainEventLike, ...args: unknown[]) => void): unknown;
  removeAllListeners(channel: string): unknown;
}

export interface BrowserWindowLike {
  webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
  isDestroyed(): boolean;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

export interface WebPreferencesSpec {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  spellcheck: boolean;
  /** only while developing: a packaged app has no DevTools */
  devTools: boolean;
}

export interface WindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  icon?: string;
  webPreferences: WebPreferencesSpec;
}

export interface AppLike {
  /** false under `electron .` and `npm start`: development */
  isPackaged?: boolean;
  requestSingleInstanceLock(): boolean;
  quit(): void;
  whenReady(): Promise<unknown>;
  getPath(name: 'userData'): string;
  on(event: 'window-all-closed' | 'activate' | 'before-quit', listener: () => void): unknown;
  on(event: 'second-instance', listener: (event: unknown, argv: string[], workingDirectory: string) => void): unknown;
  on(event: 'open-file', listener: (event: GuardEvent, path: string) => void): unknown;
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): unknown;
}

export interface DialogLike {
  showOpenDialog(
    window: BrowserWindowLike,
    options: { title: string; properties: ('openFile' | 'multiSelections' | 'createDirectory')[]; filters: { name: string; extensions: string[] }[] },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(
    window: BrowserWindowLike,
    options: { title: string; defaultPath: string; filters: { name: string; extensions: string[] }[] },
  ): Promise<{ canceled: boolean; filePath?: string }>;
  showErrorBox(title: string, content: string): void;
  showMessageBox(
    window: BrowserWindowLike,
    options: { type: 'question'; buttons: string[]; defaultId: number; cancelId: number; title: string; message: string; detail: string },
  ): Promise<{ response: number }>;
}

export interface ProtocolLike {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges: { standard: boolean; secure: boolean; supportFetchAPI: boolean; codeCache: boolean } }[]): void;
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void;
}

export interface MenuLike {
  buildFromTemplate(template: unknown[]): unknown;
  setApplicationMenu(menu: unknown): void;
}

export interface ElectronLike {
  app: AppLike;
  BrowserWindow: new (options: WindowOptions) => BrowserWindowLike;
  ipcMain: IpcMainLike;
  Menu: MenuLike;
  dialog: DialogLike;
  shell: ShellLike;
  session: { defaultSession: SessionLike };
  protocol: ProtocolLike;
}
