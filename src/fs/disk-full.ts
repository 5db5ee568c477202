/**
 * A full disk, told apart from a damaged file or a bug. SQLite says "database or disk is full"
 * (SQLITE_FULL) when a write fails for room, but a full disk met while it sets up its WAL or its
 * shared memory comes out as a plain "disk I/O error" (SQLITE_IOERR_*): for those the free space
 * of the file's folder decides.
 */
import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Less room than this next to the file is a full disk for an I/O error's purposes. */
const NEARLY_FULL_BYTES = 1024 * 1024;

export const DISK_FULL_MESSAGE = 'the disk is full: free some space and try again (nothing was changed)';

export class DiskFullError extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`${path}: ${DISK_FULL_MESSAGE}`);
    this.name = 'DiskFullError';
    this.path = path;
  }
}

function codeOf(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

/** Bytes free for this user in the folder of `path`; Infinity when that cannot be told. */
export function freeBytesNear(path: string): number {
  try {
    const s = statfsSync(dirname(resolve(path)));
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Whether `err` is the disk being full (with `path`, an I/O error on a nearly full disk counts). */
export function isDiskFull(err: unknown, path?: string): boolean {
  if (err instanceof DiskFullError) return true;
  const code = codeOf(err);
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC' || code === 'EDQUOT') return true;
  if (path !== undefined && code.startsWith('SQLITE_IOERR')) return freeBytesNear(path) < NEARLY_FULL_BYTES;
  return false;
}
