import type { Migration } from './migration.ts';

/** Released: frozen. The SQL text is kept byte for byte (SQLite stores it as the schema). */
export const MIGRATION_008: Migration = {
  version: 8,
  description: "a scope-day whose spend the cost export gives keeps the consumption export's runs and requests, carrying that spend",
  // Up to version 7, a scope-day (an API key, or an agent's spend without a key, on a UTC day)
  // whose consumption lines add up to less than the cost export's rows counted the cost rows'
  // hourly events and held every consumption event of it (spend_days.held = 1 on the consumption
  // rows): the day's real requests and trigger runs were gone from every count of runs (a
  // programmatic trigger's 60 runs read as 24 runs of "<agent> (no key)"). From this version the
  // consumption events stay counted and carry the cost rows' total, each a share in proportion to
  // its own cost; `share` holds the difference (the event's own cost is `cost - share`), and
  // the cost rows' events are held (`held = 1`) whichever export's spend counts. spend_days.held
  // on a consumption row is 2 when its events carry such shares.
  //
  // The ledger's scope-days held the old way are converted here: their consumption events come
  // back and share out the cost rows' total, and the cost rows' events are held. Nothing else
  // changes: the choice of which export's spend counts stays as it was.
  sql: `
      ALTER TABLE events ADD COLUMN share INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE events_held ADD COLUMN share INTEGER NOT NULL DEFAULT 0;
    `,
  finish(db) {
    const rows = db
      .prepare(
        `SELECT d.batch, d.source, d.scope, d.day, d.micros, d.held, b.first_seq, b.last_seq
         FROM spend_days d JOIN batches b ON b.id = d.batch WHERE b.undone_at IS NULL AND b.first_seq IS NOT NULL AND b.last_seq IS NOT NULL`,
      )
      .all() as V8Row[];
    const groups = new Map<string, V8Row[]>();
    for (const r of rows) {
      const k = `${r.scope}\u0000${r.day}`;
      let g = groups.get(k);
      if (g === undefined) groups.set(k, (g = []));
      g.push(r);
    }
    const sel = `time >= ? AND time < ? AND seq BETWEEN ? AND ? AND type IN (0, 1) AND subject IN (SELECT subject FROM spend_subjects WHERE batch = ? AND scope = ?)`;
    const toEvents = [db.prepare(`INSERT INTO events SELECT * FROM events_held WHERE ${sel}`), db.prepare(`DELETE FROM events_held WHERE ${sel}`)];
    const toHeld = [db.prepare(`INSERT INTO events_held SELECT * FROM events WHERE ${sel}`), db.prepare(`DELETE FROM events WHERE ${sel}`)];
    const carriersOf = db.prepare(`SELECT time, seq, ident, cost FROM events WHERE ${sel}`);
    const setShare = db.prepare('UPDATE events SET cost = ?, share = ? WHERE time = ? AND seq = ?');
    const setHeld = db.prepare('UPDATE spend_days SET held = ? WHERE batch = ? AND scope = ? AND day = ?');
    const args = (r: V8Row): (string | number)[] => [r.day, r.day + DAY_V8, r.first_seq, r.last_seq, r.batch, r.scope];
    for (const g of groups.values()) {
      const consumption = g.filter((r) => r.source === 'consumption');
      const cost = g.filter((r) => r.source === 'cost');
      if (cost.length === 0 || !consumption.some((r) => r.held === 1)) continue;
      const bySeq = new Map<number, V8Carrier>();
      for (const r of consumption) {
        if (r.held === 1) for (const s of toEvents) s.run(args(r));
        for (const c of carriersOf.all(args(r)) as V8Carrier[]) bySeq.set(c.seq, c);
      }
      const carriers = [...bySeq.values()].sort((a, b) => a.time - b.time || ((a.ident ?? '') < (b.ident ?? '') ? -1 : (a.ident ?? '') > (b.ident ?? '') ? 1 : a.seq - b.seq));
      if (carriers.length === 0) {
        for (const r of consumption) setHeld.run(0, r.batch, r.scope, r.day);
        continue;
      }
      const costs = apportionV8(
        cost.reduce((s, r) => s + r.micros, 0),
        carriers.map((c) => c.cost),
      );
      carriers.forEach((c, i) => {
        if (costs[i] !== c.cost) setShare.run(costs[i], costs[i]! - c.cost, c.time, c.seq);
      });
      for (const r of consumption) setHeld.run(2, r.batch, r.scope, r.day);
      for (const r of cost) {
        if (r.held === 1) continue;
        for (const s of toHeld) s.run(args(r));
        setHeld.run(1, r.batch, r.scope, r.day);
      }
    }
  },
};

// What the conversion needs, copied (not imported) so that it converts old ledgers the same way
// whatever becomes of the live code (ledger/overlap.ts).

const DAY_V8 = 86_400_000;

interface V8Row {
  batch: number;
  source: string;
  scope: string;
  day: number;
  micros: number;
  held: number;
  first_seq: number;
  last_seq: number;
}

interface V8Carrier {
  time: number;
  seq: number;
  ident: string | null;
  cost: number;
}

/** `total` split over `weights` (integers >= 0) by largest remainder, ties to the earlier index; equal parts when every weight is 0. */
function apportionV8(total: number, weights: readonly number[]): number[] {
  const w = weights.some((x) => x > 0) ? weights.map((x) => BigInt(Math.max(0, x))) : weights.map(() => 1n);
  const sum = w.reduce((a, b) => a + b, 0n);
  const t = BigInt(total);
  const parts = w.map((x) => (t * x) / sum);
  const order = w.map((x, i) => ({ i, r: (t * x) % sum }));
  order.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  let left = Number(t - parts.reduce((a, b) => a + b, 0n));
  for (let k = 0; left > 0; k++, left--) parts[order[k % order.length]!.i]! += 1n;
  return parts.map(Number);
}
