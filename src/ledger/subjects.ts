import type { Statement } from 'better-sqlite3';
import type { WritableLedger } from './db.ts';

/**
 * Subject names (API keys, triggers, people) to their small integer ids, creating them; the
 * cache lives as long as the connection.
 */
export class SubjectIds {
  private readonly db: WritableLedger;
  private ids: Map<string, number> | null = null;
  private insert: Statement | null = null;

  constructor(db: WritableLedger) {
    this.db = db;
  }

  idOf(name: string): number {
    if (this.ids === null) {
      this.ids = new Map();
      for (const [id, n] of this.db.prepare('SELECT id, name FROM subjects').raw().iterate() as IterableIterator<[number, string]>) this.ids.set(n, id);
    }
    let id = this.ids.get(name);
    if (id === undefined) {
      // another connection (the app's import worker) may have added it since the cache was filled
      this.insert ??= this.db.prepare('INSERT INTO subjects(name) VALUES (?) ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id').pluck();
      id = this.insert.get(name) as number;
      this.ids.set(name, id);
    }
    return id;
  }

  /** Forget cached ids (after a rollback they may no longer exist; another connection may have added some). */
  reset(): void {
    this.ids = null;
  }
}
