import type { WritableLedger } from './db.ts';
import { DAY } from '../engine/units.ts';

/**
 * One spend counted once. The platform's cost export (one row per UTC day, agent, key and
 * source) and its consumption export (one line per step of an agent message) describe the same
 * API and programmatic spend. Each import records its spend per scope (`key:<name>` for an API
 * key, `agent:<name>` for an agent's spend without a key) and UTC day in `spend_days`; for every
 * scope-day that both kinds cover, exactly one kind's spend is counted:
 *
 * - the consumption lines' spend counts (real times, one event per message) when their total
 *   reaches the cost export's total for that scope-day, less rounding; the cost export's events
 *   wait in `events_held` as a cross-check;
 * - otherwise the consumption export falls short for that day (an export cut mid-day, a filter,
 *   a systematic difference such as rounding or a markup): the cost export's total counts. Its
 *   hourly events are still held: they are spend, not runs (24 of them a day, at made-up times),
 *   and the consumption events are the day's real requests and trigger runs, which the trigger
 *   limits, the throttles and the allowance count one by one. So the consumption events stay
 *   counted and carry the cost export's total instead of their own: each gets a share of it in
 *   proportion to its own cost (`events.share` holds the difference, so that an event's own cost
 *   is `cost - share` and comes back when the cost export goes).
 *
 * The choice depends only on the batches in the ledger, never on their order, so importing the
 * two in either order, or undoing one, gives the same counted totals and the same runs.
 */

export type SpendSource = 'cost' | 'consumption';

/** Rounding the two exports may differ by on one scope-day, in µUSD. */
export const COST_ROW_ROUNDING = 5_000; // the cost export rounds each row to the cent
export const CONSUMPTION_EVENT_ROUNDING = 200; // credits to 2 decimals per line, a few lines per message

export interface OverlapDisagreement {
  scope: string;
  /** epoch ms of the UTC day */
  day: number;
  costMicros: number;
  consumptionMicros: number;
  counted: SpendSource;
}

export interface OverlapSummary {
  /** scope-days that both the cost and the consumption export cover */
  scopeDays: number;
  /** distinct scopes among them */
  scopes: number;
  /** first and last such UTC day (epoch ms), null when none */
  from: number | null;
  to: number | null;
  /** scope-days counted from each source */
  countedConsumption: number;
  countedCost: number;
  /** µUSD of the side whose spend does not count (the cost rows, or the consumption lines' own cost), after this reconciliation */
  heldMicros: number;
  /** scope-days whose two totals differ by more than rounding (the first 50) */
  disagreements: OverlapDisagreement[];
  disagreementCount: number;
}

/**
 * One batch's share of the overlap: its own scope-days (whether the other export covers them or
 * not), and the summary restricted to those of them that both exports cover. An import says this
 * of its file apart from the ledger's whole summary, which an admin read as describing the file.
 */
export interface BatchOverlap extends OverlapSummary {
  ownScopeDays: number;
  /** distinct scopes among the batch's own scope-days */
  ownScopes: number;
  /** the first and last of the batch's own scope-days (epoch ms of the UTC day), null when none */
  ownFrom: number | null;
  ownTo: number | null;
}

function emptySummary(): OverlapSummary {
  return { scopeDays: 0, scopes: 0, from: null, to: null, countedConsumption: 0, countedCost: 0, heldMicros: 0, disagreements: [], disagreementCount: 0 };
}

/** Adds one scope-day both exports cover to `s` (its scopes collected in `scopes`). */
function tallyScopeDay(s: OverlapSummary, scopes: Set<string>, scope: string, day: number, d: { coarse: number; fine: number; tolerance: number }, counted: SpendSource): void {
  scopes.add(scope);
  s.scopeDays++;
  if (counted === 'consumption') s.countedConsumption++;
  else s.countedCost++;
  s.heldMicros += counted === 'consumption' ? d.coarse : d.fine;
  s.from = s.from === null ? day : Math.min(s.from, day);
  s.to = s.to === null ? day : Math.max(s.to, day);
  if (Math.abs(d.fine - d.coarse) > d.tolerance) {
    s.disagreementCount++;
    if (s.disagreements.length < 50) s.disagreements.push({ scope, day, costMicros: d.coarse, consumptionMicros: d.fine, counted });
  }
}

function finishSummary(s: OverlapSummary, scopes: Set<string>): void {
  s.scopes = scopes.size;
  s.disagreements.sort((a, b) => a.day - b.day || a.scope.localeCompare(b.scope));
}

