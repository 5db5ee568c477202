import type { Migration } from './migration.ts';

/** Released: frozen. The SQL text is kept byte for byte (SQLite stores it as the schema). */
export const MIGRATION_006: Migration = {
  version: 6,
  description: 'each consumption line keeps its own identity (content + occurrence), folded into its message event',
  // The consumption export has several lines per agent message; the ledger counts one event per
  // message (one request, one run, one message sent). Up to version 5 the message was the
  // identity, so an export cut mid-message and the next export repeating it kept only the first
  // export's lines. Now every line is recorded here under the identity SPEC §8 gives a row
  // without an id column: its content (`line`: a 48-bit hash of the normalized line, its message
  // included) and its occurrence among identical lines of its file (`occ`), under `eseq`, the seq
  // of the message's event (an event's seq never changes; an import appends its messages' lines
  // in seq order, which keeps this table's writes at its end). `seq` is the seq the line's batch
  // gave the message (inside the batch's seq range: undo finds a batch's lines by it); `time` and
  // `cost` the line's own, so that an undo can rebuild a message from the lines other batches added.
  //
  // A ledger's existing message events were folded before this version: their lines are not
  // known. Each becomes one line, `line = -1` (no content hash is negative), with the event's
  // seq, time and cost. A message holding such a line takes no more lines (as before): only an
  // undo and a new import of its file record its lines one by one.
  sql: `
      CREATE TABLE event_lines (
        eseq INTEGER NOT NULL,
        line INTEGER NOT NULL,
        occ  INTEGER NOT NULL,
        seq  INTEGER NOT NULL,
        time INTEGER NOT NULL,
        cost INTEGER NOT NULL,
        PRIMARY KEY (eseq, line, occ)
      ) WITHOUT ROWID;
      INSERT OR IGNORE INTO event_lines(eseq, line, occ, seq, time, cost)
        SELECT seq, -1, 0, seq, time, cost FROM events WHERE ident >= 'dust-msg:' AND ident < 'dust-msg;'
        UNION ALL
        SELECT seq, -1, 0, seq, time, cost FROM events_held WHERE ident >= 'dust-msg:' AND ident < 'dust-msg;';
    `,
};
