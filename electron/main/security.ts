import type { GuardEvent, SessionLike, ShellLike, WebContentsLike } from './types.ts';

/**
 * The one place that decides what the window may do beyond showing the app: it may not navigate
 * away, open windows, attach webviews or get permissions; https links open in the system browser.
 */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The app's own pages: the built renderer file, or the dev server while developing. */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const u = new URL(url);
    const app = new URL(appUrl);
    if (app.protocol === 'file:') return u.protocol === 'file:' && u.pathname === app.pathname;
    return u.origin === app.origin;
  } catch {
    return false;
  }
}

export interface GuardOptions {
  appUrl: string;
  shell: ShellLike;
  log?: (msg: string) => void;
}

export function openExternalSafely(url: string, opts: GuardOptions): boolean {
  if (!isSafeExternalUrl(url)) {
    opts.log?.(`blocked external link ${url}`);
    return false;
  }
  void opts.shell.openExternal(url);
  return true;
}

export function guardWebContents(contents: WebContentsLike, opts: GuardOptions): void {
  const onNavigate = (event: GuardEvent, url: string): void => {
    if (isAppUrl(url, opts.appUrl)) return;
    event.preventDefault();
    openExternalSafely(url, opts);
  };
  contents.on('will-navigate', onNavigate);
  contents.on('will-redirect', onNavigate);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url, opts);
    return { action: 'deny' };
  });
}

/** No camera, microphone, notifications, geolocation, clipboard reads…: the app needs none. */
export function guardSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Calls are answered only for the app's own page, not for anything else that might load. */
export function isTrustedSender(frameUrl: string | null | undefined, appUrl: string): boolean {
  return typeof frameUrl === 'string' && isAppUrl(frameUrl, appUrl);
}