/** `key:Marketing` → `API key Marketing`; `agent:Triage` → `Triage (no key)`. */
export function scopeLabel(scope: string): string {
  if (scope.startsWith('key:')) return `API key ${scope.slice(4)}`;
  if (scope.startsWith('agent:')) return `${scope.slice(6)} (no key)`;
  return scope;
}

/**
 * Records batch `batch`'s spend per scope and UTC day from its events (seqs first..last) and the
 * subjects each scope's spend went to. `rows`: for a cost export, its rows per `scope\0day`
 * (each rounded to the cent); for a consumption export null (its events are counted).
 * `elsewhere`: the consumption lines the batch added to messages other batches' events hold (an
 * overlapping export completing them), per message: subject, UTC day of the event, µUSD; that
 * spend is the batch's too. Returns the scope-days it recorded (`scope\0day`), for reconcileSpend.
 */
export function recordBatchSpend(
  db: WritableLedger,
  batch: number,
  source: SpendSource,
  firstSeq: number,
  lastSeq: number,
  scopes: ReadonlyMap<string, ReadonlySet<number>>,
  rows: ReadonlyMap<string, number> | null,
  elsewhere: readonly { subject: number; day: number; micros: number }[] = [],
): Set<string> {
  const addSubject = db.prepare('INSERT OR IGNORE INTO spend_subjects(batch, scope, subject) VALUES (?, ?, ?)');
  for (const [scope, subjects] of scopes) for (const s of subjects) addSubject.run(batch, scope, s);
  type Day = { scope: string; day: number; micros: number; n: number };
  // summed per subject and day first, then per scope: a join per event walked the batch's
  // scopes for every one of them (2.5 s of a 400k-line import)
  const days = db
    .prepare(
      `SELECT ss.scope AS scope, g.day AS day, sum(g.micros) AS micros, sum(g.n) AS n
       FROM (SELECT subject, time - time % ${DAY} AS day, sum(cost - share) AS micros, count(*) AS n
             FROM events WHERE seq BETWEEN ? AND ? AND type IN (0, 1) GROUP BY subject, day) g
       JOIN spend_subjects ss ON ss.batch = ? AND ss.subject = g.subject
       GROUP BY ss.scope, g.day`,
    )
    .all(firstSeq, lastSeq, batch) as Day[];
  if (elsewhere.length > 0) {
    const byKey = new Map(days.map((d) => [`${d.scope}\u0000${d.day}`, d]));
    for (const e of elsewhere) {
      for (const [scope, subjects] of scopes) {
        if (!subjects.has(e.subject)) continue;
        const k = `${scope}\u0000${e.day}`;
        const had = byKey.get(k);
        if (had !== undefined) {
          had.micros += e.micros;
          had.n++;
        } else {
          const d = { scope, day: e.day, micros: e.micros, n: 1 };
          byKey.set(k, d);
          days.push(d);
        }
      }
    }
  }
  const insert = db.prepare('INSERT INTO spend_days(batch, source, scope, day, micros, rows, held) VALUES (?, ?, ?, ?, ?, ?, 0)');
  for (const d of days) insert.run(batch, source, d.scope, d.day, d.micros, rows === null ? d.n : (rows.get(`${d.scope}\u0000${d.day}`) ?? 1));
  return new Set(days.map((d) => `${d.scope}\u0000${d.day}`));
}

/**
 * Forgets an undone batch's spend records (its events are gone already); returns the scope-days
 * it had (`scope\0day`): the spend the other batches' events carry there changes with it.
 */
export function forgetBatchSpend(db: WritableLedger, batch: number): Set<string> {
  const had = db.prepare('SELECT scope, day FROM spend_days WHERE batch = ?').all(batch) as { scope: string; day: number }[];
  db.prepare('DELETE FROM spend_days WHERE batch = ?').run(batch);
  db.prepare('DELETE FROM spend_subjects WHERE batch = ?').run(batch);
  return new Set(had.map((d) => `${d.scope}\u0000${d.day}`));
}

/** spend_days.held: where a batch's events of a scope-day are, and what they count */
const COUNTED = 0;
/** in events_held: not counted */
const HELD = 1;
/** consumption events counted, carrying the cost export's spend of their scope-day (events.share) */
const CARRYING = 2;

interface DayRow {
  batch: number;
  source: SpendSource;
  scope: string;
  day: number;
  micros: number;
  rows: number;
  held: number;
  first_seq: number | null;
  last_seq: number | null;
}

/** A scope-day both exports cover: its rows, the two totals, the rounding allowed, and the consumption's excess not yet matched. */
interface Both {
  rows: DayRow[];
  coarse: number;
  fine: number;
  tolerance: number;
  spare: number;
}

