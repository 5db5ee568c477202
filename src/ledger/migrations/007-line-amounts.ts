import type { Migration } from './migration.ts';

/** Released: frozen. The SQL text is kept byte for byte (SQLite stores it as the schema). */
export const MIGRATION_007: Migration = {
  version: 7,
  description: "each consumption line also keeps its amount and that amount's occurrence in its message, for copies with columns deleted",
  // A line's content hash (`line`, version 6) is taken over every documented column, a missing
  // one read as empty: a copy of the export with a non-empty column deleted in a spreadsheet (or
  // trimmed to the useful columns) gave each line another hash, and its lines counted again. The
  // hash is kept as it is (the lines recorded before this version are found by it), and each line
  // recorded from now on also keeps what such a copy still holds: its amount (`amount`, µUSD, the
  // line's own even where `cost` is 0) and its occurrence among the lines of its message with that
  // amount in its file (`amount_occ`), under the message's `eseq`; `cells` has one bit for each
  // documented column with a cell on the line. An import matches by amount only a line whose cells
  // are a strict superset or subset of its own (the same line with columns deleted), so that lines
  // of equal amounts in two exports of one shape never stand for each other. Lines recorded before
  // this version have no amount (NULL) and match by content only.
  sql: `
      ALTER TABLE event_lines ADD COLUMN amount INTEGER;
      ALTER TABLE event_lines ADD COLUMN amount_occ INTEGER;
      ALTER TABLE event_lines ADD COLUMN cells INTEGER;
    `,
};
