/**
 * File names for ids (support drafts are named after their trigger). Ids are free text: `t/pr`,
 * `t_pr` and `t:pr` all make `t_pr`, and `T_pr` is the same file on macOS and Windows, so every
 * id whose name another id shares gets a short hash of itself: stable whatever the order, and
 * different for different ids.
 */
import { createHash } from 'node:crypto';

/** Names Windows keeps for devices, whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

/** One id as a portable file name (no extension): letters, digits, `.`, `_`, `-`. */
export function safeFileName(id: string): string {
  const name = id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80).replace(/^\.+/, '_') || '_';
  return RESERVED.test(name) ? `_${name}` : name;
}

function hashOf(id: string, length: number): string {
  return createHash('sha256').update(id).digest('hex').slice(0, length);
}

/** A distinct file name for each id, compared as a case-insensitive file system compares them. */
export function uniqueFileNames(ids: readonly string[]): string[] {
  const base = ids.map(safeFileName);
  const count = new Map<string, number>();
  for (const b of base) count.set(b.toLowerCase(), (count.get(b.toLowerCase()) ?? 0) + 1);
  const taken = new Set<string>();
  for (const b of base) if (count.get(b.toLowerCase()) === 1) taken.add(b.toLowerCase());
  return base.map((b, i) => {
    if (count.get(b.toLowerCase()) === 1) return b;
    // longer hashes only if two ids share the short one (or an id already reads like it)
    for (let length = 8; ; length += 4) {
      const name = `${b}-${hashOf(ids[i]!, length)}`;
      if (!taken.has(name.toLowerCase()) || length >= 64) {
        taken.add(name.toLowerCase());
        return name;
      }
    }
  });
}
