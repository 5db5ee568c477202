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

/**
 * The only sites a link in the app may open: the project's own pages and the platform's docs.
 * Anything else (a link planted in imported data, a redirect) stays closed.
 */
export const EXTERNAL_HOSTS: readonly string[] = ['github.com', 'dust.tt', 'docs.dust.tt'];

export function isAllowedExternalUrl(url: string): boolean {
  if (!isSafeExternalUrl(url)) return false;
  const host = new URL(url).hostname.toLowerCase();
  return EXTERNAL_HOSTS.includes(host) && new URL(url).port === '';
}

/** The app's own pages: the built renderer file, or the dev server while developing. */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const u = new URL(url);
    const app = new URL(appUrl);
    if (app.protocol === 'file:') return u.protocol === 'file:' && u.pathname === app.pathname;
    // a custom scheme has no origin in the URL standard: its scheme and host are the app's
    if (app.protocol === 'app:') return u.protocol === 'app:' && u.host === app.host;
    return u.origin === app.origin;
  } catch {
    return false;
  }
}

export interface GuardOptions {
  appUrl: string;
  shell: ShellLike;
  /** asks the user before a link leaves the app; true to open it */
  confirm: (url: string) => Promise<boolean>;
  log?: (msg: string) => void;
}

/** Opens `url` in the system browser if its host is allowed and the user says yes; false when refused outright. */
export function openExternalSafely(url: string, opts: GuardOptions): boolean {
  if (!isAllowedExternalUrl(url)) {
    opts.log?.(`blocked external link ${url}`);
    return false;
  }
  void opts.confirm(url).then(
    (yes) => (yes ? opts.shell.openExternal(url) : undefined),
    () => undefined,
  );
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
