import { CancelledError, InputError } from '../errors.ts';
import type { InputErrorDetail } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { previewImport } from './importer.ts';
import type { ImportOptions, PreviewResult } from './importer.ts';
import type { GivenDayOrder } from './day-order.ts';

/** One file of a set to preview: where it is, its size (for the set's progress), its own mapping and day order. */
export interface SetFile {
  path: string;
  displayName: string;
  size: number;
  mapping?: unknown;
  dates?: GivenDayOrder;
}

/**
 * A file's preview given the files before it, or why its import would be refused (its message and
 * details name the file and line). Plain data: it crosses from the import worker as it is.
 */
export type SetFilePreview = { preview: PreviewResult } | { refused: { message: string; details: InputErrorDetail[] } };

/** What every file of the set is read with; progress is the set's (see setProgressOf). */
export type SetOptions = Omit<ImportOptions, 'mapping' | 'dates' | 'displayName' | 'onProgress'> & {
  onProgress?: (done: number, total: number) => void;
};

/**
 * Previews `files` in order as the set their import is: one dry run of the whole set (the ledger's
 * previewSet: each file's preview kept for the next, all of it rolled back), so a line two files
 * share is new in the first and a duplicate in the next, as their import then counts it. A file
 * refused whole answers its refusal and adds nothing for the files after it (its import adds
 * nothing either); a cancel stops the set.
 *
 * Progress is the set's bytes: the files' sizes end to end, so the caller can tell which file is
 * being read (setProgressOf) from the same sizes without another message.
 */
export async function previewSet(ledger: Ledger, files: readonly SetFile[], options: SetOptions = {}): Promise<SetFilePreview[]> {
  const total = Math.max(1, files.reduce((a, f) => a + f.size, 0));
  const { onProgress, ...read } = options;
  return ledger.previewSet(async () => {
    const out: SetFilePreview[] = [];
    let before = 0;
    for (const f of files) {
      if (read.signal?.aborted === true) throw new CancelledError();
      const at = before;
      onProgress?.(at, total);
      try {
        const preview = await previewImport(ledger, f.path, {
          ...read,
          displayName: f.displayName,
          ...(f.mapping !== undefined && f.mapping !== null ? { mapping: f.mapping } : {}),
          ...(f.dates !== undefined ? { dates: f.dates } : {}),
          // the file's share read, in its bytes, placed after those of the files before it
          ...(onProgress !== undefined ? { onProgress: (p) => onProgress(at + Math.min(f.size, Math.round((f.size * p.bytes) / Math.max(1, p.totalBytes))), total) } : {}),
        });
        out.push({ preview });
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        out.push({ refused: { message: err.message, details: err.details.map((d) => ({ file: f.displayName, ...d })) } });
      }
      before += f.size;
    }
    onProgress?.(total, total);
    return out;
  });
}

/** Which file of a set previewed with `sizes` the set's progress `done` is in, and how far into it. */
export function setProgressOf(sizes: readonly number[], done: number): { file: number; done: number; total: number } {
  let start = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    // a file's last byte read is also the next file's start: the next file is shown as started
    if (done < start + size || (done === start + size && i === sizes.length - 1)) return { file: i, done: done - start, total: Math.max(1, size) };
    start += size;
  }
  const last = Math.max(0, sizes.length - 1);
  return { file: last, done: sizes[last] ?? 0, total: Math.max(1, sizes[last] ?? 0) };
}
