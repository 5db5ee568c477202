import type { Migration } from './migration.ts';

/** Released: frozen. The SQL text is kept byte for byte (SQLite stores it as the schema). */
export const MIGRATION_002: Migration = {
  version: 2,
  description: 'column mappings saved per file shape',
  sql: `
      CREATE TABLE mappings (
        shape    TEXT PRIMARY KEY,
        header   TEXT NOT NULL,
        mapping  TEXT NOT NULL,
        saved_at INTEGER NOT NULL
      );
    `,
};
