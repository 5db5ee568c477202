import type { Migration } from './migration.ts';

/** Released: frozen. The SQL text is kept byte for byte (SQLite stores it as the schema). */
export const MIGRATION_005: Migration = {
  version: 5,
  description: 'one spend counted once: held (not counted) events, spend per source, scope and day, entity facts',
  // The cost export (a day per agent, key and source) and the consumption export (a line per
  // agent message) describe the same spend. For each scope (an API key, or an agent's spend
  // without a key) and UTC day that both cover, one of them is counted; the other's events move
  // to events_held (same columns, same seqs: undo still finds them by seq range) and stay a
  // cross-check. Everything that reads `events` therefore sees counted events only.
  sql: `
      CREATE TABLE events_held (
        time    INTEGER NOT NULL,
        seq     INTEGER NOT NULL,
        type    INTEGER NOT NULL,
        subject INTEGER NOT NULL,
        cost    INTEGER NOT NULL,
        ident   TEXT,
        occ     INTEGER,
        PRIMARY KEY (time, seq)
      ) WITHOUT ROWID;
      CREATE INDEX events_held_ident ON events_held(ident) WHERE ident IS NOT NULL;
      -- which subjects' events of a batch make a scope's spend ('key:<name>' or 'agent:<name>')
      CREATE TABLE spend_subjects (
        batch   INTEGER NOT NULL,
        scope   TEXT NOT NULL,
        subject INTEGER NOT NULL,
        PRIMARY KEY (batch, scope, subject)
      ) WITHOUT ROWID;
      -- a batch's spend per scope and UTC day; held = 1 when its events are in events_held
      CREATE TABLE spend_days (
        batch  INTEGER NOT NULL,
        source TEXT NOT NULL,
        scope  TEXT NOT NULL,
        day    INTEGER NOT NULL,
        micros INTEGER NOT NULL,
        rows   INTEGER NOT NULL,
        held   INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (batch, scope, day)
      ) WITHOUT ROWID;
      -- what the exports say about an entity: its name, a trigger's kind and mode, its agent;
      -- admin_* columns hold an admin's correction, which a later import never overwrites
      CREATE TABLE entities (
        type       INTEGER NOT NULL,
        subject    TEXT NOT NULL,
        label      TEXT,
        kind       TEXT,
        mode       TEXT,
        agent      TEXT,
        admin_label TEXT,
        admin_kind  TEXT,
        PRIMARY KEY (type, subject)
      ) WITHOUT ROWID;
    `,
};
