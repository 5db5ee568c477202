import type { ReadableLedger, WritableLedger } from './db.ts';

/** Column mappings (import profiles) saved per file shape: a file of the same shape is mapped again without questions. */

export function getMapping(db: ReadableLedger, shape: string): unknown {
  const row = db.prepare('SELECT mapping FROM mappings WHERE shape = ?').pluck().get(shape) as string | undefined;
  return row === undefined ? null : (JSON.parse(row) as unknown);
}

export function saveMapping(db: WritableLedger, shape: string, header: readonly string[], mapping: unknown): void {
  db.prepare(
    'INSERT INTO mappings(shape, header, mapping, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT(shape) DO UPDATE SET mapping = excluded.mapping, header = excluded.header, saved_at = excluded.saved_at',
  ).run(shape, JSON.stringify(header), JSON.stringify(mapping), Date.now());
}
