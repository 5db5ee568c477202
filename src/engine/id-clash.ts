import { PackedIds } from './events.ts';
import type { EventColumns } from './events.ts';

/**
 * An `id` is an event's identity (SPEC §8: the ledger keeps one event per id). Two rows of one file
 * with the same id and different content (time, type, subject or cost) cannot both be that event:
 * `import` refuses such a file, and so does `simulate` over it, so that the same bytes get the
 * same verdict. The same id with the same content is one event given twice (the importer counts
 * the second as a duplicate).
 */

/** The row indices [earlier, later] of the first id given to two rows of different content, or null. */
export function firstIdClash(events: EventColumns): [number, number] | null {
  const ids = events.ids;
  if (ids === null || ids.length < 2) return null;
  // `<prefix><row>` ids (generated files, this app's exports) are distinct by construction
  if (ids instanceof PackedIds && ids.rowPattern !== null) return null;
  const seen = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids.at(i);
    if (id === null || id === undefined) continue;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else if (!sameContent(events, first, i)) return [first, i];
  }
  return null;
}

function sameContent(e: EventColumns, a: number, b: number): boolean {
  return e.time[a] === e.time[b] && e.type[a] === e.type[b] && e.subject[a] === e.subject[b] && e.cost[a] === e.cost[b];
}
