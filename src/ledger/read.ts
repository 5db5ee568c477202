import { existsSync } from 'node:fs';
import type { EventColumns } from '../engine/events.ts';
import { isoOf } from '../engine/units.ts';
import { InputError } from '../errors.ts';
import { openLedgerForReading } from './ledger.ts';
import { withLedgerFacts } from './entities.ts';
import type { LedgerEntity } from './entities.ts';
import { validatePlan } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';

/**
 * The events of the ledger at `path` in [from, to), time order, ledger identities as ids: what
 * `simulate --db` runs the plan over. Never creates a ledger: a wrong path is an input error.
 * `withIds: false` when no decisions are written (only they show ids): faster.
 */
export function readLedgerEvents(path: string, from?: number, to?: number, withIds = true): EventColumns {
  if (!existsSync(path)) throw new InputError(`--db ${path}: no such ledger (create one with headroom import FILE --db ${path})`, [{ file: path, column: '--db', value: path, message: 'no such ledger' }]);
  if (from !== undefined && to !== undefined && to <= from) {
    throw new InputError(`--to ${isoOf(to)} must come after --from ${isoOf(from)}`, [{ column: '--to', value: isoOf(to), message: 'must come after --from' }]);
  }
  try {
    return readEvents(path, from, to, withIds);
  } catch (err) {
    throw asLedgerInputError(err, path);
  }
}

/**
 * SQLite's failures that are the file's or the disk's, not a bug: said as such, as input errors
 * (exit 2) naming the ledger. Anything else is returned as it is.
 */
export function asLedgerInputError(err: unknown, path: string): unknown {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return err;
  let message: string | null = null;
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) {
    message = 'the ledger is damaged (database disk image is malformed); restore it from a backup or import the exports into a new ledger';
  } else if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC') {
    message = 'the disk is full: free some space and try again (nothing was changed)';
  }
  if (message === null) return err;
  return new InputError(`${path}: ${message}`, [{ file: path, message }]);
}

function readEvents(path: string, from: number | undefined, to: number | undefined, withIds: boolean): EventColumns {
  const ledger = openLedgerForReading(path);
  try {
    const range = { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
    // readEvents reads its columns in one read transaction: an import meanwhile cannot slip rows between them
    const events = ledger.readEvents({ ...range, withIds });
    if (events.count === 0) {
      const range = from !== undefined || to !== undefined ? ` in [${from === undefined ? '…' : isoOf(from)}, ${to === undefined ? '…' : isoOf(to)})` : '';
      throw new InputError(`${path}: the ledger holds no events${range}`, [{ file: path, message: `no events${range}` }]);
    }
    return events;
  } finally {
    ledger.close();
  }
}

/**
 * The plan with what the ledger learned from the platform's exports about the entities the plan
 * does not name (trigger modes and kinds, spend without a key as a programmatic trigger without a
 * run limit, export names). Without it, such a trigger would be inferred as a fair-use webhook:
 * its spend would count nowhere and its runs would take pool units. A ledger of canonical events
 * knows no such facts, so its plan is returned as it is and `simulate --db` still decides exactly
 * as the same events in a CSV. What the plan says always wins.
 */
export function planWithLedgerEntities(plan: Plan, path: string): Plan {
  const ledger = openLedgerForReading(path);
  let entities: LedgerEntity[];
  try {
    entities = ledger.entities();
  } finally {
    ledger.close();
  }
  if (entities.length === 0) return plan;
  const merged = withLedgerFacts(plan, entities);
  return JSON.stringify(merged) === JSON.stringify(plan) ? plan : validatePlan(merged, 'plan with the ledger’s entities');
}
