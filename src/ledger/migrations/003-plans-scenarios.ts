import type { Migration } from './migration.ts';

/** Released: frozen. The SQL text is kept byte for byte (SQLite stores it as the schema). */
export const MIGRATION_003: Migration = {
  version: 3,
  description: 'saved plans and scenarios',
  sql: `
      CREATE TABLE plans (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        name     TEXT NOT NULL UNIQUE,
        body     TEXT NOT NULL,
        saved_at INTEGER NOT NULL
      );
      CREATE TABLE scenarios (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        name     TEXT NOT NULL UNIQUE,
        plan_id  INTEGER REFERENCES plans(id) ON DELETE SET NULL,
        body     TEXT NOT NULL,
        saved_at INTEGER NOT NULL
      );
    `,
};
