/**
 * A projection as the difference from one the caller already holds (model-project's `base`): the
 * compute worker diffs each view against the one it last answered under that name (so only the
 * delta crosses to the service), the renderer patches its own copy. Plain data only: the renderer
 * imports it too.
 */
import type { EntryChange, ModelProjectAnswer, ModelView, ModelViewDelta, ModelViewHead } from './types.ts';

export const isDelta = (a: ModelProjectAnswer): a is ModelViewDelta => 'base' in a;

/**
 * Structural equality of plain JSON data, as `sameData` (plan-history.ts) decides it, without its
 * allocations: a view's keys carry a year or more of daily figures each, hundreds of keys are
 * compared after every edit, and equal numbers are settled without a call.
 */
export function sameFigures(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x: unknown = a[i];
      const y: unknown = b[i];
      if (x !== y && !sameFigures(x, y)) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let fields = 0;
  for (const k in ao) {
    const x = ao[k];
    if (x === undefined) continue;
    fields++;
    const y = bo[k];
    if (x !== y && (!Object.hasOwn(bo, k) || !sameFigures(x, y))) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) fields--;
  return fields === 0;
}

/**
 * The entries of `after` that differ from `before` at the same index: an entry `before` has goes
 * as its changed fields only, unless a field it had is gone (a spread could not remove it), then
 * whole, as does an entry past `before`'s end.
 */
function changesOf<T extends object>(before: readonly T[], after: readonly T[]): EntryChange<T>[] {
  const out: EntryChange<T>[] = [];
  for (let at = 0; at < after.length; at++) {
    const next = after[at] as T;
    const prev = before[at];
    if (prev === undefined) {
      out.push({ at, whole: next });
      continue;
    }
    if (prev === next) continue;
    const was = prev as Record<string, unknown>;
    const now = next as Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    let changed = 0;
    let removed = false;
    for (const k in now) {
      const x = now[k];
      if (x === undefined) {
        if (was[k] !== undefined) removed = true;
        continue;
      }
      if (!Object.hasOwn(was, k) || !sameFigures(was[k], x)) {
        fields[k] = x;
        changed++;
      }
    }
    for (const k in was) if (was[k] !== undefined && now[k] === undefined) removed = true;
    if (removed) out.push({ at, whole: next });
    else if (changed > 0) out.push({ at, fields: fields as Partial<T> });
  }
  return out;
}

/** What `next` changes from `base` (the view named `baseId`), as a delta named `viewId`. */
export function viewDelta(base: ModelView, next: ModelView, baseId: string, viewId: string): ModelViewDelta {
  const { keys, triggers, ...head } = next;
  return {
    viewId,
    base: baseId,
    head,
    keyCount: keys.length,
    keys: changesOf(base.keys, keys),
    triggerCount: triggers.length,
    triggers: changesOf(base.triggers, triggers),
  };
}

function patched<T extends object>(before: readonly T[], count: number, changes: readonly EntryChange<T>[], what: string): T[] {
  const out = before.slice(0, count);
  for (const change of changes) {
    const { at } = change;
    if (!Number.isInteger(at) || at < 0 || at >= count) throw new Error(`projection delta: ${what}[${at}] is outside its ${count} ${what}`);
    if ('whole' in change) {
      out[at] = change.whole;
      continue;
    }
    const held = before[at];
    if (held === undefined) throw new Error(`projection delta: ${what}[${at}] is new but only some of its fields were sent`);
    out[at] = { ...held, ...change.fields };
  }
  // a longer list must name each entry the base did not have
  for (let i = before.length; i < count; i++) if (!Object.hasOwn(out, i)) throw new Error(`projection delta: ${what}[${i}] is new but not sent`);
  return out;
}

/**
 * The view `delta` describes, from `base` (the view it was computed against): unchanged keys and
 * triggers keep `base`'s objects, and a changed one keeps its unchanged fields' values (a key's
 * rolling spend array among them, so its sparkline is not drawn again). Throws, naming the entry, on a delta that does not fit the base.
 */
export function applyDelta(base: ModelView, delta: ModelViewDelta): ModelView {
  const head: ModelViewHead = delta.head;
  return {
    ...head,
    keys: patched(base.keys, delta.keyCount, delta.keys, 'keys'),
    triggers: patched(base.triggers, delta.triggerCount, delta.triggers, 'triggers'),
  };
}

/**
 * The last few values answered under a name (the compute worker's views, the service's plans of
 * those views), so a later call can name one as its base. A few: each window asks in turn, and a
 * name no longer held only costs a whole answer.
 */
export class Recent<T> {
  private readonly values = new Map<string, T>();
  private readonly limit: number;

  constructor(limit = 4) {
    this.limit = limit;
  }

  /** Keeps `value` (never changed afterwards) under `id`. */
  set(id: string, value: T): void {
    this.values.delete(id);
    this.values.set(id, value);
    for (const old of this.values.keys()) {
      if (this.values.size <= this.limit) break;
      this.values.delete(old);
    }
  }

  /**
   * The value under `id`, which becomes the most recent: a base named again and again (every
   * keystroke of a typing burst names the view on screen, while each answer adds one) stays held.
   */
  get(id: string): T | undefined {
    const value = this.values.get(id);
    if (value !== undefined) {
      this.values.delete(id);
      this.values.set(id, value);
    }
    return value;
  }
}

/** Views named as they are kept: the name is new for each. */
export class RecentViews extends Recent<ModelView> {
  private readonly prefix = globalThis.crypto.randomUUID().slice(0, 8);
  private count = 0;

  /** Keeps `view` (never changed afterwards) and returns its new name. */
  remember(view: ModelView): string {
    const id = `${this.prefix}-${++this.count}`;
    this.set(id, view);
    return id;
  }
}

/** The days the sparkline draws: the last of the key's rolling spend. */
export const SPARK_DAYS = 60;

const sparks = new WeakMap<readonly number[], number[]>();
/**
 * The sparkline's values, the tail of `rolling`: one array per rolling array (kept across
 * projections by structural sharing), so a memoised sparkline does not draw again.
 */
export function sparkOf(rolling: readonly number[]): number[] {
  let s = sparks.get(rolling);
  if (s === undefined) {
    s = rolling.slice(-SPARK_DAYS);
    sparks.set(rolling, s);
  }
  return s;
}
