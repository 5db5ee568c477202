/**
 * Files that appear whole or not at all: everything is written to a temporary file beside the
 * target and renamed over it at the end (rename within a directory is atomic on POSIX and
 * replaces the target on Windows). A temporary file is removed on failure and when the process
 * exits or is interrupted before the rename, so no half-written output is ever left behind.
 * (A signal arriving while JavaScript runs synchronously is handled once it returns, so a long
 * write must go back to the event loop between pieces for Ctrl-C to stop it: the decisions writer
 * does, see DecisionsFile.writeAsync. Keep writers open only for the writing.)
 * Targets that are not regular files (`/dev/null`, a FIFO, `-` for standard output) are written
 * directly instead: see resolveWriteTarget.
 */
import { accessSync, closeSync, constants, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';

const pending = new Set<string>();
let hooked = false;

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function cleanupAll(): void {
  for (const path of pending) removeQuietly(path);
  pending.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupAll();
  // Let the default action (exit with the signal) happen now that our files are gone.
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.kill(process.pid, signal);
}

function track(path: string): void {
  if (!hooked) {
    hooked = true;
    process.on('exit', cleanupAll);
  }
  if (pending.size === 0) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  pending.add(path);
}

function untrack(path: string): void {
  pending.delete(path);
  if (pending.size === 0) {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** `-`: the process's standard output. */
export const STDOUT_PATH = '-';

/**
 * Where a write to `target` really goes. `direct`: straight into an existing file that is not a
 * regular one (a device, a FIFO, a socket, or a symlink to one) or anything under /dev: a
 * temporary file renamed over `/dev/null` would replace the device with a plain file. `stdout`
 * for `-`. Otherwise `atomic`, at the symlink's target when `target` is one, so that the link
 * stays a link.
 */
export type WriteTarget = { kind: 'stdout' } | { kind: 'direct'; path: string } | { kind: 'atomic'; path: string };

export function resolveWriteTarget(target: string): WriteTarget {
  if (target === STDOUT_PATH) return { kind: 'stdout' };
  if (resolve(target).startsWith(`${sep}dev${sep}`)) return { kind: 'direct', path: target };
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    // does not exist yet (or a dangling link): a new regular file at that name
    return { kind: 'atomic', path: target };
  }
  let regular = true;
  try {
    const st = statSync(real);
    // a directory stays on the atomic path, which reports EISDIR
    regular = st.isFile() || st.isDirectory();
  } catch {
    // vanished meanwhile: a new regular file
  }
  return regular ? { kind: 'atomic', path: real } : { kind: 'direct', path: target };
}

/**
 * Throws (with the system's error code: ENOENT, EACCES, EISDIR) unless a file can be written at
 * `target`, without creating anything.
 */
export function assertWritable(target: string): void {
  const where = resolveWriteTarget(target);
  if (where.kind === 'stdout') return;
  if (where.kind === 'direct') {
    accessSync(where.path, constants.W_OK);
    return;
  }
  accessSync(dirname(where.path), constants.W_OK);
  let isDir = false;
  try {
    isDir = statSync(where.path).isDirectory();
  } catch {
    // does not exist yet: fine
  }
  if (isDir) throw Object.assign(new Error(`EISDIR: is a directory, '${target}'`), { code: 'EISDIR' });
}

/** A temporary name in the target's directory (so the final rename stays on one filesystem). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes a file in pieces, then `commit()` puts it in place at once; `abort()` (or any exit
 * before commit) leaves the target as it was. Opening fails at once when the directory cannot
 * be written, before any long work is done.
 */
export interface AtomicOptions {
  /**
   * fsync before the rename so the content survives a power cut, not only a crash of this
   * process (default true). Large outputs that can be made again may skip it: it can cost
   * seconds for a hundred megabytes on a busy disk.
   */
  durable?: boolean;
}

export class AtomicWriter {
  readonly target: string;
  /** the temporary file being written; '' when writing directly (device, FIFO, standard output) */
  readonly tempPath: string;
  private fd: number | null;
  private done = false;
  private readonly durable: boolean;
  /** where the temporary file goes on commit; null when writing directly */
  private readonly finalPath: string | null;
  private readonly ownsFd: boolean;

  constructor(target: string, options: AtomicOptions = {}) {
    this.target = target;
    this.durable = options.durable ?? true;
    const where = resolveWriteTarget(target);
    if (where.kind === 'atomic') {
      this.finalPath = where.path;
      this.tempPath = tempPathFor(where.path);
      this.fd = openSync(this.tempPath, 'wx', 0o644);
      this.ownsFd = true;
      track(this.tempPath);
    } else {
      this.finalPath = null;
      this.tempPath = '';
      this.ownsFd = where.kind === 'direct';
      this.fd = where.kind === 'direct' ? openSync(where.path, 'w') : 1;
    }
  }

  write(chunk: string | Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.target}: write after commit or abort`);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    // writeSync may write less than asked (large writes, some filesystems): loop until done.
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(this.fd, bytes, off, bytes.length - off);
      } catch (err) {
        // A pipe or terminal Node made non-blocking: wait a moment for the reader.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  }

  /** Closes (after flushing to disk when durable) and renames over the target. */
  commit(): void {
    if (this.done) throw new Error(`${this.target}: already committed or aborted`);
    const fd = this.fd as number;
    if (this.finalPath === null) {
      // Devices, FIFOs and standard output cannot be replaced atomically, nor fsynced usefully.
      this.fd = null;
      this.done = true;
      if (this.ownsFd) closeSync(fd);
      return;
    }
    try {
      if (this.durable) fsyncSync(fd);
      closeSync(fd);
      this.fd = null;
      renameSync(this.tempPath, this.finalPath);
    } catch (err) {
      this.abort();
      throw err;
    }
    this.done = true;
    untrack(this.tempPath);
  }

  /** Drops what was written; the target is untouched. Safe to call more than once. */
  abort(): void {
    if (this.fd !== null) {
      if (this.ownsFd) {
        try {
          closeSync(this.fd);
        } catch {
          // closing a broken descriptor: nothing more to do
        }
      }
      this.fd = null;
    }
    if (!this.done) {
      this.done = true;
      if (this.finalPath !== null) {
        removeQuietly(this.tempPath);
        untrack(this.tempPath);
      }
    }
  }
}

/** Writes `data` to `target` atomically. */
export function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicOptions = {}): void {
  const writer = new AtomicWriter(target, options);
  try {
    writer.write(data);
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}
