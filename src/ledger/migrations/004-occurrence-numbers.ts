import type { Migration } from './migration.ts';

/** The identity index as this migration built it (ledger/events.ts keeps today's copy). */
const EVENTS_IDENT_INDEX_V4 = 'CREATE UNIQUE INDEX events_ident ON events(ident) WHERE ident IS NOT NULL';

/** Released: frozen. The SQL text is kept byte for byte (SQLite stores it as the schema). */
export const MIGRATION_004: Migration = {
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
      ${EVENTS_IDENT_INDEX_V4};
    `,
};

// The content identity of a row without an id as version 4 defined it, copied (not imported) so
// that this migration converts old ledgers the same way whatever becomes of the live code.

/** 64 symbols in ascending ASCII order, so that encoded times sort as the times do. */
const SORTED64 = Array.from('-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz', (c) => c.charCodeAt(0));
const TIME_OFFSET = 2 ** 47;
const TWO32 = 2 ** 32;

/**
 * 128 bits of cyrb128 (a public-domain mixing hash on MurmurHash3's multipliers) over the row's
 * normalized content, fed as numbers: time and cost as two 32-bit words each, the type, then the
 * subject's UTF-16 units. Stable across versions and platforms, and far cheaper per row than a
 * crypto digest (or building a content string), which matters at a million rows. Identity, not
 * security: nobody gains by forging a collision in their own usage export.
 */
function contentHash(time: number, type: number, subject: string, cost: number, out: Int32Array): void {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  const tHi = Math.floor(time / TWO32);
  const cHi = Math.floor(cost / TWO32);
  const n = subject.length + 5;
  for (let i = 0; i < n; i++) {
    const k = i === 0 ? time - tHi * TWO32 : i === 1 ? tHi : i === 2 ? type : i === 3 ? cost - cHi * TWO32 : i === 4 ? cHi : subject.charCodeAt(i - 5);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  out[0] = h1;
  out[1] = h2 ^ h1;
  out[2] = h3 ^ h1;
  out[3] = h4 ^ h1;
}

/** The `~` + 16 characters of a content identity, as ASCII codes, into `out` (17 entries). */
function writeContentCodes(time: number, type: number, subject: string, cost: number, out: Uint8Array, h: Int32Array): void {
  contentHash(time, type, subject, cost, h);
  out[0] = 126;
  let v = time + TIME_OFFSET;
  for (let k = 8; k >= 1; k--) {
    const q = Math.floor(v / 64);
    out[k] = SORTED64[v - q * 64]!;
    v = q;
  }
  const a = h[0]!;
  const b = h[1]!;
  out[9] = SORTED64[a >>> 26]!;
  out[10] = SORTED64[(a >>> 20) & 63]!;
  out[11] = SORTED64[(a >>> 14) & 63]!;
  out[12] = SORTED64[(a >>> 8) & 63]!;
  out[13] = SORTED64[(a >>> 2) & 63]!;
  out[14] = SORTED64[((a & 3) << 4) | ((b >>> 28) & 15)]!;
  out[15] = SORTED64[(b >>> 22) & 63]!;
  out[16] = SORTED64[(b >>> 16) & 63]!;
}

const scratchHash = new Int32Array(4);
const scratchCodes = new Uint8Array(17);

/**
 * The identity shown for a row without an id (the ledger stores only its occurrence number):
 * `~` + its time (8 characters that sort like the time) + 48 bits of the hash of its normalized
 * content (8 characters), then `.n` for the n-th identical row of its file (n >= 2). Two rows
 * show the same identity only with the same millisecond and the same 48-bit hash (odds ~1e-9
 * even at a thousand distinct rows per millisecond). These are the identities ledgers before
 * version 4 stored (migration 4 turns them back into occurrence numbers): keep them
 * byte-identical, decisions and exports name events by them.
 */
function contentIdentity(time: number, type: number, subject: string, cost: number, occurrence: number): string {
  const c = scratchCodes;
  writeContentCodes(time, type, subject, cost, c, scratchHash);
  const id = String.fromCharCode(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!, c[12]!, c[13]!, c[14]!, c[15]!, c[16]!);
  return occurrence === 1 ? id : `${id}.${occurrence}`;
}

/**
 * The occurrence number of `stored` as the identity of this row without an id (the inverse of
 * contentIdentity), or null when `stored` is not this row's content identity (an id of its own).
 */
function occurrenceOf(stored: string, time: number, type: number, subject: string, cost: number): number | null {
  if (stored.length < 17 || stored.charCodeAt(0) !== 126) return null;
  let occurrence = 1;
  if (stored.length > 17) {
    const suffix = /^\.([1-9][0-9]{0,8})$/.exec(stored.slice(17));
    if (suffix === null) return null;
    occurrence = Number(suffix[1]);
    if (occurrence < 2) return null;
  }
  return contentIdentity(time, type, subject, cost, occurrence) === stored ? occurrence : null;
}

