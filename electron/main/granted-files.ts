import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';

/**
 * Files the main process itself was handed (its dialogs, drops on the window, the command line):
 * the window gets an opaque handle for each, never the path, and the service resolves a handle
 * only here. A compromised page can therefore name no file of its own choosing.
 */
export class GrantedFiles {
  private readonly files = new Map<string, { path: string; name: string }>();

  grant(path: string): { handle: string; name: string } {
    const handle = randomBytes(24).toString('base64url');
    const name = basename(path);
    this.files.set(handle, { path, name });
    return { handle, name };
  }

  resolve(handle: string): { path: string; name: string } {
    const f = this.files.get(handle);
    if (f === undefined) throw new Error('no such file was chosen in this window');
    return f;
  }

  remove(handle: string): void {
    this.files.delete(handle);
  }
}
