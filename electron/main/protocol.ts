import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../src/host/csp.ts';
import type { ProtocolLike } from './types.ts';

/**
 * The packaged renderer is served from `app://headroom/…` instead of file://: a file:// page can
 * read any other file:// URL and shares one origin with every file on the disk; `app://headroom`
 * is an origin of its own (standard, secure), answers only for the renderer's build folder, and
 * lets the grantFileProtocolExtraPrivileges fuse go off.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'headroom';
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Before the app is ready (Electron's rule): the scheme behaves as https does. */
export function registerAppScheme(protocol: ProtocolLike): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
}

/** The file under `root` that `url` names, or null for anything outside it or malformed. */
export function appFileFor(url: string, root: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  if (rel === '/' || rel === '') rel = '/index.html';
  const base = normalize(root + sep);
  const file = normalize(join(base, rel));
  return file.startsWith(base) ? file : null;
}

/** Answers `app://headroom/…` from the renderer's build folder; 404 for anything else. */
export function handleAppProtocol(protocol: ProtocolLike, root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFileFor(request.url, root);
    if (file === null) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
