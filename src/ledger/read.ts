import { existsSync } from 'node:fs';
import { PackedIds } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { isoOf } from '../engine/units.ts';
import { InputError } from '../errors.ts';
import { openLedger } from './ledger.ts';
import type { Ledger } from './ledger.ts';

/** the whole range of JS dates, as Ledger#readEvents reads by default */
const ALL_FROM = -8.64e15;
const ALL_TO = 8.64e15 + 1;

/**
 * The identities of the events in [from, to), in (time, seq) order, packed: SQLite joins them
 * into one blob, instead of a million strings in a million row arrays (a quarter of a second and
 * a heap the GC must mark, for 1M events). Null when SQLite cannot make a blob that large, or
 * an identity is empty.
 */
function readIdents(ledger: Ledger, from: number | undefined, to: number | undefined): PackedIds | null {
  let row: { bytes: Uint8Array | null; lens: string | null } | undefined;
  try {
    row = ledger.db
      .prepare(
        // The subquery's order holds: SQLite does not flatten an ordered subquery into an
        // aggregate, and reads this table in its primary key's (time, seq) order anyway. (An
        // ORDER BY inside group_concat sorts again: three times slower.)
        `SELECT CAST(group_concat(ident, '') AS BLOB) AS bytes, group_concat(octet_length(ident), ',') AS lens
         FROM (SELECT ident FROM events WHERE time >= ? AND time < ? ORDER BY time, seq)`,
      )
      .get(from === undefined ? ALL_FROM : Math.ceil(from), to === undefined ? ALL_TO : to) as typeof row;
  } catch {
    return null;
  }
  const ids = new PackedIds();
  const bytes = row?.bytes ?? new Uint8Array(0);
  const lens = row?.lens ?? '';
  let at = 0;
  let len = 0;
  for (let i = 0; i <= lens.length; i++) {
    const c = i < lens.length ? lens.charCodeAt(i) : 44;
    if (c === 44 /* , */) {
      // an empty identity would read as "no id": leave such a ledger to the general path
      if (len === 0) return null;
      ids.pushBytes(bytes, at, at + len);
      at += len;
      len = 0;
    } else {
      len = len * 10 + c - 48;
    }
  }
  return at === bytes.length ? ids : null;
}

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
    // One read transaction: an import running meanwhile cannot slip rows between the two reads.
    const events = ledger.db.transaction(() => {
      const columns = ledger.readEvents({ ...range, withIds: false });
      if (!withIds || columns.count === 0) return columns;
      const ids = readIdents(ledger, from, to);
      return ids !== null && ids.length === columns.count ? { ...columns, ids } : ledger.readEvents({ ...range, withIds: true });
    })();
    if (events.count === 0) {
      const range = from !== undefined || to !== undefined ? ` in [${from === undefined ? '…' : isoOf(from)}, ${to === undefined ? '…' : isoOf(to)})` : '';
      throw new InputError(`${path}: the ledger holds no events${range}`, [{ file: path, message: `no events${range}` }]);
    }
    return events;
  } finally {
    ledger.close();
  }
}
