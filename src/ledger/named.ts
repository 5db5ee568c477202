import type { ReadableLedger, WritableLedger } from './db.ts';

/** Named plans and scenarios, saved as JSON bodies; a scenario may point at the plan it was made on. */

export interface SavedItem {
  id: number;
  name: string;
  savedAt: number;
}

export type NamedTable = 'plans' | 'scenarios';

export function saveNamed(db: WritableLedger, table: NamedTable, name: string, body: unknown): number {
  const row = db
    .prepare(`INSERT INTO ${table}(name, body, saved_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at RETURNING id`)
    .get(name, JSON.stringify(body), Date.now()) as { id: number };
  return row.id;
}

export function listNamed(db: ReadableLedger, table: NamedTable): SavedItem[] {
  return (db.prepare(`SELECT id, name, saved_at FROM ${table} ORDER BY name`).all() as { id: number; name: string; saved_at: number }[]).map((r) => ({
    id: r.id,
    name: r.name,
    savedAt: r.saved_at,
  }));
}

export function loadNamed(db: ReadableLedger, table: NamedTable, nameOrId: string | number): unknown {
  const col = typeof nameOrId === 'number' ? 'id' : 'name';
  const body = db.prepare(`SELECT body FROM ${table} WHERE ${col} = ?`).pluck().get(nameOrId) as string | undefined;
  return body === undefined ? null : (JSON.parse(body) as unknown);
}

export function deleteNamed(db: WritableLedger, table: NamedTable, nameOrId: string | number): boolean {
  const col = typeof nameOrId === 'number' ? 'id' : 'name';
  return db.prepare(`DELETE FROM ${table} WHERE ${col} = ?`).run(nameOrId).changes > 0;
}

/** Gives the item `id` the name `name` (its id and body stay); false when there is no such item. */
export function renameNamed(db: WritableLedger, table: NamedTable, id: number, name: string): boolean {
  return db.prepare(`UPDATE ${table} SET name = ? WHERE id = ?`).run(name, id).changes > 0;
}

/** Saves a scenario under `name`, tied to the saved plan `planId` (null: none). */
export function saveScenario(db: WritableLedger, name: string, scenario: unknown, planId: number | null): number {
  const id = saveNamed(db, 'scenarios', name, scenario);
  db.prepare('UPDATE scenarios SET plan_id = ? WHERE id = ?').run(planId, id);
  return id;
}
