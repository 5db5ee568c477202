import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Plan } from '../engine/plan.ts';
import type { OverviewBody } from '../projection/overview.ts';

/**
 * The last overview computed for a ledger, kept in a file beside it, so that a launch shows the
 * Overview before the compute worker has read the events and simulated them. It is served only
 * for the same events (the ledger's content version), the same plan (its hash) and the same code
 * (src/fs/source-version.ts): anything else is a miss, never an old answer. The page still asks
 * for the live answer and replaces it, so a snapshot is only ever what was shown first.
 *
 * Here, below the service, because the command line writes it too: an import from the terminal
 * into a ledger the app has shown stores the overview of its new events (src/cli/stored-overview.ts).
 */
export interface SnapshotKey {
  /** the ledger's content version (Ledger.eventsVersionKey) */
  events: string;
  /** sha-256 of the plan's JSON */
  plan: string;
  /** the compute code's version (ComputeClient.codeVersion) */
  code: string;
}

/** What computed a stored overview: the app (its last live answer), or a command-line import or undo. */
export type StoredBy = 'app' | 'import';

/** How many events and their first and last time: what the ledger's facts need, without counting every row. */
export interface StoredSpan {
  events: number;
  from: number | null;
  to: number | null;
}

interface SnapshotFile {
  format: typeof FORMAT;
  key: SnapshotKey;
  savedAt: number;
  /** absent in files written before it was kept: the app's */
  by?: StoredBy;
  /** depends on the events alone: good for the same content version whatever the plan or code */
  span: StoredSpan;
  body: OverviewBody;
}

/** Bumped when the file's shape or the overview's shape changes. */
const FORMAT = 2;

export function snapshotPath(ledgerPath: string): string {
  return `${ledgerPath}.overview.json`;
}

export function planHash(plan: Plan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

const sameKey = (a: SnapshotKey, b: SnapshotKey): boolean => a.events === b.events && a.plan === b.plan && a.code === b.code;

function readFile(ledgerPath: string): Partial<SnapshotFile> | null {
  let text: string;
  try {
    text = readFileSync(snapshotPath(ledgerPath), 'utf8');
  } catch {
    return null;
  }
  try {
    const file = JSON.parse(text) as Partial<SnapshotFile> | null;
    return typeof file === 'object' && file !== null && file.format === FORMAT && typeof file.key === 'object' && file.key !== null ? file : null;
  } catch {
    // a torn or foreign file is a miss; the next live answer overwrites it
    return null;
  }
}

/** The stored overview for exactly `key`, with when and by what it was computed; null when there is none or it is another's. */
export function readSnapshot(ledgerPath: string, key: SnapshotKey): { body: OverviewBody; savedAt: number; by: StoredBy } | null {
  const file = readFile(ledgerPath);
  if (file === null || file.key === undefined || !sameKey(file.key, key)) return null;
  if (typeof file.savedAt !== 'number' || typeof file.body !== 'object' || file.body === null) return null;
  return { body: file.body, savedAt: file.savedAt, by: file.by === 'import' ? 'import' : 'app' };
}

/** Whether a stored overview of any events, plan or code is beside the ledger: the app has shown it. */
export function hasSnapshot(ledgerPath: string): boolean {
  return readFile(ledgerPath) !== null;
}

/** The events' count and range stored with the last overview, when the ledger's content version is still `events`. */
export function readStoredSpan(ledgerPath: string, events: string): StoredSpan | null {
  const file = readFile(ledgerPath);
  const span = file?.span;
  if (file?.key?.events !== events || typeof span !== 'object' || span === null || !Number.isInteger(span.events)) return null;
  return { events: span.events, from: span.from, to: span.to };
}

/** Keeps `body` (and the events' `span`) as the overview for `key`, replacing the last one; written whole or not at all. */
export function writeSnapshot(ledgerPath: string, key: SnapshotKey, body: OverviewBody, span: StoredSpan, savedAt = Date.now(), by: StoredBy = 'app'): void {
  const target = snapshotPath(ledgerPath);
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, key, savedAt, by, span, body } satisfies SnapshotFile));
    renameSync(tmp, target);
  } catch {
    // a read-only folder or a full disk only costs the next launch its head start
    rmSync(tmp, { force: true });
  }
}
