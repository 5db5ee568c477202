import type Database from 'better-sqlite3';
import { occurrenceOf } from '../import/canonical.ts';

/**
 * The ledger's schema as numbered migrations. Migration `n` brings a database from
 * `user_version = n - 1` to `n`; each runs in its own transaction together with the version bump,
 * so a database is always at exactly one version. Never edit a released migration: add one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** run before `sql`, in the same transaction (SQL functions the statements call) */
  prepare?: (db: Database.Database) => void;
  /**
   * VACUUM once committed: the migration rebuilt a table, whose old pages would otherwise stay
   * in the file as free pages (a third of it for the events table), and the ledger's page
   * reader copies the whole file.
   */
  vacuum?: boolean;
}

/**
 * The identity index as of version 4: rows without an id have no identity string (NULL), so a
 * file without ids adds nothing to it; SQLite still uses it for `ident = ?`. The importer drops
 * it into an empty ledger and builds it again with this statement.
 */
export const EVENTS_IDENT_INDEX = 'CREATE UNIQUE INDEX events_ident ON events(ident) WHERE ident IS NOT NULL';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, subjects and import batches',
    sql: `
      CREATE TABLE subjects (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      CREATE TABLE batches (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        file_name   TEXT NOT NULL,
        file_size   INTEGER NOT NULL,
        sha256      TEXT NOT NULL,
        format      TEXT NOT NULL,
        mapping     TEXT,
        imported_at INTEGER NOT NULL,
        rows        INTEGER NOT NULL,
        imported    INTEGER NOT NULL,
        duplicates  INTEGER NOT NULL,
        rejected    INTEGER NOT NULL,
        events      INTEGER NOT NULL,
        -- the seq range the batch's events were given: seqs are never reused, so the range is
        -- exactly the batch's events (no per-event batch column to write a million times)
        first_seq   INTEGER,
        last_seq    INTEGER,
        undone_at   INTEGER
      );
      -- Clustered on (time, seq): reading events in time order is one walk of the table itself,
      -- and a file in time order appends to it. seq is the insertion order, which breaks ties
      -- between equal times exactly as the input order does in a CSV.
      -- No CHECK and no REFERENCES here: the importer validates every value, and at a million
      -- rows those checks cost SQLite more than the inserts themselves (measured: +70 %).
      -- type: 0 api, 1 trigger, 2 message; subject: subjects.id; cost: micro-USD >= 0.
      CREATE TABLE events (
        time    INTEGER NOT NULL,
        seq     INTEGER NOT NULL,
        type    INTEGER NOT NULL,
        subject INTEGER NOT NULL,
        cost    INTEGER NOT NULL,
        ident   TEXT NOT NULL,
        PRIMARY KEY (time, seq)
      ) WITHOUT ROWID;
      -- a named index, not an inline UNIQUE: the first import into an empty ledger drops it and
      -- builds it once at the end (a sort), several times faster than a million index inserts
      CREATE UNIQUE INDEX events_ident ON events(ident);
    `,
  },
  {
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
  },
  {
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
  },
  {
    version: 4,
    description: 'rows without an id keep an occurrence number instead of an identity string',
    // A row without an id is identified by its content and its occurrence among identical rows of
    // its file. Up to version 3 that identity was stored as a string (`~` + time + content hash,
    // `.n` for the n-th repeat) and indexed: at a million rows, making, writing and indexing
    // those strings took some 0.9 s of a 2 s import. Now `ident` is NULL and `occ` holds n (1
    // for the first); the string is made again when shown (contentIdentity, byte for byte as
    // before), and a repeat import finds such rows by content through the primary key (time
    // leads it).
    // A stored `~` identity converts only when it is exactly its own row's content identity: an
    // id column may hold anything, `~` included, and keeps it.
    vacuum: true,
    prepare(db) {
      db.function('headroom_v4_occurrence', { deterministic: true }, (ident, time, type, subject, cost) =>
        typeof ident === 'string' && typeof subject === 'string' && typeof time === 'number' && typeof type === 'number' && typeof cost === 'number'
          ? occurrenceOf(ident, time, type, subject, cost)
          : null,
      );
    },
    sql: `
      CREATE TABLE events_v4 (
        time    INTEGER NOT NULL,
        seq     INTEGER NOT NULL,
        type    INTEGER NOT NULL,
        subject INTEGER NOT NULL,
        cost    INTEGER NOT NULL,
        -- the row's id (its file's id column, or made by the format, as dust-cost's); NULL for a
        -- row without one, which occ then identifies with the content
        ident   TEXT,
        occ     INTEGER,
        PRIMARY KEY (time, seq)
      ) WITHOUT ROWID;
      INSERT INTO events_v4(time, seq, type, subject, cost, ident, occ)
        SELECT time, seq, type, subject, cost, CASE WHEN o IS NULL THEN ident END, o
        FROM (
          SELECT e.time, e.seq, e.type, e.subject, e.cost, e.ident,
                 CASE WHEN e.ident LIKE '~%' THEN headroom_v4_occurrence(e.ident, e.time, e.type, s.name, e.cost) END AS o
          FROM events e LEFT JOIN subjects s ON s.id = e.subject
        )
        ORDER BY time, seq;
      DROP TABLE events;
      ALTER TABLE events_v4 RENAME TO events;
      ${EVENTS_IDENT_INDEX};
    `,
  },
  {
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
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
