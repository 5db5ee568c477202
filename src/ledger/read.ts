import { existsSync } from 'node:fs';
import type { EventColumns } from '../engine/events.ts';
import { isoOf } from '../engine/units.ts';
import { InputError } from '../errors.ts';
import { openLedger } from './ledger.ts';

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
  const ledger = openLedger(path);
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
