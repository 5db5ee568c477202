import type { Migration } from './migration.ts';

/** Released: frozen. The SQL text is kept byte for byte (SQLite stores it as the schema). */
export const MIGRATION_009: Migration = {
  version: 9,
  description: "the platform's exports imported before version 5 list the API keys their events name, as later imports do",
  // From version 5 an import of the cost or consumption export lists which subjects' events make
  // each scope's spend (`spend_subjects`; scope `key:<name>` for an API key, the key's subject).
  // From this version that list also says which keys' history is the platform's own record of
  // what it let through (ledger/batches.ts `exportedKeys`), where an events CSV or a mapped sheet
  // holds demand: a key of the export whose requests went past the cap a plan states shows that
  // cap was not in force; demand past it is only what the cap would refuse. Exports imported
  // before version 5 listed nothing: their API keys are listed here from their events (seqs
  // first..last, all in `events`: nothing was held back before version 5). They get no
  // `spend_days`, so the overlap's choice of which export's spend counts stays as it was (every
  // query of it starts from `spend_days`). A ledger without such batches reads only `batches`.
  sql: '',
  finish(db) {
    const legacy = db
      .prepare(
        `SELECT id, first_seq, last_seq FROM batches b
         WHERE b.undone_at IS NULL AND b.format IN ('dust-cost', 'dust-consumption') AND b.events > 0
           AND b.first_seq IS NOT NULL AND b.last_seq IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM spend_subjects ss WHERE ss.batch = b.id)`,
      )
      .all() as { id: number; first_seq: number; last_seq: number }[];
    if (legacy.length === 0) return;
    db.exec('CREATE TEMP TABLE v9_batches (id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL)');
    const add = db.prepare('INSERT INTO v9_batches(id, first_seq, last_seq) VALUES (?, ?, ?)');
    for (const b of legacy) add.run(b.id, b.first_seq, b.last_seq);
    // one pass over the events (CROSS JOIN keeps them the outer loop), not one per batch
    db.exec(`INSERT OR IGNORE INTO spend_subjects(batch, scope, subject)
      SELECT DISTINCT b.id, 'key:' || s.name, e.subject
      FROM events e CROSS JOIN v9_batches b JOIN subjects s ON s.id = e.subject
      WHERE e.type = 0 AND e.seq BETWEEN b.first_seq AND b.last_seq`);
    db.exec('DROP TABLE v9_batches');
  },
};
