import type Database from 'better-sqlite3';

/**
 * One step of the ledger's schema: migration `n` brings a database from `user_version = n - 1`
 * to `n`, in one transaction with the version bump (ledger/db.ts runs them). A released
 * migration is frozen: it never imports live code (it copies what it needs as it was then), so
 * that changing today's code cannot change what an old ledger becomes. Add one; never edit one.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
  /** run before `sql`, in the same transaction (SQL functions the statements call) */
  readonly prepare?: (db: Database.Database) => void;
  /** run after `sql`, in the same transaction (rows to convert with what SQL alone does not say well) */
  readonly finish?: (db: Database.Database) => void;
  /**
   * VACUUM once committed: the migration rebuilt a table, whose old pages would otherwise stay
   * in the file as free pages (a third of it for the events table), and the ledger's page
   * reader copies the whole file.
   */
  readonly vacuum?: boolean;
}