/**
 * The scope-days whose consumption falls short only because a message's spend sits on the other
 * side of midnight in the other export: the cost export's day and the consumption lines' times
 * need not agree on an agent message that runs across 00:00 UTC, so one day of the consumption
 * export falls short by what its neighbour holds in excess. Counting the cost export's short day
 * and the consumption's long one would count that message twice (and hold the short day's real
 * times), so such a day counts its consumption lines: the two days together agree. A neighbour's
 * excess covers one shortfall only; a day short by more than its neighbours hold in excess (an
 * export cut part-way through the day) still counts the cost export.
 */
function shortAcrossMidnight(both: Map<string, Both>): Set<string> {
  const out = new Set<string>();
  // in scope and day order, so that the choice never depends on the order the batches came in
  const short = [...both].filter(([, d]) => d.coarse - d.fine - d.tolerance > 0);
  short.sort(([, a], [, b]) => (a.rows[0]!.scope < b.rows[0]!.scope ? -1 : a.rows[0]!.scope > b.rows[0]!.scope ? 1 : a.rows[0]!.day - b.rows[0]!.day));
  for (const [k, d] of short) {
    const { scope, day } = d.rows[0]!;
    for (const n of [day - DAY, day + DAY]) {
      const nb = both.get(`${scope}\u0000${n}`);
      if (nb === undefined || nb.spare + d.tolerance + nb.tolerance < d.coarse - d.fine) continue;
      nb.spare = Math.max(0, nb.spare - (d.coarse - d.fine));
      out.add(k);
      break;
    }
  }
  return out;
}

/**
 * `total` split over `weights` (integers >= 0) by largest remainder: exact to the µUSD, ties to
 * the earlier index. Equal parts when every weight is 0. BigInt: a day's µUSD times an event's
 * µUSD passes 2^53.
 */
