import type { ReadableLedger, WritableLedger } from './db.ts';

/**
 * Column mappings (import profiles) saved per file shape: a file of the same shape is mapped again
 * without questions. A mapping the importer guessed (not one an admin gave) is stored as
 * `{"fromGuess": true, "mapping": …}`: its decimal mark and date format were what that file told,
 * and a later file of the same shape decides its own (another locale's copy of the same report).
 * A stored mapping without the envelope (an admin's, or saved before it existed) is used as it is.
 */
export interface SavedMapping {
  mapping: unknown;
  fromGuess: boolean;
}

function isEnvelope(v: unknown): v is { fromGuess: true; mapping: unknown } {
  return typeof v === 'object' && v !== null && (v as { fromGuess?: unknown }).fromGuess === true && 'mapping' in v;
}

export function getSavedMapping(db: ReadableLedger, shape: string): SavedMapping | null {
  const row = db.prepare('SELECT mapping FROM mappings WHERE shape = ?').pluck().get(shape) as string | undefined;
  if (row === undefined) return null;
  const stored = JSON.parse(row) as unknown;
  return isEnvelope(stored) ? { mapping: stored.mapping, fromGuess: true } : { mapping: stored, fromGuess: false };
}

export function getMapping(db: ReadableLedger, shape: string): unknown {
  return getSavedMapping(db, shape)?.mapping ?? null;
}

export function saveMapping(db: WritableLedger, shape: string, header: readonly string[], mapping: unknown, fromGuess = false): void {
  const stored = fromGuess ? { fromGuess: true, mapping } : mapping;
  db.prepare(
    'INSERT INTO mappings(shape, header, mapping, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT(shape) DO UPDATE SET mapping = excluded.mapping, header = excluded.header, saved_at = excluded.saved_at',
  ).run(shape, JSON.stringify(header), JSON.stringify(stored), Date.now());
}