function apportion(total: number, weights: readonly number[]): number[] {
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

/** A consumption event that carries part of a cost row's spend: where it is, its identity, its own cost and its share now. */
interface Carrier {
  time: number;
  seq: number;
  ident: string | null;
  own: number;
  share: number;
}

/**
 * Decides, for every scope-day of the live batches, which source's spend counts, and moves
 * events between `events` and `events_held` and sets the consumption events' shares to match.
 * Call inside the transaction that changed the batches (an import before its commit, an undo),
 * with the scope-days it changed (`scope\0day`: the batch's recorded or forgotten ones): a
 * scope-day whose rows all look settled still has its shares set again then, since its totals
 * or its events changed. `batch`: also summarize that batch's own share (BatchOverlap), so that
 * an import can tell what its file brought from what the ledger holds.
 */
export function reconcileSpend(db: WritableLedger, touched: ReadonlySet<string> = new Set(), batch: number | null = null): { ledger: OverlapSummary; batch: BatchOverlap | null } {
  const rows = db
    .prepare(
      `SELECT d.batch, d.source, d.scope, d.day, d.micros, d.rows, d.held, b.first_seq, b.last_seq
       FROM spend_days d JOIN batches b ON b.id = d.batch WHERE b.undone_at IS NULL`,
    )
    .all() as DayRow[];
  const groups = new Map<string, DayRow[]>();
  for (const r of rows) {
    const k = `${r.scope}\u0000${r.day}`;
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(r);
  }
  const sel = `time >= ? AND time < ? AND seq BETWEEN ? AND ? AND type IN (0, 1) AND subject IN (SELECT subject FROM spend_subjects WHERE batch = ? AND scope = ?)`;
  const toHeld = [db.prepare(`INSERT INTO events_held SELECT * FROM events WHERE ${sel}`), db.prepare(`DELETE FROM events WHERE ${sel}`)];
  const toEvents = [db.prepare(`INSERT INTO events SELECT * FROM events_held WHERE ${sel}`), db.prepare(`DELETE FROM events_held WHERE ${sel}`)];
  const clearShares = db.prepare(`UPDATE events SET cost = cost - share, share = 0 WHERE ${sel} AND share != 0`);
  const carriersOf = db.prepare(`SELECT time, seq, ident, cost - share AS own, share FROM events WHERE ${sel}`);
  const setShare = db.prepare('UPDATE events SET cost = ?, share = ? WHERE time = ? AND seq = ?');
  const setHeld = db.prepare('UPDATE spend_days SET held = ? WHERE batch = ? AND scope = ? AND day = ?');
  const argsOf = (r: DayRow): (string | number)[] | null => (r.first_seq !== null && r.last_seq !== null ? [r.day, r.day + DAY, r.first_seq, r.last_seq, r.batch, r.scope] : null);
  /** puts the row's events where `state` says: held, or counted (their own cost, or carrying a share) */
  const settle = (r: DayRow, state: number): void => {
    const args = argsOf(r);
    // shares are set by carry(); any other state counts the events' own cost
    if (r.held === CARRYING && state !== CARRYING && args !== null) clearShares.run(args);
    if ((r.held === HELD) !== (state === HELD) && args !== null) for (const s of state === HELD ? toHeld : toEvents) s.run(args);
    if (r.held !== state) setHeld.run(state, r.batch, r.scope, r.day);
    r.held = state;
  };
  /**
   * The cost rows' total `coarse` spread over the consumption events of `g` in proportion to
   * their own cost, in time and identity order (not seq order, which depends on the import
   * order). Without any such event (nothing to carry it) the cost rows' own events count.
   */
  const carry = (g: DayRow[], coarse: number): void => {
    const byseq = new Map<number, Carrier>();
    for (const r of g) {
      if (r.source !== 'consumption') continue;
      settle(r, r.held === HELD ? COUNTED : r.held);
      const args = argsOf(r);
      if (args !== null) for (const c of carriersOf.all(args) as Carrier[]) byseq.set(c.seq, c);
    }
    const carriers = [...byseq.values()].sort((a, b) => a.time - b.time || ((a.ident ?? '') < (b.ident ?? '') ? -1 : (a.ident ?? '') > (b.ident ?? '') ? 1 : a.seq - b.seq));
    if (carriers.length === 0) {
      for (const r of g) settle(r, COUNTED);
      return;
    }
    const costs = apportion(coarse, carriers.map((c) => c.own));
    carriers.forEach((c, i) => {
      const share = costs[i]! - c.own;
      if (share !== c.share) setShare.run(costs[i]!, share, c.time, c.seq);
    });
    for (const r of g) settle(r, r.source === 'cost' ? HELD : CARRYING);
  };

  const summary = emptySummary();
  const scopes = new Set<string>();
  const mine: BatchOverlap | null = batch === null ? null : { ...emptySummary(), ownScopeDays: 0, ownScopes: 0, ownFrom: null, ownTo: null };
  const mineScopes = new Set<string>();
  const ownScopes = new Set<string>();
  const both = new Map<string, Both>();
  for (const [k, g] of groups) {
    if (mine !== null && g.some((r) => r.batch === batch)) {
      const { scope, day } = g[0]!;
      mine.ownScopeDays++;
      ownScopes.add(scope);
      mine.ownFrom = mine.ownFrom === null ? day : Math.min(mine.ownFrom, day);
      mine.ownTo = mine.ownTo === null ? day : Math.max(mine.ownTo, day);
    }
    let coarse = 0;
    let fine = 0;
    let tolerance = 0;
    let hasCoarse = false;
    let hasFine = false;
    for (const r of g) {
      if (r.source === 'cost') {
        coarse += r.micros;
        tolerance += COST_ROW_ROUNDING * r.rows;
        hasCoarse = true;
      } else {
        fine += r.micros;
        tolerance += CONSUMPTION_EVENT_ROUNDING * r.rows;
        hasFine = true;
      }
    }
    if (!(hasCoarse && hasFine)) {
      for (const r of g) settle(r, COUNTED);
      continue;
    }
    both.set(k, { rows: g, coarse, fine, tolerance, spare: Math.max(0, fine - coarse) });
  }
  const acrossMidnight = shortAcrossMidnight(both);
  for (const [k, d] of both) {
    const g = d.rows;
    const counted: SpendSource = d.fine + d.tolerance >= d.coarse || acrossMidnight.has(k) ? 'consumption' : 'cost';
    if (counted === 'consumption') {
      for (const r of g) settle(r, r.source === 'cost' ? HELD : COUNTED);
    } else if (touched.has(k) || !g.every((r) => r.held === (r.source === 'cost' ? HELD : CARRYING))) {
      carry(g, d.coarse);
    }
    const { scope, day } = g[0]!;
    tallyScopeDay(summary, scopes, scope, day, d, counted);
    if (mine !== null && g.some((r) => r.batch === batch)) tallyScopeDay(mine, mineScopes, scope, day, d, counted);
  }
  finishSummary(summary, scopes);
  if (mine !== null) {
    finishSummary(mine, mineScopes);
    mine.ownScopes = ownScopes.size;
  }
  return { ledger: summary, batch: mine };
}
